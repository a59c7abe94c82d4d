/**
 * Bad input on a real loopback server: every mistake a client can make (wrong method, broken
 * percent-encoding, a body of the wrong kind, an oversized request, broken HTTP framing) gets a
 * problem+json answer with the right status and what to do, and never a 500.
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { MAX_HTTP_CONNECTIONS } from '../../src/http/app.js';
import { type ApiHarness, expectProblem, rawHttp, startApiHarness } from './harness.js';

/** The status line, headers (lower-cased names) and parsed body of a raw HTTP response. */
function parseRaw(response: string): { status: number; headers: string; body: Record<string, unknown> } {
  const [head = '', body = ''] = response.split('\r\n\r\n', 2);
  return {
    status: Number(head.split(' ')[1]),
    headers: head.toLowerCase(),
    body: JSON.parse(body) as Record<string, unknown>,
  };
}

describe('HTTP API: bad input', () => {
  let harness: ApiHarness;
  let id: string;

  before(async () => {
    harness = await startApiHarness();
    id = await harness.deliver({ from: 'a@example.com', to: 'b@example.com', subject: 'Hi', text: 'Hi' });
  });
  after(() => harness.close());

  test('a method a path does not take is 405 with Allow; OPTIONS answers Allow alone', async () => {
    const put = await fetch(`${harness.url}/api/v1/messages`, { method: 'PUT' });
    assert.equal(put.headers.get('allow'), 'DELETE, GET, HEAD, POST');
    const problem = await expectProblem(put, 405);
    assert.match(String(problem.detail), /does not take PUT; it takes DELETE, GET, HEAD, POST/);

    const head = await fetch(`${harness.url}/api/v1/events`, { method: 'HEAD' });
    assert.equal(head.status, 405);
    assert.equal(head.headers.get('allow'), 'GET');

    const options = await fetch(`${harness.url}/api/v1/messages/${id}`, { method: 'OPTIONS' });
    assert.equal(options.status, 204);
    assert.equal(options.headers.get('allow'), 'DELETE, GET, HEAD, PATCH, OPTIONS');
    // No CORS: the API answers pages of its own origin only.
    assert.equal(options.headers.get('access-control-allow-origin'), null);

    await expectProblem(await fetch(`${harness.url}/api/v1/nothing`, { method: 'PUT' }), 404);
    const slash = await expectProblem(await fetch(`${harness.url}/healthz/`), 404);
    assert.match(String(slash.detail), /the route is \/healthz, without the trailing slash/);
  });

  test('broken percent-encoding and over-long ids are 400 problems that say what is wrong', async () => {
    for (const path of [`/api/v1/messages/%zz`, `/api/v1/messages/${id}%E2%82/raw`]) {
      const problem = await expectProblem(await fetch(`${harness.url}${path}`), 400);
      assert.match(String(problem.detail), /invalid percent-encoding.*%25/);
    }
    const long = await expectProblem(await fetch(`${harness.url}/api/v1/sessions/${'a'.repeat(101)}`), 400);
    assert.match(String(long.detail), /`id` must NOT have more than 100 characters/);
    const empty = await expectProblem(await fetch(`${harness.url}/api/v1/messages/`), 400);
    assert.match(String(empty.detail), /`id` must not be empty/);
  });

  test('query parameters given twice, or outside a set of values, are named with what to give', async () => {
    const twice = await expectProblem(await fetch(`${harness.url}/api/v1/messages?q=a&q=b`), 400);
    assert.equal(twice.detail, 'Invalid query parameter: `q` is given more than once; give it once.');
    const flag = await expectProblem(
      await fetch(`${harness.url}/api/v1/messages/${id}/raw?download=yes`),
      400,
    );
    assert.equal(flag.detail, 'Invalid query parameter: `download` must be one of: 1, true, 0, false.');
  });

  test('a body of the wrong kind is 400, 413 or 415 with what to send, never a 500', async () => {
    const send = (method: string, path: string, body?: string, contentType?: string) =>
      fetch(`${harness.url}${path}`, {
        method,
        ...(body === undefined ? {} : { body }),
        ...(contentType === undefined ? {} : { headers: { 'content-type': contentType } }),
      });
    const noBody = await expectProblem(await send('POST', '/api/v1/messages'), 400);
    assert.match(String(noBody.detail), /no body.*message\/rfc822/);
    const text = await expectProblem(
      await send('POST', '/api/v1/messages', 'Subject: x\n\nhi', 'text/plain'),
      415,
    );
    assert.match(String(text.detail), /text\/plain/);
    await expectProblem(await send('PATCH', `/api/v1/messages/${id}`, '{"read":true}', 'text/plain'), 415);
    const broken = await expectProblem(
      await send('PATCH', `/api/v1/messages/${id}`, '{"read":', 'application/json'),
      400,
    );
    assert.match(String(broken.detail), /not valid JSON.*Content-Type: application\/json/);
    const huge = JSON.stringify({ rules: [], padding: 'x'.repeat(1024 * 1024) });
    const tooLarge = await expectProblem(await send('PUT', '/api/v1/chaos', huge, 'application/json'), 413);
    assert.match(String(tooLarge.detail), /larger than the 1048576 bytes this route accepts/);
  });

  test('requests the HTTP parser refuses are problem+json too', async () => {
    const oversized = parseRaw(
      await rawHttp(harness.url, `GET /api/v1/messages?q=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`),
    );
    assert.equal(oversized.status, 431);
    assert.match(oversized.headers, /content-type: application\/problem\+json/);
    assert.equal(oversized.body.instance, '/api/v1/messages');
    assert.match(String(oversized.body.detail), /exceed 16 KiB/);

    const framing = parseRaw(
      await rawHttp(
        harness.url,
        'POST /api/v1/messages HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      ),
    );
    assert.equal(framing.status, 400);
    assert.equal(framing.body.type, 'urn:mailport:problem:bad-request');
    assert.match(String(framing.body.detail), /Content-Length or chunked, not both/);
  });

  test(`at most ${MAX_HTTP_CONNECTIONS} connections at once: one more is closed, and the API answers once they go`, async () => {
    const { port } = new URL(harness.url);
    const open = (): Promise<Socket> =>
      new Promise((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1', () => resolve(socket)).once('error', reject);
      });
    const held = await Promise.all(Array.from({ length: MAX_HTTP_CONNECTIONS }, open));
    try {
      const extra = await open();
      const closed = await new Promise<boolean>((resolve) => {
        extra.once('close', () => resolve(true)).on('error', () => undefined);
        setTimeout(() => resolve(false), 5000).unref();
        extra.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
      });
      extra.destroy();
      assert.ok(closed, 'a connection over the limit is closed');
    } finally {
      for (const socket of held) socket.destroy();
    }
    // The server counts the held connections out as their closes reach it.
    let status = 0;
    for (let attempt = 0; attempt < 100 && status !== 200; attempt++) {
      status = await fetch(`${harness.url}/healthz`).then(
        (response) => response.status,
        () => new Promise<number>((resolve) => setTimeout(() => resolve(0), 50)),
      );
    }
    assert.equal(status, 200);
  });
});
