/**
 * ESMTP parameters and reply correctness over real sockets on every port profile: each refusal has
 * the right reply code, an RFC 3463 enhanced code and a sentence that says what to change, and the
 * session record keeps the dialogue without the credentials.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ProfileName } from '../../src/profiles/port-profiles.js';
import { plainCredentials, readyRawClient, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { RawSmtp } from '../helpers/smtp-dialogue.js';
import { nextClosedSession } from '../helpers/wait.js';

let sandbox: TestSandbox;

before(async () => {
  sandbox = await startTestSandbox({
    maxMessageSize: '10000',
    auth: ['conformance:Pa55-not-in-transcripts'],
  });
});
after(async () => {
  await sandbox.stop();
});

function readyClient(profile: ProfileName, heloName?: string): Promise<RawSmtp> {
  return readyRawClient(sandbox, profile, heloName);
}

/** The last line of the reply to each command, sent one at a time. */
async function lastLines(client: RawSmtp, ...commands: string[]): Promise<string[]> {
  const lines: string[] = [];
  for (const command of commands) lines.push((await client.command(command)).text);
  return lines;
}

const PROFILES: readonly ProfileName[] = ['relay', 'submissions', 'submission', 'alternate'];
/** `555 5.5.4 text`: a code, an enhanced code (RFC 2034 §3) and a readable sentence. */
const WELL_FORMED_REFUSAL = /^[45]\d\d [45]\.\d{1,3}\.\d{1,3} [A-Z][^\r\n]{15,}$/;

