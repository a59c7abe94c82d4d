/**
 * OAuth 2.0 logins from real clients (nodemailer's XOAUTH2, Python smtplib with OAUTHBEARER):
 * what delivers, what a refused token tells the client, and that no token is ever recorded.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import { microsoftSmtpToken } from '../helpers/jwt.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { nextClosedSession } from '../helpers/wait.js';

const USER = 'app@contoso.com';
const PASSWORD = 'sandbox-token';

let configured: TestSandbox;
let anyLogin: TestSandbox;
const caDirectory = mkdtempSync(join(tmpdir(), 'mailport-oauth-'));
const caFile = join(caDirectory, 'ca.pem');

before(async () => {
  configured = await startTestSandbox({ auth: [`${USER}:${PASSWORD}`] });
  anyLogin = await startTestSandbox({ authAny: true });
  writeFileSync(caFile, configured.caPem);
});
after(async () => {
  await Promise.all([configured.stop(), anyLogin.stop()]);
  rmSync(caDirectory, { recursive: true, force: true });
});

async function sendWithToken(
  sandbox: TestSandbox,
  accessToken: string,
): Promise<SMTPTransport.SentMessageInfo> {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port: sandbox.port('submission'),
    secure: false,
    requireTLS: true,
    tls: { ca: sandbox.caPem, servername: 'localhost' },
    auth: { type: 'OAuth2', user: USER, accessToken },
  });
  try {
    return await transport.sendMail({
      from: USER,
      to: 'someone@example.com',
      subject: 'OAuth2',
      text: 'Sent with a bearer token.',
    });
  } finally {
    transport.close();
  }
}

describe('nodemailer with auth.type OAuth2 (AUTH XOAUTH2)', () => {
  it('delivers with the token the sandbox takes for the user, and records the mechanism', async () => {
    const info = await sendWithToken(configured, PASSWORD);
    const id = /queued as (\S+)/.exec(info.response)?.[1] ?? '';
    const message = await configured.store.getMessage(id);
    assert.deepEqual(message?.auth, { user: USER, mechanism: 'XOAUTH2' });
  });

  it('with --auth-any, delivers with any unexpired token', async () => {
    const info = await sendWithToken(anyLogin, microsoftSmtpToken(USER));
    assert.match(info.response, /^250 2\.0\.0/);
  });

  it('an expired token fails with 535 5.7.8 saying when it expired, and the token is never recorded', async () => {
    const expired = microsoftSmtpToken(USER, { exp: Math.floor(Date.now() / 1000) - 3 * 3600 });
    const port = anyLogin.port('submission');
    const startedAfter = Date.now();
    const closed = nextClosedSession(
      anyLogin.bus,
      (session) => session.listener.port === port && Date.parse(session.startedAt) >= startedAfter,
    );
    const error = (await sendWithToken(anyLogin, expired).then(
      () => assert.fail('an expired token was accepted'),
      (failure: unknown) => failure,
    )) as { code?: string; response?: string; message: string };
    assert.equal(error.code, 'EAUTH');
    assert.match(
      error.response ?? '',
      /^535 5\.7\.8 Authentication credentials invalid; the token expired at \S+Z, 3 h ago/,
    );
    const session = await closed;
    assert.deepEqual(
      session.diagnostics.map((diagnostic) => diagnostic.code),
      ['auth-failed'],
    );
    const full = await anyLogin.store.getSession(session.id);
    const recorded = JSON.stringify(full);
    assert.ok(!recorded.includes(expired.split('.')[1] ?? expired), 'the token is not in the session record');
    assert.ok(full?.transcript.some((line) => line.text === 'AUTH XOAUTH2 <redacted>'));
    // nodemailer answers the error challenge with the empty response RFC 7628 asks for.
    assert.ok(full?.transcript.some((line) => line.dir === 'C' && line.text === ''));
  });

  it('a Microsoft Graph token is refused with the scope to ask for instead', async () => {
    const graph = microsoftSmtpToken(USER, { aud: 'https://graph.microsoft.com', scp: 'Mail.Send' });
    await assert.rejects(sendWithToken(anyLogin, graph), (error: { response?: string }) => {
      assert.match(
        error.response ?? '',
        /the token is for Microsoft Graph .* request the scope https:\/\/outlook\.office\.com\/SMTP\.Send/,
      );
      return true;
    });
  });
});

describe('Python smtplib with AUTH OAUTHBEARER', () => {
  /** Logs in over implicit TLS with a hand-built OAUTHBEARER message, as smtplib's auth() takes it. */
  function pythonLogin(
    sandbox: TestSandbox,
    token: string,
  ): Promise<{ status: number | null; output: string }> {
    const script = `
import smtplib, ssl, sys
user, token, port, ca = sys.argv[1:5]
context = ssl.create_default_context(cafile=ca)
with smtplib.SMTP_SSL('localhost', int(port), context=context, timeout=5) as smtp:
    smtp.ehlo()
    code, text = smtp.auth('OAUTHBEARER', lambda challenge=None: f'n,a={user},\\x01auth=Bearer {token}\\x01\\x01')
    print(code, text.decode())
`;
    const args = ['-c', script, USER, token, String(sandbox.port('submissions')), caFile];
    return new Promise((resolve) => {
      execFile('python3', args, { encoding: 'utf8', timeout: 15_000 }, (error, stdout, stderr) => {
        resolve({
          status: error === null ? 0 : typeof error.code === 'number' ? error.code : null,
          output: stdout + stderr,
        });
      });
    });
  }

  it('logs in with the right token', async () => {
    const { status, output } = await pythonLogin(configured, PASSWORD);
    assert.equal(status, 0, output);
    assert.match(output, /^235 2\.7\.0 Authentication successful/);
  });

  it('a wrong token: smtplib raises with the 535 and the reason', async () => {
    const { status, output } = await pythonLogin(configured, 'ya29.not-this-one');
    assert.equal(status, 1);
    assert.match(
      output,
      /SMTPAuthenticationError: \(535, b["']5\.7\.8 Authentication credentials invalid; the token is not one this server accepts for the user/,
    );
  });
});

