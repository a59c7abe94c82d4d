/**
 * Non-Node clients against each profile: swaks, Python smtplib and openssl s_client, run as real
 * child processes, must deliver with the settings each profile calls for.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { nextClosedSession } from '../helpers/wait.js';

const run = promisify(execFile);
let sandbox: TestSandbox;
let dir: string;
let caFile: string;

before(async () => {
  sandbox = await startTestSandbox();
  dir = await mkdtemp(join(tmpdir(), 'mailport-clients-'));
  caFile = join(dir, 'ca.pem');
  await writeFile(caFile, sandbox.caPem);
});
after(async () => {
  await sandbox.stop();
  await rm(dir, { recursive: true, force: true });
});

async function countFrom(sender: string): Promise<number> {
  return (await sandbox.store.listMessages({ q: `from:${sender}` })).total;
}

describe('swaks', () => {
  const cases = [
    { profile: 'relay', flags: [] as string[] },
    { profile: 'submission', flags: ['--tls', '--auth', 'PLAIN'] },
    { profile: 'alternate', flags: ['--tls', '--auth', 'LOGIN'] },
    { profile: 'submissions', flags: ['--tlsc', '--auth', 'PLAIN'] },
  ] as const;
  for (const { profile, flags } of cases) {
    it(`delivers on the ${profile} listener with ${flags.join(' ') || 'no TLS, no AUTH'}`, async () => {
      const sender = `swaks-${profile}@example.com`;
      const authFlags = flags.includes('--auth')
        ? ['--auth-user', sandbox.auth.user, '--auth-password', sandbox.auth.pass]
        : [];
      const { stdout } = await run(
        'swaks',
        [
          '--server',
          `127.0.0.1:${sandbox.port(profile)}`,
          '--from',
          sender,
          '--to',
          'rcpt@example.com',
          '--tls-ca-path',
          caFile,
          '--tls-verify',
          ...flags,
          ...authFlags,
        ],
        { timeout: 20_000 },
      );
      // swaks marks lines read over TLS with `<~` and plaintext ones with `<-`.
      assert.match(stdout, /<[-~]\s+250 2\.0\.0 OK: queued as/);
      assert.equal(await countFrom(sender), 1);
    });
  }

  it('swaks without --tls on the 587-style port is refused with 530 5.7.0', async () => {
    await assert.rejects(
      run(
        'swaks',
        [
          '--server',
          `127.0.0.1:${sandbox.port('submission')}`,
          '--from',
          'x@example.com',
          '--to',
          'y@example.com',
        ],
        { timeout: 20_000 },
      ),
      (error: { stdout: string }) =>
        /<\*\*\s+530 5\.7\.0 Must issue a STARTTLS command first/.test(error.stdout),
    );
  });
});

describe('Python smtplib', () => {
  const script = `
import smtplib, ssl, sys
profile, port, user, password, cafile, sender = sys.argv[1:7]
ctx = ssl.create_default_context(cafile=cafile)
if profile == 'submissions':
    s = smtplib.SMTP_SSL('localhost', int(port), context=ctx, timeout=10)
else:
    s = smtplib.SMTP('localhost', int(port), timeout=10)
    s.starttls(context=ctx)
if profile != 'relay':
    s.login(user, password)
s.sendmail(sender, ['rcpt@example.com'], 'From: %s\\r\\nTo: rcpt@example.com\\r\\nSubject: smtplib\\r\\n\\r\\nHello\\r\\n' % sender)
s.quit()
print('sent')
`;
  for (const profile of ['relay', 'submission', 'alternate', 'submissions'] as const) {
    it(`delivers on the ${profile} listener`, async () => {
      const sender = `python-${profile}@example.com`;
      const { stdout } = await run(
        'python3',
        [
          '-c',
          script,
          profile,
          String(sandbox.port(profile)),
          sandbox.auth.user,
          sandbox.auth.pass,
          caFile,
          sender,
        ],
        { timeout: 20_000 },
      );
      assert.equal(stdout.trim(), 'sent');
      assert.equal(await countFrom(sender), 1);
    });
  }

  it('smtplib.SMTP (plaintext) against the 465-style port gets a 421 that names implicit TLS', async () => {
    const probe = `
import smtplib, sys
try:
    smtplib.SMTP('127.0.0.1', int(sys.argv[1]), timeout=10)
except smtplib.SMTPConnectError as e:
    print(e.smtp_code, e.smtp_error.decode())
`;
    const { stdout } = await run('python3', ['-c', probe, String(sandbox.port('submissions'))], {
      timeout: 20_000,
    });
    assert.match(stdout, /^421 .*implicit TLS/i);
  });

  // smtplib sends a bytes message as it is (only a str gets CRLF line ends; bytes only get a
  // final CRLF), so a file read in binary with Unix line ends, a stray LF, or HTML written on one
  // line goes out as the application made it.
  it('a bytes message with Unix line ends, a stray LF or a line over 1000 octets is refused, naming its first such line', async () => {
    const probe = `
import smtplib, sys
for body in (b'Subject: unix\\nFrom: a@example.com\\n\\nHello\\n',
             b'Subject: lf\\r\\nFrom: a@example.com\\r\\n\\r\\nHello\\nworld\\r\\n',
             b'Subject: html\\r\\n\\r\\n<p>hi</p>\\r\\n<div>' + b'x' * 1200 + b'</div>\\r\\n'):
    s = smtplib.SMTP('127.0.0.1', int(sys.argv[1]), timeout=10)
    try:
        s.sendmail('python-lines@example.com', ['rcpt@example.com'], body)
    except smtplib.SMTPDataError as e:
        print(e.smtp_code, e.smtp_error.decode())
    s.quit()
`;
    const { stdout } = await run('python3', ['-c', probe, String(sandbox.port('relay'))], {
      timeout: 20_000,
    });
    const [unix, bareLf, longLine] = stdout.trim().split('\n');
    assert.match(
      unix ?? '',
      /^554 5\.6\.0 Message refused: it contains a bare LF or bare CR, first on line 1 of the message text \(4 of 5 lines end in LF alone: Unix line endings\);/,
    );
    assert.match(
      bareLf ?? '',
      /^554 5\.6\.0 Message refused: it contains a bare LF or bare CR, first on line 4 of the message text \(1 of 5 lines end in LF alone\);/,
    );
    assert.match(
      longLine ?? '',
      /^554 5\.6\.0 Message refused: a line is longer than 1000 octets, first on line 4 of the message text /,
    );
    assert.equal(await countFrom('python-lines@example.com'), 0);
  });
});

describe('openssl s_client', () => {
  const plain = Buffer.from(`\0${'mailport'}\0${'mailport'}`).toString('base64');
  const dialogue = (sender: string): string =>
    [
      'EHLO openssl.test',
      `AUTH PLAIN ${plain}`,
      `MAIL FROM:<${sender}>`,
      'RCPT TO:<rcpt@example.com>',
      'DATA',
      `From: ${sender}`,
      'Subject: s_client',
      '',
      'Hello',
      '.',
      'QUIT',
      '',
    ].join('\r\n');

  for (const [profile, extra] of [
    ['submission', ['-starttls', 'smtp']],
    ['submissions', []],
  ] as const) {
    it(`delivers on the ${profile} listener${extra.length ? ' with -starttls smtp' : ' (implicit TLS)'}`, async () => {
      const sender = `openssl-${profile}@example.com`;
      const child = execFile(
        'openssl',
        [
          's_client',
          '-connect',
          `127.0.0.1:${sandbox.port(profile)}`,
          '-servername',
          'localhost',
          '-CAfile',
          caFile,
          '-verify_return_error',
          '-quiet',
          '-ign_eof',
          ...extra,
        ],
        { timeout: 20_000 },
      );
      let output = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      child.stdin?.end(dialogue(sender));
      await new Promise((resolve) => child.on('close', resolve));
      assert.match(output, /235 2\.7\.0/);
      assert.match(output, /250 2\.0\.0 OK: queued as/);
      assert.equal(await countFrom(sender), 1);
    });
  }
});

describe('curl over HTTP (a browser-like client on an SMTP port)', () => {
  it('gets one 221 2.7.0 and a closed connection; the session says to use the HTTP port', async () => {
    const port = sandbox.port('relay');
    const closed = nextClosedSession(sandbox.bus, (session) =>
      session.diagnostics.some((diagnostic) => diagnostic.code === 'http-request'),
    );
    const failed = await run('curl', ['-sS', '--max-time', '5', `http://127.0.0.1:${port}/`]).then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );
    // curl reads the greeting as an HTTP/0.9 response, which it refuses: no page either way.
    assert.ok(failed, 'curl got a page from an SMTP port');
    const session = await closed;
    assert.equal(session.listener.port, port);
    assert.match(session.diagnostics[0]?.fix ?? '', /Web UI \+ API/);
    const record = await sandbox.store.getSession(session.id);
    assert.ok(record?.transcript.some((line) => /^221 2\.7\.0 This is an SMTP server/.test(line.text)));
    assert.ok(!record?.transcript.some((line) => /^500 /.test(line.text)), 'no 500 per header line');
  });
});
