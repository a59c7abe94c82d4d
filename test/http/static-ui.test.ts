/** The web UI is served from any directory: cache headers by file kind, SPA fallback, API 404s untouched. */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cacheControlFor } from '../../src/http/static-ui.js';
import { type ApiHarness, rawHttp, startApiHarness } from './harness.js';

const INDEX = '<!doctype html><title>Mailport</title><div id="app"></div>';

describe('static UI', () => {
  let uiDir: string;
  let harness: ApiHarness;

  before(async () => {
    uiDir = await mkdtemp(join(tmpdir(), 'mailport-ui-'));
    await writeFile(join(uiDir, 'index.html'), INDEX);
    await mkdir(join(uiDir, 'assets'));
    await writeFile(join(uiDir, 'assets', 'index-Bx3f9a1c.js'), 'console.log("app");');
    await writeFile(join(uiDir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    harness = await startApiHarness({ uiDir });
  });
  after(async () => {
    await harness.close();
    await rm(uiDir, { recursive: true, force: true });
  });

  test('serves index.html at / with no-cache', async () => {
    const response = await fetch(`${harness.url}/`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal(response.headers.get('cache-control'), 'no-cache');
    assert.equal(await response.text(), INDEX);
  });

  test('hashed assets are immutable for a year; other files revalidate', async () => {
    const asset = await fetch(`${harness.url}/assets/index-Bx3f9a1c.js`);
    assert.equal(asset.status, 200);
    assert.equal(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(await asset.text(), 'console.log("app");');
    const icon = await fetch(`${harness.url}/favicon.svg`);
    assert.equal(icon.headers.get('cache-control'), 'no-cache');
    await icon.arrayBuffer();
  });

  test('client-side routes fall back to index.html; missing files and API paths stay problem+json 404s', async () => {
    const deepLink = await fetch(`${harness.url}/messages/01936f0e-8c1a-7d2e-9a41-2b7c3d4e5f60?tab=html`);
    assert.equal(deepLink.status, 200);
    assert.equal(deepLink.headers.get('cache-control'), 'no-cache');
    assert.equal(await deepLink.text(), INDEX);

    for (const path of ['/assets/missing-file.js', '/api/v1/nothing', '/api', '/healthz/', '/metrics/x']) {
      const response = await fetch(`${harness.url}${path}`);
      assert.equal(response.status, 404, path);
      assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/, path);
      await response.arrayBuffer();
    }
    const post = await fetch(`${harness.url}/messages`, { method: 'POST' });
    assert.equal(post.status, 404);
    await post.arrayBuffer();
  });

  test('a path that climbs out of the UI directory is a 403 problem, not a file', async () => {
    for (const path of [
      '/../../etc/passwd',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/assets/..%2f..%2f..%2fetc%2fpasswd',
    ]) {
      const response = await rawHttp(
        harness.url,
        `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      );
      assert.match(response, /^HTTP\/1\.1 40[34] /, path);
      assert.match(response, /content-type: application\/problem\+json/i, path);
      assert.doesNotMatch(response, /root:/, path);
    }
    const climb = await rawHttp(
      harness.url,
      'GET /../index.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    assert.match(
      climb,
      /"type":"urn:mailport:problem:forbidden".*"detail":"The path leaves the web UI directory/,
    );
  });

  test('API routes still answer with the UI mounted', async () => {
    const response = await fetch(`${harness.url}/api/v1/messages`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { items: [], total: 0, nextCursor: null });
  });

  test('cacheControlFor tells hashed bundle names from plain ones', () => {
    assert.equal(cacheControlFor('/ui/assets/index-3f9a1c2b.js'), 'public, max-age=31536000, immutable');
    assert.equal(cacheControlFor('/ui/assets/app.B7x_k2Qz.css'), 'public, max-age=31536000, immutable');
    assert.equal(cacheControlFor('/ui/index.html'), 'no-cache');
    assert.equal(cacheControlFor('/ui/assets/index-B7x-k2Qz.js'), 'public, max-age=31536000, immutable');
    assert.equal(cacheControlFor('/ui/robots.txt'), 'no-cache');
    assert.equal(cacheControlFor('/ui/service-worker.js'), 'no-cache');
  });
});

describe('static UI disabled', () => {
  test('a missing UI directory leaves / as a problem+json 404', async () => {
    const harness = await startApiHarness({ uiDir: join(tmpdir(), 'mailport-no-such-ui-dir') });
    try {
      const response = await fetch(`${harness.url}/`);
      assert.equal(response.status, 404);
      assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
      await response.arrayBuffer();
    } finally {
      await harness.close();
    }
  });
});
