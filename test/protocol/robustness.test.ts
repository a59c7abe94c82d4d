/**
 * Hostile and sloppy input: bare LF commands, over-long lines, binary garbage, huge pipelined bursts,
 * input smuggled behind STARTTLS (CVE-2011-0411), and the session-ending paths.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { base64, createHarness, PASSWORD, readyHarness, STARTTLS_FACTS, settle, USER } from './harness.js';

const FROM = 'MAIL FROM:<sender@example.test>';
const TO = 'RCPT TO:<rcpt@example.test>';

describe('line endings and lengths (RFC 5321 §2.3.8, §4.5.3.1.4)', () => {
  it('refuses a command ending in a bare LF and does not execute it', async () => {
    const harness = await readyHarness('relay');
    await harness.exchange(FROM);
    harness.send('RSET\n');
    await settle();
    const [refusal] = harness.sink.takeReplies();
    assert.match(refusal?.lines[0] ?? '', /^500 5\.5\.2 .*bare LF/);
    // Had RSET run, a new MAIL would be accepted; it is still a nested MAIL.
    assert.deepEqual(await harness.codes(FROM), [503]);
    assert.ok(harness.sink.diagnosticCodes.includes('bare-lf'));
  });

  it('refuses a command containing a bare CR', async () => {
    const harness = await readyHarness('relay');
    assert.deepEqual(await harness.codes('NOOP\rQUIT'), [500]);
    assert.equal(harness.session.ended, false, 'QUIT hidden behind a bare CR is not executed');
  });

  it('answers an over-long command line once, after consuming it', async () => {
    const harness = await readyHarness('relay');
    harness.send(`MAIL FROM:<${'a'.repeat(600)}@example.test>\r\n`);
    harness.send('X'.repeat(200_000));
    harness.send('\r\nNOOP\r\n');
    await settle();
    assert.deepEqual(
      harness.sink.takeReplies().map((reply) => reply.lines[0]),
      [
        '500 5.5.2 Line too long: this command may have 564 octets with its CRLF (RFC 5321 section 4.5.3.1.4)',
        '500 5.5.2 Line too long: this command may have 512 octets with its CRLF (RFC 5321 section 4.5.3.1.4)',
        '250 2.0.0 OK',
      ],
    );
    assert.ok(harness.sink.transcriptLines.some((line) => line.text === '<line of 200002 octets>'));
    assert.ok(harness.sink.diagnosticCodes.includes('line-too-long'));
  });
});

describe('command line limits raised by extensions (RFC 5321 §4.5.3.1.4)', () => {
  /** A MAIL FROM line of exactly `octets` octets with its CRLF, padded in its AUTH= parameter. */
  function mailLine(octets: number): string {
    const head = `${FROM} SIZE=1000 AUTH=`;
    return `${head}${'x'.repeat(octets - head.length - 2)}`;
  }

  it('takes MAIL FROM up to 512 + 552 octets where AUTH is offered (RFC 4954 §5, RFC 1870 §3)', async () => {
    const harness = await readyHarness('submission');
    assert.deepEqual(await harness.codes(mailLine(1064)), [250]);
    await harness.exchange('RSET');
    const [refusal] = await harness.exchange(mailLine(1065));
    assert.equal(
      refusal?.lines[0],
      '500 5.5.2 Line too long: this command may have 1064 octets with its CRLF (RFC 5321 section 4.5.3.1.4)',
    );
  });

  it('raises no limit for AUTH= where AUTH is not offered, nor for other commands', async () => {
    const harness = await readyHarness('relay');
    const line = `${FROM} SIZE=1000 BODY=8BITMIME SMTPUTF8`.padEnd(562, ' ');
    assert.deepEqual(await harness.codes(line), [250], 'SIZE, BODY and SMTPUTF8 add 52 octets');
    assert.deepEqual(await harness.codes('RSET', `${line} `, `NOOP ${'x'.repeat(507)}`), [250, 500, 500]);
  });
});

