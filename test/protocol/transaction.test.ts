/** Mail transactions: MAIL/RCPT/DATA (RFC 5321 §3.3, §4.1.1), SIZE (RFC 1870), limits and delivery. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { REPLIES, SmtpReplyError } from '../../src/protocol/replies.js';
import { createHarness, IMPLICIT_FACTS, readyHarness, settle, USER } from './harness.js';

const FROM = 'MAIL FROM:<sender@example.test>';
const TO = 'RCPT TO:<rcpt@example.test>';

/** The first line of the reply to `rcpt`, sent after an accepted MAIL FROM. */
async function rcptReplyLine(rcpt: string): Promise<string> {
  const harness = await readyHarness('relay');
  const [, reply] = await harness.exchange(FROM, rcpt);
  return reply?.lines[0] ?? '';
}

describe('MAIL and RCPT (RFC 5321 §4.1.1.2-3, §4.1.2)', () => {
  const table: { send: string; code: number; enhanced?: string; rule: string }[] = [
    { send: 'MAIL FROM:<>', code: 250, enhanced: '2.1.0', rule: '§4.5.5 null reverse-path' },
    { send: 'MAIL FROM: <sender@example.test>', code: 250, rule: 'space after the colon is tolerated' },
    { send: 'mail from:<sender@example.test>', code: 250, rule: '§2.4 verbs are case-insensitive' },
    {
      send: 'MAIL FROM:<@relay.example:sender@example.test>',
      code: 250,
      rule: '§4.1.2 source route ignored',
    },
    { send: 'MAIL FROM:<"quoted local"@example.test>', code: 250, rule: '§4.1.2 quoted-string' },
    { send: 'MAIL FROM:<user@[192.0.2.1]>', code: 250, rule: '§4.1.3 address literal' },
    { send: 'MAIL FROM:<user@[IPv6:2001:db8::1]>', code: 250, rule: '§4.1.3 IPv6 address literal' },
    { send: 'MAIL FROM:<user@[IPv6:::ffff:192.0.2.1]>', code: 250, rule: '§4.1.3 IPv6v4-full' },
    { send: 'MAIL FROM:<"a>b"@example.test>', code: 250, rule: '§4.1.2 `>` inside a quoted-string' },
    {
      send: 'MAIL FROM:<"a\\"b>"@example.test>',
      code: 250,
      rule: '§4.1.2 quoted-pair inside a quoted-string',
    },
    ...['[foo]', '[300.1.1.1]', '[1.2.3]', '[1.2.3.4.5]', '[IPv6:zzzz]', '[IPv6:1.2.3.4]', '[]'].map(
      (literal) => ({
        send: `MAIL FROM:<user@${literal}>`,
        code: 501,
        enhanced: '5.1.7',
        rule: `§4.1.3 ${literal} is no address literal`,
      }),
    ),
    {
      send: `MAIL FROM:<user@${'d'.repeat(64)}.test>`,
      code: 501,
      enhanced: '5.1.7',
      rule: 'RFC 1035 §2.3.4 label ≤ 63 octets',
    },
    { send: `MAIL FROM:<user@${'d'.repeat(63)}.test>`, code: 250, rule: 'a label of 63 octets is allowed' },
    {
      send: 'MAIL FROM:sender@example.test',
      code: 501,
      enhanced: '5.5.2',
      rule: '§4.1.2 angle brackets required',
    },
    { send: 'MAIL TO:<sender@example.test>', code: 501, enhanced: '5.5.2', rule: '§4.1.1.2 syntax' },
    { send: 'MAIL FROM:<no-at-sign>', code: 501, enhanced: '5.1.7', rule: 'RFC 3463 §3.2 bad sender' },
    { send: 'MAIL FROM:<a..b@example.test>', code: 501, enhanced: '5.1.7', rule: '§4.1.2 dot-string' },
    {
      send: `MAIL FROM:<${'l'.repeat(65)}@example.test>`,
      code: 501,
      enhanced: '5.1.7',
      rule: '§4.5.3.1.1 local-part ≤ 64',
    },
    {
      send: `MAIL FROM:<${'l'.repeat(64)}@example.test>`,
      code: 250,
      rule: '§4.5.3.1.1 64 octets is allowed',
    },
    {
      send: `MAIL FROM:<${'l'.repeat(10)}@${'d'.repeat(60)}.${'d'.repeat(60)}.${'d'.repeat(60)}.${'d'.repeat(60)}.test>`,
      code: 501,
      enhanced: '5.1.7',
      rule: '§4.5.3.1.3 path ≤ 256 with brackets',
    },
    { send: 'MAIL FROM:<sender@example.test> SIZE=1000', code: 250, rule: 'RFC 1870 §3' },
    {
      send: 'MAIL FROM:<sender@example.test> SIZE=100001',
      code: 552,
      enhanced: '5.3.4',
      rule: 'RFC 1870 §6',
    },
    {
      send: 'MAIL FROM:<sender@example.test> SIZE=12x',
      code: 501,
      enhanced: '5.5.4',
      rule: 'RFC 1870 §3 size-value',
    },
    { send: 'MAIL FROM:<sender@example.test> BODY=8BITMIME', code: 250, rule: 'RFC 6152 §2' },
    { send: 'MAIL FROM:<sender@example.test> BODY=7bit', code: 250, rule: 'RFC 6152 §2' },
    {
      send: 'MAIL FROM:<sender@example.test> BODY=BINARYMIME',
      code: 555,
      enhanced: '5.5.4',
      rule: 'RFC 3030 §3: BINARYMIME not offered (CHUNKING is), so the value is unsupported (as Postfix)',
    },
    {
      send: 'MAIL FROM:<sender@example.test> AUTH=<>',
      code: 555,
      enhanced: '5.5.4',
      rule: 'RFC 5321 §4.1.1.11: AUTH is not offered on the relay port',
    },
    { send: 'MAIL FROM:<sender@example.test> SMTPUTF8', code: 250, rule: 'RFC 6531 §3.4' },
    {
      send: 'MAIL FROM:<sender@example.test> SMTPUTF8=yes',
      code: 501,
      enhanced: '5.5.4',
      rule: 'RFC 6531 §3.4 no value',
    },
    {
      send: 'MAIL FROM:<sender@example.test> RET=HDRS',
      code: 555,
      enhanced: '5.5.4',
      rule: '§4.1.1.11 not advertised',
    },
    {
      send: 'MAIL FROM:<sender@example.test> SIZE=1 SIZE=2',
      code: 501,
      enhanced: '5.5.4',
      rule: 'duplicate parameter',
    },
    {
      send: 'MAIL FROM:<jörg@example.test>',
      code: 553,
      enhanced: '5.6.7',
      rule: 'RFC 6531 §3.4 needs SMTPUTF8',
    },
    { send: 'MAIL FROM:<jörg@bücher.example> SMTPUTF8', code: 250, rule: 'RFC 6531 §3.3' },
  ];
  for (const row of table) {
    it(`${row.send} → ${row.code} (${row.rule})`, async () => {
      const harness = await readyHarness('relay');
      const [reply] = await harness.exchange(row.send);
      assert.equal(reply?.code, row.code, reply?.lines[0]);
      if (row.enhanced !== undefined)
        assert.equal(reply?.lines[0]?.slice(4, 4 + row.enhanced.length), row.enhanced);
    });
  }

  const rcptTable: { mail?: string; send: string; code: number; enhanced?: string; rule: string }[] = [
    { send: TO, code: 250, enhanced: '2.1.5', rule: '§4.1.1.3' },
    { send: 'RCPT TO:<Postmaster>', code: 250, rule: '§4.1.1.3 bare postmaster' },
    { send: 'RCPT TO:<>', code: 501, enhanced: '5.1.3', rule: 'null is not a forward-path' },
    { send: 'RCPT TO:<bad@>', code: 501, enhanced: '5.1.3', rule: 'RFC 3463 §3.2 bad recipient' },
    { send: 'RCPT TO:rcpt@example.test', code: 501, enhanced: '5.5.2', rule: '§4.1.2 angle brackets' },
    {
      send: 'RCPT TO:<rcpt@example.test> NOTIFY=NEVER',
      code: 555,
      enhanced: '5.5.4',
      rule: 'DSN not offered',
    },
    {
      send: `RCPT TO:<${'r'.repeat(65)}@example.test>`,
      code: 501,
      enhanced: '5.1.3',
      rule: '§4.5.3.1.1 local-part ≤ 64',
    },
    { send: 'RCPT TO:<müller@example.test>', code: 553, enhanced: '5.6.7', rule: 'RFC 6531 §3.4' },
    { mail: `${FROM} SMTPUTF8`, send: 'RCPT TO:<müller@example.test>', code: 250, rule: 'RFC 6531 §3.3' },
  ];
  for (const row of rcptTable) {
    it(`${row.mail ?? FROM} / ${row.send} → ${row.code} (${row.rule})`, async () => {
      const harness = await readyHarness('relay');
      const [mail, reply] = await harness.exchange(row.mail ?? FROM, row.send);
      assert.equal(mail?.code, 250);
      assert.equal(reply?.code, row.code, reply?.lines[0]);
      if (row.enhanced !== undefined)
        assert.equal(reply?.lines[0]?.slice(4, 4 + row.enhanced.length), row.enhanced);
    });
  }

  it('says which length limit an address exceeds (RFC 5321 §4.5.3.1.10 "Path too long")', async () => {
    const harness = await readyHarness('relay');
    const label = 'd'.repeat(63);
    const domain = `a.${label}.${label}.${label}.${label.slice(1)}`;
    assert.equal(domain.length, 256);
    const [mail, rcpt] = await harness.exchange(FROM, `RCPT TO:<rcpt@${domain}>`);
    assert.equal(mail?.code, 250);
    assert.match(
      rcpt?.lines[0] ?? '',
      /^501 5\.1\.3 Path too long: the domain is 256 octets; the limit is 255/,
    );
  });

  it('a display name in the envelope is named, with the bare address to send instead', async () => {
    const cases: [string, string][] = [
      // curl --mail-from "Bob <bob@example.test>" sends the first form.
      ['MAIL FROM:<Bob <bob@example.test> SIZE=21', '501 5.1.7'],
      ['MAIL FROM:Bob <bob@example.test>', '501 5.1.7'],
      ['MAIL FROM:"Bob Smith" <bob@example.test>', '501 5.1.7'],
      ['MAIL FROM:<bob@example.test <bob@example.test>>', '501 5.1.7'],
    ];
    for (const [send, start] of cases) {
      const harness = await readyHarness('relay');
      const [reply] = await harness.exchange(send);
      assert.equal(
        reply?.lines[0],
        `${start} The envelope takes the bare address, not a display name: send MAIL FROM:<bob@example.test>`,
        send,
      );
      assert.deepEqual(harness.sink.diagnosticCodes, ['invalid-address'], send);
      assert.match(harness.sink.diagnostics[0]?.detail ?? '', /^a display name in MAIL FROM: /, send);
    }
    assert.equal(
      await rcptReplyLine('RCPT TO:<Ann Example <ann@example.test>>'),
      '501 5.1.3 The envelope takes the bare address, not a display name: send RCPT TO:<ann@example.test>',
    );
  });

  it('several addresses in one RCPT TO are named: one address per command (RFC 5321 §4.1.1.3)', async () => {
    for (const send of [
      'RCPT TO:<ann@example.test, bob@example.test>',
      'RCPT TO:<ann@example.test>, <bob@example.test>',
      'RCPT TO:<ann@example.test>;<bob@example.test>',
      'RCPT TO:<ann@example.test> <bob@example.test>',
    ]) {
      const harness = await readyHarness('relay');
      const [, reply] = await harness.exchange(FROM, send);
      assert.equal(
        reply?.lines[0],
        '501 5.1.3 One address per RCPT TO: send RCPT TO:<ann@example.test>, then RCPT TO:<bob@example.test> (RFC 5321 section 4.1.1.3)',
        send,
      );
      assert.equal(
        harness.sink.diagnostics[0]?.detail,
        'several addresses in one RCPT TO: ann@example.test, bob@example.test',
      );
    }
    // Anything else malformed keeps the plain syntax reply; non-ASCII in an address is never echoed.
    const harness = await readyHarness('relay');
    const replies = await harness.exchange(
      FROM,
      'RCPT TO:<ann@example.test> NOTIFY=NEVER',
      'RCPT TO:<Jörg <jörg@example.test>>',
    );
    assert.match(replies[1]?.lines[0] ?? '', /^555 5\.5\.4 Unsupported parameter NOTIFY/);
    assert.equal(
      replies[2]?.lines[0],
      '501 5.1.3 The envelope takes the bare address, not a display name: send RCPT TO:<j?rg@example.test>',
    );
  });

  it('says what is wrong with a malformed address, and keeps the reason in the diagnostic', async () => {
    const cases: [string, RegExp][] = [
      ['<bob@>', /^501 5\.1\.7 Bad sender address syntax: there is no domain after the @$/],
      ['<@example.test>', /: there is nothing before the @$/],
      ['<bob>', /: there is no @ and domain: the envelope takes a full address, such as user@example\.com$/],
      ['<bob smith@example.test>', /: the local part holds a space, which only a quoted local part may hold/],
      ['<bob,ann@example.test>', /: the local part holds ",", which only a quoted/],
      ['<bob.@example.test>', /: the local part has a dot at its start or end, or two dots in a row/],
      [
        '<bob@example..test>',
        /: the domain has an empty label: a dot at its start or end, or two dots in a row$/,
      ],
      ['<bob@example.test.>', /: the domain has an empty label/],
      [
        '<bob@mail_host.example.test>',
        /: the domain holds "_": a host name has only letters, digits, hyphens and dots$/,
      ],
      ['<bob@-mail.example.test>', /: the domain label "-mail" starts or ends with a hyphen/],
      ['<bob@ann@example.test>', /: there is more than one @; only a quoted local part may hold one/],
      ['<bob@[192.0.2]>', /: the domain in brackets is no address literal: write \[192\.0\.2\.1\]/],
    ];
    for (const [path, expected] of cases) {
      const harness = await readyHarness('relay');
      const [reply] = await harness.exchange(`MAIL FROM:${path}`);
      assert.match(reply?.lines[0] ?? '', expected, path);
      assert.match(reply?.lines[0] ?? '', /^501 5\.1\.7 Bad sender address syntax: /, path);
      const detail = harness.sink.diagnostics[0]?.detail ?? '';
      assert.ok(detail.startsWith(`${path.slice(1, -1)} (`), detail);
    }
    assert.equal(
      await rcptReplyLine('RCPT TO:<ann@example.test;>'),
      '501 5.1.3 Bad recipient address syntax: the domain holds ";": a host name has only letters, digits, hyphens and dots',
    );
  });

  it('says why MAIL FROM or RCPT TO could not be read, and what to send instead', async () => {
    const cases: [string, string][] = [
      ['MAIL FROM:bob@example.test', 'the address goes in angle brackets: send MAIL FROM:<bob@example.test>'],
      [
        'MAIL FROM <bob@example.test>',
        'a colon goes between MAIL FROM and the address: send MAIL FROM:<bob@example.test>',
      ],
      ['MAIL <bob@example.test>', 'the command is MAIL FROM:<address>, with "FROM:" before the address'],
      [
        'MAIL FROM:<bob@example.test',
        'the angle bracket around the address is not closed: send MAIL FROM:<bob@example.test>',
      ],
      [
        'MAIL FROM:<bob@example.test>SIZE=10',
        'a space goes between the closing angle bracket and the first parameter',
      ],
      ['MAIL FROM:', 'there is no address after the colon; the null sender of a bounce is written <>'],
    ];
    for (const [send, problem] of cases) {
      const harness = await readyHarness('relay');
      const [reply] = await harness.exchange(send);
      assert.equal(reply?.lines[0], `501 5.5.2 Syntax: MAIL FROM:<address> [parameters] (${problem})`, send);
      assert.equal(harness.sink.diagnostics[0]?.detail, problem, send);
    }
    // An address echoed back is cut to the reply limit (RFC 5321 §4.5.3.1.5).
    const long = await readyHarness('relay');
    const [cut] = await long.exchange(`MAIL FROM:${'a'.repeat(300)}@${'b'.repeat(200)}.example`);
    assert.equal(cut?.code, 501);
    assert.ok(Buffer.byteLength(cut?.lines[0] ?? '') <= 510, cut?.lines[0]);
    assert.equal(
      await rcptReplyLine('RCPT TO ann@example.test'),
      '501 5.5.2 Syntax: RCPT TO:<address> [parameters] (a colon goes between RCPT TO and the address: send RCPT TO:<ann@example.test>)',
    );
  });

  it('RSET and DATA with an argument are refused by name (RFC 5321 §4.1.1.4-5)', async () => {
    const harness = await readyHarness('relay');
    const [rset, , , data] = await harness.exchange('RSET now', FROM, TO, 'DATA please');
    assert.equal(rset?.lines[0], '501 5.5.4 RSET takes no arguments: send RSET alone');
    assert.equal(data?.lines[0], '501 5.5.4 DATA takes no arguments: send DATA alone');
    assert.equal(harness.sink.diagnostics[0]?.detail, 'RSET now');
  });

  it('reports the diagnostics for SIZE and unknown parameters', async () => {
    const harness = await readyHarness('relay');
    await harness.exchange(`${FROM} SIZE=999999999`, `${FROM} XFOO=1`);
    assert.deepEqual(harness.sink.diagnosticCodes, ['message-too-large', 'unknown-parameter']);
    assert.equal(harness.sink.diagnostics[1]?.detail, 'XFOO');
  });

  it('refuses ESMTP parameters after HELO (RFC 5321 §4.1.1.11)', async () => {
    const harness = createHarness('relay');
    assert.deepEqual(await harness.codes('HELO client.test', `${FROM} SIZE=10`, FROM), [220, 250, 555, 250]);
  });

  it('enforces the order MAIL, RCPT, DATA (RFC 5321 §4.1.4, §3.3)', async () => {
    const harness = await readyHarness('relay');
    assert.deepEqual(
      await harness.codes(TO, 'DATA', FROM, FROM, 'DATA', 'RCPT TO:<bad>', 'DATA'),
      [503, 503, 250, 503, 554, 501, 554],
    );
  });

  it('refuses RCPT after a BDAT chunk with 503 5.5.1; the message goes to the recipients before it (RFC 3030 §2)', async () => {
    const harness = await readyHarness('relay');
    harness.send(`${FROM}\r\n${TO}\r\nBDAT 5\r\nabc\r\nRCPT TO:<late@example.test>\r\nBDAT 0 LAST\r\n`);
    await settle();
    assert.deepEqual(
      harness.sink.takeReplies().map((reply) => reply.lines[0]),
      [
        '250 2.1.0 Sender <sender@example.test> OK',
        '250 2.1.5 Recipient <rcpt@example.test> OK',
        '250 2.0.0 5 octets received',
        '503 5.5.1 RCPT after BDAT: give every recipient before the first chunk, or send RSET (RFC 3030 section 2)',
        '250 2.0.0 OK: queued as msg-1',
      ],
    );
    assert.deepEqual(
      harness.delivered[0]?.envelope.rcptTo.map((recipient) => recipient.address),
      ['rcpt@example.test'],
    );
    assert.ok(harness.sink.diagnosticCodes.includes('bad-sequence'));
  });

  it('accepts maxRecipients, then answers 452 4.5.3 and still delivers to those accepted (RFC 5321 §4.5.3.1.8)', async () => {
    const harness = await readyHarness('relay');
    const recipients = Array.from({ length: 7 }, (_, index) => `RCPT TO:<r${index}@example.test>`);
    const codes = await harness.codes(FROM, ...recipients, 'DATA', 'Subject: x', '', 'hi', '.');
    assert.deepEqual(codes, [250, 250, 250, 250, 250, 250, 452, 452, 354, 250]);
    assert.equal(harness.delivered[0]?.envelope.rcptTo.length, 5);
    assert.ok(harness.sink.diagnosticCodes.includes('too-many-recipients'));
  });
});

