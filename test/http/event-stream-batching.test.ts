/**
 * Batched delivery on `GET /api/v1/events`: events published close together leave in one write per
 * subscriber, in order, none lost or repeated; Last-Event-ID replay still resumes exactly; a
 * subscriber that stops reading is disconnected instead of growing the server's memory. Real HTTP
 * on 127.0.0.1, real ingest into SQLite, the real bus.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { eventLineCounter, subscribe } from '../../bench/event-subscribers.js';
import { readServerSentEvents, type ServerSentEvent } from '../../src/client/sse.js';
import { EventBus } from '../../src/events/bus.js';
import {
  EventStreamHub,
  FLUSH_INTERVAL_MS,
  MAX_BACKLOG_BYTES,
  type StreamBatch,
} from '../../src/http/event-stream.js';
import { type ApiHarness, startApiHarness } from './harness.js';

interface Subscriber {
  events: ServerSentEvent[];
  /** Resolves once `count` events have arrived; rejects if the stream ends first. */
  waitFor(count: number): Promise<void>;
  /** Settles when the stream ends. */
  ended: Promise<void>;
  close(): void;
}

/** A real SSE client: fetch plus Mailport's own text/event-stream reader. */
async function subscriber(url: string, headers: Record<string, string> = {}): Promise<Subscriber> {
  const controller = new AbortController();
  const response = await fetch(`${url}/api/v1/events`, { headers, signal: controller.signal });
  assert.equal(response.status, 200);
  const body = response.body;
  assert.ok(body);
  const events: ServerSentEvent[] = [];
  const progress = new Set<() => void>();
  let done = false;
  const ended = (async () => {
    try {
      for await (const event of readServerSentEvents(body)) {
        events.push(event);
        for (const notify of progress) notify();
      }
    } catch (error) {
      if (!controller.signal.aborted) throw error;
    } finally {
      done = true;
      for (const notify of progress) notify();
    }
  })();
  return {
    events,
    ended,
    waitFor: (count) =>
      new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (events.length >= count) resolve();
          else if (done) reject(new Error(`stream ended after ${events.length} of ${count} events`));
          else return;
          progress.delete(check);
        };
        progress.add(check);
        check();
      }),
    close: () => controller.abort(),
  };
}

const ids = (events: readonly { id: number | string | null }[]): number[] =>
  events.map((event) => Number(event.id));

function consecutiveFrom(first: number, count: number): number[] {
  return Array.from({ length: count }, (_, index) => first + index);
}

