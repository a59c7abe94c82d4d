/**
 * `mailport serve --http-auth` as a user runs it: logins from a file and the environment, the
 * banner, and the API commands logging in through `--api http://USER:PASS@HOST:PORT` or
 * MAILPORT_API; a 401 says what to do and never prints a password.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MailportClient } from '../../src/client/api-client.js';
import {
  failRun,
  RELAY_ONLY_EPHEMERAL,
  runMailport,
  type ServeProcess,
  startServeProcess,
  waitForExit,
} from '../helpers/cli-process.js';

const FILE_LOGIN = { user: 'qa', pass: 'p@ss:w/rd' };
const PASSWORDS = [FILE_LOGIN.pass, 'env-pw-1', 'env-pw-2', 'wrong-pw'];

const dir = mkdtempSync(join(tmpdir(), 'mailport-http-auth-cli-'));
let serve: ServeProcess;
let apiUrl: string;

function withLogin(user: string, pass: string): string {
  const url = new URL(apiUrl);
  url.username = encodeURIComponent(user);
  url.password = encodeURIComponent(pass);
  return url.href.replace(/\/$/, '');
}

before(async () => {
  const file = join(dir, 'logins');
  writeFileSync(file, `# logins of the staging sandbox\n${FILE_LOGIN.user}:${FILE_LOGIN.pass}\n`);
  serve = await startServeProcess(
    [
      ...RELAY_ONLY_EPHEMERAL,
      '--host',
      '0.0.0.0',
      '--http-port',
      '0',
      '--http-auth-file',
      file,
      '--log-level',
      'debug',
    ],
    { MAILPORT_HTTP_AUTH: 'dev:env-pw-1,ci:env-pw-2' },
  );
  assert.ok(serve.httpUrl, serve.output());
  apiUrl = serve.httpUrl;
  await new MailportClient(apiUrl, { auth: FILE_LOGIN }).importMessage(
    'From: app@example.com\r\nTo: reset@example.com\r\nSubject: Reset your password\r\n\r\nhello\r\n',
  );
});

after(async () => {
  serve?.child.kill('SIGTERM');
  if (serve) await waitForExit(serve.child);
  rmSync(dir, { recursive: true, force: true });
});

describe('mailport serve --http-auth-file, MAILPORT_HTTP_AUTH', () => {
  it('says in the banner that the API needs a login, and does not call it open', () => {
    assert.match(
      serve.output(),
      /Web UI \+ API: http:\/\/127\.0\.0\.1:\d+ +\(login required: --http-auth\)\n/,
    );
    assert.doesNotMatch(serve.output(), /open to anyone/);
  });

  it('asks for the login: 401 without it, /healthz open', async () => {
    assert.equal((await fetch(`${apiUrl}/api/v1/messages`)).status, 401);
    assert.equal((await fetch(`${apiUrl}/healthz`)).status, 200);
  });

  it('lets the commands in with --api http://USER:PASS@HOST:PORT, percent-encoded, or MAILPORT_API', async () => {
    const [list, fromEnv, assertRun] = await Promise.all([
      runMailport(['messages', 'list', '--api', withLogin(FILE_LOGIN.user, FILE_LOGIN.pass)]),
      // The second login of the comma-separated variable.
      runMailport(['sessions', 'list'], { MAILPORT_API: withLogin('ci', 'env-pw-2') }),
      runMailport([
        'assert',
        '--api',
        withLogin('dev', 'env-pw-1'),
        '--to',
        'reset@example.com',
        '--within',
        '5s',
      ]),
    ]);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /Reset your password/);
    assert.equal(fromEnv.code, 0, fromEnv.stderr);
    assert.equal(assertRun.code, 0, assertRun.stderr);
    assert.match(assertRun.stdout, /^OK: 1 message/);
  });

  it('fails a 401 with what to do next, never printing the password', async () => {
    const [missing, wrong] = await Promise.all([
      failRun(['messages', 'list', '--api', apiUrl], { MAILPORT_API: '' }),
      failRun(['messages', 'list'], { MAILPORT_API: withLogin(FILE_LOGIN.user, 'wrong-pw') }),
    ]);
    assert.equal(missing.code, 1);
    assert.match(
      missing.stderr,
      /what to do: The sandbox asks for a login: put it in --api http:\/\/USER:PASS@HOST:PORT or MAILPORT_API/,
    );
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /failed with 401: The username or password is wrong/);
    assert.match(wrong.stderr, /what to do: The sandbox refused the login: check USER and PASS/);
    assert.ok(!wrong.stderr.includes('wrong-pw'), wrong.stderr);
  });

  it('never logs a password or the Authorization header, even at --log-level debug', () => {
    const output = serve.output();
    for (const secret of [...PASSWORDS, encodeURIComponent(FILE_LOGIN.pass)])
      assert.ok(!output.includes(secret), `${secret} in:\n${output}`);
    assert.doesNotMatch(output, /authorization|Basic [A-Za-z0-9+/]{8,}/i);
  });
});

describe('mailport serve --http-auth-file that cannot be used', () => {
  it('is a usage error naming the file and the line, not the password', async () => {
    const file = join(dir, 'broken');
    writeFileSync(file, '# logins\nqa:fine-pw\nops-without-password\n');
    const [broken, missing] = await Promise.all([
      failRun(['serve', ...RELAY_ONLY_EPHEMERAL, '--http-auth-file', file]),
      failRun(['serve', ...RELAY_ONLY_EPHEMERAL, '--http-auth-file', join(dir, 'none')]),
    ]);
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, new RegExp(`--http-auth-file ${file} line 3 is not USER:PASS`));
    assert.match(broken.stderr, /what to do: Write one USER:PASS per line/);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--http-auth-file cannot read .*none: ENOENT/);
  });
});
