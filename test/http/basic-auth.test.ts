/**
 * `--http-auth`: every route but /healthz and the OAuth token endpoint asks for an HTTP Basic login (RFC 7617), over a real
 * sandbox and real sockets; the typed client, its live waits and `startSandbox` log in.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MailportApiError, MailportClient } from '../../src/client/api-client.js';
import type { MailportEvent } from '../../src/client/types.js';
import { BASIC_CHALLENGE } from '../../src/http/basic-auth.js';
import { startSandbox } from '../../src/testing/sandbox.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

const UI_DIR = resolve('dist/ui');
const QA = { user: 'qa', pass: 'p@ss:wörd' };
const OPS = { user: 'ops', pass: 'second-pw' };

function basic(user: string, pass: string): string {
  return `Basic ${Buffer.from(`${user}:${pass}`, 'utf8').toString('base64')}`;
}

const RAW =
  'From: app@example.com\r\nTo: alice@example.com\r\nSubject: Reset your password\r\n\r\nhttps://app.example/reset?token=abc\r\n';

let sandbox: TestSandbox;

before(async () => {
  assert.ok(existsSync(join(UI_DIR, 'index.html')), 'dist/ui is missing: run `npm run build` first');
  sandbox = await startTestSandbox({
    uiDir: UI_DIR,
    httpAuth: [`${QA.user}:${QA.pass}`, `${OPS.user}:${OPS.pass}`],
  });
});

after(() => sandbox?.stop());

describe('the server', () => {
  const guarded: [string, string][] = [
    ['the API', '/api/v1/messages'],
    ['the server info', '/api/v1/info'],
    ['the web UI page', '/'],
    ['a web UI asset', '/favicon.svg'],
    ['a client-side route of the UI', '/messages/anything'],
    ['the event stream', '/api/v1/events'],
    ['the metrics', '/metrics'],
    ['the OpenAPI document', '/api/openapi.json'],
    ['a path with no route', '/api/v1/no-such-route'],
  ];
  for (const [name, path] of guarded) {
    it(`answers ${name} without a login with 401, the Basic challenge and problem+json`, async () => {
      const response = await fetch(`${sandbox.apiUrl}${path}`);
      assert.equal(response.status, 401);
      assert.equal(response.headers.get('www-authenticate'), 'Basic realm="Mailport", charset="UTF-8"');
      assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
      const problem = (await response.json()) as Record<string, unknown>;
      assert.equal(problem.type, 'urn:mailport:problem:unauthorized');
      assert.equal(problem.title, 'Login required');
      assert.equal(problem.status, 401);
      assert.equal(problem.instance, path);
      assert.match(String(problem.detail), /asks for a login .*--http-auth.*curl -u USER:PASS/);
    });
  }

  it('leaves /healthz open for liveness probes', async () => {
    for (const method of ['GET', 'HEAD']) {
      const response = await fetch(`${sandbox.apiUrl}/healthz`, { method });
      assert.equal(response.status, 200, method);
    }
  });

  it('lets either configured login through, a UTF-8 password and a lower-case scheme too', async () => {
    for (const authorization of [basic(QA.user, QA.pass), basic(OPS.user, OPS.pass)]) {
      for (const path of ['/api/v1/messages', '/', '/metrics', '/api/openapi.json']) {
        const response = await fetch(`${sandbox.apiUrl}${path}`, { headers: { authorization } });
        assert.equal(response.status, 200, `${path} with ${authorization}`);
        await response.arrayBuffer();
      }
    }
    const lower = await fetch(`${sandbox.apiUrl}/api/v1/info`, {
      headers: { authorization: basic(OPS.user, OPS.pass).replace('Basic', 'basic') },
    });
    assert.equal(lower.status, 200);
  });

  const refused: [string, string, RegExp][] = [
    ['a wrong password', basic(QA.user, 'p@ss:word'), /username or password is wrong/],
    ['an unknown user', basic('root', QA.pass), /username or password is wrong/],
    ["another user's password", basic(OPS.user, QA.pass), /username or password is wrong/],
    ['a token that is not base64', 'Basic not*base64!', /not Basic base64\(USER:PASS\)/],
    ['credentials without a colon', `Basic ${Buffer.from('qa').toString('base64')}`, /not Basic base64/],
    ['a second token', `${basic(QA.user, QA.pass)} extra`, /not Basic base64/],
    ['the Bearer scheme', 'Bearer abc.def.ghi', /HTTP Basic credentials only/],
    ['an empty header', '', /asks for a login/],
  ];
  for (const [name, authorization, detail] of refused) {
    it(`refuses ${name} with 401 and the challenge, saying what is wrong`, async () => {
      const response = await fetch(`${sandbox.apiUrl}/api/v1/messages`, { headers: { authorization } });
      assert.equal(response.status, 401);
      assert.equal(response.headers.get('www-authenticate'), BASIC_CHALLENGE);
      const problem = (await response.json()) as { detail: string };
      assert.match(problem.detail, detail);
      assert.ok(!problem.detail.includes('abc.def'), 'the credentials sent are not echoed');
    });
  }

  it('says in /api/v1/info that a login is required, never which', async () => {
    const response = await fetch(`${sandbox.apiUrl}/api/v1/info`, {
      headers: { authorization: basic(QA.user, QA.pass) },
    });
    const text = await response.text();
    assert.equal((JSON.parse(text) as { http: { authRequired: boolean } }).http.authRequired, true);
    for (const secret of [QA.pass, OPS.pass, OPS.user]) assert.ok(!text.includes(secret), secret);
  });

  it('declares the login in the OpenAPI document: Basic scheme, 401 and security on every route but the open two', async () => {
    const response = await fetch(`${sandbox.apiUrl}/api/openapi.json`, {
      headers: { authorization: basic(QA.user, QA.pass) },
    });
    const document = (await response.json()) as {
      components: { securitySchemes?: Record<string, unknown>; schemas: Record<string, unknown> };
      paths: Record<string, Record<string, { security?: unknown; responses: Record<string, unknown> }>>;
    };
    assert.deepEqual(document.components.securitySchemes?.basicAuth, {
      type: 'http',
      scheme: 'basic',
      description:
        'The login of `mailport serve --http-auth`; every route but `/healthz` and `/oauth2/token` asks for it.',
    });
    assert.ok(document.components.schemas.ServerInfo, 'the shared schemas are still there');
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const open = path === '/healthz' || path === '/oauth2/token';
        // The token endpoint's own 401 is OAuth's invalid_client, not the sandbox login's.
        assert.equal(operation.responses['401'] === undefined, path === '/healthz', `${method} ${path} 401`);
        assert.deepEqual(operation.security, open ? undefined : [{ basicAuth: [] }], `${method} ${path}`);
      }
    }
  });
});

describe('the typed client', () => {
  it('logs in with the userinfo of its URL, percent-decoded, and keeps it out of baseUrl', async () => {
    const url = new URL(sandbox.apiUrl);
    url.username = encodeURIComponent(QA.user);
    url.password = encodeURIComponent(QA.pass);
    const client = new MailportClient(url.href);
    assert.equal(client.baseUrl, sandbox.apiUrl);
    assert.equal((await client.info()).http.authRequired, true);
    const { id } = await client.importMessage(RAW);
    assert.equal((await client.getMessage(id)).subject, 'Reset your password');
    assert.match((await client.getRaw(id)).toString(), /token=abc/);
    await client.deleteMessage(id);
  });

  it('takes the login as an option too, and waits for messages over the event stream behind it', async () => {
    const client = new MailportClient(sandbox.apiUrl, { auth: OPS });
    const waiting = client.waitForMessage({ subject: /reset/i }, { timeout: 5000 });
    await new Promise((resolveSoon) => setTimeout(resolveSoon, 100));
    await client.importMessage(RAW);
    const message = await waiting;
    assert.equal(message.links()[0], 'https://app.example/reset?token=abc');
    const events: MailportEvent[] = [];
    const controller = new AbortController();
    const subscribed = client.subscribe((event) => events.push(event), {
      signal: controller.signal,
      onOpen: () => void client.clear(),
    });
    while (!events.some((event) => event.type === 'message.deleted'))
      await new Promise((resolveSoon) => setTimeout(resolveSoon, 20));
    controller.abort();
    await subscribed;
  });

  it('fails a 401 with what to do, never the password', async () => {
    for (const [client, hint] of [
      [
        new MailportClient(sandbox.apiUrl),
        /asks for a login: put it in --api http:\/\/USER:PASS@HOST:PORT or MAILPORT_API/,
      ],
      [
        new MailportClient(sandbox.apiUrl.replace('http://', 'http://qa:not-it@')),
        /refused the login: check USER and PASS in --api/,
      ],
    ] as const) {
      const error = await client.listMessages().then(
        () => assert.fail('a 401 must throw'),
        (caught: unknown) => caught,
      );
      assert.ok(error instanceof MailportApiError);
      assert.equal(error.status, 401);
      assert.match(error.hint ?? '', hint);
      assert.ok(!`${error.message} ${error.hint}`.includes('not-it'));
    }
  });

  it('quotes a URL it cannot read without its password', () => {
    assert.throws(
      () => new MailportClient('http://qa:sec%zzret@127.0.0.1:8025'),
      (error: unknown) =>
        error instanceof Error && /broken percent-encoding/.test(error.message) && !/sec/.test(error.message),
    );
  });
});

it('startSandbox({ httpAuth }) asks for the login and its client logs in', async () => {
  const kit = await startSandbox({ httpAuth: [QA] });
  try {
    assert.equal(kit.info.http.authRequired, true);
    assert.equal((await fetch(`${kit.apiUrl}/api/v1/messages`)).status, 401);
    await kit.client.importMessage(RAW);
    assert.equal(
      (await kit.client.waitForMessage({ to: 'alice@example.com' })).subject,
      'Reset your password',
    );
  } finally {
    await kit.stop();
  }
});