describe('event stream batching over HTTP', () => {
  let harness: ApiHarness;
  before(async () => {
    harness = await startApiHarness();
  });
  after(() => harness.close());

  test('a burst of 500 messages through the real ingest reaches each of three subscribers, all in order', async () => {
    const subscribers = await Promise.all([1, 2, 3].map(() => subscriber(harness.url)));
    try {
      const delivered: string[] = [];
      for (let start = 0; start < 500; start += 50) {
        const group = Array.from({ length: 50 }, (_, index) =>
          harness.deliver({
            from: 'burst@example.com',
            to: 'sse@example.com',
            subject: `Burst ${start + index}`,
            text: 'x',
          }),
        );
        delivered.push(...(await Promise.all(group)));
      }
      // A sentinel after the burst: once it is in, nothing of the burst can still be on its way.
      harness.bus.publish('message.deleted', { ids: ['sentinel'] });
      await Promise.all(subscribers.map((one) => one.waitFor(501)));

      const [first] = subscribers;
      assert.ok(first);
      for (const one of subscribers) {
        assert.equal(one.events.length, 501);
        const burst = one.events.slice(0, 500);
        assert.ok(burst.every((event) => event.event === 'message.received'));
        assert.deepEqual(ids(one.events), consecutiveFrom(Number(one.events[0]?.id), 501));
        const messageIds = burst.map(
          (event) => (JSON.parse(event.data) as { message: { id: string } }).message.id,
        );
        assert.equal(new Set(messageIds).size, 500, 'no event repeated');
        assert.deepEqual(new Set(messageIds), new Set(delivered), 'every message announced');
        assert.deepEqual(one.events, first.events, 'every subscriber gets the same stream');
      }
    } finally {
      for (const one of subscribers) one.close();
    }
  });

  test('reconnecting with Last-Event-ID resumes right after that id, then continues live', async () => {
    const first = await subscriber(harness.url);
    for (let index = 0; index < 5; index += 1)
      harness.bus.publish('message.deleted', { ids: [`seen-${index}`] });
    await first.waitFor(5);
    const resumeAfter = Number(first.events[2]?.id);
    first.close();
    await first.ended;
    for (let index = 0; index < 3; index += 1)
      harness.bus.publish('message.deleted', { ids: [`missed-${index}`] });

    const second = await subscriber(harness.url, { 'last-event-id': String(resumeAfter) });
    try {
      for (let index = 0; index < 2; index += 1)
        harness.bus.publish('message.deleted', { ids: [`live-${index}`] });
      await second.waitFor(7);
      assert.deepEqual(ids(second.events), consecutiveFrom(resumeAfter + 1, 7));
      assert.deepEqual(
        second.events.map((event) => (JSON.parse(event.data) as { ids: string[] }).ids[0]),
        ['seen-3', 'seen-4', 'missed-0', 'missed-1', 'missed-2', 'live-0', 'live-1'],
      );
    } finally {
      second.close();
    }
  });

  test('the bench subscribers count every message.received event they are sent, exactly', async () => {
    const subscribers = await subscribe(harness.url, 3, 5_000);
    try {
      await Promise.all(
        Array.from({ length: 60 }, (_, index) =>
          harness.deliver({
            from: 'a@example.com',
            to: 'count@example.com',
            subject: `Count ${index}`,
            text: 'x',
          }),
        ),
      );
      // Other events in between must not be counted.
      harness.bus.publish('message.deleted', { ids: ['not-counted'] });
      const deadline = Date.now() + 10_000;
      while (subscribers.received() < 180 && Date.now() < deadline) await sleep(10);
      assert.equal(subscribers.received(), 180);
    } finally {
      subscribers.close();
    }
  });
});

describe('EventStreamHub batching', () => {
  test('events published in one turn leave in one batch, on the next turn after a quiet spell', async () => {
    const bus = new EventBus();
    const hub = new EventStreamHub(bus);
    const batches: StreamBatch[] = [];
    hub.attach((batch) => batches.push(batch));
    for (let index = 0; index < 500; index += 1) bus.publish('message.deleted', { ids: [`m${index}`] });
    assert.equal(batches.length, 0, 'nothing is written while the publisher runs');
    await nextTurn();
    assert.equal(batches.length, 1);
    const [batch] = batches;
    assert.ok(batch);
    assert.deepEqual(ids(batch.events), consecutiveFrom(1, 500));
    assert.equal(batch.wire.toString(), batch.events.map((event) => event.wire).join(''));
    assert.match(batch.wire.toString(), /^id: 1\nevent: message\.deleted\ndata: \{"ids":\["m0"\]\}\n\n/);
    hub.close();
  });

  test('under a steady stream, flushes are at least the flush interval apart and lose nothing', async () => {
    const bus = new EventBus();
    const hub = new EventStreamHub(bus);
    const batches: StreamBatch[] = [];
    hub.attach((batch) => batches.push(batch));
    const started = performance.now();
    let published = 0;
    while (performance.now() - started < 10 * FLUSH_INTERVAL_MS) {
      bus.publish('message.deleted', { ids: [`m${published}`] });
      published += 1;
      await sleep(2);
    }
    while (batches.reduce((sum, batch) => sum + batch.events.length, 0) < published) {
      await sleep(FLUSH_INTERVAL_MS);
    }
    const elapsed = performance.now() - started;
    assert.deepEqual(ids(batches.flatMap((batch) => batch.events)), consecutiveFrom(1, published));
    assert.ok(
      batches.length <= Math.floor(elapsed / FLUSH_INTERVAL_MS) + 1,
      `${batches.length} flushes in ${elapsed.toFixed(0)} ms`,
    );
    hub.close();
  });

  test('a listener attached while events are pending neither repeats nor misses any', () => {
    const bus = new EventBus();
    const hub = new EventStreamHub(bus);
    const early: number[] = [];
    const resumed: number[] = [];
    const late: number[] = [];
    hub.attach((batch) => early.push(...ids(batch.events)));
    bus.publish('message.deleted', { ids: ['a'] });
    bus.publish('message.deleted', { ids: ['b'] });
    hub.attach((batch) => resumed.push(...ids(batch.events)), 0);
    assert.deepEqual(early, [1, 2], 'the pending events went to the listeners that were there');
    assert.deepEqual(resumed, [1, 2], 'replayed once, not again with the pending batch');
    bus.publish('message.deleted', { ids: ['c'] });
    hub.attach((batch) => late.push(...ids(batch.events)));
    bus.publish('message.deleted', { ids: ['d'] });
    hub.flush();
    assert.deepEqual(early, [1, 2, 3, 4]);
    assert.deepEqual(resumed, [1, 2, 3, 4]);
    assert.deepEqual(late, [4], 'without Last-Event-ID, only what is published after attaching');
    hub.close();
  });
});

