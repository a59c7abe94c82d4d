/**
 * `mailport send` and `mailport doctor` with `--oauth-token-url`: the access token fetched from a
 * real token endpoint (the sandbox's own, and a recording one for what is sent), then the login;
 * a refusal explained before any SMTP; the usage mistakes.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { registerDoctorCommand } from '../../src/cli/commands/doctor.js';
import type { MailportError } from '../../src/errors.js';
import { tokenEndpointOf } from '../../src/oauth/token-client.js';
import { runCommand, runSend } from '../helpers/run-command.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

const USER = 'me@contoso.com';
const PASSWORD = 'sandbox-refresh';
const REFRESH = 'MAILPORT_TEST_REFRESH_TOKEN';
const SECRET = 'MAILPORT_TEST_CLIENT_SECRET';

let sandbox: TestSandbox;
let tokenUrl: string;
let tempDir: string;
let caFile: string;
/** A token endpoint that records each request's form and answers with `answer`. */
let recorder: Server;
let recorderUrl: string;
const recorded: URLSearchParams[] = [];
let answer: { status: number; body: string } = { status: 200, body: '{}' };

before(async () => {
  sandbox = await startTestSandbox({ auth: [`${USER}:${PASSWORD}`] });
  tokenUrl = sandbox.info().auth.oauth.tokenUrl ?? '';
  tempDir = await mkdtemp(join(tmpdir(), 'mailport-token-fetch-'));
  caFile = join(tempDir, 'ca.pem');
  await writeFile(caFile, sandbox.caPem);
  recorder = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    request.on('end', () => {
      recorded.push(new URLSearchParams(body));
      response.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => recorder.listen(0, '127.0.0.1', resolve));
  recorderUrl = `http://127.0.0.1:${(recorder.address() as AddressInfo).port}/token`;
});

after(async () => {
  delete process.env[REFRESH];
  delete process.env[SECRET];
  recorder.close();
  await sandbox.stop();
  await rm(tempDir, { recursive: true, force: true });
});

function fetchFlags(url: string, refreshToken?: string, clientSecret?: string): string[] {
  const flags = ['--user', USER, '--oauth-token-url', url, '--oauth-client-id', 'my-app'];
  if (refreshToken !== undefined) {
    process.env[REFRESH] = refreshToken;
    flags.push('--oauth-refresh-token-env', REFRESH);
  }
  if (clientSecret !== undefined) {
    process.env[SECRET] = clientSecret;
    flags.push('--oauth-client-secret-env', SECRET);
  }
  return flags;
}

const toSandbox = (): string[] => ['--to', 'you@example.com', '--ca', caFile];

describe('mailport send --oauth-token-url', () => {
  test('fetches the token with the refresh token, says so, and logs in with it', async () => {
    const server = ['--server', `localhost:${sandbox.port('submission')}`];
    const { output, exitCode } = await runSend([
      ...server,
      ...toSandbox(),
      '--show-transcript',
      ...fetchFlags(tokenUrl, PASSWORD),
    ]);
    assert.equal(exitCode, 0, output);
    assert.match(
      output,
      new RegExp(
        `^Fetched an OAuth access token from ${tokenUrl} \\(refresh_token grant, valid for 3600 s\\)$`,
        'm',
      ),
    );
    assert.match(output, /C: AUTH XOAUTH2 \[redacted\]\n\s*S: 235 /);
    assert.ok(!output.includes('eyJ'), 'the token is never printed');
    const id = /queued as (\S+)/.exec(output)?.[1] ?? '';
    assert.deepEqual((await sandbox.store.getMessage(id))?.auth, { user: USER, mechanism: 'XOAUTH2' });
  });

  test('a client secret alone is the client credentials grant', async () => {
    const server = ['--server', `localhost:${sandbox.port('submissions')}`];
    const { output, exitCode } = await runSend([
      ...server,
      ...toSandbox(),
      ...fetchFlags(tokenUrl, undefined, PASSWORD),
    ]);
    assert.equal(exitCode, 0, output);
    assert.match(output, /\(client_credentials grant, valid for 3600 s\)/);
  });

  test("a refused refresh token: the endpoint's error, explained, and no SMTP", async () => {
    const server = ['--server', `localhost:${sandbox.port('submission')}`];
    await assert.rejects(
      runSend([...server, ...toSandbox(), ...fetchFlags(tokenUrl, 'revoked')]),
      (error: MailportError) => {
        assert.equal(error.code, 'MP_ERR_OAUTH_TOKEN');
        assert.equal(
          error.message,
          `The token endpoint ${tokenUrl} refused the refresh_token grant (HTTP 400): invalid_grant: The refresh token is not valid here. In this sandbox a refresh token is the password of a login (one of the --auth logins: ${USER}).`,
        );
        assert.match(error.hint ?? '', /the password of one of the sandbox's logins/);
        return true;
      },
    );
  });

  test("a provider's refusal gets the explain answer for it", async () => {
    answer = {
      status: 400,
      body: '{"error":"invalid_grant","error_description":"Token has been expired or revoked."}',
    };
    await assert.rejects(
      runSend([
        '--server',
        'localhost:1',
        '--to',
        'you@example.com',
        ...fetchFlags(recorderUrl, 'old', 'secret'),
      ]),
      (error: MailportError) => {
        assert.match(
          error.message,
          /refused the refresh_token grant \(HTTP 400\): invalid_grant: Token has been expired or revoked\.$/,
        );
        assert.match(error.hint ?? '', /'Testing' after 7 days/);
        return true;
      },
    );
  });

  test('sends the grant, client ID and secret, refresh token and scope form-encoded', async () => {
    answer = { status: 200, body: '{"access_token":"t","token_type":"Bearer","expires_in":60}' };
    recorded.length = 0;
    // The SMTP step fails (nothing listens on port 1): only the token request matters here.
    const { output } = await runSend([
      ...['--server', '127.0.0.1:1', '--to', 'you@example.com', '--timeout', '1'],
      ...fetchFlags(recorderUrl, 'refresh-1', 'secret-1'),
      ...['--oauth-scope', 'https://mail.google.com/'],
    ]);
    assert.match(output, /\(refresh_token grant, valid for 60 s\)/);
    assert.deepEqual(Object.fromEntries(recorded[0] ?? []), {
      grant_type: 'refresh_token',
      client_id: 'my-app',
      refresh_token: 'refresh-1',
      client_secret: 'secret-1',
      scope: 'https://mail.google.com/',
    });
  });

  test('an answer without an access token, or no endpoint at all, says so', async () => {
    answer = { status: 200, body: '<html>Sign in</html>' };
    await assert.rejects(
      runSend(['--server', '127.0.0.1:1', '--to', 'you@example.com', ...fetchFlags(recorderUrl, 'r')]),
      (error: MailportError) =>
        error.code === 'MP_ERR_OAUTH_TOKEN' &&
        error.message ===
          `The token endpoint ${recorderUrl} answered HTTP 200 without an access_token: <html>Sign in</html>`,
    );
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/token`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await assert.rejects(
      runSend(['--server', '127.0.0.1:1', '--to', 'you@example.com', ...fetchFlags(closedUrl, 'r')]),
      (error: MailportError) =>
        error.message === `Could not reach the token endpoint ${closedUrl}: ECONNREFUSED.` &&
        /check --oauth-token-url/.test(error.hint ?? ''),
    );
  });

  test('usage mistakes name the flag to add or drop', async () => {
    const base = ['--server', '127.0.0.1:1', '--to', 'you@example.com'];
    const cases: [string[], RegExp][] = [
      [['--user', USER, '--oauth-client-id', 'a'], /^--oauth-client-id needs --oauth-token-url\.$/],
      [
        ['--user', USER, '--oauth-token-url', tokenUrl, '--oauth-client-id', 'a'],
        /needs a refresh token or a client secret/,
      ],
      [['--user', USER, '--oauth-token-url', tokenUrl], /^--oauth-token-url needs --oauth-client-id\.$/],
      [[...fetchFlags(tokenUrl, 'r'), '--pass', 'p'], /^Give only one of --pass, --oauth-token-url\.$/],
      [['--oauth-token-url', tokenUrl, '--oauth-client-id', 'a'], /without --user/],
      [
        ['--user', USER, '--oauth-token-url', 'ftp://x', '--oauth-client-id', 'a'],
        /ftp:\/\/x is no token endpoint/,
      ],
    ];
    for (const [flags, message] of cases) {
      await assert.rejects(runSend([...base, ...flags]), (error: MailportError) => {
        assert.equal(error.code, 'MP_ERR_USAGE', flags.join(' '));
        assert.match(error.message, message);
        return true;
      });
    }
  });
});

describe('mailport doctor --oauth-token-url', () => {
  test('checks AUTH XOAUTH2 with the fetched token', async () => {
    const { output, exitCode } = await runCommand(registerDoctorCommand, 'doctor', [
      `127.0.0.1:${sandbox.port('submission')}`,
      ...['--ca', caFile, '--servername', 'localhost'],
      ...fetchFlags(tokenUrl, PASSWORD),
    ]);
    assert.equal(exitCode, 0, output);
    assert.match(output, /^Fetched an OAuth access token from /);
    assert.match(output, new RegExp(`AUTH XOAUTH2 as ${USER} succeeded\\.`));
  });
});

test('provider names: google, microsoft and microsoft:TENANT with the Exchange Online scopes', () => {
  assert.deepEqual(tokenEndpointOf('google'), {
    url: 'https://oauth2.googleapis.com/token',
    defaultScopes: {},
  });
  assert.deepEqual(tokenEndpointOf('microsoft:contoso.onmicrosoft.com'), {
    url: 'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token',
    defaultScopes: {
      refresh_token: 'https://outlook.office.com/SMTP.Send offline_access',
      client_credentials: 'https://outlook.office365.com/.default',
    },
  });
  assert.equal(
    tokenEndpointOf('microsoft')?.url,
    'https://login.microsoftonline.com/common/oauth2/v2.0/token',
  );
  assert.equal(tokenEndpointOf('https://idp.example.com/token')?.url, 'https://idp.example.com/token');
  assert.equal(tokenEndpointOf('smtp.gmail.com'), null);
});
