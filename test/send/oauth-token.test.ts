/**
 * `mailport send` and `mailport doctor` with an OAuth 2.0 access token (`--oauth-token-env`):
 * AUTH XOAUTH2 against a real sandbox, a refused token's error challenge answered and shown
 * decoded, a server that takes no token, and the usage mistakes.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runDoctor } from '../../src/doctor/index.js';
import type { MailportError } from '../../src/errors.js';
import { microsoftSmtpToken } from '../helpers/jwt.js';
import { runSend } from '../helpers/run-command.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { createTlsFixtures, startTestSmtpServer, type TestSmtpServer } from '../smtp-client/test-servers.js';

const USER = 'me@contoso.com';
const TOKEN_VARIABLE = 'MAILPORT_TEST_OAUTH_TOKEN';
let sandbox: TestSandbox;
let passwordOnly: TestSmtpServer;
let tempDir: string;
let caFile: string;
let passwordOnlyCaFile: string;

before(async () => {
  sandbox = await startTestSandbox({ authAny: true });
  const fixtures = await createTlsFixtures();
  passwordOnly = await startTestSmtpServer({
    tls: 'starttls',
    certificate: fixtures.valid,
    tlsRequired: true,
    authRequired: true,
    credentials: { user: USER, pass: 'secret' },
  });
  tempDir = await mkdtemp(join(tmpdir(), 'mailport-oauth-'));
  caFile = join(tempDir, 'ca.pem');
  await writeFile(caFile, sandbox.caPem);
  passwordOnlyCaFile = join(tempDir, 'password-only-ca.pem');
  await writeFile(passwordOnlyCaFile, fixtures.ca.certPem);
});

after(async () => {
  delete process.env[TOKEN_VARIABLE];
  await Promise.all([sandbox.stop(), passwordOnly.close()]);
  await rm(tempDir, { recursive: true, force: true });
});

function sendWithToken(token: string, server = `localhost:${sandbox.port('submission')}`, ca = caFile) {
  process.env[TOKEN_VARIABLE] = token;
  return runSend([
    ...['--server', server, '--ca', ca, '--to', 'you@example.com', '--show-transcript'],
    ...['--user', USER, '--oauth-token-env', TOKEN_VARIABLE],
  ]);
}

describe('mailport send --oauth-token-env', () => {
  test('logs in with AUTH XOAUTH2 and never prints the token', async () => {
    const token = microsoftSmtpToken(USER);
    const { output, exitCode } = await sendWithToken(token);
    assert.equal(exitCode, 0, output);
    assert.match(output, /C: AUTH XOAUTH2 \[redacted\]/);
    assert.match(output, /S: 235 2\.7\.0 Authentication successful/);
    assert.ok(!output.includes(token.split('.')[1] ?? token));
    const id = /queued as (\S+)/.exec(output)?.[1] ?? '';
    assert.deepEqual((await sandbox.store.getMessage(id))?.auth, { user: USER, mechanism: 'XOAUTH2' });
  });

  test('an expired token: the error challenge is answered, shown decoded, and explained', async () => {
    const expired = microsoftSmtpToken(USER, { exp: Math.floor(Date.now() / 1000) - 600 });
    const { output, exitCode } = await sendWithToken(expired);
    assert.equal(exitCode, 1);
    assert.match(
      output,
      /the server refused the OAuth token \(its error challenge: \{"status":"401","schemes":"bearer"\}\)/,
    );
    assert.match(
      output,
      /535 5\.7\.8 Authentication credentials invalid; the token expired at \S+Z, 10 min ago/,
    );
    // The challenge decoded, the empty answer RFC 7628 asks for, then the refusal.
    assert.match(
      output,
      /S: 334 eyJ\S+ {3}\(decoded: \{"status":"401","schemes":"bearer"\}\)\nC: \n\s*S: 535 5\.7\.8/,
    );
    assert.match(output, /The reply names what is wrong with the OAuth 2\.0 access token/);
  });

  test('a server that offers no token mechanism is named, and nothing is sent to it', async () => {
    const { output, exitCode } = await sendWithToken(
      'ya29.token',
      `localhost:${passwordOnly.port}`,
      passwordOnlyCaFile,
    );
    assert.equal(exitCode, 1);
    assert.match(output, /offers AUTH PLAIN LOGIN, neither XOAUTH2 nor OAUTHBEARER: it takes no OAuth token/);
    assert.ok(!output.includes('C: AUTH'));
  });

  test('usage mistakes: a password and a token together, a token without --user', async () => {
    process.env[TOKEN_VARIABLE] = 'ya29.token';
    const server = ['--server', `localhost:${sandbox.port('submission')}`, '--to', 'you@example.com'];
    await assert.rejects(
      runSend([...server, '--user', USER, '--pass', 'p', '--oauth-token-env', TOKEN_VARIABLE]),
      (error: MailportError) =>
        error.code === 'MP_ERR_USAGE' && error.message === 'Give only one of --pass, --oauth-token-env.',
    );
    await assert.rejects(
      runSend([...server, '--oauth-token-env', TOKEN_VARIABLE]),
      (error: MailportError) =>
        error.message === 'An OAuth token was given without --user.' &&
        /--user MAILBOX/.test(error.hint ?? ''),
    );
    await assert.rejects(
      runSend([...server, '--user', USER, '--oauth-token-env', 'MAILPORT_TEST_UNSET_VARIABLE']),
      (error: MailportError) =>
        /MAILPORT_TEST_UNSET_VARIABLE \(from --oauth-token-env\) is not set/.test(error.message),
    );
  });
});

describe('mailport doctor with an OAuth token', () => {
  async function doctorWith(token: string, port: number) {
    const report = await runDoctor({
      host: '127.0.0.1',
      servername: 'localhost',
      ports: [port],
      caFile,
      stepTimeoutMs: 5000,
      credentials: { user: USER, token },
    });
    return report.ports[0]?.findings ?? [];
  }

  test('a working token: AUTH XOAUTH2 succeeds, and the command to repeat it is mailport send', async () => {
    const findings = await doctorWith(microsoftSmtpToken(USER), sandbox.port('submission'));
    const login = findings.find((finding) => finding.message === `AUTH XOAUTH2 as ${USER} succeeded.`);
    assert.ok(login, JSON.stringify(findings, null, 1));
    assert.equal(
      login.verify,
      `mailport send --server 127.0.0.1:${sandbox.port('submission')} --tls starttls --ca ${caFile} --user ${USER} --oauth-token-env SMTP_TOKEN --to ${USER} --show-transcript`,
    );
  });

  test('a Graph token: an auth-failed error that says what to request', async () => {
    const graph = microsoftSmtpToken(USER, { aud: 'https://graph.microsoft.com' });
    const failure = (await doctorWith(graph, sandbox.port('submissions'))).find(
      (finding) => finding.level === 'error',
    );
    assert.equal(failure?.cause, 'auth-failed');
    assert.match(failure?.message ?? '', /the token is for Microsoft Graph/);
  });

  test('a server without XOAUTH2 or OAUTHBEARER: the token cannot log in there', async () => {
    const findings = await doctorWith('ya29.token', passwordOnly.port);
    const error = findings.find((finding) => finding.cause === 'auth-mechanism-unsupported');
    assert.match(error?.message ?? '', /neither XOAUTH2 nor OAUTHBEARER: it takes no OAuth 2\.0 token/);
  });
});
