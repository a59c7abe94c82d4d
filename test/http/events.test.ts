/**
 * Live delivery: the Server-Sent Events stream and the long-poll wait, driven by real ingests
 * through the event bus (no sleeps: every wait is on an event or a response).
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { readServerSentEvents, type ServerSentEvent } from '../../src/client/sse.js';
import { EventBus } from '../../src/events/bus.js';
import { EventStreamHub, type StreamedEvent } from '../../src/http/event-stream.js';
import { type ApiHarness, failedSession, startApiHarness } from './harness.js';

/** Opens the event stream and reads it event by event; `until` waits for raw text such as comments. */
async function openStream(harness: ApiHarness, headers: Record<string, string> = {}) {
  const response = await fetch(`${harness.url}/api/v1/events`, { headers });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'text/event-stream; charset=utf-8');
  assert.equal(response.headers.get('cache-control'), 'no-cache, no-transform');
  assert.ok(response.body);
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let parsedUpTo = 0;
  const readMore = async (what: string): Promise<void> => {
    const { value, done } = await reader.read();
    assert.ok(!done, `stream ended before ${what}`);
    text += decoder.decode(value, { stream: true });
  };
  return {
    async next(): Promise<ServerSentEvent> {
      for (;;) {
        const blocks = text.slice(parsedUpTo).split('\n\n');
        for (let index = 0; index < blocks.length - 1; index += 1) {
          const block = blocks[index] ?? '';
          parsedUpTo += block.length + 2;
          const stream = new Blob([`${block}\n\n`]).stream();
          for await (const event of readServerSentEvents(stream)) return event;
        }
        await readMore('the next event');
      }
    },
    async until(expected: string): Promise<void> {
      while (!text.includes(expected)) await readMore(JSON.stringify(expected));
    },
    close: () => reader.cancel(),
  };
}

describe('GET /api/v1/events (Server-Sent Events)', () => {
  let harness: ApiHarness;
  before(async () => {
    harness = await startApiHarness({ sseHeartbeatMs: 50 });
  });
  after(() => harness.close());

  test('delivers message.received, message.deleted and session.closed (without transcript), with ids', async () => {
    const stream = await openStream(harness);
    try {
      await stream.until(': connected');
      const id = await harness.deliver({
        from: 'a@example.com',
        to: 'sse@example.com',
        subject: 'Live',
        text: 'x',
      });
      const received = await stream.next();
      assert.equal(received.event, 'message.received');
      assert.match(received.id ?? '', /^\d+$/);
      const payload = JSON.parse(received.data) as { message: { id: string; subject: string } };
      assert.equal(payload.message.id, id);
      assert.equal(payload.message.subject, 'Live');

      await fetch(`${harness.url}/api/v1/messages/${id}`, { method: 'DELETE' });
      const deleted = await stream.next();
      assert.equal(deleted.event, 'message.deleted');
      assert.deepEqual(JSON.parse(deleted.data), { ids: [id] });
      assert.equal(Number(deleted.id), Number(received.id) + 1);

      const session = failedSession();
      harness.bus.publish('session.closed', { session });
      const closed = await stream.next();
      assert.equal(closed.event, 'session.closed');
      const { transcript: _transcript, ...summary } = session;
      assert.deepEqual(JSON.parse(closed.data), { session: summary });
    } finally {
      await stream.close();
    }
  });

  test('sends heartbeat comments while idle', async () => {
    const stream = await openStream(harness);
    try {
      await stream.until(': heartbeat\n\n');
    } finally {
      await stream.close();
    }
  });

  test('a client reconnecting with Last-Event-ID gets the events it missed', async () => {
    const first = await openStream(harness);
    await first.until(': connected');
    await harness.deliver({ from: 'a@example.com', to: 'b@example.com', subject: 'Seen', text: 'x' });
    const seen = await first.next();
    await first.close();
    const missed = await harness.deliver({
      from: 'a@example.com',
      to: 'b@example.com',
      subject: 'Missed',
      text: 'x',
    });

    const second = await openStream(harness, { 'last-event-id': seen.id ?? '' });
    try {
      const replayed = await second.next();
      assert.equal(replayed.event, 'message.received');
      assert.equal((JSON.parse(replayed.data) as { message: { id: string } }).message.id, missed);
    } finally {
      await second.close();
    }
  });
});

describe('GET /api/v1/events on shutdown', () => {
  test('closing the app ends open streams cleanly and promptly', async () => {
    const closing = await startApiHarness();
    const stream = await openStream(closing);
    await stream.until(': connected');
    const started = Date.now();
    await closing.close();
    assert.ok(Date.now() - started < 5_000);
    await assert.rejects(stream.next(), /stream ended/);
  });
});

describe('EventStreamHub', () => {
  test('attaches, detaches and unsubscribes from the bus on close', () => {
    const bus = new EventBus();
    const hub = new EventStreamHub(bus, { replaySize: 2 });
    const seen: StreamedEvent[] = [];
    const detach = hub.attach((batch) => seen.push(...batch.events));
    assert.equal(hub.listenerCount, 1);
    bus.publish('message.deleted', { ids: ['a'] });
    hub.flush();
    detach();
    assert.equal(hub.listenerCount, 0);
    bus.publish('message.deleted', { ids: ['b'] });
    bus.publish('message.deleted', { ids: ['c'] });
    assert.deepEqual(
      seen.map((event) => event.id),
      [1],
    );

    const replayed: StreamedEvent[] = [];
    hub.attach((batch) => replayed.push(...batch.events), 0);
    assert.deepEqual(
      replayed.map((event) => event.id),
      [2, 3],
      'only the newest `replaySize` events are kept',
    );
    hub.close();
    assert.equal(hub.listenerCount, 0);
    bus.publish('message.deleted', { ids: ['d'] });
    hub.flush();
    assert.equal(replayed.length, 2, 'no delivery after close');
  });
});