describe('garbage and limits', () => {
  it('answers binary garbage with errors and closes with 421 4.7.0 after maxBadCommands', async () => {
    const harness = createHarness('relay', { limits: { maxBadCommands: 5 } });
    harness.sink.takeReplies();
    for (let index = 0; index < 50; index += 1) harness.send(randomBytes(997));
    harness.send(Buffer.from([0x00, 0xff, 0x0d, 0x0a, 0x16, 0x03, 0x01, 0x0d, 0x0a]));
    harness.send('\r\n'.repeat(20));
    await settle();
    const replies = harness.sink.takeReplies();
    assert.ok(replies.length >= 1);
    assert.ok(replies.slice(0, -1).every((reply) => reply.code >= 500 && reply.code < 600));
    assert.equal(replies.at(-1)?.lines[0], '421 4.7.0 Too many errors, closing connection');
    assert.equal(harness.sink.closed, true);
    assert.equal(harness.session.endReason, 'closed-by-server');
  });

  it('replies 500 5.5.2 to unknown verbs (RFC 3463 §3.6) and 502 5.5.1 to unimplemented ones', async () => {
    const harness = await readyHarness('relay');
    const replies = await harness.exchange('XYZZY now', 'EXPN staff', 'TURN', 'VRFY alice', 'HELP');
    assert.deepEqual(
      replies.map((reply) => reply.lines[0]?.slice(0, 9)),
      ['500 5.5.2', '502 5.5.1', '502 5.5.1', '252 2.5.0', '214-2.0.0'],
    );
    // The verb is named, so a typo shows; never a line that may be a credential after a refused AUTH.
    assert.equal(replies[0]?.lines[0], '500 5.5.2 Command not recognized: XYZZY');
    const [empty, starttls] = await harness.exchange('', 'STARTLS');
    assert.equal(empty?.lines[0], '500 5.5.2 Command not recognized: an empty line');
    assert.equal(starttls?.lines[0], '500 5.5.2 Command not recognized: STARTLS');
    const relay = await readyHarness('relay');
    const [auth, stray] = await relay.exchange('AUTH PLAIN', base64(PASSWORD));
    assert.ok((auth?.code ?? 0) >= 500, auth?.lines[0]);
    assert.equal(stray?.lines[0], '500 5.5.2 Command not recognized');
  });

  it('escapes control characters in the transcript and refuses the command', async () => {
    const harness = await readyHarness('relay');
    assert.deepEqual(await harness.codes('NO\u0000OP\u0007'), [500]);
    assert.ok(harness.sink.transcriptLines.some((line) => line.text === 'NO\\x00OP\\x07'));
  });
});

