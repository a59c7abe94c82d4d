/**
 * Replies on the wire: what a pipelining client (RFC 2920) gets back comes in as few socket writes
 * as the protocol allows, in order, and the session transcript and reject metrics still see every
 * reply. Writes are counted as TLS records: under TLS 1.2 each write is its own application-data
 * record (content type 23), which the client can see in the raw bytes without decrypting them.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { Duplex } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import tls from 'node:tls';
import type { SessionRecord } from '../../src/domain/types.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

const APPLICATION_DATA = 23;
const RECORD_HEADER = 5;

/** A TCP connection that keeps every byte it receives, so TLS record boundaries can be read. */
class RecordingStream extends Duplex {
  readonly #socket: net.Socket;
  #received = Buffer.alloc(0);

  constructor(socket: net.Socket) {
    super();
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.#received = Buffer.concat([this.#received, chunk]);
      this.push(chunk);
    });
    socket.on('end', () => this.push(null));
    socket.on('error', (error) => this.destroy(error));
  }

  /** Bytes received so far: a mark to count records from. */
  get offset(): number {
    return this.#received.length;
  }

  /** Application-data records that started at or after `from`. */
  applicationRecordsSince(from: number): number {
    let count = 0;
    let position = 0;
    while (position + RECORD_HEADER <= this.#received.length) {
      if (position >= from && this.#received[position] === APPLICATION_DATA) count += 1;
      position += RECORD_HEADER + this.#received.readUInt16BE(position + 3);
    }
    return count;
  }

  override _read(): void {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#socket.write(chunk, callback);
  }

  override _final(callback: () => void): void {
    this.#socket.end(callback);
  }

  override _destroy(error: Error | null, callback: (error: Error | null) => void): void {
    this.#socket.destroy();
    callback(error);
  }
}

/** Reads SMTP replies line by line from a socket. */
class ReplyReader {
  #text = '';
  #closed = false;
  #wake: (() => void) | null = null;

  constructor(socket: Duplex) {
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      this.#text += chunk;
      this.#wake?.();
    });
    socket.on('close', () => {
      this.#closed = true;
      this.#wake?.();
    });
    socket.on('error', () => {});
  }

  /** The next complete reply, every line of it. */
  async reply(): Promise<string[]> {
    for (;;) {
      const match = /^(?:\d{3}-[^\r\n]*\r\n)*\d{3}(?: [^\r\n]*)?\r\n/.exec(this.#text);
      if (match) {
        this.#text = this.#text.slice(match[0].length);
        return match[0].split('\r\n').slice(0, -1);
      }
      if (this.#closed)
        throw new Error(`closed while waiting for a reply (have ${JSON.stringify(this.#text)})`);
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no reply within 5 s')), 5000);
        this.#wake = () => {
          clearTimeout(timer);
          this.#wake = null;
          resolve();
        };
      });
    }
  }

  /** The last line of each of the next `count` replies. */
  async replies(count: number): Promise<string[]> {
    const lines: string[] = [];
    for (let index = 0; index < count; index += 1) lines.push((await this.reply()).at(-1) ?? '');
    return lines;
  }
}

let sandbox: TestSandbox;

before(async () => {
  sandbox = await startTestSandbox();
});
after(async () => {
  await sandbox.stop();
});

/** Resolves with the record of the next SMTP session to close. */
function nextSessionRecord(): Promise<SessionRecord> {
  return new Promise((resolve, reject) => {
    const unsubscribe = sandbox.bus.subscribe('session.closed', ({ session }) => {
      unsubscribe();
      sandbox.store.getSession(session.id).then((record) => {
        if (record) resolve(record);
        else reject(new Error(`session ${session.id} was not stored`));
      }, reject);
    });
  });
}

async function rejectsByCode(): Promise<Map<string, number>> {
  const text = await (await fetch(`${sandbox.apiUrl}/metrics`)).text();
  const counts = new Map<string, number>();
  for (const [, code, value] of text.matchAll(/^mailport_rejects_total\{code="(\d+)"\} (\d+)$/gm)) {
    counts.set(code ?? '', Number(value));
  }
  return counts;
}

