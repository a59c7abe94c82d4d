/**
 * Reads SMTP replies from a socket: splits the byte stream into lines, assembles multi-line
 * replies, and hands each complete reply to whoever waits for one. A reader belongs to one socket;
 * after STARTTLS a new reader is attached to the TLS socket (RFC 3207 §4.2: nothing read before the
 * upgrade may be used after it).
 */
import type { Socket } from 'node:net';
import { ReplyAssembler, type ServerReply } from './reply.js';

export type ReaderFailure =
  | { kind: 'closed' }
  | { kind: 'error'; error: Error }
  /** The peer sent bytes that are not an SMTP reply; `received` holds the first of them. */
  | { kind: 'not-smtp'; received: Buffer; reason: string };

interface Waiter {
  resolve: (reply: ServerReply) => void;
  reject: (failure: ReaderFailure) => void;
}

const MAX_LINE_BYTES = 64 * 1024;
const BANNER_BYTES = 512;

export class ReplyReader {
  private buffered = Buffer.alloc(0);
  /** Every byte received so far, up to BANNER_BYTES, to name a non-SMTP peer. */
  private firstBytes = Buffer.alloc(0);
  private readonly assembler = new ReplyAssembler();
  private readonly replies: ServerReply[] = [];
  private waiter: Waiter | null = null;
  private failure: ReaderFailure | null = null;
  private readonly onData = (chunk: Buffer) => this.receive(chunk);
  private readonly onClose = () => this.fail({ kind: 'closed' });
  private readonly onError = (error: Error) => this.fail({ kind: 'error', error });

  constructor(
    private readonly socket: Socket,
    private readonly onLine: (line: string) => void,
  ) {
    socket.on('data', this.onData);
    socket.on('end', this.onClose);
    socket.on('close', this.onClose);
    socket.on('error', this.onError);
  }

  /** Stops reading; unread bytes are dropped. */
  detach(): void {
    this.socket.off('data', this.onData);
    this.socket.off('end', this.onClose);
    this.socket.off('close', this.onClose);
    this.socket.off('error', this.onError);
  }

  /** True when bytes arrived that no reply has consumed yet (e.g. a server pipelining past STARTTLS). */
  hasUnreadBytes(): boolean {
    return this.buffered.length > 0 || this.replies.length > 0;
  }

  /** The bytes of a line that has not ended yet, as text. */
  unreadText(): string {
    return this.buffered.toString('utf8').trimEnd();
  }

  next(): Promise<ServerReply> {
    const queued = this.replies.shift();
    if (queued) return Promise.resolve(queued);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  private receive(chunk: Buffer): void {
    if (this.firstBytes.length < BANNER_BYTES) {
      this.firstBytes = Buffer.concat([this.firstBytes, chunk]).subarray(0, BANNER_BYTES);
    }
    this.buffered = Buffer.concat([this.buffered, chunk]);
    // A reply starts with a digit: anything else (IMAP `* OK`, POP3 `+OK`, a TLS record) is not SMTP.
    const first = this.buffered[0];
    if (first !== undefined && (first < 0x30 || first > 0x39)) {
      this.fail({
        kind: 'not-smtp',
        received: this.firstBytes,
        reason: 'the first byte of a line is not a reply code',
      });
      return;
    }
    let newline = this.buffered.indexOf(0x0a);
    while (newline !== -1) {
      const line = this.buffered.subarray(0, newline).toString('utf8').replace(/\r$/, '');
      this.buffered = this.buffered.subarray(newline + 1);
      this.onLine(line);
      try {
        const reply = this.assembler.push(line);
        if (reply) this.deliver(reply);
      } catch (error) {
        this.fail({ kind: 'not-smtp', received: this.firstBytes, reason: (error as Error).message });
        return;
      }
      newline = this.buffered.indexOf(0x0a);
    }
    if (this.buffered.length > MAX_LINE_BYTES) {
      this.fail({
        kind: 'not-smtp',
        received: this.firstBytes,
        reason: 'a reply line is longer than 64 KiB',
      });
    }
  }

  private deliver(reply: ServerReply): void {
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = null;
      waiter.resolve(reply);
    } else {
      this.replies.push(reply);
    }
  }

  private fail(failure: ReaderFailure): void {
    if (this.failure) return;
    this.failure = failure;
    this.detach();
    // Keep a no-op error listener: a late socket error must not crash the process.
    this.socket.on('error', () => {});
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.reject(failure);
  }
}
