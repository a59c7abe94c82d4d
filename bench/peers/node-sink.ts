/**
 * The Node + TLS ceiling: a minimal SMTP sink that speaks just enough of the protocol for the
 * benchmark (EHLO, STARTTLS, implicit TLS, AUTH PLAIN, MAIL, RCPT, DATA, RSET, NOOP, QUIT) and
 * discards every message. No parsing, no storage: whatever a real Node server adds costs more.
 *
 * Run as a child process: `node --import tsx bench/peers/node-sink.ts --cert FILE --key FILE`;
 * it prints one JSON line `{"plainPort":N,"implicitPort":M}` once both listeners are bound.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { parseArgs } from 'node:util';

const TERMINATOR = Buffer.from('\r\n.\r\n');
const MAX_LINE = 4096;

const ehloReply = (secure: boolean): string =>
  [
    '250-localhost greets you',
    '250-PIPELINING',
    '250-SIZE 52428800',
    '250-8BITMIME',
    '250-ENHANCEDSTATUSCODES',
    secure ? '250 AUTH PLAIN' : '250 STARTTLS',
    '',
  ].join('\r\n');

class SinkSession {
  #mode: 'command' | 'data' | 'auth' = 'command';
  #line = '';
  /** Last bytes of DATA seen so far: the terminator may straddle two reads. */
  #tail: Buffer = Buffer.from('\r\n');

  constructor(
    private readonly socket: net.Socket,
    private readonly secure: boolean,
    private readonly secureContext: tls.SecureContext,
  ) {
    socket.on('error', () => socket.destroy());
    socket.on('data', this.#onData);
  }

  greet(): void {
    this.socket.write('220 localhost ESMTP bench node sink\r\n');
  }

  readonly #onData = (chunk: Buffer): void => {
    let replies = '';
    let offset = 0;
    while (offset < chunk.length) {
      if (this.#mode === 'data') {
        const end = this.#findDataEnd(chunk, offset);
        if (end === -1) break;
        this.#mode = 'command';
        replies += '250 2.0.0 Message accepted and discarded\r\n';
        offset = end;
        continue;
      }
      const newline = chunk.indexOf(10, offset);
      if (newline === -1) {
        this.#line += chunk.toString('latin1', offset);
        if (this.#line.length > MAX_LINE) this.socket.destroy();
        break;
      }
      const line = (this.#line + chunk.toString('latin1', offset, newline)).replace(/\r$/, '');
      this.#line = '';
      offset = newline + 1;
      const outcome = this.#command(line);
      if (outcome === 'starttls') {
        // RFC 3207 §4.2: anything pipelined after STARTTLS is discarded, not executed.
        this.#flush(`${replies}220 2.0.0 Ready to start TLS\r\n`);
        this.#upgrade();
        return;
      }
      replies += outcome;
      if (outcome.startsWith('221')) {
        this.socket.end(replies);
        return;
      }
    }
    this.#flush(replies);
  };

  #flush(replies: string): void {
    if (replies) this.socket.write(replies);
  }

  /** Returns the reply text, or 'starttls' when the connection must now be upgraded. */
  #command(line: string): string {
    if (this.#mode === 'auth') {
      this.#mode = 'command';
      return '235 2.7.0 Authentication successful\r\n';
    }
    const verb = line.slice(0, 4).toUpperCase();
    switch (verb) {
      case 'EHLO':
      case 'HELO':
        return ehloReply(this.secure);
      case 'STAR':
        return this.secure ? '503 5.5.1 TLS already active\r\n' : 'starttls';
      case 'AUTH':
        if (line.trim().split(/\s+/).length > 2) return '235 2.7.0 Authentication successful\r\n';
        this.#mode = 'auth';
        return '334 \r\n';
      case 'MAIL':
        return '250 2.1.0 Sender OK\r\n';
      case 'RCPT':
        return '250 2.1.5 Recipient OK\r\n';
      case 'DATA':
        this.#mode = 'data';
        this.#tail = Buffer.from('\r\n');
        return '354 Start mail input; end with <CRLF>.<CRLF>\r\n';
      case 'RSET':
      case 'NOOP':
        return '250 2.0.0 OK\r\n';
      case 'QUIT':
        return '221 2.0.0 Bye\r\n';
      default:
        return '502 5.5.1 Command not implemented\r\n';
    }
  }

  /** Offset just past `<CRLF>.<CRLF>` in `chunk`, or -1 after remembering the tail. */
  #findDataEnd(chunk: Buffer, offset: number): number {
    const head = Buffer.concat([this.#tail, chunk.subarray(offset, offset + 4)]);
    const straddling = head.indexOf(TERMINATOR);
    if (straddling !== -1) return offset + straddling + TERMINATOR.length - this.#tail.length;
    const inside = chunk.indexOf(TERMINATOR, offset);
    if (inside !== -1) return inside + TERMINATOR.length;
    const seen = Buffer.concat([this.#tail, chunk.subarray(Math.max(offset, chunk.length - 4))]);
    this.#tail = seen.subarray(Math.max(0, seen.length - 4));
    return -1;
  }

  #upgrade(): void {
    this.socket.removeListener('data', this.#onData);
    const secure = new tls.TLSSocket(this.socket, { isServer: true, secureContext: this.secureContext });
    new SinkSession(secure, true, this.secureContext);
  }
}

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
  });
}

const { values } = parseArgs({ options: { cert: { type: 'string' }, key: { type: 'string' } } });
if (!values.cert || !values.key) throw new Error('node-sink needs --cert FILE and --key FILE');
const credentials = {
  cert: readFileSync(values.cert),
  key: readFileSync(values.key),
  minVersion: 'TLSv1.2',
} as const;
const secureContext = tls.createSecureContext(credentials);
const plain = net.createServer((socket) => new SinkSession(socket, false, secureContext).greet());
const implicit = tls.createServer(credentials, (socket) =>
  new SinkSession(socket, true, secureContext).greet(),
);
const [plainPort, implicitPort] = await Promise.all([listen(plain), listen(implicit)]);
process.stdout.write(`${JSON.stringify({ plainPort, implicitPort })}\n`);
process.on('SIGTERM', () => process.exit(0));