describe("Python smtplib's auth() without ehlo() after starttls()", () => {
  it('gets 503, goes on as if logged in, and both diagnostics name the trap and the fix', async () => {
    const script = `
import smtplib, ssl, sys
user, token, port, ca = sys.argv[1:5]
context = ssl.create_default_context(cafile=ca)
with smtplib.SMTP('localhost', int(port), timeout=5) as smtp:
    smtp.starttls(context=context)
    print(smtp.auth('XOAUTH2', lambda challenge=None: f'user={user}\\x01auth=Bearer {token}\\x01\\x01'))
    smtp.sendmail(user, ['someone@example.com'], 'Subject: x\\r\\n\\r\\nx\\r\\n')
`;
    const port = configured.port('submission');
    const startedAfter = Date.now();
    const closed = nextClosedSession(
      configured.bus,
      (session) => session.listener.port === port && Date.parse(session.startedAt) >= startedAfter,
    );
    const output = await new Promise<string>((resolve) => {
      execFile(
        'python3',
        ['-c', script, USER, PASSWORD, String(port), caFile],
        { encoding: 'utf8', timeout: 15_000 },
        (_error, stdout, stderr) => resolve(stdout + stderr),
      );
    });
    // smtplib takes the 503 for "already authenticated", so the failure shows only at MAIL FROM.
    assert.match(output, /^\(503, b'5\.5\.1 Send EHLO again after STARTTLS/m);
    assert.match(output, /SMTPSenderRefused: \(530, /);
    const session = await configured.store.getSession((await closed).id);
    const details = new Map(session?.diagnostics.map((diagnostic) => [diagnostic.code, diagnostic.detail]));
    assert.match(
      details.get('starttls-not-reissued-ehlo') ?? '',
      /^AUTH sent before EHLO \(Python's smtplib auth\(\), unlike login\(\), sends no EHLO after starttls\(\) and takes this 503 for success: call smtp\.ehlo\(\) before smtp\.auth\(\)\)$/,
    );
    assert.match(
      details.get('mail-before-auth') ?? '',
      /^its AUTH got 503 for want of EHLO after STARTTLS, and it went on as if logged in \(Python's/,
    );
  });
});