describe('pipelining (RFC 2920)', () => {
  it('answers 10,000 pipelined commands in order, quickly, in few writes', async () => {
    const harness = await readyHarness('relay');
    const commands: string[] = [];
    for (let index = 0; index < 2500; index += 1) commands.push(FROM, TO, 'RSET', 'NOOP');
    const writesBefore = harness.sink.writes;
    const started = performance.now();
    harness.send(`${commands.join('\r\n')}\r\n`);
    await settle();
    const elapsed = performance.now() - started;
    const replies = harness.sink.takeReplies();
    assert.equal(replies.length, 10_000);
    const expected = ['250 2.1.0', '250 2.1.5', '250 2.0.0', '250 2.0.0'];
    replies.forEach((reply, index) => {
      assert.equal(reply.lines[0]?.slice(0, 9), expected[index % 4]);
    });
    assert.ok(elapsed < 2000, `took ${elapsed} ms`);
    const writes = harness.sink.writes - writesBefore;
    assert.equal(writes, 1, `replies batched into ${writes} writes`);
  });

  it('writes the 250 after the end of data with the replies to what was pipelined behind it, once stored', async () => {
    let store: (value: { id: string }) => void = () => {};
    const harness = await readyHarness('relay', {
      deliver: () =>
        new Promise((resolve) => {
          store = resolve;
        }),
    });
    const written: string[] = [];
    const write = harness.sink.write.bind(harness.sink);
    harness.sink.write = (data) => {
      written.push(data);
      write(data);
    };
    const deliveredAfter: string[] = [];
    harness.sink.delivered = (id) => deliveredAfter.push(`${id} after ${written.length} writes`);
    harness.send(`${FROM}\r\n${TO}\r\nDATA\r\nSubject: s\r\n\r\nbody\r\n.\r\nNOOP\r\nQUIT\r\n`);
    await settle();
    // Nothing is said about the message, or the NOOP behind it, before it is stored.
    assert.deepEqual(written, [
      '250 2.1.0 Sender <sender@example.test> OK\r\n250 2.1.5 Recipient <rcpt@example.test> OK\r\n354 End data with <CR><LF>.<CR><LF>\r\n',
    ]);
    store({ id: 'm1' });
    await settle();
    assert.deepEqual(written.slice(1), [
      '250 2.0.0 OK: queued as m1\r\n250 2.0.0 OK\r\n221 2.0.0 Service closing transmission channel\r\n',
    ]);
    assert.deepEqual(
      deliveredAfter,
      ['m1 after 2 writes'],
      'the sink hears of the message once its 250 is written',
    );
    assert.equal(harness.sink.closed, true);
    // The transcript keeps the order of the dialogue.
    assert.deepEqual(
      harness.sink.transcriptLines.slice(-12).map((line) => `${line.dir} ${line.text}`),
      [
        `C ${FROM}`,
        'S 250 2.1.0 Sender <sender@example.test> OK',
        `C ${TO}`,
        'S 250 2.1.5 Recipient <rcpt@example.test> OK',
        'C DATA',
        'S 354 End data with <CR><LF>.<CR><LF>',
        '* <message body: 20 bytes>',
        'S 250 2.0.0 OK: queued as m1',
        'C NOOP',
        'S 250 2.0.0 OK',
        'C QUIT',
        'S 221 2.0.0 Service closing transmission channel',
      ],
    );
  });

  it('delivers 1,000 pipelined messages in order through an asynchronous hook without recursion', async () => {
    const harness = await readyHarness('relay');
    const one = `${FROM}\r\n${TO}\r\nDATA\r\nSubject: n\r\n\r\nbody\r\n.\r\n`;
    harness.send(one.repeat(1000));
    while (harness.delivered.length < 1000) await settle();
    await settle();
    const replies = harness.sink.takeReplies();
    assert.equal(replies.length, 4000);
    assert.equal(replies.at(-1)?.lines[0], '250 2.0.0 OK: queued as msg-1000');
    assert.equal(harness.session.messageIds.length, 1000);
  });

  it('closes with 421 4.7.0 when a client floods input while a reply is pending', async () => {
    const harness = await readyHarness('relay', { deliver: () => new Promise(() => {}) });
    await harness.exchange(FROM, TO, 'DATA', 'x', '.');
    for (let index = 0; index < 20 && !harness.session.ended; index += 1) {
      harness.send(Buffer.alloc(64 * 1024, 'N'));
    }
    assert.deepEqual(
      harness.sink.takeReplies().map((reply) => reply.lines[0]),
      ['421 4.7.0 Too much input sent without waiting for replies, closing connection'],
    );
    assert.equal(harness.sink.closed, true);
    assert.ok(harness.sink.diagnosticCodes.includes('pipelining-violation'));
  });

  it('flags message text sent before the 354 reply', async () => {
    const harness = await readyHarness('relay');
    assert.deepEqual(await harness.codes(FROM, TO, 'DATA', 'Subject: eager', '', '.'), [250, 250, 354, 250]);
    assert.ok(harness.sink.diagnosticCodes.includes('pipelining-violation'));
  });

  it('drops and reports input sent before the greeting', async () => {
    const harness = createHarness('relay', { greet: false });
    harness.send('EHLO early\r\n');
    harness.session.greet();
    assert.deepEqual(
      harness.sink.takeReplies().map((reply) => reply.code),
      [220],
    );
    assert.deepEqual(harness.sink.diagnosticCodes, ['pipelining-violation']);
  });
});

