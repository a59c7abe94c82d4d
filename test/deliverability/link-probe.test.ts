/**
 * Link probing against a real HTTP server on 127.0.0.1: statuses, redirects, HEAD refused, the
 * time bound and the cap, requested through the API only with `?probeLinks=true`.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { MailportClient } from '../../src/index.js';
import { type ApiHarness, startApiHarness } from '../http/harness.js';
import { startDnsServer, type TestDnsServer } from './dns-server.js';

describe('deliverability checks: link probing', () => {
  let web: Server;
  let base: string;
  const requests: { method: string; url: string; headers: IncomingHttpHeaders }[] = [];
  let dns: TestDnsServer;
  let harness: ApiHarness;
  let client: MailportClient;

  before(async () => {
    web = createServer((request, response) => {
      requests.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers });
      switch (request.url) {
        case '/ok':
          return response.writeHead(200, { 'content-type': 'text/html' }).end('<p>fine</p>');
        case '/moved':
          return response.writeHead(301, { location: '/ok', 'set-cookie': 'session=1; Path=/' }).end();
        case '/loop':
          return response.writeHead(302, { location: '/loop' }).end();
        case '/get-only':
          return request.method === 'HEAD'
            ? response.writeHead(405).end()
            : response.writeHead(200).end('body');
        case '/slow':
          return; // never answers
        default:
          return response.writeHead(404).end('not found');
      }
    });
    await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;
    dns = await startDnsServer();
    harness = await startApiHarness({
      deliverability: {
        sendingIp: null,
        dns: { server: dns.server, queryTimeoutMs: 500, budgetMs: 1000 },
        probe: { maxLinks: 6, timeoutMs: 400, maxRedirects: 3, concurrency: 3 },
        spamAssassin: null,
      },
    });
    client = new MailportClient(harness.url);
  });
  after(async () => {
    await harness.close();
    await dns.close();
    web.closeAllConnections();
    await new Promise((resolve) => web.close(resolve));
  });

  test('each link gets its status, redirects and method; broken and unreachable ones are findings', async () => {
    const paths = ['/ok', '/missing', '/moved', '/get-only', '/loop', '/slow', '/over-the-cap'];
    const id = await harness.deliver({
      from: 'app@example.com',
      to: 'alice@example.org',
      subject: 'links',
      text: paths.map((path) => `${base}${path}`).join('\n'),
      html: `<a href="${base}/ok">OK</a> <a href="mailto:help@example.com">help</a>`,
    });

    const unprobed = await client.checks(id);
    assert.ok(unprobed.links.every((link) => link.probe === null));
    assert.equal(requests.length, 0, 'no request without probeLinks');

    const report = await client.checks(id, { probeLinks: true });
    const probe = (path: string) => report.links.find((link) => link.url === `${base}${path}`)?.probe;
    assert.deepEqual(
      { ...probe('/ok'), elapsedMs: 0 },
      {
        outcome: 'reachable',
        status: 200,
        method: 'HEAD',
        redirects: [],
        finalUrl: `${base}/ok`,
        error: null,
        elapsedMs: 0,
      },
    );
    assert.equal(probe('/missing')?.outcome, 'broken');
    assert.equal(probe('/missing')?.status, 404);
    assert.deepEqual(probe('/moved')?.redirects, [{ status: 301, location: `${base}/ok` }]);
    assert.equal(probe('/moved')?.status, 200);
    assert.equal(probe('/moved')?.finalUrl, `${base}/ok`);
    assert.equal(probe('/get-only')?.method, 'GET');
    assert.equal(probe('/get-only')?.status, 200);
    assert.equal(probe('/loop')?.outcome, 'unreachable');
    assert.equal(probe('/loop')?.error, 'more than 3 redirects');
    assert.equal(probe('/loop')?.redirects.length, 3);
    assert.equal(probe('/slow')?.outcome, 'unreachable');
    assert.equal(probe('/slow')?.error, 'no answer within 400 ms');
    assert.equal(probe('/over-the-cap')?.outcome, 'skipped');
    assert.equal(
      report.links.find((link) => link.url === 'mailto:help@example.com')?.probe,
      null,
      'only http(s) links are probed',
    );

    const html = report.links.find((link) => link.part === 'html' && link.url === `${base}/ok`);
    assert.equal(html?.probe?.status, 200, 'a URL in both parts is probed once and reported for both');
    // Once for itself, once at the end of /moved's redirect: not again for the HTML copy.
    assert.equal(requests.filter((request) => request.url === '/ok' && request.method === 'HEAD').length, 2);
    assert.ok(
      requests.every((request) => request.headers.cookie === undefined),
      'no cookies are sent back',
    );
    assert.ok(requests.every((request) => request.url !== '/over-the-cap'));

    const broken = report.content.find((finding) => finding.id === 'broken-link');
    assert.deepEqual(broken?.evidence, [`${base}/missing -> 404`]);
    assert.equal(broken?.severity, 'error');
    const unreachable = report.content.find((finding) => finding.id === 'unreachable-link');
    assert.deepEqual(unreachable?.evidence, [
      `${base}/loop: more than 3 redirects`,
      `${base}/slow: no answer within 400 ms`,
    ]);
  });
});
