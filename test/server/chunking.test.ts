/**
 * RFC 3030 CHUNKING (BDAT) over real sockets on every port profile: chunks are read by their
 * octet count whatever the reply, the stored message is byte for byte what DATA stores for the
 * same message, refusals keep the session in step, and the transcript shows chunk sizes, never
 * chunk bytes or credentials.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { readChaosRules } from '../../src/chaos/syntax.js';
import type { SessionRecord } from '../../src/domain/types.js';
import type { ProfileName } from '../../src/profiles/port-profiles.js';
import { plainCredentials, readyRawClient, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { RawSmtp } from '../helpers/smtp-dialogue.js';
import { nextClosedSession } from '../helpers/wait.js';

let sandbox: TestSandbox;

before(async () => {
  sandbox = await startTestSandbox({
    maxMessageSize: '10000',
    idleTimeout: '2s',
    auth: ['chunker:Chunk-pass-not-in-transcripts'],
  });
});
afterEach(() => {
  sandbox.chaos.clear();
});
after(async () => {
  await sandbox.stop();
});

const PROFILES: readonly ProfileName[] = ['relay', 'submissions', 'submission', 'alternate'];

function readyClient(profile: ProfileName, heloName?: string): Promise<RawSmtp> {
  return readyRawClient(sandbox, profile, heloName);
}

/** `BDAT <size>[ LAST]` with its octets, in one write. */
function bdat(octets: string | Buffer, last = false): Buffer {
  const bytes = typeof octets === 'string' ? Buffer.from(octets, 'latin1') : octets;
  return Buffer.concat([Buffer.from(`BDAT ${bytes.length}${last ? ' LAST' : ''}\r\n`), bytes]);
}

/** Reads `count` replies and returns the last line of each. */
async function replies(client: RawSmtp, count: number): Promise<string[]> {
  const lines: string[] = [];
  for (let i = 0; i < count; i += 1) lines.push((await client.reply()).at(-1) ?? '');
  return lines;
}

async function envelope(client: RawSmtp, to = 'b@example.test'): Promise<void> {
  assert.equal((await client.command('MAIL FROM:<a@example.test>')).code, 250);
  assert.equal((await client.command(`RCPT TO:<${to}>`)).code, 250);
}

const QUEUED = /^250 2\.0\.0 OK: queued as (\S+)$/;

function queuedId(line: string): string {
  const id = QUEUED.exec(line)?.[1];
  assert.ok(id, `expected a queued reply, got ${line}`);
  return id;
}

async function raw(id: string): Promise<Buffer> {
  const bytes = await sandbox.store.getRawMessage(id);
  assert.ok(bytes, `message ${id} is stored`);
  return bytes;
}

/** Sends `stuffed` (already dot-stuffed, ending in CRLF) with DATA and returns what was stored. */
async function storedByData(client: RawSmtp, stuffed: string): Promise<Buffer> {
  await envelope(client);
  assert.equal((await client.command('DATA')).code, 354);
  client.write(`${stuffed}.\r\n`);
  return raw(queuedId((await client.reply()).at(-1) ?? ''));
}

async function transcriptOf(session: Promise<{ id: string }>): Promise<SessionRecord> {
  const record = await sandbox.store.getSession((await session).id);
  assert.ok(record);
  return record;
}

function lines(record: SessionRecord): string[] {
  return record.transcript.map((line) => `${line.dir} ${line.text}`);
}

async function storedCount(subjectWord: string): Promise<number> {
  return (await sandbox.store.listMessages({ q: `subject:${subjectWord}` })).total;
}