describe('GET /api/v1/messages/wait (long-poll)', () => {
  let harness: ApiHarness;
  before(async () => {
    harness = await startApiHarness();
  });
  afterEach(() => harness.store.deleteMessages());
  after(() => harness.close());

  const wait = (query: string) => fetch(`${harness.url}/api/v1/messages/wait?${query}`);

  test('returns at once when enough matching messages are already stored', async () => {
    const id = await harness.deliver({
      from: 'a@example.com',
      to: 'early@example.com',
      subject: 'Stored',
      text: 'x',
    });
    const started = Date.now();
    const response = await wait(`q=${encodeURIComponent('to:early@example.com')}&timeout=30s`);
    assert.equal(response.status, 200);
    const result = (await response.json()) as {
      items: Array<{ id: string }>;
      total: number;
      waitedMs: number;
    };
    assert.deepEqual(
      result.items.map((message) => message.id),
      [id],
    );
    assert.ok(Date.now() - started < 5_000);
    assert.equal((result as { queryNotes?: string[] }).queryNotes, undefined);

    const noted = await wait(`q=${encodeURIComponent('to:early@example.com -has:x')}&timeout=30s`);
    assert.equal(noted.status, 200);
    assert.deepEqual(((await noted.json()) as { queryNotes?: string[] }).queryNotes, [
      '-has:x is not something a message can have here, so it was searched as text: use has:attachment.',
    ]);
  });

  test('resolves as soon as the Nth matching message arrives, ignoring others', async () => {
    await harness.deliver({ from: 'a@example.com', to: 'batch@example.com', subject: 'One', text: 'x' });
    const pending = wait(`q=${encodeURIComponent('to:batch@example.com')}&count=2&timeout=60s`);
    // The wait is registered once a request is in flight; deliveries from here on are seen by the bus.
    await new Promise<void>((resolve) => harness.app.server.once('request', () => resolve()));
    await harness.deliver({ from: 'a@example.com', to: 'other@example.com', subject: 'Noise', text: 'x' });
    const second = await harness.deliver({
      from: 'a@example.com',
      to: 'batch@example.com',
      subject: 'Two',
      text: 'x',
    });
    const response = await pending;
    assert.equal(response.status, 200);
    const result = (await response.json()) as {
      items: Array<{ id: string; subject: string }>;
      total: number;
      waitedMs: number;
    };
    assert.equal(result.total, 2);
    assert.equal(result.items[0]?.id, second);
    assert.deepEqual(
      result.items.map((message) => message.subject),
      ['Two', 'One'],
    );
    assert.ok(result.waitedMs < 60_000);
  });

  test('times out with 408 problem+json listing the matched and the nearest messages', async () => {
    const other = await harness.deliver({
      from: 'a@example.com',
      to: 'someone@example.com',
      subject: 'Wrong',
      text: 'x',
    });
    const response = await wait(`q=${encodeURIComponent('to:nobody@example.com')}&timeout=300ms`);
    assert.equal(response.status, 408);
    assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
    const problem = (await response.json()) as Record<string, unknown> & { nearest: Array<{ id: string }> };
    assert.equal(problem.type, 'urn:mailport:problem:wait-timeout');
    assert.equal(problem.status, 408);
    assert.equal(problem.count, 1);
    assert.deepEqual(problem.matched, []);
    assert.deepEqual(
      problem.nearest.map((message) => message.id),
      [other],
    );
    assert.match(
      String(problem.detail),
      /Waited 300 ms for 1 message\(s\) matching "to:nobody@example.com"; 0 matched/,
    );
  });

  test('plain seconds are accepted; malformed timeouts and counts are 400', async () => {
    const plainSeconds = await wait(`q=${encodeURIComponent('nothing-matches-this after:zzz')}&timeout=0.2`);
    assert.equal(plainSeconds.status, 408);
    const timedOut = (await plainSeconds.json()) as { detail: string; queryNotes?: string[] };
    assert.match(timedOut.detail, /Waited 200 ms/);
    assert.match(timedOut.queryNotes?.[0] ?? '', /^after:zzz is not a date, so it was searched as text: /);
    const bad = await wait('timeout=soon');
    assert.equal(bad.status, 400);
    assert.match(
      String(((await bad.json()) as { detail: string }).detail),
      /`timeout` is not in the form this field takes \(How long to wait: `30s`, `500ms`, `2m`, or plain seconds; at most 300s\)/,
    );
    const zero = await wait('count=0');
    assert.equal(zero.status, 400);
    await zero.arrayBuffer();
  });

  test('closing the app ends an open wait promptly (503), so shutdown never hangs', async () => {
    const closing = await startApiHarness();
    const pending = fetch(`${closing.url}/api/v1/messages/wait?q=never&timeout=5m`);
    await new Promise<void>((resolve) => closing.app.server.once('request', () => resolve()));
    const started = Date.now();
    await closing.close();
    const response = await pending;
    assert.equal(response.status, 503);
    await response.arrayBuffer();
    assert.ok(Date.now() - started < 5_000);
  });
});
