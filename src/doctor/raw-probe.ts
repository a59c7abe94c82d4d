/**
 * A raw TCP connection beside the SMTP client's. It keeps the bytes the server sends, which the
 * client does not hand over when its greeting never completes (no line end, a multi-line greeting
 * that never ends), and it can speak first, to name servers that wait for the client (HTTP
 * answers `EHLO` with `400 Bad Request`).
 */
import { type Socket, connect as tcpConnect } from 'node:net';

/** Enough to show the greeting and tell its lines apart; a flood beyond it says nothing more. */
const KEPT_BYTES = 16 * 1024;

export class RawProbe {
  private readonly socket: Socket;
  private bytes = Buffer.alloc(0);
  private ended = false;
  private readonly listeners = new Set<() => void>();

  constructor(host: string, port: number) {
    this.socket = tcpConnect({ host, port });
    this.socket.on('data', (chunk: Buffer) => {
      if (this.bytes.length < KEPT_BYTES) {
        this.bytes = Buffer.concat([this.bytes, chunk]).subarray(0, KEPT_BYTES);
      }
      this.notify();
    });
    const end = () => {
      this.ended = true;
      this.notify();
    };
    this.socket.on('error', end);
    this.socket.on('close', end);
  }

  /** What the server has sent so far, without being spoken to. */
  received(): Buffer {
    return this.bytes;
  }

  /** Sends EHLO, then waits up to `timeoutMs` for a whole line (or the end); returns all received. */
  speak(timeoutMs: number): Promise<Buffer> {
    if (!this.ended) this.socket.write('EHLO mailport-doctor.invalid\r\n\r\n');
    return new Promise((resolve) => {
      const check = () => {
        if (!this.ended && !this.bytes.includes(0x0a)) return;
        done();
      };
      const done = () => {
        clearTimeout(timer);
        this.listeners.delete(check);
        resolve(this.bytes);
      };
      const timer = setTimeout(done, timeoutMs);
      this.listeners.add(check);
      check();
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