describe('CHUNKING is offered and BDAT delivers on every profile', () => {
  for (const profile of PROFILES) {
    it(`${profile}: EHLO lists CHUNKING; one BDAT LAST and several chunks store the same bytes as DATA`, async () => {
      const client = await readyClient(profile);
      const ehlo = await client.command('EHLO client.test');
      assert.ok(
        ehlo.lines.includes('250-CHUNKING') || ehlo.lines.includes('250 CHUNKING'),
        ehlo.lines.join('|'),
      );

      const message = `Subject: chunked-${profile}\r\n\r\nline one\r\n.\r\n..two dots\r\n.\r\nend\r\n`;
      const stuffed = `Subject: chunked-${profile}\r\n\r\nline one\r\n..\r\n...two dots\r\n..\r\nend\r\n`;
      const byData = await storedByData(client, stuffed);
      assert.equal(byData.toString('latin1'), message);

      await envelope(client);
      client.write(bdat(message, true));
      const single = await raw(queuedId((await client.reply()).at(-1) ?? ''));
      assert.deepEqual(single, byData);

      // Chunk boundaries inside a line and between CR and LF; the last line without its CRLF.
      await envelope(client);
      const withoutFinalCrlf = message.slice(0, -2);
      const cuts = [3, 27, 28, withoutFinalCrlf.length];
      let from = 0;
      for (const [index, cut] of cuts.entries()) {
        client.write(bdat(withoutFinalCrlf.slice(from, cut), index === cuts.length - 1));
        from = cut;
      }
      const [first, second, third, last] = await replies(client, 4);
      assert.deepEqual(
        [first, second, third],
        ['250 2.0.0 3 octets received', '250 2.0.0 24 octets received', '250 2.0.0 1 octets received'],
      );
      assert.deepEqual(await raw(queuedId(last ?? '')), byData);
      client.close();
    });
  }

  it('BDAT 0 LAST stores an empty message, as DATA with no text does', async () => {
    const client = await readyClient('relay');
    const byData = await storedByData(client, '');
    await envelope(client);
    client.write(bdat('', true));
    assert.deepEqual(await raw(queuedId((await client.reply()).at(-1) ?? '')), byData);
    assert.equal(byData.length, 0);
    client.close();
  });

  it('8-bit octets and a 1000-octet line pass; the chunk is not parsed for commands or dots', async () => {
    const client = await readyClient('relay');
    const longLine = 'x'.repeat(998);
    const body = Buffer.concat([
      Buffer.from('Subject: eight-bit\r\n\r\n'),
      Buffer.from([0xc3, 0xa9, 0xff, 0x0d, 0x0a]),
      Buffer.from(`${longLine}\r\nQUIT\r\n.\r\nRSET\r\n`),
    ]);
    await envelope(client);
    client.write(bdat(body, true));
    const stored = await raw(queuedId((await client.reply()).at(-1) ?? ''));
    assert.deepEqual(stored, body);
    assert.equal((await client.command('NOOP')).text, '250 2.0.0 OK');
    client.close();
  });
});

