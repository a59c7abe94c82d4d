/**
 * One load-generating SMTP client connection on a raw socket: greeting, EHLO, optional STARTTLS
 * (RFC 3207) or implicit TLS (RFC 8314), optional AUTH PLAIN (RFC 4954), then any number of
 * messages. MAIL, RCPT and DATA go out in one write when the server offers PIPELINING (RFC 2920);
 * the message is written only after the 354 reply, as the RFC requires.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import tls from 'node:tls';
import { type BenchMessage, ENVELOPE } from '../messages.js';
import { ReplyReader, type SmtpReply } from './reply-reader.js';

export type Security = 'plain' | 'starttls' | 'implicit';

export interface SmtpTarget {
  host: string;
  port: number;
  security: Security;
  /** AUTH PLAIN credentials; null sends no AUTH (relay-style). */
  auth: { user: string; pass: string } | null;
  /** PEM of the CA the server certificate chains to (TLS only). */
  ca: string | null;
  /** Name to verify the certificate against. */
  servername: string;
  /** Pipeline MAIL/RCPT/DATA when the server offers PIPELINING. */
  pipelining: boolean;
}

/** A reply the generator did not expect, with the step it answered. */
export class UnexpectedReplyError extends Error {
  constructor(
    readonly step: string,
    readonly reply: SmtpReply,
  ) {
    super(`${step}: ${reply.code} ${reply.lines.join(' / ')}`);
    this.name = 'UnexpectedReplyError';
  }
}

function expect(reply: SmtpReply, code: number, step: string): void {
  if (reply.code !== code) throw new UnexpectedReplyError(step, reply);
}

function waitFor(socket: net.Socket, event: 'connect' | 'secureConnect'): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => {
      socket.off(event, onEvent);
      reject(error);
    };
    const onEvent = (): void => {
      socket.off('error', onError);
      resolve();
    };
    socket.once(event, onEvent);
    socket.once('error', onError);
  });
}

export class LoadConnection {
  readonly #reader = new ReplyReader();
  #socket: net.Socket;
  #pipelining = false;
  #sizeExtension = false;
  readonly #commands = new Map<number, { all: Buffer; mail: Buffer }>();
  static readonly #rcpt = Buffer.from(`RCPT TO:<${ENVELOPE.to}>\r\n`);
  static readonly #data = Buffer.from('DATA\r\n');

  private constructor(socket: net.Socket) {
    this.#socket = socket;
  }

  /** Connects and runs the session up to the point where MAIL may be sent. */
  static async open(target: SmtpTarget, timeoutMs: number): Promise<LoadConnection> {
    const socket =
      target.security === 'implicit'
        ? tls.connect({ host: target.host, port: target.port, ...LoadConnection.#tlsOptions(target) })
        : net.connect({ host: target.host, port: target.port });
    const connection = new LoadConnection(socket);
    connection.#watch(socket, timeoutMs);
    try {
      await waitFor(socket, target.security === 'implicit' ? 'secureConnect' : 'connect');
      socket.setNoDelay(true);
      expect(await connection.#reader.next(), 220, 'greeting');
      let capabilities = await connection.#ehlo();
      if (target.security === 'starttls') {
        connection.#write(Buffer.from('STARTTLS\r\n'));
        expect(await connection.#reader.next(), 220, 'STARTTLS');
        await connection.#upgrade(target, timeoutMs);
        capabilities = await connection.#ehlo();
      }
      if (target.auth) {
        const token = Buffer.from(`\0${target.auth.user}\0${target.auth.pass}`).toString('base64');
        connection.#write(Buffer.from(`AUTH PLAIN ${token}\r\n`));
        expect(await connection.#reader.next(), 235, 'AUTH PLAIN');
      }
      connection.#pipelining = target.pipelining && capabilities.has('PIPELINING');
      connection.#sizeExtension = capabilities.has('SIZE');
      return connection;
    } catch (error) {
      socket.destroy();
      throw error;
    }
  }

  static #tlsOptions(target: SmtpTarget): tls.ConnectionOptions {
    return {
      servername: target.servername,
      minVersion: 'TLSv1.2',
      ...(target.ca ? { ca: target.ca } : {}),
    };
  }

  /** Sends one message; resolves with the milliseconds from MAIL FROM to the 250 after DATA. */
  async send(message: BenchMessage): Promise<number> {
    const commands = this.#commandsFor(message);
    const started = performance.now();
    if (this.#pipelining) {
      this.#write(commands.all);
      expect(await this.#reader.next(), 250, 'MAIL FROM');
      expect(await this.#reader.next(), 250, 'RCPT TO');
      expect(await this.#reader.next(), 354, 'DATA');
    } else {
      this.#write(commands.mail);
      expect(await this.#reader.next(), 250, 'MAIL FROM');
      this.#write(LoadConnection.#rcpt);
      expect(await this.#reader.next(), 250, 'RCPT TO');
      this.#write(LoadConnection.#data);
      expect(await this.#reader.next(), 354, 'DATA');
    }
    this.#write(message.payload);
    expect(await this.#reader.next(), 250, 'end of DATA');
    return performance.now() - started;
  }

  /** Says QUIT, waits for any answer (or the close) and closes the socket. */
  async quit(): Promise<void> {
    this.#write(Buffer.from('QUIT\r\n'));
    await this.#reader.next().catch(() => undefined);
    this.#socket.destroy();
  }

  destroy(): void {
    this.#socket.destroy();
  }

  #commandsFor(message: BenchMessage): { all: Buffer; mail: Buffer } {
    let commands = this.#commands.get(message.bytes);
    if (!commands) {
      const size = this.#sizeExtension ? ` SIZE=${message.bytes}` : '';
      const mail = Buffer.from(`MAIL FROM:<${ENVELOPE.from}>${size}\r\n`);
      commands = { mail, all: Buffer.concat([mail, LoadConnection.#rcpt, LoadConnection.#data]) };
      this.#commands.set(message.bytes, commands);
    }
    return commands;
  }

  #write(bytes: Buffer): void {
    this.#socket.write(bytes);
  }

  async #ehlo(): Promise<Set<string>> {
    this.#write(Buffer.from('EHLO bench.test\r\n'));
    const reply = await this.#reader.next();
    expect(reply, 250, 'EHLO');
    return new Set(reply.lines.slice(1).map((line) => line.split(' ')[0]?.toUpperCase() ?? ''));
  }

  async #upgrade(target: SmtpTarget, timeoutMs: number): Promise<void> {
    const plain = this.#socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('close');
    plain.setTimeout(0);
    this.#reader.reset();
    const secure = tls.connect({ socket: plain, ...LoadConnection.#tlsOptions(target) });
    this.#socket = secure;
    this.#watch(secure, timeoutMs);
    await waitFor(secure, 'secureConnect');
  }

  #watch(socket: net.Socket, timeoutMs: number): void {
    socket.on('data', (chunk: Buffer) => this.#reader.push(chunk));
    socket.on('error', (error) => this.#reader.fail(error));
    socket.on('close', () => this.#reader.fail(new Error('the server closed the connection')));
    socket.setTimeout(timeoutMs, () =>
      socket.destroy(new Error(`no reply within ${timeoutMs} ms (reply timeout)`)),
    );
  }
}
