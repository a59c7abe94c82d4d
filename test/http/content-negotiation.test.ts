/**
 * Accept negotiation (RFC 9110 §12.5.1): every route is judged against the media types it
 * produces, on a real server, with fetch, curl and headers as browsers and Prometheus send them.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { isAcceptable, parseAccept } from '../../src/http/content-negotiation.js';
import { type ApiHarness, expectProblem, rawHttp, startApiHarness } from './harness.js';

const run = promisify(execFile);

const BROWSER =
  'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8';
const PROMETHEUS =
  'application/openmetrics-text;version=1.0.0;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2';
const JSON_ONLY = ['application/json'];

describe('isAcceptable', () => {
  const cases: [string | undefined, readonly string[], boolean][] = [
    [undefined, JSON_ONLY, true],
    ['', JSON_ONLY, true],
    ['*/*', JSON_ONLY, true],
    [BROWSER, JSON_ONLY, true],
    ['application/json;q=0.5, text/html', JSON_ONLY, true],
    ['application/*', JSON_ONLY, true],
    ['Application/JSON', JSON_ONLY, true],
    ['application/json; charset=utf-8', JSON_ONLY, true],
    ['application/problem+json', JSON_ONLY, true],
    ['text/csv', JSON_ONLY, false],
    ['*/*;q=0', JSON_ONLY, false],
    ['*/*; q=0.000', JSON_ONLY, false],
    ['application/json;q=0, */*', JSON_ONLY, false],
    ['application/json;q=0, application/problem+json', JSON_ONLY, true],
    ['text/*, application/*;q=0', JSON_ONLY, false],
    ['application/*', ['text/html'], false],
    ['text/html;q=0.1', ['text/html'], true],
    [PROMETHEUS, ['text/plain'], true],
    ['text/event-stream', ['text/event-stream'], true],
    // Members that are not media ranges say nothing; a header of nothing else admits anything.
    ['garbage', JSON_ONLY, true],
    ['text/csv, application/json;q=2', JSON_ONLY, false],
  ];
  for (const [header, produces, expected] of cases) {
    test(`${header === undefined ? '(no Accept)' : `"${header}"`} for ${produces.join(', ')}: ${expected}`, () =>
      assert.equal(isAcceptable(header, produces), expected));
  }

  test('parseAccept lower-cases ranges and reads weights', () => {
    assert.deepEqual(parseAccept('Text/HTML;level=1;Q=0.5, */*'), [
      { type: 'text', subtype: 'html', quality: 0.5 },
      { type: '*', subtype: '*', quality: 1 },
    ]);
  });
});