describe('BDAT refusals keep the session in step', () => {
  it('without MAIL: 503 5.5.1 after the octets are read; without RCPT: 554 5.5.1 as for DATA', async () => {
    const client = await readyClient('relay');
    // The octets look like commands: were they executed, there would be more replies.
    client.write(bdat('MAIL FROM:<x@example.test>\r\nQUIT\r\n', true));
    assert.equal((await client.reply()).at(-1), '503 5.5.1 Need MAIL FROM before RCPT TO, DATA and BDAT');
    assert.equal((await client.command('NOOP')).text, '250 2.0.0 OK');
    assert.equal((await client.command('MAIL FROM:<a@example.test>')).code, 250);
    client.write(bdat('RSET\r\n'));
    assert.equal((await client.reply()).at(-1), '554 5.5.1 No valid recipients: send RCPT TO before BDAT');
    // The transaction is still open: MAIL is nested.
    assert.match((await client.command('MAIL FROM:<a@example.test>')).text, /^503 5\.5\.1 Sender already/);
    client.close();
  });

  it('DATA after BDAT in the same transaction gets 503 5.5.1; RSET between chunks drops the text', async () => {
    const client = await readyClient('relay');
    await envelope(client);
    client.write(bdat('Subject: dropped-by-rset\r\n'));
    assert.equal((await client.reply()).at(-1), '250 2.0.0 26 octets received');
    assert.equal(
      (await client.command('DATA')).text,
      '503 5.5.1 DATA after BDAT: end the message with BDAT <size> LAST, or send RSET (RFC 3030 section 2)',
    );
    assert.equal((await client.command('RSET')).text, '250 2.0.0 OK');
    client.write(bdat('\r\nafter rset\r\n', true));
    assert.match((await client.reply()).at(-1) ?? '', /^503 5\.5\.1 Need MAIL FROM/);
    await envelope(client);
    client.write(bdat('Subject: kept-after-rset\r\n\r\nbody\r\n', true));
    const stored = await raw(queuedId((await client.reply()).at(-1) ?? ''));
    assert.equal(stored.toString(), 'Subject: kept-after-rset\r\n\r\nbody\r\n');
    assert.equal(await storedCount('dropped-by-rset'), 0);
    client.close();
  });

  it('invalid sizes get 501 5.5.4 and nothing is read as a chunk', async () => {
    const client = await readyClient('relay');
    await envelope(client);
    for (const command of [
      'BDAT',
      'BDAT abc',
      'BDAT -1',
      'BDAT 10 NOTLAST',
      'BDAT 1234567890123456',
      'BDAT 5 LAST x',
    ]) {
      assert.equal(
        (await client.command(command)).text,
        '501 5.5.4 Syntax: BDAT count [LAST] (RFC 3030 section 2)',
        command,
      );
    }
    // LAST is case-insensitive; the transaction survived the syntax errors.
    client.write('BDAT 19 last\r\nSubject: lower-last');
    assert.match((await client.reply()).at(-1) ?? '', QUEUED);
    client.close();
  });

  it('a chunk over the size limit: 552 5.3.4 after the chunk, the transaction is reset, pipelined chunks get 503', async () => {
    const closed = nextClosedSession(sandbox.bus, (session) => session.heloName === 'big.test');
    const client = await readyClient('relay', 'big.test');
    await envelope(client);
    const lines100 = (letter: string, count: number): string => `${letter.repeat(98)}\r\n`.repeat(count);
    client.write(bdat(`Subject: too-big\r\n\r\n${lines100('y', 50)}`));
    assert.equal((await client.reply()).at(-1), '250 2.0.0 5020 octets received');
    client.write(Buffer.concat([bdat(lines100('z', 60)), bdat('more\r\n', true), Buffer.from('NOOP\r\n')]));
    assert.deepEqual(await replies(client, 3), [
      '552 5.3.4 Message size exceeds fixed maximum message size (10000 bytes)',
      '503 5.5.1 Need MAIL FROM before RCPT TO, DATA and BDAT',
      '250 2.0.0 OK',
    ]);
    assert.equal((await client.command('QUIT')).code, 221);
    const session = await closed;
    assert.deepEqual(session.messageIds, []);
    assert.deepEqual(
      session.diagnostics.map((diagnostic) => [diagnostic.code, diagnostic.detail]),
      [
        ['message-too-large', 'more than 10000 bytes in the BDAT message text'],
        ['bad-sequence', undefined],
      ],
    );
    assert.equal(await storedCount('too-big'), 0);
  });

  it('bare LF, bare CR across chunks and over-long lines refuse the message with 554 5.6.0, as DATA does', async () => {
    const client = await readyClient('relay');
    await envelope(client);
    client.write(bdat('Subject: bare\nlf\r\n', true));
    assert.match((await client.reply()).at(-1) ?? '', /^554 5\.6\.0 Message refused: it contains a bare LF/);
    await envelope(client);
    client.write(Buffer.concat([bdat('Subject: bare-cr\r'), bdat('x\r\n', true)]));
    assert.deepEqual(await replies(client, 2), [
      '250 2.0.0 17 octets received',
      '554 5.6.0 Message refused: it contains a bare LF or bare CR, first on line 1 of the message text (a CR not followed by LF); lines must end with CRLF (RFC 5321 section 2.3.8)',
    ]);
    await envelope(client);
    client.write(bdat(`Subject: long\r\n\r\n${'l'.repeat(999)}\r\n`, true));
    assert.equal(
      (await client.reply()).at(-1),
      '554 5.6.0 Message refused: a line is longer than 1000 octets, first on line 3 of the message text (RFC 5321 section 4.5.3.1.6); encode long lines',
    );
    // A 999-octet last line without CRLF would be 1001 octets once DATA carried it; lines are
    // counted across chunks.
    await envelope(client);
    client.write(
      Buffer.concat([bdat('Subject: long-tail\r\n\r\nfirst'), bdat(`\r\n${'l'.repeat(999)}`, true)]),
    );
    assert.match(
      await replies(client, 2).then((lines) => lines[1] ?? ''),
      /^554 5\.6\.0 .* first on line 4 of/,
    );
    client.close();
  });

  it('pipelined: MAIL, RCPT, chunks and the next transaction in one write are answered in order (RFC 3030 §4.2)', async () => {
    const client = await readyClient('relay');
    client.write(
      Buffer.concat([
        Buffer.from('MAIL FROM:<a@example.test>\r\nRCPT TO:<b@example.test>\r\n'),
        bdat('Subject: piped-one\r\n'),
        bdat('\r\nfirst\r\n', true),
        Buffer.from('MAIL FROM:<a@example.test>\r\nRCPT TO:<c@example.test>\r\n'),
        bdat('Subject: piped-two\r\n\r\nsecond\r\n', true),
        Buffer.from('NOOP\r\n'),
      ]),
    );
    const got = await replies(client, 8);
    assert.deepEqual(got.slice(0, 3), [
      '250 2.1.0 Sender <a@example.test> OK',
      '250 2.1.5 Recipient <b@example.test> OK',
      '250 2.0.0 20 octets received',
    ]);
    assert.match(got[3] ?? '', QUEUED);
    assert.deepEqual(got.slice(4, 6), [
      '250 2.1.0 Sender <a@example.test> OK',
      '250 2.1.5 Recipient <c@example.test> OK',
    ]);
    assert.match(got[6] ?? '', QUEUED);
    assert.equal(got[7], '250 2.0.0 OK');
    assert.equal((await raw(queuedId(got[3] ?? ''))).toString(), 'Subject: piped-one\r\n\r\nfirst\r\n');
    client.close();
  });

  for (const profile of ['submission', 'alternate'] as const) {
    it(`${profile}: BDAT before STARTTLS gets 530 5.7.0 and its octets are still consumed`, async () => {
      const closed = nextClosedSession(
        sandbox.bus,
        (session) => session.heloName === `plain-${profile}.test`,
      );
      const client = await RawSmtp.connect(sandbox.port(profile));
      await client.reply();
      await client.command(`EHLO plain-${profile}.test`);
      client.write(Buffer.concat([bdat('MAIL FROM:<x@example.test>\r\n', true), Buffer.from('NOOP\r\n')]));
      assert.deepEqual(await replies(client, 2), [
        '530 5.7.0 Must issue a STARTTLS command first (this is a STARTTLS port: enable STARTTLS in your client)',
        '250 2.0.0 OK',
      ]);
      assert.equal((await client.command('QUIT')).code, 221);
      const session = await closed;
      assert.deepEqual(
        session.diagnostics.map((diagnostic) => [diagnostic.code, diagnostic.detail]),
        [['mail-before-starttls', 'BDAT sent before STARTTLS']],
      );
    });
  }

  it('submission after STARTTLS, before AUTH: BDAT gets 530 5.7.0 Authentication required, octets consumed', async () => {
    const client = await RawSmtp.connect(sandbox.port('submission'));
    await client.reply();
    await client.command('EHLO client.test');
    await client.command('STARTTLS');
    await client.upgradeToTls(sandbox.caPem);
    await client.command('EHLO client.test');
    client.write(Buffer.concat([bdat('NOOP\r\nNOOP\r\n', true), Buffer.from('NOOP\r\n')]));
    const [refusal, noop] = await replies(client, 2);
    assert.match(refusal ?? '', /^530 5\.7\.0 Authentication required/);
    assert.equal(noop, '250 2.0.0 OK');
    client.close();
  });
});

