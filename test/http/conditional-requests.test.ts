/**
 * Validators, conditional and partial GETs (RFC 9110 §13, §14) on a real server over a real
 * SqliteStore: ETags and 304 on the message JSON and downloads, Last-Modified and If-Modified-Since
 * on the downloads, byte ranges on the downloads, with fetch and with curl's own range, resume,
 * time condition and If-None-Match handling.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { selectRange } from '../../src/http/byte-range.js';
import { type ApiHarness, expectProblem, startApiHarness } from './harness.js';

const run = promisify(execFile);

describe('selectRange', () => {
  const cases: [string | undefined, ReturnType<typeof selectRange>][] = [
    [undefined, { kind: 'whole' }],
    ['bytes=0-99', { kind: 'partial', first: 0, last: 99 }],
    ['BYTES=10-', { kind: 'partial', first: 10, last: 999 }],
    ['bytes=-100', { kind: 'partial', first: 900, last: 999 }],
    ['bytes=-5000', { kind: 'partial', first: 0, last: 999 }],
    ['bytes=990-5000', { kind: 'partial', first: 990, last: 999 }],
    ['bytes=1000-', { kind: 'unsatisfiable' }],
    ['bytes=-0', { kind: 'unsatisfiable' }],
    ['bytes=99999999999999999999-', { kind: 'unsatisfiable' }],
    ['bytes=5-2', { kind: 'whole' }],
    ['bytes=0-1,5-6', { kind: 'whole' }],
    ['items=0-1', { kind: 'whole' }],
    ['bytes=a-b', { kind: 'whole' }],
    ['bytes=-', { kind: 'whole' }],
  ];
  for (const [header, expected] of cases) {
    test(`${header ?? '(no Range)'} of 1000 bytes`, () =>
      assert.deepEqual(selectRange(header, 1000), expected));
  }

  test('an empty body is sent whole: no Content-Range can point into it', () => {
    assert.deepEqual(selectRange('bytes=-5', 0), { kind: 'whole' });
  });
});

describe('conditional and partial GETs', () => {
  let harness: ApiHarness;
  let id: string;
  let raw: Buffer;
  let dir: string;
  /** Not on a whole second, so a Last-Modified that is not cut to one cannot pass. */
  const receivedAt = new Date('2026-03-01T12:34:56.789Z');
  const lastModified = 'Sun, 01 Mar 2026 12:34:56 GMT';
  /** 3000 bytes that differ from position to position, so a wrong slice cannot pass. */
  const attachment = Buffer.from(Array.from({ length: 3000 }, (_, index) => (index * 7) % 251));

  before(async () => {
    harness = await startApiHarness();
    dir = await mkdtemp(join(tmpdir(), 'mailport-ranges-'));
    id = await harness.deliver(
      {
        from: 'alice@example.com',
        to: 'bob@example.com',
        subject: 'Ranges',
        text: 'line of text\n'.repeat(400),
        attachments: [{ filename: 'data.bin', content: attachment, contentType: 'application/octet-stream' }],
      },
      { receivedAt },
    );
    raw = (await harness.store.getRawMessage(id)) ?? Buffer.alloc(0);
    assert.ok(raw.length > 5000);
  });
  after(async () => {
    await harness.close();
    await rm(dir, { recursive: true, force: true });
  });

  const rawUrl = () => `${harness.url}/api/v1/messages/${id}/raw`;
  const attachmentUrl = () => `${harness.url}/api/v1/messages/${id}/attachments/0`;

  test('the raw download has a strong ETag, Accept-Ranges and Cache-Control: no-cache', async () => {
    const response = await fetch(rawUrl());
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('accept-ranges'), 'bytes');
    assert.match(response.headers.get('etag') ?? '', /^"[^"]+"$/);
    assert.equal(response.headers.get('cache-control'), 'no-cache');
    assert.deepEqual(Buffer.from(await response.arrayBuffer()), raw);
  });

  test('one range gets 206 with Content-Range and exactly those bytes', async () => {
    for (const [range, first, last] of [
      ['bytes=0-99', 0, 99],
      ['bytes=100-', 100, raw.length - 1],
      ['bytes=-50', raw.length - 50, raw.length - 1],
      [`bytes=${raw.length - 10}-${raw.length + 500}`, raw.length - 10, raw.length - 1],
    ] as const) {
      const response = await fetch(rawUrl(), { headers: { range } });
      assert.equal(response.status, 206, range);
      assert.equal(response.headers.get('content-range'), `bytes ${first}-${last}/${raw.length}`);
      assert.equal(response.headers.get('content-type'), 'message/rfc822');
      assert.equal(response.headers.get('content-length'), String(last - first + 1));
      assert.deepEqual(Buffer.from(await response.arrayBuffer()), raw.subarray(first, last + 1), range);
    }
  });

  test('a range past the end is a 416 problem with Content-Range: bytes */LENGTH', async () => {
    const response = await fetch(`${rawUrl()}?download=1`, { headers: { range: `bytes=${raw.length}-` } });
    assert.equal(response.headers.get('content-range'), `bytes */${raw.length}`);
    assert.equal(response.headers.get('content-disposition'), null, 'the problem is not the file');
    const problem = await expectProblem(response, 416);
    assert.equal(problem.type, 'urn:mailport:problem:range-not-satisfiable');
    assert.match(String(problem.detail), new RegExp(`${raw.length} bytes.*leave out Range`));
  });

  test('an invalid Range, another unit or several ranges get the whole body with 200', async () => {
    for (const range of ['bytes=50-10', 'lines=1-2', 'bytes=0-1, 4-5', 'bytes 0-1']) {
      const response = await fetch(rawUrl(), { headers: { range } });
      assert.equal(response.status, 200, range);
      assert.equal(response.headers.get('content-range'), null);
      assert.deepEqual(Buffer.from(await response.arrayBuffer()), raw, range);
    }
  });

  test('If-Range serves the range only for the current strong ETag', async () => {
    const etag = (await fetch(rawUrl(), { method: 'HEAD' })).headers.get('etag') ?? '';
    const current = await fetch(rawUrl(), { headers: { range: 'bytes=0-9', 'if-range': etag } });
    assert.equal(current.status, 206);
    assert.equal((await current.arrayBuffer()).byteLength, 10);
    for (const ifRange of ['"another"', `W/${etag}`, 'Sun, 06 Dec 2026 10:00:00 GMT']) {
      const stale = await fetch(rawUrl(), { headers: { range: 'bytes=0-9', 'if-range': ifRange } });
      assert.equal(stale.status, 200, ifRange);
      assert.deepEqual(Buffer.from(await stale.arrayBuffer()), raw, ifRange);
    }
  });

  test('the downloads carry Last-Modified: when the message was received, to the second', async () => {
    assert.equal(new Date(lastModified).getTime(), Math.floor(receivedAt.getTime() / 1000) * 1000);
    for (const url of [rawUrl(), attachmentUrl()]) {
      const whole = await fetch(url);
      assert.equal(whole.status, 200, url);
      assert.equal(whole.headers.get('last-modified'), lastModified, url);
      await whole.arrayBuffer();
      const part = await fetch(url, { method: 'HEAD', headers: { range: 'bytes=0-9' } });
      assert.equal(part.status, 206, url);
      assert.equal(part.headers.get('last-modified'), lastModified, url);
      const etag = whole.headers.get('etag') ?? '';
      const unchanged = await fetch(url, { headers: { 'if-none-match': etag } });
      assert.equal(unchanged.status, 304, url);
      assert.equal(unchanged.headers.get('last-modified'), lastModified, url);
      const past = await fetch(url, { headers: { range: 'bytes=999999-' } });
      assert.equal(past.status, 416, url);
      assert.equal(past.headers.get('last-modified'), null, 'the problem is not the file');
      await past.arrayBuffer();
    }
  });

  test('If-Modified-Since at or after Last-Modified gets 304 with no body; before it, 200', async () => {
    for (const url of [rawUrl(), attachmentUrl()]) {
      const etag = (await fetch(url, { method: 'HEAD' })).headers.get('etag') ?? '';
      for (const since of [
        lastModified,
        'Sun, 01 Mar 2026 12:34:57 GMT',
        'Sun, 06 Dec 2026 10:00:00 GMT',
        'Sunday, 01-Mar-26 12:34:56 GMT',
        'Sun Mar  1 12:34:56 2026',
      ]) {
        for (const method of ['GET', 'HEAD']) {
          const response = await fetch(url, { method, headers: { 'if-modified-since': since } });
          assert.equal(response.status, 304, `${method} ${url} ${since}`);
          assert.equal(response.headers.get('etag'), etag);
          assert.equal(response.headers.get('last-modified'), lastModified);
          assert.equal(response.headers.get('content-type'), null);
          assert.equal((await response.arrayBuffer()).byteLength, 0);
        }
      }
    }
    for (const since of ['Sun, 01 Mar 2026 12:34:55 GMT', 'Thu, 01 Jan 1970 00:00:00 GMT']) {
      const response = await fetch(rawUrl(), { headers: { 'if-modified-since': since } });
      assert.equal(response.status, 200, since);
      assert.deepEqual(Buffer.from(await response.arrayBuffer()), raw, since);
    }
  });

  test('an If-Modified-Since that is not an HTTP-date is ignored', async () => {
    // `1` and `2030` are dates to Date.parse (2001 and 2030), not HTTP-dates.
    for (const since of ['yesterday', '1', '2030', 'Sun, 31 Feb 2026 12:00:00 GMT', `${lastModified}, x`]) {
      const response = await fetch(rawUrl(), { headers: { 'if-modified-since': since } });
      assert.equal(response.status, 200, since);
      assert.deepEqual(Buffer.from(await response.arrayBuffer()), raw, since);
    }
  });

  test('If-None-Match decides over If-Modified-Since', async () => {
    const etag = (await fetch(rawUrl(), { method: 'HEAD' })).headers.get('etag') ?? '';
    const later = 'Sun, 06 Dec 2026 10:00:00 GMT';
    const changed = await fetch(rawUrl(), {
      headers: { 'if-none-match': '"old"', 'if-modified-since': later },
    });
    assert.equal(changed.status, 200);
    assert.deepEqual(Buffer.from(await changed.arrayBuffer()), raw);
    const earlier = 'Thu, 01 Jan 1970 00:00:00 GMT';
    const current = await fetch(rawUrl(), {
      headers: { 'if-none-match': etag, 'if-modified-since': earlier },
    });
    assert.equal(current.status, 304);
  });

  test('If-Range with the Last-Modified date serves the range; with another date, the whole body', async () => {
    for (const [url, length] of [
      [rawUrl(), raw.length],
      [attachmentUrl(), attachment.length],
    ] as const) {
      const current = await fetch(url, { headers: { range: 'bytes=0-9', 'if-range': lastModified } });
      assert.equal(current.status, 206, url);
      assert.equal(current.headers.get('content-range'), `bytes 0-9/${length}`);
      assert.equal((await current.arrayBuffer()).byteLength, 10);
      for (const ifRange of ['Sun, 01 Mar 2026 12:34:57 GMT', 'Sun, 01 Mar 2026 12:34:55 GMT', 'garbage']) {
        const stale = await fetch(url, { headers: { range: 'bytes=0-9', 'if-range': ifRange } });
        assert.equal(stale.status, 200, `${url} ${ifRange}`);
        assert.equal((await stale.arrayBuffer()).byteLength, length);
      }
    }
  });

  test('the message JSON has no Last-Modified, and If-Modified-Since does not make it 304', async () => {
    const url = `${harness.url}/api/v1/messages/${id}`;
    const response = await fetch(url, { headers: { 'if-modified-since': 'Sun, 06 Dec 2099 10:00:00 GMT' } });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('last-modified'), null);
    await response.arrayBuffer();
  });

  test('HEAD answers like GET, without the body', async () => {
    const whole = await fetch(rawUrl(), { method: 'HEAD' });
    assert.equal(whole.status, 200);
    assert.equal(whole.headers.get('content-length'), String(raw.length));
    assert.equal(whole.headers.get('accept-ranges'), 'bytes');
    const part = await fetch(rawUrl(), { method: 'HEAD', headers: { range: 'bytes=0-99' } });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), `bytes 0-99/${raw.length}`);
    assert.equal(part.headers.get('content-length'), '100');
    assert.equal((await part.arrayBuffer()).byteLength, 0);
    const past = await fetch(rawUrl(), { method: 'HEAD', headers: { range: 'bytes=999999-' } });
    assert.equal(past.status, 416);
    assert.equal(past.headers.get('content-range'), `bytes */${raw.length}`);
    const etag = whole.headers.get('etag') ?? '';
    const unchanged = await fetch(rawUrl(), { method: 'HEAD', headers: { 'if-none-match': etag } });
    assert.equal(unchanged.status, 304);
    assert.equal(unchanged.headers.get('etag'), etag);
  });

  test('If-None-Match with the current ETag (weakly compared, in a list, or *) gets 304 without a body', async () => {
    const etag = (await fetch(rawUrl(), { method: 'HEAD' })).headers.get('etag') ?? '';
    for (const ifNoneMatch of [etag, `W/${etag}`, `"old", ${etag}`, '*']) {
      const response = await fetch(rawUrl(), {
        headers: { 'if-none-match': ifNoneMatch, range: 'bytes=0-9' },
      });
      assert.equal(response.status, 304, ifNoneMatch);
      assert.equal(response.headers.get('etag'), etag);
      assert.equal(response.headers.get('cache-control'), 'no-cache');
      assert.equal(response.headers.get('content-type'), null);
      assert.equal((await response.arrayBuffer()).byteLength, 0);
    }
    const other = await fetch(rawUrl(), { headers: { 'if-none-match': '"old"' } });
    assert.equal(other.status, 200);
  });

  test('attachments take ranges and validators too', async () => {
    const response = await fetch(attachmentUrl(), { headers: { range: 'bytes=1000-1999' } });
    assert.equal(response.status, 206);
    assert.equal(response.headers.get('content-range'), 'bytes 1000-1999/3000');
    assert.equal(response.headers.get('content-type'), 'application/octet-stream');
    assert.deepEqual(Buffer.from(await response.arrayBuffer()), attachment.subarray(1000, 2000));
    const etag = response.headers.get('etag') ?? '';
    assert.match(etag, /^"[^"]+"$/);
    assert.notEqual(etag, (await fetch(rawUrl(), { method: 'HEAD' })).headers.get('etag'));
    assert.equal((await fetch(attachmentUrl(), { headers: { 'if-none-match': etag } })).status, 304);
    await expectProblem(await fetch(attachmentUrl(), { headers: { range: 'bytes=3000-' } }), 416);
  });

  test('the message JSON has an ETag that changes when it is marked read or released', async () => {
    const url = `${harness.url}/api/v1/messages/${id}`;
    const first = await fetch(url);
    const etag = first.headers.get('etag') ?? '';
    assert.match(etag, /^W\/"[^"]+"$/);
    assert.equal(first.headers.get('cache-control'), 'no-cache');
    assert.equal(first.headers.get('accept-ranges'), null, 'the JSON takes no ranges');
    assert.equal((await fetch(url)).headers.get('etag'), etag, 'the same message, the same ETag');

    const unchanged = await fetch(url, { headers: { 'if-none-match': etag } });
    assert.equal(unchanged.status, 304);
    assert.equal(await unchanged.text(), '');

    const patched = await fetch(url, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ read: true }),
    });
    assert.equal(patched.status, 204);
    const read = await fetch(url, { headers: { 'if-none-match': etag } });
    assert.equal(read.status, 200);
    assert.equal(((await read.json()) as { read: boolean }).read, true);
    const readEtag = read.headers.get('etag') ?? '';
    assert.notEqual(readEtag, etag);

    await harness.store.addRelease(id, {
      at: new Date().toISOString(),
      to: ['bob@example.com'],
      server: 'smtp.example.com:587',
      reply: '250 2.0.0 queued',
    });
    const released = await fetch(url, { headers: { 'if-none-match': readEtag } });
    assert.equal(released.status, 200);
    assert.notEqual(released.headers.get('etag'), readEtag);
  });

  test('the OpenAPI document lists the headers and statuses of each route that has them', async () => {
    const document = (await (await fetch(`${harness.url}/api/openapi.json`)).json()) as {
      paths: Record<
        string,
        Record<string, { parameters?: { in: string; name: string }[]; responses: Record<string, unknown> }>
      >;
    };
    const described = (path: string) => {
      const operation = document.paths[path]?.get;
      return {
        headers: (operation?.parameters ?? []).filter((one) => one.in === 'header').map((one) => one.name),
        statuses: Object.keys(operation?.responses ?? {}).filter((status) => /^(206|304|416)$/.test(status)),
      };
    };
    const download = {
      headers: ['if-none-match', 'if-modified-since', 'range', 'if-range'],
      statuses: ['206', '304', '416'],
    };
    assert.deepEqual(described('/api/v1/messages/{id}/raw'), download);
    assert.deepEqual(described('/api/v1/messages/{id}/attachments/{n}'), download);
    assert.deepEqual(described('/api/v1/messages/{id}'), { headers: ['if-none-match'], statuses: ['304'] });
    const datedStatuses = (path: string) =>
      Object.entries(document.paths[path]?.get?.responses ?? {})
        .filter(([, answer]) => 'last-modified' in ((answer as { headers?: object }).headers ?? {}))
        .map(([status]) => status);
    assert.deepEqual(datedStatuses('/api/v1/messages/{id}/raw'), ['200', '206', '304']);
    assert.deepEqual(datedStatuses('/api/v1/messages/{id}/attachments/{n}'), ['200', '206', '304']);
    assert.deepEqual(datedStatuses('/api/v1/messages/{id}'), []);
    assert.deepEqual(described('/api/v1/messages'), { headers: [], statuses: [] });
    const notModified = document.paths['/api/v1/messages/{id}']?.get?.responses['304'] as {
      content?: unknown;
    };
    assert.equal(notModified.content, undefined, 'a 304 has no body');
  });

  test('curl -r fetches a range, -C - resumes a download, If-None-Match gets 304', async () => {
    const ranged = await run('curl', ['-sS', '-r', '0-99', rawUrl()], { encoding: 'buffer' });
    assert.deepEqual(ranged.stdout, raw.subarray(0, 100));

    const file = join(dir, 'message.eml');
    await writeFile(file, raw.subarray(0, 1234));
    const resumed = await run('curl', ['-sS', '-f', '-C', '-', '-o', file, '-w', '%{http_code}', rawUrl()]);
    assert.equal(resumed.stdout, '206');
    assert.deepEqual(await readFile(file), raw);

    const headers = await run('curl', ['-sS', '-D', '-', '-o', '/dev/null', rawUrl()]);
    const etag = /^etag: (.+)\r$/im.exec(headers.stdout)?.[1] ?? '';
    assert.ok(etag !== '', headers.stdout);
    const revalidated = await run('curl', [
      '-sS',
      '-H',
      `If-None-Match: ${etag}`,
      '-w',
      '%{http_code}',
      rawUrl(),
    ]);
    assert.equal(revalidated.stdout, '304');
  });

  test('curl -z sends If-Modified-Since from a date or a file and gets 304 while the file is current', async () => {
    // The status line the server sent: on a 200 whose Last-Modified misses the condition, curl
    // drops the body and reports a 304 of its own in %{http_code}.
    const status = async (...args: string[]) => {
      const { stdout } = await run('curl', ['-sS', '-D', '-', '-o', '/dev/null', ...args]);
      return /^HTTP\/[\d.]+ (\d{3})/.exec(stdout)?.[1];
    };
    assert.equal(await status('-z', lastModified, rawUrl()), '304');
    assert.equal(await status('-z', 'Sun, 01 Mar 2026 12:00:00 GMT', rawUrl()), '200');

    const file = join(dir, 'dated.eml');
    await writeFile(file, raw);
    await utimes(file, receivedAt, receivedAt);
    assert.equal(await status('-z', file, rawUrl()), '304');
    await utimes(file, new Date('2026-02-01T00:00:00Z'), new Date('2026-02-01T00:00:00Z'));
    assert.equal(await status('-z', file, rawUrl()), '200');
  });
});
