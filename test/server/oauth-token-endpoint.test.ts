/**
 * The sandbox's OAuth token endpoint end to end: applications that fetch and renew their own
 * access tokens (nodemailer with `accessUrl`, Python with urllib and smtplib, curl) get tokens
 * there, log in with them over XOAUTH2 and OAUTHBEARER, and see RFC 6749's errors when wrong.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import type XOAuth2 from 'nodemailer/lib/xoauth2/index.js';
import { signAccessToken } from '../../src/oauth/access-token.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { nextClosedSession } from '../helpers/wait.js';

const USER = 'app@contoso.com';
const PASSWORD = 'refresh-me';
const OTHER_USER = 'other@contoso.com';
const OTHER_PASSWORD = 'other-secret';

let sandbox: TestSandbox;
let guarded: TestSandbox;
let tokenUrl: string;
const caDirectory = mkdtempSync(join(tmpdir(), 'mailport-oauth-endpoint-'));
const caFile = join(caDirectory, 'ca.pem');

before(async () => {
  sandbox = await startTestSandbox({
    auth: [`${USER}:${PASSWORD}`, `${OTHER_USER}:${OTHER_PASSWORD}`],
  });
  guarded = await startTestSandbox({ httpAuth: ['admin:admin-pass'], oauthTokenLifetime: '90s' });
  tokenUrl = sandbox.info().auth.oauth.tokenUrl ?? '';
  writeFileSync(caFile, sandbox.caPem);
});
after(async () => {
  await Promise.all([sandbox.stop(), guarded.stop()]);
  rmSync(caDirectory, { recursive: true, force: true });
});

async function sendWith(auth: XOAuth2.Options): Promise<SMTPTransport.SentMessageInfo> {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port: sandbox.port('submission'),
    requireTLS: true,
    tls: { ca: sandbox.caPem, servername: 'localhost' },
    auth: { type: 'OAuth2', ...auth },
  });
  try {
    return await transport.sendMail({
      from: USER,
      to: 'someone@example.com',
      subject: 'Token from the sandbox',
      text: 'Sent with a token from POST /oauth2/token.',
    });
  } finally {
    transport.close();
  }
}

async function postToken(
  url: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const response = await fetch(url, { method: 'POST', body: new URLSearchParams(fields), headers });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}

describe('POST /oauth2/token with nodemailer (accessUrl)', () => {
  it('fetches a token with the refresh token and delivers over XOAUTH2', async () => {
    const info = await sendWith({
      user: USER,
      clientId: 'my-app',
      clientSecret: 'client-secret',
      refreshToken: PASSWORD,
      accessUrl: tokenUrl,
    });
    const id = /queued as (\S+)/.exec(info.response)?.[1] ?? '';
    const message = await sandbox.store.getMessage(id);
    assert.deepEqual(message?.auth, { user: USER, mechanism: 'XOAUTH2' });
  });

  it('renews a token the server refuses as expired, in the same session, and delivers', async () => {
    const stale = signAccessToken({
      subject: USER,
      key: PASSWORD,
      scope: null,
      lifetimeSeconds: 3600,
      nowMs: Date.now() - 2 * 3600_000,
    });
    const port = sandbox.port('submission');
    const startedAfter = Date.now();
    const closed = nextClosedSession(
      sandbox.bus,
      (session) => session.listener.port === port && Date.parse(session.startedAt) >= startedAfter,
    );
    // nodemailer believes its cached token is good for another hour, so only the server's refusal
    // makes it renew: the 334 error challenge, the 535, then a new token and a second AUTH.
    const info = await sendWith({
      user: USER,
      accessToken: stale,
      expires: Date.now() + 3600_000,
      clientId: 'my-app',
      clientSecret: 'client-secret',
      refreshToken: PASSWORD,
      accessUrl: tokenUrl,
    });
    assert.match(info.response, /^250 2\.0\.0/);
    const session = await sandbox.store.getSession((await closed).id);
    const replies = (session?.transcript ?? []).filter((line) => line.dir === 'S').map((line) => line.text);
    assert.ok(
      replies.some((text) => /^535 5\.7\.8 .*the token expired at/.test(text)),
      replies.join('\n'),
    );
    assert.ok(replies.some((text) => text.startsWith('235 ')));
    const logins = (session?.transcript ?? []).filter((line) => line.text === 'AUTH XOAUTH2 <redacted>');
    assert.equal(logins.length, 2);
    assert.ok(!JSON.stringify(session).includes(stale.split('.')[1] ?? stale), 'no token is recorded');
  });

  it('a wrong refresh token fails with invalid_grant and what the sandbox takes', async () => {
    await assert.rejects(
      sendWith({ user: USER, clientId: 'my-app', refreshToken: 'revoked', accessUrl: tokenUrl }),
      (error: { code?: string; message: string }) => {
        // nodemailer reports a failed renewal as a failed login, with the endpoint's error as text.
        assert.equal(error.code, 'EAUTH', error.message);
        assert.match(
          error.message,
          /invalid_grant: The refresh token is not valid here\. In this sandbox a refresh token is the password of a login \(one of the --auth logins: app@contoso\.com, other@contoso\.com\)/,
        );
        return true;
      },
    );
  });

  it('a token issued for one login is refused for another', async () => {
    const { body } = await postToken(tokenUrl, {
      grant_type: 'refresh_token',
      refresh_token: OTHER_PASSWORD,
      client_id: 'my-app',
    });
    await assert.rejects(
      sendWith({ user: USER, accessToken: String(body.access_token) }),
      (error: { code?: string; response?: string }) => {
        assert.equal(error.code, 'EAUTH');
        assert.match(error.response ?? '', /^535 5\.7\.8 /);
        return true;
      },
    );
  });
});

describe('POST /oauth2/token over HTTP', () => {
  it('answers RFC 6749 §5.1: a Bearer token with expires_in and the scope, never cached', async () => {
    const { status, headers, body } = await postToken(tokenUrl, {
      grant_type: 'client_credentials',
      client_id: 'my-app',
      client_secret: PASSWORD,
      scope: 'https://outlook.office365.com/.default',
    });
    assert.equal(status, 200);
    assert.equal(headers.get('cache-control'), 'no-store');
    assert.equal(headers.get('pragma'), 'no-cache');
    assert.deepEqual(Object.keys(body).sort(), ['access_token', 'expires_in', 'scope', 'token_type']);
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, 3600);
    assert.equal(body.scope, 'https://outlook.office365.com/.default');
  });

  it('takes the client login as HTTP Basic, and refuses a wrong one with 401 and a challenge', async () => {
    const basic = (secret: string) => ({
      authorization: `Basic ${Buffer.from(`my-app:${encodeURIComponent(secret)}`).toString('base64')}`,
    });
    const good = await postToken(tokenUrl, { grant_type: 'client_credentials' }, basic(PASSWORD));
    assert.equal(good.status, 200);
    const bad = await postToken(tokenUrl, { grant_type: 'client_credentials' }, basic('nope'));
    assert.equal(bad.status, 401);
    assert.equal(bad.headers.get('www-authenticate'), 'Basic realm="Mailport OAuth"');
    assert.equal(bad.body.error, 'invalid_client');
    assert.match(String(bad.body.error_description), /the client secret is the password of a login/);
  });

  it('names what is missing or unsupported', async () => {
    const cases: [Record<string, string>, number, string, RegExp][] = [
      [{}, 400, 'invalid_request', /no parameters: POST them form-encoded/],
      [{ refresh_token: PASSWORD }, 400, 'invalid_request', /^grant_type is missing/],
      [
        { grant_type: 'refresh_token', refresh_token: PASSWORD },
        401,
        'invalid_client',
        /^client_id is missing/,
      ],
      [{ grant_type: 'refresh_token', client_id: 'a' }, 400, 'invalid_request', /^refresh_token is missing/],
      [
        { grant_type: 'authorization_code', code: 'x' },
        400,
        'unsupported_grant_type',
        /not authorization_code\. It has no sign-in page/,
      ],
      [
        { grant_type: 'password', username: USER, password: 'no' },
        400,
        'invalid_grant',
        /username or password is wrong/,
      ],
    ];
    for (const [fields, status, error, description] of cases) {
      const answer = await postToken(tokenUrl, fields);
      assert.equal(answer.status, status, JSON.stringify(fields));
      assert.equal(answer.body.error, error, JSON.stringify(fields));
      assert.match(String(answer.body.error_description), description);
    }
    for (const body of ['[1,2]', '"grant_type"', 'null', '{"grant_type":["password"]}']) {
      const odd = await fetch(tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      assert.equal(odd.status, 400, body);
      assert.equal(((await odd.json()) as { error: string }).error, 'invalid_request', body);
    }
    const repeated = await fetch(tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=password&grant_type=refresh_token',
    });
    assert.deepEqual(await repeated.json(), {
      error: 'invalid_request',
      error_description: 'grant_type is given more than once.',
    });
  });

  it('takes a JSON body too, and answers GET with 405 and Allow: POST', async () => {
    const json = await fetch(tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'password', username: USER, password: PASSWORD }),
    });
    assert.equal(json.status, 200);
    const get = await fetch(tokenUrl);
    assert.equal(get.status, 405);
    assert.equal(get.headers.get('allow'), 'POST');
  });

  it('counts requests by outcome in /metrics', async () => {
    await postToken(tokenUrl, { grant_type: 'refresh_token', refresh_token: 'nope', client_id: 'a' });
    const metrics = await (await fetch(`${sandbox.apiUrl}/metrics`)).text();
    assert.match(metrics, /^mailport_oauth_token_requests_total\{outcome="issued"\} [1-9]\d*$/m);
    assert.match(metrics, /^mailport_oauth_token_requests_total\{outcome="invalid_grant"\} [1-9]\d*$/m);
    assert.match(metrics, /^mailport_oauth_token_requests_total\{outcome="unsupported_grant_type"\} 1$/m);
  });

  it('stays open under --http-auth (it checks its own credentials), with the lifetime asked for', async () => {
    const url = guarded.info().auth.oauth.tokenUrl ?? '';
    const { status, body } = await postToken(url, {
      grant_type: 'refresh_token',
      refresh_token: 'mailport',
      client_id: 'my-app',
    });
    assert.equal(status, 200);
    assert.equal(body.expires_in, 90);
    assert.equal((await fetch(`${guarded.apiUrl}/api/v1/info`)).status, 401);
  });
});

describe('Python: urllib fetches the token, smtplib logs in with AUTH OAUTHBEARER', () => {
  it('delivers', async () => {
    const script = `
import json, smtplib, ssl, sys, urllib.parse, urllib.request
token_url, user, refresh, port, ca = sys.argv[1:6]
form = urllib.parse.urlencode({'grant_type': 'refresh_token', 'refresh_token': refresh, 'client_id': 'py-app'}).encode()
token = json.load(urllib.request.urlopen(token_url, data=form))['access_token']
context = ssl.create_default_context(cafile=ca)
with smtplib.SMTP_SSL('localhost', int(port), context=context, timeout=5) as smtp:
    smtp.ehlo()
    smtp.auth('OAUTHBEARER', lambda challenge=None: f'n,a={user},\\x01auth=Bearer {token}\\x01\\x01')
    smtp.sendmail(user, ['someone@example.com'], 'Subject: from Python\\r\\n\\r\\nhello\\r\\n')
print('sent')
`;
    const args = ['-c', script, tokenUrl, USER, PASSWORD, String(sandbox.port('submissions')), caFile];
    const output = await new Promise<string>((resolve, reject) => {
      execFile('python3', args, { encoding: 'utf8', timeout: 15_000 }, (error, stdout, stderr) =>
        error ? reject(new Error(stdout + stderr)) : resolve(stdout),
      );
    });
    assert.equal(output.trim(), 'sent');
    const { items } = await sandbox.store.listMessages({ limit: 10 });
    const fromPython = items.find((item) => item.subject === 'from Python');
    assert.deepEqual((await sandbox.store.getMessage(fromPython?.id ?? ''))?.auth, {
      user: USER,
      mechanism: 'OAUTHBEARER',
    });
  });
});
