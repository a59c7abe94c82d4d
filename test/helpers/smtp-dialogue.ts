/**
 * A raw SMTP client for protocol and abuse tests: sends exact bytes and reads replies, so tests can
 * do what no well-behaved library would (bare LF, garbage, pipelined bursts, half-open sockets).
 */
import net from 'node:net';
import tls from 'node:tls';

export class RawSmtp {
  #socket: net.Socket | tls.TLSSocket;
  #buffer = '';
  #waiters: (() => void)[] = [];
  closed = false;

  private constructor(socket: net.Socket | tls.TLSSocket) {
    this.#socket = socket;
    this.#attach(socket);
  }

  #attach(socket: net.Socket | tls.TLSSocket): void {
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      this.#buffer += chunk;
      this.#wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.#wake();
    });
    socket.on('error', () => {});
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  static async connect(port: number, options: { tls?: { ca: string } } = {}): Promise<RawSmtp> {
    const socket = options.tls
      ? tls.connect({ port, host: '127.0.0.1', ca: options.tls.ca, servername: 'localhost' })
      : net.connect({ port, host: '127.0.0.1' });
    await new Promise<void>((resolve, reject) => {
      socket.once(options.tls ? 'secureConnect' : 'connect', () => resolve());
      socket.once('error', reject);
    });
    return new RawSmtp(socket);
  }

  write(data: string | Buffer): void {
    this.#socket.write(data);
  }

  /** Waits for one complete reply (multi-line aware) and returns its lines. */
  async reply(timeoutMs = 5000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const lines: string[] = [];
      let offset = 0;
      for (;;) {
        const end = this.#buffer.indexOf('\r\n', offset);
        if (end < 0) break;
        const line = this.#buffer.slice(offset, end);
        lines.push(line);
        offset = end + 2;
        if (/^\d{3}( |$)/.test(line)) {
          this.#buffer = this.#buffer.slice(offset);
          return lines;
        }
      }
      if (this.closed)
        throw new Error(
          `Connection closed while waiting for a reply (buffered: ${JSON.stringify(this.#buffer)})`,
        );
      const remaining = deadline - Date.now();
      if (remaining <= 0)
        throw new Error(`No reply within ${timeoutMs} ms (buffered: ${JSON.stringify(this.#buffer)})`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Sends a command line (CRLF added) and returns the reply's code and last line. */
  async command(line: string): Promise<{ code: number; text: string; lines: string[] }> {
    this.write(`${line}\r\n`);
    const lines = await this.reply();
    const last = lines.at(-1) ?? '';
    return { code: Number(last.slice(0, 3)), text: last, lines };
  }

  async upgradeToTls(ca: string): Promise<void> {
    const plain = this.#socket;
    plain.removeAllListeners('data');
    const secure = tls.connect({ socket: plain, ca, servername: 'localhost' });
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', () => resolve());
      secure.once('error', reject);
    });
    this.#socket = secure;
    this.#attach(secure);
  }

  /** Resolves when the server has closed the connection. */
  async waitClosed(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error('The server did not close the connection');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Half-closes: sends FIN (after TLS close_notify on TLS) and goes on reading, as `nc -N` does. */
  finishSending(): void {
    this.#socket.end();
  }

  close(): void {
    this.#socket.destroy();
  }
}