describe('chunking does not matter', () => {
  /** A small deterministic generator (mulberry32), so a failure can be replayed. */
  function random(seed: number): () => number {
    let state = seed;
    return () => {
      state = (state + 0x6d2b79f5) | 0;
      let value = Math.imul(state ^ (state >>> 15), 1 | state);
      value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
      return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
    };
  }

  const conversation = [
    'EHLO client.test',
    'AUTH LOGIN',
    Buffer.from(USER).toString('base64'),
    Buffer.from(PASSWORD).toString('base64'),
    `${FROM} BODY=8BITMIME`,
    TO,
    'RCPT TO:<second@example.test>',
    'DATA',
    'Subject: chunking',
    '',
    '.leading dot',
    '..two dots',
    `${'w'.repeat(900)}`,
    '.',
    'MAIL FROM:<>',
    TO,
    'DATA',
    'second message',
    '.',
    'QUIT',
  ].join('\r\n');

  it('gives the same replies and messages for any split of the same bytes', async () => {
    const whole = createHarness('submissions');
    whole.send(`${conversation}\r\n`);
    while (!whole.session.ended) await settle();
    const bytes = Buffer.from(`${conversation}\r\n`);
    for (let seed = 1; seed <= 40; seed += 1) {
      const next = random(seed);
      const split = createHarness('submissions');
      for (let offset = 0; offset < bytes.length; ) {
        const size = 1 + Math.floor(next() * (seed % 2 === 0 ? 8 : 700));
        split.send(bytes.subarray(offset, offset + size));
        offset += size;
        if (next() < 0.3) await settle();
      }
      while (!split.session.ended) await settle();
      assert.equal(split.sink.written, whole.sink.written, `seed ${seed}`);
      assert.deepEqual(
        split.delivered.map((transaction) => transaction.data.toString()),
        whole.delivered.map((transaction) => transaction.data.toString()),
        `seed ${seed}`,
      );
    }
    assert.equal(whole.delivered.length, 2);
    assert.equal(whole.delivered[0]?.data.toString().includes('\r\nleading dot\r\n.two dots\r\n'), true);
  });
});

describe('STARTTLS (RFC 3207 §4.2, CVE-2011-0411)', () => {
  it('discards input pipelined after STARTTLS and forgets everything learned before', async () => {
    const harness = createHarness('submission');
    await harness.exchange('EHLO client.test');
    harness.send('STARTTLS\r\nMAIL FROM:<injected@example.test>\r\nRCPT TO:<victim@example.test>\r\n');
    assert.deepEqual(
      harness.sink.takeReplies().map((reply) => reply.lines[0]),
      ['220 2.0.0 Ready to start TLS'],
    );
    assert.equal(harness.sink.startTlsCalls, 1);
    harness.send('NOOP\r\n');
    harness.session.tlsStarted(STARTTLS_FACTS);
    await settle();
    assert.deepEqual(harness.sink.takeReplies(), [], 'nothing buffered before the handshake is answered');
    assert.equal(harness.session.heloName, null);
    assert.deepEqual(harness.session.tls, STARTTLS_FACTS);
    assert.ok(
      harness.sink.transcriptLines.some(
        (line) => line.dir === '*' && line.text === 'TLS established: TLSv1.3 TLS_AES_256_GCM_SHA384',
      ),
    );
    assert.ok(harness.sink.diagnosticCodes.includes('pipelining-violation'));
    assert.deepEqual(await harness.codes('MAIL FROM:<a@example.test>', 'EHLO client.test'), [503, 250]);
    assert.ok(harness.sink.diagnosticCodes.includes('starttls-not-reissued-ehlo'));
  });

  it('refuses STARTTLS where the profile does not offer it', async () => {
    const harness = createHarness('submissions');
    assert.deepEqual(await harness.codes('EHLO c', 'STARTTLS'), [220, 250, 503]);
  });
});