describe('BDAT transcript, timeouts and dropped connections', () => {
  it('the transcript shows each BDAT command and its size, never the chunk bytes or the credentials', async () => {
    const secret = 'chunk-content-never-in-the-transcript';
    const closed = nextClosedSession(sandbox.bus, (session) => session.heloName === 'transcript.test');
    const client = await readyClient('submission', 'transcript.test');
    await envelope(client);
    client.write(bdat(`Subject: transcribed\r\n\r\n${secret}\r\n`));
    await client.reply();
    client.write(bdat('tail\r\n', true));
    await client.reply();
    assert.equal((await client.command('QUIT')).code, 221);
    const record = await transcriptOf(closed);
    const texts = lines(record);
    const start = texts.indexOf('C BDAT 63');
    assert.ok(start !== -1, texts.join('\n'));
    assert.deepEqual(texts.slice(start, start + 3), [
      'C BDAT 63',
      '* <BDAT chunk: 63 octets>',
      'S 250 2.0.0 63 octets received',
    ]);
    assert.deepEqual(texts.slice(start + 3, start + 6), [
      'C BDAT 6 LAST',
      '* <BDAT chunk: 6 octets>',
      '* <message body: 69 bytes>',
    ]);
    const everything = JSON.stringify(record);
    assert.ok(!everything.includes(secret), 'chunk bytes are not in the session record');
    assert.ok(!everything.includes(plainCredentials(sandbox)), 'the AUTH payload is not stored');
    assert.ok(!everything.includes(sandbox.auth.pass), 'the password is not stored');
    assert.equal(record.messageIds.length, 1);
  });

  it('a client silent inside a chunk gets 421 4.4.2; nothing is stored and the session says where it stopped', async () => {
    const closed = nextClosedSession(sandbox.bus, (session) => session.heloName === 'silent.test');
    const client = await readyClient('relay', 'silent.test');
    await envelope(client);
    client.write('BDAT 100 LAST\r\nSubject: silent-chunk\r\n');
    assert.match((await client.reply(10_000)).at(-1) ?? '', /^421 4\.4\.2/);
    await client.waitClosed();
    const record = await transcriptOf(closed);
    assert.deepEqual(record.messageIds, []);
    assert.ok(
      lines(record).includes('* <BDAT chunk cut off: 23 of 100 octets received>'),
      lines(record).join('\n'),
    );
    assert.equal(await storedCount('silent-chunk'), 0);
  });

  it('a connection dropped mid-chunk stores nothing and is recorded', async () => {
    const closed = nextClosedSession(sandbox.bus, (session) => session.heloName === 'dropped.test');
    const client = await readyClient('relay', 'dropped.test');
    await envelope(client);
    client.write(bdat('Subject: dropped-chunk\r\n'));
    assert.equal((await client.reply()).at(-1), '250 2.0.0 24 octets received');
    client.write('BDAT 500 LAST\r\n\r\nhalf a body');
    await new Promise((resolve) => setTimeout(resolve, 100));
    client.close();
    const record = await transcriptOf(closed);
    assert.deepEqual(record.messageIds, []);
    assert.ok(
      lines(record).includes('* <BDAT chunk cut off: 13 of 500 octets received>'),
      lines(record).join('\n'),
    );
    assert.equal(await storedCount('dropped-chunk'), 0);
  });
});