describe('406 Not Acceptable', () => {
  let harness: ApiHarness;
  let id: string;
  let uiDir: string;

  before(async () => {
    uiDir = await mkdtemp(join(tmpdir(), 'mailport-accept-ui-'));
    await mkdir(join(uiDir, 'assets'));
    await writeFile(join(uiDir, 'index.html'), '<!doctype html><title>Mailport</title>');
    await writeFile(join(uiDir, 'assets', 'app-1a2b3c4d.js'), 'console.log(1)');
    harness = await startApiHarness({ uiDir });
    id = await harness.deliver({
      from: 'alice@example.com',
      to: 'bob@example.com',
      subject: 'Negotiated',
      text: 'Hello',
      html: '<p>Hello</p>',
      attachments: [{ filename: 'logo.png', content: Buffer.from('PNGDATA'), contentType: 'image/png' }],
    });
  });
  after(async () => {
    await harness.close();
    await rm(uiDir, { recursive: true, force: true });
  });

  const get = (path: string, accept?: string) =>
    fetch(`${harness.url}${path}`, accept === undefined ? {} : { headers: { accept } });

  test('a JSON route refuses an Accept that admits no JSON, naming what it produces', async () => {
    for (const accept of ['text/csv', '*/*;q=0', 'text/html, text/*;q=0.5']) {
      const problem = await expectProblem(await get('/api/v1/messages', accept), 406);
      assert.equal(problem.type, 'urn:mailport:problem:not-acceptable');
      assert.match(String(problem.detail), /produces application\/json/);
      assert.ok(String(problem.detail).includes(accept), 'the detail quotes the Accept header');
    }
  });

  test('JSON routes answer browsers, curl, fetch, q-values and a request without Accept', async () => {
    const path = `/api/v1/messages/${id}`;
    for (const accept of [BROWSER, '*/*', 'application/json;q=0.5, text/html', 'application/problem+json']) {
      assert.equal((await get(path, accept)).status, 200, accept);
    }
    assert.equal((await get(path)).status, 200, "fetch's default Accept");
    const curl = await run('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', `${harness.url}${path}`]);
    assert.equal(curl.stdout, '200');
    const bare = await rawHttp(harness.url, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    assert.match(bare, /^HTTP\/1\.1 200 /);
    const curlCsv = await run('curl', ['-sS', '-H', 'Accept: text/csv', `${harness.url}/healthz`]);
    assert.equal((JSON.parse(curlCsv.stdout) as { status: number }).status, 406);
  });

  test('each other route negotiates against what it produces', async () => {
    const ok: [string, string][] = [
      [`/api/v1/messages/${id}/raw`, 'message/rfc822'],
      [`/api/v1/messages/${id}/html`, BROWSER],
      [`/api/v1/messages/${id}/text`, 'text/plain'],
      [`/api/v1/messages/${id}/attachments/0`, 'image/png'],
      [`/api/v1/messages/${id}/attachments/0`, 'text/csv'],
      ['/metrics', PROMETHEUS],
      ['/healthz', '*/*'],
      ['/api/openapi.json', 'application/json'],
      ['/', 'text/csv'],
      ['/index.html', 'text/csv'],
      ['/assets/app-1a2b3c4d.js', 'text/csv'],
      ['/messages/123', 'text/csv'],
    ];
    for (const [path, accept] of ok) assert.equal((await get(path, accept)).status, 200, `${path} ${accept}`);
    const refused: [string, string, RegExp][] = [
      [`/api/v1/messages/${id}/raw`, 'application/json', /message\/rfc822/],
      [`/api/v1/messages/${id}/html`, 'application/json', /text\/html/],
      [`/api/v1/messages/${id}/text`, 'text/html', /text\/plain/],
      ['/metrics', 'application/json', /text\/plain/],
    ];
    for (const [path, accept, named] of refused) {
      const problem = await expectProblem(await get(path, accept), 406);
      assert.match(String(problem.detail), named, path);
    }
  });

  test('the event stream takes text/event-stream and refuses JSON', async () => {
    const abort = new AbortController();
    const stream = await fetch(`${harness.url}/api/v1/events`, {
      headers: { accept: 'text/event-stream' },
      signal: abort.signal,
    });
    assert.equal(stream.status, 200);
    assert.match(stream.headers.get('content-type') ?? '', /^text\/event-stream/);
    abort.abort();
    await expectProblem(await get('/api/v1/events', 'application/json'), 406);
  });

  test('a refused request has no effect, and a route without a body is not negotiated', async () => {
    const imported = await fetch(`${harness.url}/api/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'message/rfc822', accept: 'text/csv' },
      body: 'From: a@example.com\r\nTo: b@example.com\r\nSubject: refused\r\n\r\nbody\r\n',
    });
    await expectProblem(imported, 406);
    const page = (await (await get('/api/v1/messages?q=subject:refused')).json()) as { total: number };
    assert.equal(page.total, 0);

    const patched = await fetch(`${harness.url}/api/v1/messages/${id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', accept: 'text/csv' },
      body: JSON.stringify({ read: true }),
    });
    assert.equal(patched.status, 204);
  });

  test('the OpenAPI document lists 406 where a route negotiates', async () => {
    const document = (await (await get('/api/openapi.json')).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    const statuses = (path: string, method: string) =>
      Object.keys(document.paths[path]?.[method]?.responses ?? {});
    assert.ok(statuses('/api/v1/messages', 'get').includes('406'));
    assert.ok(statuses('/api/v1/messages/{id}/raw', 'get').includes('406'));
    assert.ok(!statuses('/api/v1/messages/{id}', 'patch').includes('406'));
    assert.ok(!statuses('/api/v1/messages/{id}/attachments/{n}', 'get').includes('406'));
  });
});
