/**
 * The HTTP API over a real SqliteStore, EventBus and ingest, exercised with fetch (and curl) on a
 * loopback port: every route, its media types, and RFC 9457 problem+json on every error.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import type { MessageDetail, MessageSummary } from '../../src/domain/types.js';
import { createLogger } from '../../src/logging/logger.js';
import type { Page } from '../../src/storage/store.js';
import {
  type ApiHarness,
  expectProblem,
  failedSession,
  MAX_MESSAGE_SIZE,
  startApiHarness,
} from './harness.js';

const run = promisify(execFile);

async function getJson<T>(harness: ApiHarness, path: string): Promise<T> {
  const response = await fetch(`${harness.url}${path}`);
  assert.equal(response.status, 200, `GET ${path}: ${response.status}`);
  return (await response.json()) as T;
}

describe('HTTP API', () => {
  let harness: ApiHarness;
  let withAttachments: string;
  let plain: string;

  before(async () => {
    harness = await startApiHarness();
    withAttachments = await harness.deliver({
      from: 'Alice <alice@example.com>',
      to: 'bob@example.com',
      subject: 'Invoice 42',
      text: 'Please find the invoice attached.',
      html: '<p>Invoice</p><img src="cid:logo@mailport.test"><script>alert(1)</script>',
      attachments: [
        {
          filename: 'logo.png',
          content: Buffer.from('PNGDATA'),
          cid: 'logo@mailport.test',
          contentType: 'image/png',
        },
        { filename: 'invoice-ü.pdf', content: Buffer.from('%PDF-1.7 fake'), contentType: 'application/pdf' },
      ],
    });
    plain = await harness.deliver({
      from: 'carol@example.com',
      to: 'dave@example.com',
      subject: 'Plain',
      text: 'Hi',
    });
  });

  after(() => harness.close());

  test('GET /healthz answers ok (checked with curl)', async () => {
    const { stdout } = await run('curl', ['-sS', '-i', `${harness.url}/healthz`]);
    assert.match(stdout, /^HTTP\/1\.1 200 OK/);
    assert.match(stdout, /content-type: application\/json/i);
    assert.match(stdout, /\{"status":"ok"\}\s*$/);
  });

  test('GET /metrics renders Prometheus text from the registry and the store', async () => {
    harness.metrics.rejectSent(530);
    harness.metrics.rejectSent(530);
    harness.metrics.diagnosticRecorded('mail-before-starttls');
    harness.metrics.sessionOpened();
    const response = await fetch(`${harness.url}/metrics`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    const text = await response.text();
    assert.match(text, /^# TYPE mailport_messages gauge$/m);
    assert.match(text, /^mailport_messages 2$/m);
    assert.match(text, /^mailport_messages_accepted_total 2$/m);
    assert.match(text, /^mailport_rejects_total\{code="530"\} 2$/m);
    assert.match(text, /^mailport_diagnostics_total\{code="mail-before-starttls"\} 1$/m);
    assert.match(text, /^mailport_open_connections 1$/m);
    assert.match(text, /^mailport_store_bytes \d+$/m);
    assert.match(text, /^mailport_message_bytes_total [1-9]\d*$/m);
    harness.metrics.sessionClosed();
  });

  test('GET /api/v1/info returns the server info', async () => {
    const info = await getJson<{ version: string; limits: { maxMessageSize: number }; listeners: unknown[] }>(
      harness,
      '/api/v1/info',
    );
    assert.equal(info.version, '0.0.0-test');
    assert.equal(info.limits.maxMessageSize, MAX_MESSAGE_SIZE);
    assert.equal(info.listeners.length, 1);
  });

  test('GET /api/v1/messages lists newest first, searches and pages with a cursor', async () => {
    const all = await getJson<Page<MessageSummary>>(harness, '/api/v1/messages');
    assert.deepEqual(
      all.items.map((message) => message.id),
      [plain, withAttachments],
    );
    assert.equal(all.total, 2);
    assert.equal(all.nextCursor, null);

    const found = await getJson<Page<MessageSummary>>(
      harness,
      `/api/v1/messages?q=${encodeURIComponent('subject:invoice')}`,
    );
    assert.deepEqual(
      found.items.map((message) => message.id),
      [withAttachments],
    );

    const first = await getJson<Page<MessageSummary>>(harness, '/api/v1/messages?limit=1');
    assert.deepEqual(
      first.items.map((message) => message.id),
      [plain],
    );
    assert.ok(first.nextCursor);
    const second = await getJson<Page<MessageSummary>>(
      harness,
      `/api/v1/messages?limit=1&cursor=${encodeURIComponent(first.nextCursor)}`,
    );
    assert.deepEqual(
      second.items.map((message) => message.id),
      [withAttachments],
    );
  });

  test('GET /api/v1/messages says in queryNotes which terms of q it searched as text, with the same results', async () => {
    type NotedPage = Page<MessageSummary> & { queryNotes?: string[] };
    const understood = await getJson<NotedPage>(
      harness,
      '/api/v1/messages?q=subject%3Ainvoice+has%3Aattachment',
    );
    assert.equal(understood.queryNotes, undefined, 'absent when every term was understood');
    assert.equal(understood.total, 1);

    const q = 'invoice -after:zzz -port:abc';
    const noted = await getJson<NotedPage>(harness, `/api/v1/messages?q=${encodeURIComponent(q)}`);
    assert.deepEqual(noted.queryNotes, [
      '-after:zzz is not a date, so it was searched as text: use YYYY-MM-DD, an ISO 8601 date-time, or an age like 30m, 2h, 1d, 1w.',
      '-port:abc is not a port, so it was searched as text: use a number from 1 to 65535, e.g. port:1587.',
    ]);
    // Quoting says "this is text" and gets no notes, and the very same results.
    const quoted = await getJson<NotedPage>(
      harness,
      `/api/v1/messages?q=${encodeURIComponent('invoice -"after:zzz" -"port:abc"')}`,
    );
    assert.equal(quoted.queryNotes, undefined);
    assert.deepEqual({ ...noted, queryNotes: undefined }, { ...quoted, queryNotes: undefined });
    assert.deepEqual(
      noted.items.map((message) => message.id),
      [withAttachments],
      'negated, the fallback text excludes nothing here',
    );
  });

  test('GET /api/v1/messages/{id} returns envelope, TLS, AUTH and parsed content', async () => {
    const message = await getJson<MessageDetail>(harness, `/api/v1/messages/${withAttachments}`);
    assert.equal(message.subject, 'Invoice 42');
    assert.deepEqual(message.from, [{ name: 'Alice', address: 'alice@example.com' }]);
    assert.deepEqual(message.envelopeTo, ['bob@example.com']);
    assert.equal(message.tls?.protocol, 'TLSv1.3');
    assert.equal(message.auth?.user, 'mailport');
    assert.equal(message.attachmentCount, 2);
    assert.equal(message.parsed.attachments[1]?.filename, 'invoice-ü.pdf');
    assert.equal(message.parsed.text?.trim(), 'Please find the invoice attached.');
  });

  test('GET /raw returns the bytes as received, as message/rfc822, with an .eml download name on request', async () => {
    const stored = await harness.store.getRawMessage(plain);
    const response = await fetch(`${harness.url}/api/v1/messages/${plain}/raw`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'message/rfc822');
    assert.equal(response.headers.get('content-disposition'), null);
    assert.deepEqual(Buffer.from(await response.arrayBuffer()), stored);

    const download = await fetch(`${harness.url}/api/v1/messages/${plain}/raw?download=1`);
    assert.match(
      download.headers.get('content-disposition') ?? '',
      new RegExp(`^attachment; filename="${plain}\\.eml"`),
    );
    await download.arrayBuffer();
  });

  test('GET /html is served under a sandboxing CSP without scripts, cid: links pointing at attachments', async () => {
    const response = await fetch(`${harness.url}/api/v1/messages/${withAttachments}/html`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/html; charset=utf-8');
    const csp = response.headers.get('content-security-policy') ?? '';
    const directives = csp.split(';').map((directive) => directive.trim());
    assert.ok(directives.includes('sandbox'), 'sandbox without allow-scripts');
    assert.ok(directives.includes("default-src 'none'"));
    assert.ok(!csp.includes('script-src') && !csp.includes('allow-scripts'));
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    const html = await response.text();
    assert.ok(html.includes(`src="/api/v1/messages/${withAttachments}/attachments/0"`), html);

    await expectProblem(await fetch(`${harness.url}/api/v1/messages/${plain}/html`), 404);
  });

  test('GET /text and /headers', async () => {
    const text = await fetch(`${harness.url}/api/v1/messages/${plain}/text`);
    assert.equal(text.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal((await text.text()).trim(), 'Hi');
    const headers = await getJson<Array<{ name: string; value: string }>>(
      harness,
      `/api/v1/messages/${plain}/headers`,
    );
    assert.ok(headers.some((header) => header.name === 'Subject' && header.value === 'Plain'));
  });

  test('GET /attachments/{n} returns the decoded content with its type and name', async () => {
    const response = await fetch(
      `${harness.url}/api/v1/messages/${withAttachments}/attachments/1?download=1`,
    );
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/pdf');
    assert.equal(
      response.headers.get('content-disposition'),
      `attachment; filename="invoice-_.pdf"; filename*=UTF-8''${encodeURIComponent('invoice-ü.pdf')}`,
    );
    assert.match(response.headers.get('content-security-policy') ?? '', /sandbox/);
    assert.equal(Buffer.from(await response.arrayBuffer()).toString(), '%PDF-1.7 fake');

    await expectProblem(await fetch(`${harness.url}/api/v1/messages/${withAttachments}/attachments/9`), 404);
    const invalid = await expectProblem(
      await fetch(`${harness.url}/api/v1/messages/${withAttachments}/attachments/x`),
      400,
    );
    assert.deepEqual(invalid.errors, [{ location: 'params', path: '/n', message: 'must be integer' }]);
  });

  test('PATCH /api/v1/messages/{id} marks read; a bad body is a 400 problem listing the invalid value', async () => {
    const response = await fetch(`${harness.url}/api/v1/messages/${plain}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ read: true }),
    });
    assert.equal(response.status, 204);
    assert.equal((await getJson<MessageDetail>(harness, `/api/v1/messages/${plain}`)).read, true);

    const bad = await expectProblem(
      await fetch(`${harness.url}/api/v1/messages/${plain}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ read: 'yes please' }),
      }),
      400,
    );
    assert.deepEqual(bad.errors, [{ location: 'body', path: '/read', message: 'must be boolean' }]);
    await expectProblem(
      await fetch(`${harness.url}/api/v1/messages/missing-id`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ read: false }),
      }),
      404,
    );
  });

  test('unknown routes, unknown ids and invalid parameters are problem+json', async () => {
    const unknown = await expectProblem(await fetch(`${harness.url}/api/v2/nothing`), 404);
    assert.match(String(unknown.detail), /openapi\.json/);
    await expectProblem(await fetch(`${harness.url}/nothing-here`, { method: 'POST' }), 404);
    await expectProblem(await fetch(`${harness.url}/api/v1/messages/not-an-id`), 404);
    await expectProblem(await fetch(`${harness.url}/api/v1/messages/not-an-id/raw`), 404);
    const limit = await expectProblem(await fetch(`${harness.url}/api/v1/messages?limit=0`), 400);
    assert.match(String(limit.detail), /`limit` must be >= 1/);
    const diagnostic = await expectProblem(
      await fetch(`${harness.url}/api/v1/sessions?diagnostic=nonsense`),
      400,
    );
    assert.match(String(diagnostic.detail), /must be one of: implicit-tls-on-starttls-port/);
    for (const list of ['messages', 'sessions']) {
      const cursor = await expectProblem(await fetch(`${harness.url}/api/v1/${list}?cursor=garbage`), 400);
      assert.match(
        String(cursor.detail),
        /The cursor "garbage" is not one this server returned\. Pass the nextCursor/,
      );
    }
  });

  test('sessions: list with filters, and one session with its transcript', async () => {
    const failed = failedSession();
    const clean = failedSession({ outcome: 'delivered', diagnostics: [], lastError: null });
    await harness.store.saveSession(failed);
    await harness.store.saveSession(clean);

    const all = await getJson<Page<{ id: string }>>(harness, '/api/v1/sessions');
    assert.equal(all.total, 2);
    assert.ok(all.items.every((session) => !('transcript' in session)));
    const byCode = await getJson<Page<{ id: string }>>(
      harness,
      '/api/v1/sessions?diagnostic=mail-before-starttls',
    );
    assert.deepEqual(
      byCode.items.map((session) => session.id),
      [failed.id],
    );
    const problems = await getJson<Page<{ id: string }>>(harness, '/api/v1/sessions?problems=1');
    assert.deepEqual(
      problems.items.map((session) => session.id),
      [failed.id],
    );
    const none = await getJson<Page<{ id: string }>>(harness, '/api/v1/sessions?diagnostic=bare-lf');
    assert.equal(none.total, 0);

    const one = await getJson<typeof failed>(harness, `/api/v1/sessions/${failed.id}`);
    assert.deepEqual(one, failed);
    await expectProblem(await fetch(`${harness.url}/api/v1/sessions/nope`), 404);
  });

  test('sessions: delete one (404 when gone), then every one, each announced as session.deleted', async () => {
    await harness.store.deleteSessions();
    const [first, second, third] = [failedSession(), failedSession(), failedSession()];
    for (const record of [first, second, third]) await harness.store.saveSession(record);
    const events: string[][] = [];
    const unsubscribe = harness.bus.subscribe('session.deleted', ({ ids }) => events.push(ids));
    try {
      const url = `${harness.url}/api/v1/sessions`;
      assert.equal((await fetch(`${url}/${second.id}`, { method: 'DELETE' })).status, 204);
      const gone = await expectProblem(await fetch(`${url}/${second.id}`, { method: 'DELETE' }), 404);
      assert.match(
        String(gone.detail),
        /^No session with id .*; GET \/api\/v1\/sessions lists the stored ones\.$/,
      );
      assert.equal((await getJson<Page<{ id: string }>>(harness, '/api/v1/sessions')).total, 2);

      const cleared = (await (await fetch(url, { method: 'DELETE' })).json()) as {
        deleted: number;
        ids: string[];
      };
      assert.equal(cleared.deleted, 2);
      assert.deepEqual([...cleared.ids].sort(), [first.id, third.id].sort());
      assert.deepEqual(await (await fetch(url, { method: 'DELETE' })).json(), { deleted: 0, ids: [] });
      assert.equal((await getJson<Page<{ id: string }>>(harness, '/api/v1/sessions')).total, 0);
      assert.deepEqual(events, [[second.id], cleared.ids], 'an empty delete publishes nothing');
    } finally {
      unsubscribe();
    }
  });

  test('POST /api/v1/messages imports message/rfc822 with the envelope from the headers', async () => {
    const received = new Promise<string>((resolve) => {
      const unsubscribe = harness.bus.subscribe('message.received', ({ message }) => {
        unsubscribe();
        resolve(message.id);
      });
    });
    const raw =
      'From: Erin <erin@example.com>\r\nTo: frank@example.com\r\nCc: gina@example.com\r\nSubject: Imported\r\n\r\nHello\r\n';
    const response = await fetch(`${harness.url}/api/v1/messages?inbox=team-a`, {
      method: 'POST',
      headers: { 'content-type': 'message/rfc822' },
      body: raw,
    });
    assert.equal(response.status, 201);
    const { id } = (await response.json()) as { id: string };
    assert.equal(response.headers.get('location'), `/api/v1/messages/${id}`);
    assert.equal(await received, id);

    const message = await getJson<MessageDetail>(harness, `/api/v1/messages/${id}`);
    assert.equal(message.inbox, 'team-a');
    assert.deepEqual(message.listener, { profile: 'relay', port: 0 });
    assert.equal(message.envelope.mailFrom.address, 'erin@example.com');
    assert.deepEqual(message.envelopeTo, ['frank@example.com', 'gina@example.com']);
    assert.equal(message.client.address, '127.0.0.1');
    assert.deepEqual(await harness.store.getRawMessage(id), Buffer.from(raw));
  });

  test('POST /api/v1/messages imports JSON with base64 and an explicit envelope', async () => {
    const raw = 'Subject: From JSON\r\n\r\nBody\r\n';
    const response = await fetch(`${harness.url}/api/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        raw: Buffer.from(raw).toString('base64'),
        mailFrom: 'bounce@example.com',
        rcptTo: ['hidden@example.com'],
      }),
    });
    assert.equal(response.status, 201);
    const { id } = (await response.json()) as { id: string };
    const message = await getJson<MessageDetail>(harness, `/api/v1/messages/${id}`);
    assert.equal(message.inbox, 'default');
    assert.equal(message.envelopeFrom, 'bounce@example.com');
    assert.deepEqual(message.envelopeTo, ['hidden@example.com']);
    assert.deepEqual(message.parsed.bcc, [{ name: '', address: 'hidden@example.com' }]);
  });

  test('POST /api/v1/messages refuses empty, oversized, non-base64 and unknown media types', async () => {
    const post = (body: string | Uint8Array, contentType: string) =>
      fetch(`${harness.url}/api/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': contentType },
        body,
      });
    await expectProblem(await post('', 'message/rfc822'), 400);
    const tooLarge = await expectProblem(
      await post(new Uint8Array(MAX_MESSAGE_SIZE + 1).fill(65), 'message/rfc822'),
      413,
    );
    assert.match(String(tooLarge.detail), /--max-message-size/);
    await expectProblem(await post(JSON.stringify({ raw: '***' }), 'application/json'), 400);
    await expectProblem(await post(JSON.stringify({ inbox: 'x' }), 'application/json'), 400);
    await expectProblem(await post('{not json', 'application/json'), 400);
    const media = await expectProblem(await post('a,b', 'text/csv'), 415);
    assert.match(String(media.detail), /text\/csv/);
  });

  test('POST /api/v1/messages refuses envelope addresses no SMTP client could give, naming each', async () => {
    const raw = Buffer.from('Subject: Bad envelope\r\n\r\nBody\r\n');
    const json = await expectProblem(
      await fetch(`${harness.url}/api/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          raw: raw.toString('base64'),
          mailFrom: 'Alice <a@example.com>',
          rcptTo: ['ok@example.com', 'bob'],
        }),
      }),
      400,
    );
    assert.match(
      String(json.detail),
      /mailFrom "Alice <a@example\.com>", rcptTo "bob"\. Give addresses as local@domain/,
    );
    const query = await expectProblem(
      await fetch(`${harness.url}/api/v1/messages?from=${encodeURIComponent('bad addr')}`, {
        method: 'POST',
        headers: { 'content-type': 'message/rfc822' },
        body: raw,
      }),
      400,
    );
    assert.match(String(query.detail), /mailFrom "bad addr"/);
    // The null sender and a bare postmaster are what SMTP accepts too.
    const accepted = await fetch(`${harness.url}/api/v1/messages?from=&to=postmaster`, {
      method: 'POST',
      headers: { 'content-type': 'message/rfc822' },
      body: raw,
    });
    assert.equal(accepted.status, 201, await accepted.text());
  });

  test('DELETE one message publishes message.deleted; deleting it again is 404', async () => {
    const id = await harness.deliver({
      from: 'a@example.com',
      to: 'b@example.com',
      subject: 'Delete me',
      text: 'x',
    });
    const deleted = new Promise<string[]>((resolve) => {
      const unsubscribe = harness.bus.subscribe('message.deleted', ({ ids }) => {
        unsubscribe();
        resolve(ids);
      });
    });
    const response = await fetch(`${harness.url}/api/v1/messages/${id}`, { method: 'DELETE' });
    assert.equal(response.status, 204);
    assert.deepEqual(await deleted, [id]);
    await expectProblem(await fetch(`${harness.url}/api/v1/messages/${id}`, { method: 'DELETE' }), 404);
  });

  test('DELETE /api/v1/messages?q= deletes only matching messages; without q it deletes all', async () => {
    const keep = await harness.deliver({
      from: 'a@example.com',
      to: 'keep@example.com',
      subject: 'Keep',
      text: 'x',
    });
    const drop = await harness.deliver({
      from: 'a@example.com',
      to: 'drop@example.com',
      subject: 'Drop',
      text: 'x',
    });
    const events: string[][] = [];
    const unsubscribe = harness.bus.subscribe('message.deleted', ({ ids }) => events.push(ids));

    const some = await fetch(
      `${harness.url}/api/v1/messages?q=${encodeURIComponent('to:drop@example.com')}`,
      {
        method: 'DELETE',
      },
    );
    assert.deepEqual(await some.json(), { deleted: 1, ids: [drop] });
    assert.ok(await harness.store.getMessage(keep));
    const typo = await fetch(`${harness.url}/api/v1/messages?q=${encodeURIComponent('is:maybe')}`, {
      method: 'DELETE',
    });
    assert.deepEqual(await typo.json(), {
      deleted: 0,
      ids: [],
      queryNotes: [
        'is:maybe is not a state a message can be in, so it was searched as text: use is:read or is:unread.',
      ],
    });

    const all = (await (await fetch(`${harness.url}/api/v1/messages`, { method: 'DELETE' })).json()) as {
      deleted: number;
      ids: string[];
    };
    assert.ok(all.ids.includes(keep));
    assert.equal(all.deleted, all.ids.length);
    assert.equal((await harness.store.stats()).messages, 0);
    const nothing = await (await fetch(`${harness.url}/api/v1/messages`, { method: 'DELETE' })).json();
    assert.deepEqual(nothing, { deleted: 0, ids: [] });
    unsubscribe();
    assert.deepEqual(events, [[drop], all.ids], 'an empty delete publishes nothing');
  });
});

describe('HTTP API when the store fails', () => {
  test('answers 500 and 503 problems that leak nothing, and logs the cause', async () => {
    const lines: string[] = [];
    const harness = await startApiHarness({
      logger: createLogger('error', 'json', (line) => lines.push(line)),
    });
    try {
      await harness.store.close();
      const failed = await expectProblem(await fetch(`${harness.url}/api/v1/messages`), 500);
      assert.equal(
        failed.detail,
        'The server failed to handle this request; the server log has the details.',
      );
      const health = await expectProblem(await fetch(`${harness.url}/healthz`), 503);
      assert.match(String(health.detail), /The sqlite store does not answer/);
      const logged = lines.map((line) => JSON.parse(line) as { msg: string; url?: string; error: string });
      assert.equal(logged[0]?.msg, 'HTTP request failed');
      assert.equal(logged[0]?.url, '/api/v1/messages');
      assert.match(logged[0]?.error ?? '', /database connection is not open/);
      assert.equal(logged[1]?.msg, 'Health check: the store does not answer');
    } finally {
      await harness.close();
    }
  });
});