describe('reply writes', () => {
  it('answers pipelined MAIL, RCPT, DATA in one write, and the end of data with what follows it in one write', async () => {
    const closed = nextSessionRecord();
    const raw = new RecordingStream(net.connect(sandbox.port('submissions'), '127.0.0.1'));
    const socket = tls.connect({
      socket: raw,
      ca: sandbox.caPem,
      servername: 'localhost',
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.2',
    });
    const reader = new ReplyReader(socket);
    assert.match((await reader.reply())[0] ?? '', /^220 /);
    socket.write('EHLO client.test\r\n');
    assert.ok((await reader.reply()).includes('250-PIPELINING'));
    const token = Buffer.from(`\0${sandbox.auth.user}\0${sandbox.auth.pass}`).toString('base64');
    socket.write(`AUTH PLAIN ${token}\r\n`);
    assert.match((await reader.reply())[0] ?? '', /^235 /);

    const beforeCommands = raw.offset;
    socket.write('MAIL FROM:<from@example.test>\r\nRCPT TO:<to@example.test>\r\nDATA\r\n');
    assert.deepEqual(await reader.replies(3), [
      '250 2.1.0 Sender <from@example.test> OK',
      '250 2.1.5 Recipient <to@example.test> OK',
      '354 End data with <CR><LF>.<CR><LF>',
    ]);
    assert.equal(raw.applicationRecordsSince(beforeCommands), 1, 'three replies, one write');

    const beforeMessage = raw.offset;
    socket.write('Subject: pipelined\r\n\r\nbody\r\n.\r\nNOOP\r\nQUIT\r\n');
    const [queued, ok, bye] = await reader.replies(3);
    assert.match(queued ?? '', /^250 2\.0\.0 OK: queued as [0-9a-f-]{36}$/);
    assert.equal(ok, '250 2.0.0 OK');
    assert.equal(bye, '221 2.0.0 Service closing transmission channel');
    assert.equal(
      raw.applicationRecordsSince(beforeMessage),
      1,
      'the 250 after commit and the replies behind it, one write',
    );

    const record = await closed;
    socket.destroy();
    assert.deepEqual(
      record.transcript.slice(-12).map((line) => `${line.dir} ${line.text}`),
      [
        'C MAIL FROM:<from@example.test>',
        'S 250 2.1.0 Sender <from@example.test> OK',
        'C RCPT TO:<to@example.test>',
        'S 250 2.1.5 Recipient <to@example.test> OK',
        'C DATA',
        'S 354 End data with <CR><LF>.<CR><LF>',
        '* <message body: 28 bytes>',
        `S ${queued}`,
        'C NOOP',
        'S 250 2.0.0 OK',
        'C QUIT',
        'S 221 2.0.0 Service closing transmission channel',
      ],
    );
    assert.ok(record.transcript.some((line) => line.dir === 'C' && line.text === 'AUTH PLAIN <redacted>'));
    assert.ok(!record.transcript.some((line) => line.text.includes(token)), 'credentials stay redacted');
    assert.equal(record.outcome, 'delivered');
  });

  it('counts every error reply of a pipelined batch in the reject metrics, by code', async () => {
    const before = await rejectsByCode();
    const socket = net.connect(sandbox.port('relay'), '127.0.0.1');
    const reader = new ReplyReader(socket);
    await reader.reply();
    socket.write('EHLO client.test\r\n');
    await reader.reply();
    // 503 (RCPT before MAIL), 501 (bad sender), 250, 503 again, 502 (not offered), 214 (multi-line).
    socket.write(
      'RCPT TO:<to@example.test>\r\nMAIL FROM:<no-brackets\r\nNOOP\r\nDATA\r\nEXPN list\r\nHELP\r\nQUIT\r\n',
    );
    const codes = (await reader.replies(7)).map((line) => line.slice(0, 3));
    assert.deepEqual(codes, ['503', '501', '250', '503', '502', '214', '221']);
    const afterwards = await rejectsByCode();
    const added = (code: string): number => (afterwards.get(code) ?? 0) - (before.get(code) ?? 0);
    assert.deepEqual(
      ['503', '501', '502', '250', '214', '221'].map((code) => [code, added(code)]),
      [
        ['503', 2],
        ['501', 1],
        ['502', 1],
        ['250', 0],
        ['214', 0],
        ['221', 0],
      ],
    );
    socket.destroy();
  });
});