describe('ending the session', () => {
  it('an HTTP request on an SMTP port ends the session with 221 2.7.0, once, as Postfix does', async () => {
    for (const profile of ['relay', 'submission'] as const) {
      const harness = createHarness(profile);
      await settle();
      harness.sink.takeReplies();
      // A browser's request: every header line would otherwise get its own 500.
      harness.send('GET /favicon.ico HTTP/1.1\r\nHost: 127.0.0.1:1025\r\nAccept: */*\r\n\r\n');
      await settle();
      const replies = harness.sink.takeReplies().map((reply) => reply.lines[0]);
      assert.equal(replies.length, 1, replies.join(' | '));
      assert.match(replies[0] ?? '', /^221 2\.7\.0 This is an SMTP server, not a web server/);
      assert.equal(harness.session.ended, true);
      assert.deepEqual(harness.sink.diagnosticCodes, ['http-request']);
    }
    // A command that merely starts like a method is not HTTP.
    const harness = await readyHarness('relay');
    assert.deepEqual(await harness.codes('GET status'), [500]);
    assert.ok(harness.sink.diagnosticCodes.includes('syntax-error'));
  });

  it('leaving after EHLO on a STARTTLS port, never upgrading: quit-without-starttls, not a misconfiguration', async () => {
    const gaveUp = createHarness('submission');
    assert.deepEqual(await gaveUp.codes('EHLO client.test', 'QUIT'), [220, 250, 221]);
    assert.deepEqual(gaveUp.sink.diagnosticCodes, ['quit-without-starttls']);
    // Hanging up instead of QUIT (aiosmtplib) is the same finding.
    const hungUp = createHarness('submission');
    await hungUp.exchange('EHLO client.test');
    hungUp.session.clientClosed();
    assert.deepEqual(hungUp.sink.diagnosticCodes, ['quit-without-starttls']);
    // A client that asked for STARTTLS and left during the handshake did not give up on TLS.
    const handshake = createHarness('submission');
    assert.deepEqual(await handshake.codes('EHLO client.test', 'STARTTLS'), [220, 250, 220]);
    handshake.session.clientClosed();
    assert.deepEqual(handshake.sink.diagnosticCodes, []);

    const upgraded = await readyHarness('relay');
    const submission = createHarness('submission');
    await submission.exchange('EHLO client.test');
    await submission.upgrade();
    assert.deepEqual(await submission.codes('EHLO client.test', 'QUIT'), [250, 221]);
    assert.deepEqual(await upgraded.codes('QUIT'), [221]);
    assert.deepEqual([...submission.sink.diagnosticCodes, ...upgraded.sink.diagnosticCodes], []);

    // An earlier finding already says what went wrong.
    const refused = createHarness('submission');
    await refused.codes('EHLO client.test', 'MAIL FROM:<a@example.test>', 'QUIT');
    assert.deepEqual(refused.sink.diagnosticCodes, ['mail-before-starttls']);
  });

  it('leaving after a HELO refused before STARTTLS: quit-without-starttls, naming the HELO', async () => {
    // s-nail and neomutt with STARTTLS and AUTH off say HELO, then hang up on the 530.
    const hungUp = createHarness('submission');
    assert.deepEqual(await hungUp.codes('HELO client.test'), [220, 530]);
    hungUp.session.clientClosed();
    assert.deepEqual(hungUp.sink.diagnostics, [
      {
        code: 'quit-without-starttls',
        detail: 'HELO refused before STARTTLS (STARTTLS is offered to EHLO only)',
      },
    ]);
    const quit = createHarness('alternate');
    assert.deepEqual(await quit.codes('HELO client.test', 'QUIT'), [220, 530, 221]);
    assert.deepEqual(quit.sink.diagnosticCodes, ['quit-without-starttls']);
    // HELO is fine where STARTTLS is not required.
    const relay = createHarness('relay');
    assert.deepEqual(await relay.codes('HELO client.test', 'QUIT'), [220, 250, 221]);
    assert.deepEqual(relay.sink.diagnosticCodes, []);
  });

  it('idle timeout: 421 4.4.2, close, idle-timeout diagnostic', () => {
    const harness = createHarness('relay');
    harness.sink.takeReplies();
    harness.session.idleTimeout();
    assert.deepEqual(
      harness.sink.takeReplies().map((reply) => reply.lines[0]),
      ['421 4.4.2 Idle timeout, closing connection'],
    );
    assert.equal(harness.sink.closed, true);
    assert.deepEqual(harness.sink.diagnosticCodes, ['idle-timeout']);
    assert.equal(harness.session.lastError, '421 4.4.2 Idle timeout, closing connection');
  });

  it('idle timeout inside an unfinished bare-LF message still reports bare-lf', async () => {
    const harness = await readyHarness('relay');
    await harness.exchange(FROM, TO, 'DATA');
    harness.send('Subject: x\n\nbody\n.\n');
    harness.session.idleTimeout();
    assert.deepEqual(harness.sink.diagnosticCodes, ['bare-lf', 'idle-timeout']);
  });

  it('shutdown: 421 4.3.2 and close; later input is ignored', () => {
    const harness = createHarness('relay');
    harness.sink.takeReplies();
    harness.session.shutdown();
    harness.send('NOOP\r\n');
    assert.deepEqual(
      harness.sink.takeReplies().map((reply) => reply.lines[0]),
      ['421 4.3.2 Server shutting down, try again later'],
    );
    assert.equal(harness.session.ended, true);
  });

  it('an unexpected error inside the engine ends only this session, with 451 4.3.0 and no throw', () => {
    const harness = createHarness('relay');
    harness.sink.takeReplies();
    const record = harness.sink.transcript.bind(harness.sink);
    harness.sink.transcript = (direction, text) => {
      if (direction === 'C' && text === 'NOOP') throw new Error('recorder broke');
      record(direction, text);
    };
    assert.doesNotThrow(() => harness.send('NOOP\r\nQUIT\r\n'));
    assert.deepEqual(
      harness.sink.takeReplies().map((reply) => reply.lines[0]),
      ['451 4.3.0 Temporary server error, please try again later'],
    );
    assert.equal(harness.sink.closed, true);
    assert.ok(harness.sink.transcriptLines.some((line) => line.text === 'internal error: recorder broke'));
  });

  it('an error while greeting ends the session with 451 4.3.0 too, and no throw', () => {
    const harness = createHarness('relay', { greet: false });
    const record = harness.sink.transcript.bind(harness.sink);
    harness.sink.transcript = (direction, text) => {
      if (direction === 'S' && text.startsWith('220 ')) throw new Error('greeting broke');
      record(direction, text);
    };
    assert.doesNotThrow(() => harness.session.greet());
    assert.deepEqual(
      harness.sink.takeReplies().map((reply) => reply.lines[0]),
      ['451 4.3.0 Temporary server error, please try again later'],
    );
    assert.equal(harness.sink.closed, true);
    assert.ok(harness.sink.transcriptLines.some((line) => line.text === 'internal error: greeting broke'));
  });

  it('an error thrown after a hook settles ends the session instead of becoming an unhandled rejection', async () => {
    const harness = await readyHarness('relay');
    harness.sink.delivered = () => {
      throw new Error('listener broke');
    };
    await harness.exchange(FROM, TO, 'DATA', 'x', '.', 'NOOP');
    assert.equal(harness.sink.closed, true);
    assert.ok(harness.sink.transcriptLines.some((line) => line.text === 'internal error: listener broke'));
  });

  it('a client that half-closes after its last command still gets every reply, the 250 a store write away included', async () => {
    let store = (_id: { id: string }) => {};
    const harness = await readyHarness('relay', {
      deliver: () => new Promise((resolve) => (store = resolve)),
    });
    harness.send(`${FROM}\r\n${TO}\r\nDATA\r\nSubject: x\r\n\r\nhi\r\n.\r\nNOOP\r\nQUIT\r\n`);
    harness.session.clientFinishedSending();
    await settle();
    assert.equal(harness.sink.closed, false, 'the 250 for the message is still due');
    store({ id: 'msg-1' });
    await settle();
    assert.deepEqual(
      harness.sink.takeReplies().map((reply) => reply.lines[0]?.slice(0, 9)),
      ['250 2.1.0', '250 2.1.5', '354 End d', '250 2.0.0', '250 2.0.0', '221 2.0.0'],
    );
    assert.equal(harness.sink.closed, true);
    assert.equal(harness.session.endReason, 'quit');
    assert.deepEqual(harness.sink.deliveredIds, ['msg-1']);
  });

  it('a half-closed client without QUIT is answered, then the session ends; a cut-off message is dropped', async () => {
    const answered = await readyHarness('relay');
    answered.send('NOOP\r\nRSET');
    answered.session.clientFinishedSending();
    assert.deepEqual(
      answered.sink.takeReplies().map((reply) => reply.code),
      [250],
    );
    assert.equal(answered.sink.closed, true);
    assert.equal(answered.session.endReason, 'client-disconnected');

    const cutOff = await readyHarness('relay');
    await cutOff.exchange(FROM, TO, 'DATA');
    cutOff.send('Subject: x\n\nbody');
    cutOff.session.clientFinishedSending();
    await settle();
    assert.deepEqual(cutOff.sink.takeReplies(), []);
    assert.equal(cutOff.sink.closed, true);
    assert.deepEqual(cutOff.delivered, []);
    assert.deepEqual(cutOff.sink.diagnosticCodes, ['bare-lf']);
  });

  it('QUIT: 221 2.0.0, close, and nothing after it is processed', async () => {
    const harness = await readyHarness('relay');
    assert.deepEqual(await harness.codes('QUIT', 'NOOP'), [221]);
    assert.equal(harness.sink.closed, true);
    assert.equal(harness.session.quitReceived, true);
  });
});