describe('ESMTP parameters and refusals on every profile', () => {
  for (const profile of PROFILES) {
    it(`${profile}: parameters not advertised get 555 5.5.4 saying why (RFC 5321 §4.1.1.11)`, async () => {
      const client = await readyClient(profile);
      const [ret, binary, foo, , notify, orcpt, misplaced] = await lastLines(
        client,
        'MAIL FROM:<a@example.test> RET=HDRS ENVID=QQ314159',
        'MAIL FROM:<a@example.test> BODY=BINARYMIME',
        'MAIL FROM:<a@example.test> XFOO=1',
        'MAIL FROM:<a@example.test>',
        'RCPT TO:<b@example.test> NOTIFY=SUCCESS,FAILURE',
        'RCPT TO:<b@example.test> ORCPT=rfc822;b@example.test',
        'RCPT TO:<b@example.test> SIZE=10',
      );
      assert.match(ret ?? '', /^555 5\.5\.4 Unsupported parameter RET: DSN \(RFC 3461\) is not offered/);
      assert.match(
        binary ?? '',
        /^555 5\.5\.4 Unsupported parameter BODY=BINARYMIME: BINARYMIME \(RFC 3030\) is not offered, only CHUNKING/,
      );
      assert.match(
        foo ?? '',
        /^555 5\.5\.4 Unsupported parameter XFOO: it was not advertised in the EHLO reply/,
      );
      assert.match(notify ?? '', /^555 5\.5\.4 Unsupported parameter NOTIFY: DSN/);
      assert.match(orcpt ?? '', /^555 5\.5\.4 Unsupported parameter ORCPT: DSN/);
      assert.match(
        misplaced ?? '',
        /^555 5\.5\.4 Unsupported parameter SIZE: it goes on MAIL FROM, not RCPT TO/,
      );
      client.close();
    });

    it(`${profile}: bad values of advertised parameters get 501 5.5.4 naming the parameter`, async () => {
      const client = await readyClient(profile);
      const replies = await lastLines(
        client,
        'MAIL FROM:<a@example.test> SIZE=abc',
        'MAIL FROM:<a@example.test> SIZE',
        'MAIL FROM:<a@example.test> BODY=9BIT',
        'MAIL FROM:<a@example.test> SMTPUTF8=yes',
        'MAIL FROM:<a@example.test> SIZE=1 SIZE=2',
        'MAIL FROM:<a@example.test> SIZE=10001',
      );
      assert.deepEqual(replies, [
        '501 5.5.4 Invalid SIZE parameter: give the message size in bytes, e.g. SIZE=12345 (RFC 1870)',
        '501 5.5.4 Invalid SIZE parameter: give the message size in bytes, e.g. SIZE=12345 (RFC 1870)',
        '501 5.5.4 Invalid BODY parameter: use BODY=7BIT or BODY=8BITMIME (RFC 6152)',
        '501 5.5.4 Invalid SMTPUTF8 parameter: it takes no value (RFC 6531 section 3.4)',
        '501 5.5.4 Parameter SIZE given more than once',
        '552 5.3.4 Message size exceeds fixed maximum message size (10000 bytes)',
      ]);
      client.close();
    });

    it(`${profile}: unknown verbs get 500 5.5.2, DATA without RCPT 554 5.5.1 (RFC 3463 §3.6, Postfix)`, async () => {
      const client = await readyClient(profile);
      const replies = await lastLines(
        client,
        'XYZZY',
        'MAIL FROM:<a@example.test>',
        'DATA',
        'RCPT TO:<b@example.test>',
        'TURN',
        'EXPN staff',
      );
      assert.deepEqual(replies, [
        '500 5.5.2 Command not recognized: XYZZY',
        '250 2.1.0 Sender <a@example.test> OK',
        '554 5.5.1 No valid recipients: send RCPT TO before DATA',
        '250 2.1.5 Recipient <b@example.test> OK',
        '502 5.5.1 Command not offered by this server',
        '502 5.5.1 Command not offered by this server',
      ]);
      client.close();
    });
  }

  it('every refusal carries a code, an enhanced code and a sentence', async () => {
    const client = await readyClient('relay');
    const refusals = await lastLines(
      client,
      'FOO',
      'MAIL FROM:a@example.test',
      'MAIL FROM:<a@example.test> SIZE=x',
      'MAIL FROM:<a@example.test> NOTIFY=NEVER',
      'MAIL FROM:<a@example.test> AUTH=<>',
      'MAIL FROM:<\u00fc@example.test>',
      'RCPT TO:<b@example.test>',
      'DATA',
      'VRFY',
      'STARTTLS now',
      'RSET now',
    );
    assert.equal((await client.command('MAIL FROM:<a@example.test>')).code, 250);
    refusals.push(...(await lastLines(client, 'DATA', 'RCPT TO:<>', 'RCPT TO:<b@[999.0.0.1]>', 'DATA')));
    for (const refusal of refusals) assert.match(refusal, WELL_FORMED_REFUSAL);
    client.close();
  });

  it('AUTH= is refused where AUTH is not offered, and checked as xtext where it is (RFC 4954 §5)', async () => {
    const relay = await readyClient('relay');
    assert.match(
      (await relay.command('MAIL FROM:<a@example.test> AUTH=<>')).text,
      /^555 5\.5\.4 Unsupported parameter AUTH: AUTH is not offered on this connection/,
    );
    relay.close();
    const submission = await readyClient('submission');
    assert.deepEqual(
      await lastLines(
        submission,
        'MAIL FROM:<a@example.test> AUTH=a+b@example.test',
        'MAIL FROM:<a@example.test> AUTH=a+2Bb@example.test',
        'RSET',
        'MAIL FROM:<a@example.test> AUTH=<>',
      ),
      [
        '501 5.5.4 Invalid AUTH parameter: give AUTH=<> or AUTH=mailbox in xtext (RFC 4954 section 5)',
        '250 2.1.0 Sender <a@example.test> OK',
        '250 2.0.0 OK',
        '250 2.1.0 Sender <a@example.test> OK',
      ],
    );
    submission.close();
  });

  it('after HELO every parameter is refused as needing EHLO', async () => {
    const client = await RawSmtp.connect(sandbox.port('relay'));
    await client.reply();
    await client.command('HELO client.test');
    assert.equal(
      (await client.command('MAIL FROM:<a@example.test> SIZE=10')).text,
      '555 5.5.4 Unsupported parameter SIZE: ESMTP parameters need EHLO, not HELO (RFC 5321 section 4.1.1.11)',
    );
    client.close();
  });

  for (const profile of ['relay', 'submission'] as const) {
    it(`${profile}: STARTTLS takes no argument, runs once, and drops what was pipelined after it (RFC 3207, CVE-2011-0411)`, async () => {
      const client = await RawSmtp.connect(sandbox.port(profile));
      await client.reply();
      await client.command('EHLO client.test');
      assert.equal(
        (await client.command('STARTTLS now')).text,
        '501 5.5.4 STARTTLS takes no arguments: send STARTTLS alone',
      );
      client.write('STARTTLS\r\nRSET\r\nMAIL FROM:<injected@example.test>\r\n');
      assert.deepEqual(await client.reply(), ['220 2.0.0 Ready to start TLS']);
      await client.upgradeToTls(sandbox.caPem);
      // The first reply over TLS answers EHLO: the plaintext RSET and MAIL were never executed.
      const ehlo = await client.command('EHLO client.test');
      assert.equal(ehlo.lines[0], '250-localhost greets client.test');
      assert.equal((await client.command('STARTTLS')).text, '503 5.5.1 TLS is already active');
      client.close();
    });
  }

  for (const profile of ['submission', 'alternate'] as const) {
    it(`${profile}: before STARTTLS every command but NOOP, EHLO, STARTTLS, QUIT gets 530, even before EHLO (RFC 3207 §4)`, async () => {
      const client = await RawSmtp.connect(sandbox.port(profile));
      await client.reply();
      const starttlsFirst =
        '530 5.7.0 Must issue a STARTTLS command first (this is a STARTTLS port: enable STARTTLS in your client)';
      assert.deepEqual(
        await lastLines(
          client,
          'MAIL FROM:<a@example.test>',
          'RCPT TO:<b@example.test>',
          'DATA',
          'HELO c.test',
        ),
        [starttlsFirst, starttlsFirst, starttlsFirst, starttlsFirst],
      );
      // HELO was refused, so the way to STARTTLS names EHLO alone.
      assert.equal(
        (await client.command('STARTTLS')).text,
        '503 5.5.1 Send EHLO first: STARTTLS is an extension offered in the EHLO reply (RFC 3207 section 4)',
      );
      assert.deepEqual(await lastLines(client, 'NOOP', 'EHLO client.test', 'STARTTLS'), [
        '250 2.0.0 OK',
        '250 STARTTLS',
        '220 2.0.0 Ready to start TLS',
      ]);
      client.close();
    });
  }

  it('the session record keeps the refusals and the sequence diagnostic, never the credentials', async () => {
    // Sessions of earlier tests may still be closing: this one is told apart by its EHLO name.
    const closed = nextClosedSession(sandbox.bus, (session) => session.heloName === 'recorded.test');
    const client = await readyClient('submission', 'recorded.test');
    await lastLines(client, 'MAIL FROM:<a@example.test> RET=FULL', 'MAIL FROM:<a@example.test>', 'DATA');
    assert.equal((await client.command('QUIT')).code, 221);
    const session = await closed;
    assert.equal(session.lastError, '554 5.5.1 No valid recipients: send RCPT TO before DATA');
    assert.deepEqual(
      session.diagnostics.map((diagnostic) => diagnostic.code),
      ['unknown-parameter', 'bad-sequence'],
    );
    const record = await sandbox.store.getSession(session.id);
    const texts = record?.transcript.map((line) => `${line.dir} ${line.text}`) ?? [];
    assert.ok(
      texts.includes(
        'S 555 5.5.4 Unsupported parameter RET: DSN (RFC 3461) is not offered by this server (RFC 5321 section 4.1.1.11)',
      ),
    );
    assert.ok(texts.includes('S 554 5.5.1 No valid recipients: send RCPT TO before DATA'));
    assert.ok(texts.includes('C AUTH PLAIN <redacted>'));
    const everything = JSON.stringify(record);
    assert.ok(!everything.includes(plainCredentials(sandbox)), 'the AUTH PLAIN payload is not stored');
    assert.ok(!everything.includes(sandbox.auth.pass), 'the password is not stored');
  });
});