describe('event stream backpressure and shutdown', () => {
  test('a subscriber that stops reading is disconnected with a bounded backlog; others keep up', async () => {
    const harness = await startApiHarness();
    const responses: ServerResponse[] = [];
    harness.app.server.on('request', (request, response: ServerResponse) => {
      if (request.url === '/api/v1/events') responses.push(response);
    });
    const fast = await subscriber(harness.url);
    const slow = net.connect((harness.app.server.address() as AddressInfo).port, '127.0.0.1');
    slow.on('error', () => undefined);
    try {
      await once(slow, 'connect');
      slow.pause();
      slow.write('GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      while (responses.length < 2) await once(harness.app.server, 'request');
      const stalled = responses[1];
      assert.ok(stalled);
      let disconnected = false;
      stalled.once('close', () => {
        disconnected = true;
      });

      const payload = 'x'.repeat(256 * 1024);
      let published = 0;
      // 400 events of 256 KiB are 100 MiB: far more than the limit plus any socket buffers.
      while (!disconnected && published < 400) {
        harness.bus.publish('message.deleted', { ids: [`${published}-${payload}`] });
        published += 1;
        await fast.waitFor(published);
        if (!stalled.destroyed) {
          assert.ok(stalled.writableLength <= MAX_BACKLOG_BYTES + payload.length + 1024);
        }
        await nextTurn();
      }
      assert.ok(disconnected, `still connected after ${published} events`);

      harness.bus.publish('message.deleted', { ids: ['after'] });
      await fast.waitFor(published + 1);
      assert.deepEqual(ids(fast.events), consecutiveFrom(1, published + 1));

      let received = 0;
      slow.on('data', (chunk: Buffer) => {
        received += chunk.length;
      });
      slow.resume();
      await once(slow, 'close');
      assert.ok(received < published * payload.length, 'the stalled client was cut off');
    } finally {
      slow.destroy();
      fast.close();
      await harness.close();
    }
  });

  test('closing the app sends the events already published before ending the streams', async () => {
    const harness = await startApiHarness();
    const stream = await subscriber(harness.url);
    harness.bus.publish('message.deleted', { ids: ['first'] });
    await stream.waitFor(1);
    // Right after a flush, the next event waits for the flush interval: it is pending at close.
    harness.bus.publish('message.deleted', { ids: ['last'] });
    await harness.close();
    await stream.ended;
    assert.deepEqual(
      stream.events.map((event) => event.data),
      ['{"ids":["first"]}', '{"ids":["last"]}'],
    );
  });
});

describe('bench subscriber event counting', () => {
  test('counts message.received events exactly wherever the stream is split into chunks', () => {
    const event = (id: number, name: string) => `id: ${id}\nevent: ${name}\ndata: {"n":${id}}\n\n`;
    const stream = Buffer.from(
      `retry: 2000\n: connected\n\n${event(1, 'message.received')}${event(2, 'message.deleted')}: heartbeat\n\n${event(3, 'message.received')}${event(4, 'session.closed')}${event(5, 'message.received')}`,
    );
    for (let size = 1; size <= stream.length; size += 1) {
      const count = eventLineCounter();
      let total = 0;
      for (let at = 0; at < stream.length; at += size) total += count(stream.subarray(at, at + size));
      assert.equal(total, 3, `chunks of ${size} bytes`);
    }
  });
});