describe('DATA and delivery', () => {
  it('hands a complete transaction to deliver and answers 250 2.0.0 OK: queued as <id>', async () => {
    const harness = await readyHarness('submissions');
    const replies = await harness.exchange(
      `${FROM} SIZE=40 BODY=8BITMIME`,
      TO,
      'RCPT TO:<second@example.test>',
      'DATA',
      'Subject: hello',
      '',
      '..dot-stuffed line',
      '.',
    );
    assert.deepEqual(
      replies.map((reply) => reply.lines[0]),
      [
        '250 2.1.0 Sender <sender@example.test> OK',
        '250 2.1.5 Recipient <rcpt@example.test> OK',
        '250 2.1.5 Recipient <second@example.test> OK',
        '354 End data with <CR><LF>.<CR><LF>',
        '250 2.0.0 OK: queued as msg-1',
      ],
    );
    const [transaction] = harness.delivered;
    assert.ok(transaction);
    assert.equal(transaction.data.toString(), 'Subject: hello\r\n\r\n.dot-stuffed line\r\n');
    assert.deepEqual(transaction.envelope, {
      mailFrom: { address: 'sender@example.test', params: { SIZE: '40', BODY: '8BITMIME' } },
      rcptTo: [
        { address: 'rcpt@example.test', params: {} },
        { address: 'second@example.test', params: {} },
      ],
    });
    assert.equal(transaction.heloName, 'client.test');
    assert.deepEqual(transaction.tls, IMPLICIT_FACTS);
    assert.deepEqual(transaction.auth, { user: USER, mechanism: 'PLAIN' });
    assert.deepEqual(harness.sink.deliveredIds, ['msg-1']);
    assert.deepEqual(harness.session.messageIds, ['msg-1']);
    // The transcript elides the body to its size.
    const transcript = harness.sink.transcriptLines;
    assert.ok(transcript.some((line) => line.dir === '*' && line.text === '<message body: 37 bytes>'));
    assert.ok(!transcript.some((line) => line.text.includes('dot-stuffed')));
  });

  it('refuses a message over maxMessageSize after its end with 552 5.3.4, stores nothing, and goes on (RFC 1870 §6)', async () => {
    const harness = await readyHarness('relay', { limits: { maxMessageSize: 1000 } });
    const body = Array.from({ length: 30 }, () => 'x'.repeat(60));
    const codes = await harness.codes(FROM, TO, 'DATA', ...body, '.', FROM);
    assert.deepEqual(codes, [250, 250, 354, 552, 250]);
    assert.equal(harness.delivered.length, 0);
    assert.ok(harness.sink.diagnosticCodes.includes('message-too-large'));
  });

  it('refuses a message with a bare LF after its end, and never executes what was smuggled (CVE-2023-51764)', async () => {
    const harness = await readyHarness('relay');
    await harness.exchange(FROM, TO, 'DATA');
    harness.send(
      'Subject: a\r\n\r\nbody\n.\nMAIL FROM:<spoof@example.test>\r\nRCPT TO:<victim@example.test>\r\n',
    );
    harness.send('DATA\r\nSubject: smuggled\r\n\r\n.\r\n');
    await new Promise((resolve) => setImmediate(resolve));
    const replies = harness.sink.takeReplies();
    assert.deepEqual(
      replies.map((reply) => reply.lines[0]),
      [
        '554 5.6.0 Message refused: it contains a bare LF or bare CR, first on line 3 of the message text (2 of 9 lines end in LF alone); lines must end with CRLF (RFC 5321 section 2.3.8)',
      ],
    );
    assert.equal(harness.delivered.length, 0);
    assert.deepEqual(harness.sink.diagnostics, [
      { code: 'bare-lf', detail: 'in the message text, first on line 3 (2 of 9 lines end in LF alone)' },
    ]);
  });

  it('refuses a message with a text line over 1000 octets, naming the line (RFC 5321 §4.5.3.1.6)', async () => {
    const harness = await readyHarness('relay');
    const text = ['Subject: long', '', 'short', 'z'.repeat(1200), 'y'.repeat(1500)];
    assert.deepEqual(await harness.codes(FROM, TO, 'DATA'), [250, 250, 354]);
    const [reply, ...more] = await harness.exchange(...text, '.');
    assert.equal(more.length, 0);
    assert.equal(
      reply?.lines[0],
      '554 5.6.0 Message refused: a line is longer than 1000 octets, first on line 4 of the message text (RFC 5321 section 4.5.3.1.6); encode long lines',
    );
    assert.equal(harness.delivered.length, 0);
    assert.deepEqual(harness.sink.diagnostics, [
      { code: 'line-too-long', detail: 'a line over 1000 octets in the message text, first on line 4' },
    ]);
  });

  it('reports every problem of a refused message and replies with the most important one', async () => {
    const harness = await readyHarness('relay');
    await harness.exchange(FROM, TO, 'DATA');
    harness.send(`${'y'.repeat(1500)}\r\nbare\nline\r\n.\r\n`);
    await settle();
    assert.deepEqual(
      harness.sink.takeReplies().map((reply) => reply.lines[0]?.slice(0, 9)),
      ['554 5.6.0'],
    );
    assert.match(harness.session.lastError ?? '', /bare LF/);
    assert.deepEqual(
      harness.sink.diagnosticCodes.filter((code) => code === 'bare-lf' || code === 'line-too-long'),
      ['bare-lf', 'line-too-long'],
    );
  });

  it('sends the reply of an SmtpReplyError, and 451 4.3.0 for any other failure', async () => {
    const refusing = await readyHarness('relay', {
      deliver: () =>
        Promise.reject(new SmtpReplyError({ code: 550, enhanced: '5.7.1', text: 'Refused by a test rule' })),
    });
    assert.deepEqual(await refusing.codes(FROM, TO, 'DATA', 'x', '.'), [250, 250, 354, 550]);
    const broken = await readyHarness('relay', {
      deliver: () => {
        throw new Error('disk full');
      },
    });
    const replies = await broken.exchange(FROM, TO, 'DATA', 'x', '.', 'NOOP');
    assert.deepEqual(
      replies.map((reply) => reply.code),
      [250, 250, 354, 451, 250],
    );
    assert.ok(!broken.sink.written.includes('disk full'), 'the error text stays off the wire');
    assert.equal(broken.sink.deliveredIds.length, 0);
  });

  it('closes the connection when the hook answers 421', async () => {
    const harness = await readyHarness('relay', {
      deliver: () => Promise.reject(new SmtpReplyError(REPLIES.SHUTTING_DOWN)),
    });
    assert.deepEqual(await harness.codes(FROM, TO, 'DATA', 'x', '.', 'NOOP'), [250, 250, 354, 421]);
    assert.equal(harness.sink.closed, true);
  });

  it('records a message stored while the client went away, without writing to it', async () => {
    let finish: (value: { id: string }) => void = () => {};
    const harness = await readyHarness('relay', {
      deliver: () =>
        new Promise((resolve) => {
          finish = resolve;
        }),
    });
    await harness.exchange(FROM, TO, 'DATA', 'x', '.');
    harness.session.clientClosed();
    const before = harness.sink.written.length;
    finish({ id: 'late' });
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(harness.sink.written.length, before);
    assert.deepEqual(harness.session.messageIds, ['late']);
    assert.deepEqual(harness.sink.deliveredIds, ['late']);
    assert.equal(harness.session.endReason, 'client-disconnected');
  });

  it('delivers several messages in one session, resetting the transaction each time', async () => {
    const harness = await readyHarness('submission');
    const one = [FROM, TO, 'DATA', 'a', '.'];
    const codes = await harness.codes(...one, ...one, 'RSET', 'QUIT');
    assert.deepEqual(codes, [250, 250, 354, 250, 250, 250, 354, 250, 250, 221]);
    assert.deepEqual(harness.session.messageIds, ['msg-1', 'msg-2']);
    assert.equal(harness.session.quitReceived, true);
    assert.equal(harness.session.endReason, 'quit');
  });
});