describe('random sessions (fuzz)', () => {
  function random(seed: number): () => number {
    let state = seed;
    return () => {
      state = (state + 0x6d2b79f5) | 0;
      let value = Math.imul(state ^ (state >>> 15), 1 | state);
      value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
      return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
    };
  }

  const vocabulary = [
    'EHLO c.test',
    'HELO c.test',
    'EHLO',
    'STARTTLS',
    'AUTH PLAIN',
    `AUTH PLAIN ${Buffer.from(`\0${USER}\0${PASSWORD}`).toString('base64')}`,
    'AUTH LOGIN',
    Buffer.from(USER).toString('base64'),
    Buffer.from(PASSWORD).toString('base64'),
    '*',
    '=',
    'AUTH XOAUTH2',
    FROM,
    `${FROM} SIZE=10 BODY=8BITMIME`,
    'MAIL FROM:<>',
    'MAIL FROM:<jörg@example.test> SMTPUTF8',
    TO,
    'RCPT TO:<bad>',
    'RCPT TO:<x@example.test> NOTIFY=NEVER',
    'DATA',
    'Subject: fuzz',
    '',
    '.',
    '..x',
    'RSET',
    'NOOP',
    'VRFY x',
    'HELP',
    'EXPN x',
    'GET / HTTP/1.1',
    'x'.repeat(700),
  ];
  it('never throws and always answers in well-formed replies', async () => {
    for (let seed = 1; seed <= 150; seed += 1) {
      const next = random(seed);
      const profiles = ['relay', 'submission', 'submissions', 'alternate'] as const;
      const profile = profiles[seed % profiles.length] ?? 'relay';
      const harness = createHarness(profile);
      const parts: Buffer[] = [];
      for (let index = 0; index < 80; index += 1) {
        const roll = next();
        if (roll < 0.05) {
          parts.push(randomBytes(1 + Math.floor(next() * 50)));
        } else {
          const line = vocabulary[Math.floor(next() * vocabulary.length)] ?? '';
          const ending = roll < 0.1 ? '\n' : roll < 0.12 ? '\r' : '\r\n';
          parts.push(Buffer.from(`${line}${ending}`));
        }
      }
      const input = Buffer.concat(parts);
      for (let offset = 0; offset < input.length && !harness.session.ended; ) {
        const size = 1 + Math.floor(next() * 200);
        assert.doesNotThrow(() => harness.send(input.subarray(offset, offset + size)));
        offset += size;
        if (harness.sink.startTlsCalls > 0 && harness.session.tls === null)
          harness.session.tlsStarted(STARTTLS_FACTS);
        await settle();
      }
      const context = `seed ${seed} (${profile})`;
      for (const line of harness.sink.written.split('\r\n').slice(0, -1)) {
        const match = /^([2-5]\d\d)[ -](.*)$/.exec(line);
        assert.ok(match, `${context}: ${line}`);
        const [, code = '', text = ''] = match;
        const enhanced = /^([245])\.\d{1,3}\.\d{1,3} /.exec(text);
        // Only the greeting, EHLO/HELO lines (RFC 2034 §3) and 3xx replies go without an enhanced code.
        if (enhanced === null) assert.match(code, /^(220|250|334|354)$/, `${context}: ${line}`);
        else assert.equal(enhanced[1], code[0], `${context}: ${line}`);
        // Reply text is US-ASCII, except addresses echoed after SMTPUTF8 (RFC 6531 §3.7.4).
        if (!text.startsWith('2.1.')) assert.match(text, /^[\x20-\x7e]*$/, `${context}: ${line}`);
      }
      assert.ok(
        !harness.sink.transcriptLines.some((line) => line.text.startsWith('internal error')),
        context,
      );
      const codes = harness.sink.diagnosticCodes;
      assert.equal(new Set(codes).size, codes.length, 'each diagnostic at most once');
    }
  });
});
