/**
 * `mailport send` (library and command) and `createMailportTransport` against real loopback
 * servers: delivery, the 587 → 465 → 2525 fallback (with ephemeral ports standing in for those
 * three roles), no fallback on errors that would repeat everywhere, and the explain answer.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { MailportError } from '../../src/errors.js';
import { buildMessage, createMailportTransport, sendMessage } from '../../src/send/index.js';
import { otherTlsModeFor, planAttempts } from '../../src/send/plan.js';
import { createCertificateAuthority } from '../../src/tls/certificates.js';
import { runSend } from '../helpers/run-command.js';
import { startTestSandbox } from '../helpers/sandbox.js';
import {
  closedPort,
  createTlsFixtures,
  type RunningServer,
  startScriptedServer,
  startSilentServer,
  startTestSmtpServer,
  startUnansweredDataServer,
  type TestSmtpServer,
  type TlsFixtures,
} from '../smtp-client/test-servers.js';

const credentials = { user: 'alice', pass: 'correct-horse' };
let fixtures: TlsFixtures;
let submission: TestSmtpServer;
let submissions: TestSmtpServer;
let silent: RunningServer;
let refusedPort: number;
let tempDir: string;

before(async () => {
  fixtures = await createTlsFixtures();
  submission = await startTestSmtpServer({
    tls: 'starttls',
    certificate: fixtures.valid,
    tlsRequired: true,
    authRequired: true,
    credentials,
    unknownRecipients: ['nobody@example.com'],
  });
  submissions = await startTestSmtpServer({
    tls: 'implicit',
    certificate: fixtures.valid,
    authRequired: true,
    credentials,
  });
  silent = await startSilentServer();
  refusedPort = await closedPort();
  tempDir = await mkdtemp(join(tmpdir(), 'mailport-send-'));
});

after(async () => {
  await Promise.all([submission.close(), submissions.close(), silent.close()]);
  await rm(tempDir, { recursive: true, force: true });
});

async function message(subject: string): Promise<Buffer> {
  return buildMessage({
    from: 'alice@example.com',
    to: ['bob@example.com'],
    subject,
    body: 'hello',
    attachments: [],
    headers: [],
  });
}

describe('the TLS mode for a given port', () => {
  test('auto: implicit TLS on 465 and on the sandbox 1465, STARTTLS elsewhere', () => {
    assert.deepEqual(planAttempts(465, 'auto'), [{ port: 465, tls: 'implicit' }]);
    assert.deepEqual(planAttempts(1465, 'auto'), [{ port: 1465, tls: 'implicit' }]);
    assert.deepEqual(planAttempts(1587, 'auto'), [{ port: 1587, tls: 'starttls' }]);
  });

  test('only a confident wrong-mode cause switches the mode, and only between STARTTLS and implicit', () => {
    const starttls = { port: 4650, tls: 'starttls' } as const;
    assert.deepEqual(otherTlsModeFor(starttls, 'plaintext-on-implicit-tls-port', 0.97), {
      port: 4650,
      tls: 'implicit',
    });
    assert.equal(otherTlsModeFor(starttls, 'plaintext-on-implicit-tls-port', 0.65), null);
    assert.equal(otherTlsModeFor(starttls, 'auth-failed', 0.93), null);
    assert.deepEqual(
      otherTlsModeFor({ port: 1465, tls: 'implicit' }, 'implicit-tls-on-starttls-port', 0.95),
      {
        port: 1465,
        tls: 'starttls',
      },
    );
    assert.equal(otherTlsModeFor({ port: 25, tls: 'none' }, 'implicit-tls-on-starttls-port', 0.95), null);
  });
});

describe('sendMessage', () => {
  test('with a port: STARTTLS, AUTH, delivery; the transcript redacts AUTH', async () => {
    const result = await sendMessage({
      host: 'localhost',
      port: submission.port,
      tls: 'auto',
      from: 'alice@example.com',
      to: ['bob@example.com'],
      message: await message('explicit port'),
      credentials,
      ca: [fixtures.ca.certPem],
      stepTimeoutMs: 3000,
    });
    assert.equal(result.ok, true);
    assert.equal(result.attempts.length, 1);
    assert.match(result.attempts[0]?.tlsVersion ?? '', /^TLSv1\.[23]$/);
    assert.match(result.reply?.raw ?? '', /^250 2\.0\.0/);
    assert.ok(submission.messages.some((stored) => stored.data.includes('Subject: explicit port')));
    const transcript = JSON.stringify(result.attempts[0]?.transcript);
    assert.match(transcript, /AUTH PLAIN \[redacted\]/);
    assert.ok(!transcript.includes(credentials.pass));
  });

  test('without a port: falls back past a refused port and a port that never answers, saying what it tried', async () => {
    const progress: string[] = [];
    const result = await sendMessage({
      host: 'localhost',
      tls: 'auto',
      // Stand-ins for 587 (refused) and 465 (accepts but never speaks), then a working implicit-TLS port.
      fallback: [
        { port: refusedPort, implicitTls: false },
        { port: silent.port, implicitTls: true },
        { port: submissions.port, implicitTls: true },
      ],
      from: 'alice@example.com',
      to: ['bob@example.com'],
      message: await message('fallback'),
      credentials,
      ca: [fixtures.ca.certPem],
      stepTimeoutMs: 500,
      onProgress: (event) => progress.push(`${event.kind} ${event.attempt.port} ${event.attempt.tls}`),
    });
    assert.equal(result.ok, true);
    assert.deepEqual(
      result.attempts.map((attempt) => [attempt.port, attempt.tls, attempt.ok, attempt.error?.code ?? null]),
      [
        [refusedPort, 'starttls', false, 'ECONNREFUSED'],
        [silent.port, 'implicit', false, 'ETIMEDOUT'],
        [submissions.port, 'implicit', true, null],
      ],
    );
    assert.deepEqual(progress, [
      `trying ${refusedPort} starttls`,
      `failed ${refusedPort} starttls`,
      `trying ${silent.port} implicit`,
      `failed ${silent.port} implicit`,
      `trying ${submissions.port} implicit`,
    ]);
  });

  test('a wrong password stops the fallback and is explained', async () => {
    const result = await sendMessage({
      host: 'localhost',
      tls: 'auto',
      fallback: [
        { port: submission.port, implicitTls: false },
        { port: submissions.port, implicitTls: true },
      ],
      from: 'alice@example.com',
      to: ['bob@example.com'],
      message: await message('bad password'),
      credentials: { user: 'alice', pass: 'wrong' },
      ca: [fixtures.ca.certPem],
      stepTimeoutMs: 3000,
    });
    assert.equal(result.ok, false);
    assert.equal(result.attempts.length, 1, 'AUTH would fail the same way on every port');
    assert.equal(result.explanation?.cause, 'auth-failed');
  });

  test('--tls implicit against a STARTTLS port fails with the wrong-TLS-mode explanation', async () => {
    const result = await sendMessage({
      host: 'localhost',
      port: submission.port,
      tls: 'implicit',
      from: 'alice@example.com',
      to: ['bob@example.com'],
      message: await message('wrong mode'),
      stepTimeoutMs: 2000,
    });
    assert.equal(result.ok, false);
    assert.equal(result.explanation?.cause, 'implicit-tls-on-starttls-port');
  });

  test('SIZE (RFC 1870): the size goes with MAIL FROM, and a message over the limit is not sent at all', async () => {
    const small = await startTestSmtpServer({ tls: 'none', maxSize: 2000 });
    try {
      const send = async (body: string) =>
        sendMessage({
          host: '127.0.0.1',
          port: small.port,
          tls: 'none',
          from: 'alice@example.com',
          to: ['bob@example.com'],
          message: Buffer.from(`Subject: size\r\n\r\n${body}\r\n`),
          stepTimeoutMs: 2000,
        });
      const fits = await send('hello');
      assert.equal(fits.ok, true);
      const mailLine = fits.attempts[0]?.transcript.find((entry) => entry.text.startsWith('MAIL FROM'));
      assert.match(mailLine?.text ?? '', /^MAIL FROM:<alice@example\.com> SIZE=\d+$/);
      const tooLarge = await send('x'.repeat(5000));
      assert.equal(tooLarge.ok, false);
      assert.equal(tooLarge.explanation?.cause, 'message-too-large');
      assert.ok(!tooLarge.attempts[0]?.transcript.some((entry) => /^(?:MAIL|DATA)/.test(entry.text)));
      assert.equal(small.messages.length, 1);
    } finally {
      await small.close();
    }
  });

  test('8BITMIME and SMTPUTF8 (RFC 6152, RFC 6531): declared when needed, and nothing sent that the server cannot carry', async () => {
    const servers = {
      modern: await startTestSmtpServer({ tls: 'none' }),
      old: await startTestSmtpServer({ tls: 'none', withoutExtensions: ['8BITMIME', 'SMTPUTF8'] }),
    };
    try {
      const send = (port: number, to: string, body: string) =>
        sendMessage({
          host: '127.0.0.1',
          port,
          tls: 'none',
          from: 'alice@example.com',
          to: [to],
          message: Buffer.from(`Subject: test\r\nContent-Transfer-Encoding: 8bit\r\n\r\n${body}\r\n`),
          stepTimeoutMs: 2000,
        });
      const mailLine = (result: { attempts: { transcript: { text: string }[] }[] }) =>
        result.attempts[0]?.transcript.find((entry) => entry.text.startsWith('MAIL FROM'))?.text;

      const declared = await send(servers.modern.port, 'j\u00f6rg@b\u00fccher.example', 'h\u00e9llo');
      assert.equal(declared.ok, true);
      assert.match(mailLine(declared) ?? '', / BODY=8BITMIME SMTPUTF8$/);
      assert.equal(servers.modern.messages[0]?.to[0], 'j\u00f6rg@b\u00fccher.example');

      const eightBit = await send(servers.old.port, 'bob@example.com', 'h\u00e9llo');
      assert.equal(eightBit.ok, false);
      assert.match(
        eightBit.attempts[0]?.error?.message ?? '',
        /8-bit bytes .* does not offer 8BITMIME \(RFC 6152/,
      );
      assert.equal(eightBit.attempts[0]?.error?.code, 'EMESSAGE');
      assert.equal(eightBit.explanation?.cause, 'non-ascii-not-supported');
      assert.equal(mailLine(eightBit), undefined, 'no MAIL FROM for a message the server cannot carry');

      const international = await send(servers.old.port, 'j\u00f6rg@b\u00fccher.example', 'plain ASCII');
      assert.equal(international.ok, false);
      assert.match(
        international.attempts[0]?.error?.message ?? '',
        /address j\u00f6rg@b\u00fccher\.example is not ASCII and the server does not offer SMTPUTF8/,
      );
      assert.equal(international.explanation?.cause, 'non-ascii-not-supported');
      assert.equal(mailLine(international), undefined);

      const ascii = await send(servers.old.port, 'bob@example.com', 'plain ASCII');
      assert.equal(ascii.ok, true, 'a 7-bit message to an ASCII address still goes');
      assert.match(mailLine(ascii) ?? '', /^MAIL FROM:<alice@example\.com> SIZE=\d+$/);
      assert.equal(servers.old.messages.length, 1);
    } finally {
      await Promise.all([servers.modern.close(), servers.old.close()]);
    }
  });

  test('the message carries headers and attachments', async () => {
    const attachment = join(tempDir, 'report.txt');
    await writeFile(attachment, 'numbers');
    const raw = (
      await buildMessage({
        from: 'alice@example.com',
        to: ['bob@example.com', 'carol@example.com'],
        subject: 'with parts',
        body: 'see attached',
        attachments: [attachment],
        headers: ['X-Campaign: spring'],
      })
    ).toString();
    assert.match(raw, /^X-Campaign: spring$/m);
    assert.match(raw, /^To: bob@example.com, carol@example.com$/m);
    assert.match(raw, /filename=report\.txt/);
  });

  test('--html adds an HTML alternative to the text body', async () => {
    const raw = (
      await buildMessage({
        from: 'alice@example.com',
        to: ['bob@example.com'],
        subject: 'html',
        body: 'plain words',
        html: '<p>rich words</p>',
        attachments: [],
        headers: [],
      })
    ).toString();
    assert.match(raw, /^Content-Type: multipart\/alternative;/m);
    assert.match(raw, /^Content-Type: text\/plain/m);
    assert.match(raw, /^Content-Type: text\/html/m);
    assert.match(raw, /<p>rich words<\/p>/);
  });
});

describe('createMailportTransport', () => {
  test('falls back once, then sends straight to the port that worked', async () => {
    const fallbacks: number[] = [];
    const transport = createMailportTransport({
      host: 'localhost',
      fallback: [
        { port: refusedPort, implicitTls: false },
        { port: submissions.port, implicitTls: true },
        { port: submission.port, implicitTls: false },
      ],
      auth: credentials,
      ca: fixtures.ca.certPem,
      timeoutMs: 2000,
      onFallback: ({ port }) => fallbacks.push(port),
    });
    try {
      const first = await transport.sendMail({
        from: 'alice@example.com',
        to: 'bob@example.com',
        subject: 'one',
        text: 'x',
      });
      const second = await transport.sendMail({
        from: 'alice@example.com',
        to: 'bob@example.com',
        subject: 'two',
        text: 'x',
      });
      assert.deepEqual(first.mailport, { port: submissions.port, tls: 'implicit' });
      assert.deepEqual(second.mailport, { port: submissions.port, tls: 'implicit' });
      assert.deepEqual(fallbacks, [refusedPort], 'the refused port is tried only for the first message');
      assert.deepEqual(first.accepted, ['bob@example.com']);
    } finally {
      transport.close();
    }
  });

  test('with a port, TLS follows the port and envelope errors are not retried elsewhere', async () => {
    const fallbacks: number[] = [];
    const transport = createMailportTransport({
      host: 'localhost',
      port: submission.port,
      auth: credentials,
      ca: fixtures.ca.certPem,
      timeoutMs: 2000,
      onFallback: ({ port }) => fallbacks.push(port),
    });
    try {
      await assert.rejects(
        transport.sendMail({ from: 'alice@example.com', to: 'nobody@example.com', text: 'x' }),
        (error: Error & { code?: string }) => error.code === 'EENVELOPE',
      );
      assert.deepEqual(fallbacks, []);
      assert.equal(await transport.verify(), true);
    } finally {
      transport.close();
    }
    const wrongPassword = createMailportTransport({
      host: 'localhost',
      port: submission.port,
      auth: { user: credentials.user, pass: 'wrong' },
      ca: fixtures.ca.certPem,
      timeoutMs: 2000,
    });
    try {
      await assert.rejects(
        wrongPassword.verify(),
        (error: Error & { code?: string }) => error.code === 'EAUTH',
      );
    } finally {
      wrongPassword.close();
    }
  });
});

describe('mailport send (command)', () => {
  test('sends, says what it tried and shows the redacted transcript', async () => {
    const caFile = join(tempDir, 'ca.pem');
    await writeFile(caFile, fixtures.ca.certPem);
    process.env.MAILPORT_TEST_SEND_PASS = credentials.pass;
    const { output, exitCode } = await runSend([
      '--server',
      `localhost:${submission.port}`,
      '--from',
      'alice@example.com',
      '--to',
      'bob@example.com',
      '--to',
      'carol@example.com',
      '--user',
      'alice',
      '--pass-env',
      'MAILPORT_TEST_SEND_PASS',
      '--ca',
      caFile,
      '--show-transcript',
    ]);
    assert.equal(exitCode, 0);
    assert.match(output, new RegExp(`Trying localhost:${submission.port} \\(STARTTLS\\)`));
    assert.match(output, /C: AUTH PLAIN \[redacted\]/);
    assert.match(output, /C: RCPT TO:<carol@example.com>/);
    assert.match(output, /Sent via port \d+ \(TLSv1\.[23]\): 250 2\.0\.0/);
    assert.ok(!output.includes(credentials.pass));
    delete process.env.MAILPORT_TEST_SEND_PASS;
  });

  test('"Name <address>" and comma lists in --from and --to: bare addresses in the envelope, names in the headers', async () => {
    const sandbox = await startTestSandbox();
    try {
      const { output, exitCode } = await runSend([
        ...['--server', `127.0.0.1:${sandbox.port('relay')}`, '--tls', 'none', '--show-transcript'],
        ...['--from', 'Alice Example <alice@example.com>'],
        ...['--to', '"Bob, Jr." <bob@example.com>, carol@example.com', '--to', 'Dave <dave@example.com>'],
      ]);
      assert.equal(exitCode, 0, output);
      assert.match(output, /C: MAIL FROM:<alice@example\.com>/);
      for (const to of ['bob', 'carol', 'dave'])
        assert.match(output, new RegExp(`C: RCPT TO:<${to}@example\\.com>`));
      const [stored] = (await sandbox.store.listMessages({})).items;
      assert.deepEqual(stored?.envelopeTo, ['bob@example.com', 'carol@example.com', 'dave@example.com']);
      const raw = (await sandbox.store.getRawMessage(stored?.id ?? ''))?.toString() ?? '';
      assert.match(raw, /^From: Alice Example <alice@example\.com>\r$/m);
      assert.match(
        raw,
        /^To: "Bob, Jr." <bob@example\.com>, carol@example\.com, Dave\r\n <dave@example\.com>\r$/m,
      );
    } finally {
      await sandbox.stop();
    }
  });

  test('--tls auto on a port that turns out to want implicit TLS: tries the same port again with it', async () => {
    const sandbox = await startTestSandbox();
    try {
      const caFile = join(tempDir, 'sandbox-ca.pem');
      await writeFile(caFile, sandbox.caPem);
      const port = sandbox.port('submissions');
      const { output, exitCode } = await runSend([
        ...['--server', `localhost:${port}`, '--ca', caFile],
        ...['--user', sandbox.auth.user, '--pass', sandbox.auth.pass],
        ...['--from', 'alice@example.com', '--to', 'bob@example.com'],
      ]);
      assert.equal(exitCode, 0, output);
      assert.match(output, new RegExp(`Trying localhost:${port} \\(STARTTLS\\)`));
      assert.match(output, /421 4\.7\.0 This port expects implicit TLS/);
      assert.match(output, /the server wants the other TLS mode: trying implicit TLS on the same port/);
      assert.match(
        output,
        new RegExp(`Trying localhost:${port} \\(implicit TLS\\)[\\s\\S]*Sent via port ${port}`),
      );
      assert.equal((await sandbox.store.listMessages({})).total, 1);
    } finally {
      await sandbox.stop();
    }
  });

  test('--tls auto on a port whose server waits in silence for TLS: tries implicit TLS on the same port', async () => {
    const caFile = join(tempDir, 'ca.pem');
    await writeFile(caFile, fixtures.ca.certPem);
    // An implicit-TLS server sends nothing before the client's handshake: no 421 hint, no wrong record.
    const { output, exitCode } = await runSend([
      ...['--server', `localhost:${submissions.port}`, '--ca', caFile, '--timeout', '1'],
      ...['--user', credentials.user, '--pass', credentials.pass],
      ...['--from', 'alice@example.com', '--to', 'bob@example.com'],
    ]);
    assert.equal(exitCode, 0, output);
    assert.match(output, new RegExp(`Trying localhost:${submissions.port} \\(STARTTLS\\)`));
    assert.match(
      output,
      /no greeting in plaintext, as from an implicit-TLS server: trying implicit TLS on the same port/,
    );
    assert.match(output, new RegExp(`Sent via port ${submissions.port}`));
  });

  test('a pasted smtps:// URL gives the port, implicit TLS at once and the credentials, never printed', async () => {
    // A password with the characters a URL must percent-encode.
    const password = 'p@ss:w/rd%';
    const sandbox = await startTestSandbox({ auth: [`dev@example.com:${password}`] });
    try {
      const caFile = join(tempDir, 'url-ca.pem');
      await writeFile(caFile, sandbox.caPem);
      const port = sandbox.port('submissions');
      const url = `smtps://${encodeURIComponent('dev@example.com')}:${encodeURIComponent(password)}@localhost:${port}`;
      const { output, exitCode } = await runSend([
        ...['--server', url, '--ca', caFile, '--show-transcript'],
        ...['--from', 'alice@example.com', '--to', 'bob@example.com'],
      ]);
      assert.equal(exitCode, 0, output);
      assert.match(output, new RegExp(`Trying localhost:${port} \\(implicit TLS\\)`));
      assert.doesNotMatch(output, /STARTTLS\)/, 'no STARTTLS attempt first');
      assert.match(output, /C: AUTH PLAIN \[redacted\]/);
      assert.ok(!output.includes(password), 'the password is not printed');
      assert.equal((await sandbox.store.listMessages({})).total, 1);
      await assert.rejects(
        runSend(['--server', 'smtp://', '--from', 'a@example.com', '--to', 'b@example.com']),
        (error: MailportError) =>
          error.code === 'MP_ERR_USAGE' && /smtp:\/\/HOST:PORT/.test(error.hint ?? ''),
      );
    } finally {
      await sandbox.stop();
    }
  });

  test('--data sends a saved message as it is: CRLF line ends, a leading dot and 8-bit bytes intact', async () => {
    const sandbox = await startTestSandbox();
    try {
      const caFile = join(tempDir, 'data-ca.pem');
      await writeFile(caFile, sandbox.caPem);
      // Saved on Unix (LF), with a line that starts with a dot and a Latin-1 body that is not UTF-8.
      const saved = Buffer.concat([
        Buffer.from('From: Saved <saved@example.com>\nTo: bob@example.com\nSubject: saved\n'),
        Buffer.from('Content-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: 8bit\n\n'),
        Buffer.from('.leading dot\ncaf'),
        Buffer.from([0xe9]),
        Buffer.from('\n'),
      ]);
      const file = join(tempDir, 'saved.eml');
      await writeFile(file, saved);
      const { output, exitCode } = await runSend([
        ...['--server', `localhost:${sandbox.port('relay')}`, '--ca', caFile],
        ...['--from', 'alice@example.com', '--to', 'bob@example.com', '--data', file],
      ]);
      assert.equal(exitCode, 0, output);
      const [stored] = (await sandbox.store.listMessages({})).items;
      const raw = await sandbox.store.getRawMessage(stored?.id ?? '');
      const crlf = Buffer.from(saved.toString('latin1').replace(/\n/g, '\r\n'), 'latin1');
      assert.ok(raw?.subarray(raw.length - crlf.length).equals(crlf), `stored:\n${raw?.toString('latin1')}`);
      // The envelope is the command line's; the headers are the file's, untouched.
      assert.equal(stored?.envelopeFrom, 'alice@example.com');
      const detail = await sandbox.store.getMessage(stored?.id ?? '');
      assert.equal(detail?.envelope.mailFrom.params.BODY, '8BITMIME', 'declared 8-bit (RFC 6152)');
      assert.deepEqual(stored?.from, [{ name: 'Saved', address: 'saved@example.com' }]);
    } finally {
      await sandbox.stop();
    }
  });

  test('--data stands alone: composing options are refused with it', async () => {
    await assert.rejects(
      runSend(['--server', 'localhost', '--to', 'bob@example.com', '--data', '-', '--subject', 'x']),
      /--data <file>' cannot be used with option '--subject <text>'/,
    );
  });

  test('a CA that does not verify the server: the note names its file, given with --ca or picked for this machine', async () => {
    const dataDir = join(tempDir, 'other-sandbox');
    await mkdir(join(dataDir, 'tls'), { recursive: true });
    const otherCa = join(dataDir, 'tls', 'ca.pem');
    await writeFile(otherCa, (await createCertificateAuthority()).certPem);
    const sendTo = (args: string[]) =>
      runSend([
        '--server',
        `127.0.0.1:${submission.port}`,
        '--from',
        'a@example.com',
        '--to',
        'b@example.com',
        ...args,
      ]);

    const given = await sendTo(['--ca', otherCa]);
    assert.equal(given.exitCode, 1);
    assert.match(given.output, /Cause: +cert-untrusted-ca/);
    assert.match(
      given.output,
      new RegExp(`Note: +${otherCa.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} did not verify`),
    );
    assert.match(
      given.output.replace(/\s+/g, ' '),
      /Pass the CA that signed it with --ca: for a Mailport sandbox, the ca\.pem it printed as "TLS CA"/,
    );

    process.env.MAILPORT_DATA_DIR = dataDir;
    try {
      const picked = await sendTo([]);
      assert.equal(picked.exitCode, 1);
      assert.match(picked.output, new RegExp(`^Trusting the local Mailport sandbox CA ${otherCa}`));
      assert.match(
        picked.output.replace(/\s+/g, ' '),
        /trusted because the server is on this machine, did not verify/,
      );
    } finally {
      delete process.env.MAILPORT_DATA_DIR;
    }
  });

  test('--tls none with a login, on a port that offers AUTH only after STARTTLS: the TLS setting is named, not the mechanisms', async () => {
    const sandbox = await startTestSandbox();
    try {
      const { output, exitCode } = await runSend([
        ...['--server', `127.0.0.1:${sandbox.port('submission')}`, '--tls', 'none'],
        ...['--from', 'a@example.com', '--to', 'b@example.com'],
        ...['--user', sandbox.auth.user, '--pass', sandbox.auth.pass, '--show-transcript'],
      ]);
      assert.equal(exitCode, 1);
      assert.match(
        output,
        /does not offer AUTH before STARTTLS \(no AUTH offered in plaintext, STARTTLS offered\)/,
      );
      assert.match(output, /Cause: +auth-before-starttls/);
      assert.match(output.replace(/\s+/g, ' '), /mailport send --tls starttls/);
      assert.doesNotMatch(output, /^C: AUTH/m);
    } finally {
      await sandbox.stop();
    }
  });

  test('a failure prints the explain answer and exits 1', async () => {
    const { output, exitCode } = await runSend([
      '--server',
      `127.0.0.1:${refusedPort}`,
      '--from',
      'alice@example.com',
      '--to',
      'bob@example.com',
    ]);
    assert.equal(exitCode, 1);
    assert.match(output, new RegExp(`Not sent \\(tried port ${refusedPort}\\)`));
    assert.match(output, /Cause: +connection-refused/);
  });

  test('a multi-line reply to the final dot is printed whole, the queue id in its last line included', async () => {
    let inData = false;
    const server = await startScriptedServer((line, socket) => {
      if (inData) {
        if (line === '.') {
          inData = false;
          socket.write('250-2.0.0 Message accepted\r\n250 2.0.0 queued as 7F3A\r\n');
        }
        return true;
      }
      if (!/^DATA/i.test(line)) return false;
      inData = true;
      socket.write('354 go ahead\r\n');
      return true;
    });
    try {
      const { output, exitCode } = await runSend([
        ...['--server', `127.0.0.1:${server.port}`, '--tls', 'none'],
        ...['--from', 'alice@example.com', '--to', 'bob@example.com'],
      ]);
      assert.ok(!exitCode, output);
      assert.match(output, /: 250-2\.0\.0 Message accepted \| 250 2\.0\.0 queued as 7F3A$/m);
    } finally {
      await server.close();
    }
  });

  for (const afterDot of ['hang-up', 'silence'] as const) {
    test(`${afterDot} after the final dot: perhaps sent, never "not sent", and not sent again`, async () => {
      const server = await startUnansweredDataServer(afterDot);
      try {
        const { output, exitCode } = await runSend([
          ...['--server', `127.0.0.1:${server.port}`, '--tls', 'none', '--timeout', '1'],
          ...['--from', 'alice@example.com', '--to', 'bob@example.com'],
        ]);
        assert.equal(exitCode, 1);
        assert.match(output, /after the whole message was sent/);
        assert.match(
          output,
          /Perhaps sent: the whole message went out on port \d+, but the server never acknowledged it/,
        );
        assert.doesNotMatch(output, /Not sent/);
        assert.match(output, /Cause: +no-reply-after-data/);
        assert.equal(server.commands.filter((command) => command === 'MAIL').length, 1, 'sent twice');
      } finally {
        await server.close();
      }
    });
  }

  /** `mailport send --tls none` to a scripted server, from alice to bob, with `extra` options. */
  async function sendToScripted(
    answer: Parameters<typeof startScriptedServer>[0],
    extra: string[] = [],
  ): Promise<{ output: string; exitCode: number | undefined }> {
    const server = await startScriptedServer(answer);
    try {
      return await runSend([
        ...['--server', `127.0.0.1:${server.port}`, '--tls', 'none', '--timeout', '2'],
        ...['--from', 'alice@example.com', '--to', 'bob@example.com', ...extra],
      ]);
    } finally {
      await server.close();
    }
  }

  test('a 421 and a hang-up at RCPT: the session closed, not the recipient refused', async () => {
    const { output, exitCode } = await sendToScripted((line, socket) => {
      if (!/^RCPT/i.test(line)) return false;
      socket.end('421 4.3.2 Service shutting down\r\n');
      return true;
    });
    assert.equal(exitCode, 1);
    assert.match(output, /The server closed the session at RCPT TO:<bob@example\.com>: 421 4\.3\.2/);
    assert.doesNotMatch(output, /refused the recipient/);
    assert.match(output, /Cause: +temporary-failure/);
  });

  test('an EHLO reply of 1,000 extension lines: the server broke SMTP after greeting, no other port blamed', async () => {
    const extensions = Array.from({ length: 1000 }, (_, index) => `250-X-EXTENSION-${index}\r\n`);
    const { output, exitCode } = await sendToScripted((line, socket) => {
      if (!/^EHLO/i.test(line)) return false;
      socket.write(`250-broken.test\r\n${extensions.join('')}250 8BITMIME\r\n`);
      return true;
    });
    assert.equal(exitCode, 1);
    assert.match(output, /greeted in SMTP, then its reply \(ehlo\) broke SMTP \(A multi-line reply went on/);
    assert.doesNotMatch(output, /another protocol|Cause: +not-smtp/);
    assert.match(output, /Cause: +server-protocol-error/);
  });

  test('MAIL FROM answered 354 (a server out of step): a protocol error, nothing sent', async () => {
    const commands: string[] = [];
    const { output, exitCode } = await sendToScripted((line, socket) => {
      commands.push(line.split(/[ :]/)[0] ?? '');
      if (!/^MAIL/i.test(line)) return false;
      socket.write('354 Start mail input\r\n');
      return true;
    });
    assert.equal(exitCode, 1);
    assert.match(
      output,
      /answered MAIL FROM with 354, which is no answer to MAIL FROM \(RFC 5321 §4\.3\.2\)[\s\S]*Not sent/,
    );
    assert.match(output, /Cause: +server-protocol-error/);
    assert.ok(
      !commands.includes('RCPT') && !commands.includes('DATA'),
      `commands sent: ${commands.join(', ')}`,
    );
  });

  test('DATA answered 250 instead of 354: a protocol error of the server, not a success', async () => {
    const { output, exitCode } = await sendToScripted((line, socket) => {
      if (!/^DATA/i.test(line)) return false;
      socket.write('250 2.0.0 Ok\r\n');
      return true;
    });
    assert.equal(exitCode, 1);
    assert.match(output, /answered DATA with 250 instead of 354 .*the message was not sent/);
    assert.match(output, /Not sent/);
    assert.doesNotMatch(output, /Cause: +no-error/);
  });

  test('reply lines after a complete EHLO reply: stopped before MAIL, never reported as sent', async () => {
    // Read on, the surplus would answer MAIL, RCPT and DATA, and MAIL's real 250 the final dot:
    // "sent", while the server refused the recipient.
    const commands: string[] = [];
    const { output, exitCode } = await sendToScripted((line, socket) => {
      commands.push(line.split(/[ :]/)[0] ?? '');
      if (/^EHLO/i.test(line))
        socket.write('250 broken.test\r\n250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 go ahead\r\n');
      else if (/^RCPT/i.test(line)) socket.write('550 5.1.1 No such user\r\n');
      else return false;
      return true;
    });
    assert.equal(exitCode, 1);
    assert.match(
      output,
      /failed in ehlo: The server's reply to EHLO ended at "250 broken\.test" \(a space after the code marks the last line, RFC 5321 §4\.2\.1\), yet more lines followed: "250 2\.1\.0 Ok"/,
    );
    assert.match(output, /Not sent/);
    assert.match(output, /Cause: +server-protocol-error/);
    assert.deepEqual(commands, ['EHLO'], `commands sent: ${commands.join(', ')}`);
  });

  test('AUTH LOGIN answered 334 after the password: the exchange never ended, no wrong password', async () => {
    const { output, exitCode } = await sendToScripted(
      (line, socket) => {
        if (/^EHLO/i.test(line)) socket.write('250-broken.test\r\n250 AUTH LOGIN\r\n');
        // Every line after AUTH LOGIN (user, password) gets yet another challenge.
        else if (!/^(MAIL|RCPT|DATA|QUIT)/i.test(line)) socket.write('334 UGFzc3dvcmQ6\r\n');
        else return false;
        return true;
      },
      ['--user', 'alice', '--pass', 'correct-horse'],
    );
    assert.equal(exitCode, 1);
    assert.match(output, /asked for more \(334\) after Mailport had sent every AUTH LOGIN response/);
    assert.doesNotMatch(output, /Cause: +auth-failed/);
  });
});