describe('chaos rules on BDAT LAST', () => {
  it('data: and message: rules act on BDAT LAST as on DATA and its end; intermediate chunks pass', async () => {
    sandbox.chaos.replace(readChaosRules(['data:451,times=1', 'message:554,times=1']));
    const client = await readyClient('relay');
    await envelope(client);
    client.write(bdat('Subject: chaos-chunk\r\n'));
    assert.equal((await client.reply()).at(-1), '250 2.0.0 22 octets received');
    client.write(bdat('\r\nbody\r\n', true));
    assert.match((await client.reply()).at(-1) ?? '', /^451 4\.3\.0 .*chaos rule chaos-1/);
    // BDAT LAST ended the transaction even though it was refused.
    client.write(bdat('x', true));
    assert.match((await client.reply()).at(-1) ?? '', /^503 5\.5\.1/);
    await envelope(client);
    client.write(bdat('Subject: chaos-chunk\r\n\r\nbody\r\n', true));
    assert.match((await client.reply()).at(-1) ?? '', /^554 5\.\d\.\d .*chaos rule chaos-2/);
    await envelope(client);
    client.write(bdat('Subject: chaos-chunk\r\n\r\nbody\r\n', true));
    assert.match((await client.reply()).at(-1) ?? '', QUEUED);
    assert.equal(await storedCount('chaos-chunk'), 1);
    client.close();
  });
});

describe('a whole message pipelined behind a pending reply', () => {
  it('MAIL, RCPT and a 1.5 MB BDAT LAST in one write wait out a delayed RCPT verdict (RFC 3030 §4.2)', async () => {
    const large = await startTestSandbox({ maxMessageSize: '4000000', chaos: ['rcpt:delay=1s'] });
    try {
      const client = await RawSmtp.connect(large.port('relay'));
      await client.reply();
      await client.command('EHLO client.test');
      const body = Buffer.from(`Subject: pipelined-large\r\n\r\n${`${'p'.repeat(98)}\r\n`.repeat(15_000)}`);
      client.write(
        Buffer.concat([
          Buffer.from('MAIL FROM:<a@example.test>\r\nRCPT TO:<b@example.test>\r\n'),
          bdat(body, true),
        ]),
      );
      const [mail, rcpt, last] = await replies(client, 3);
      assert.equal(mail, '250 2.1.0 Sender <a@example.test> OK');
      assert.equal(rcpt, '250 2.1.5 Recipient <b@example.test> OK');
      const id = QUEUED.exec(last ?? '')?.[1];
      assert.ok(id, last);
      assert.deepEqual(await large.store.getRawMessage(id), body);
      client.close();
    } finally {
      await large.stop();
    }
  });
});
