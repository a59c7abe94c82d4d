import assert from 'node:assert/strict';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { runInNewContext } from 'node:vm';
import {
  COLLECT_EVERY_BYTES,
  discardMessageBytes,
  enableDeadBufferCollection,
  releasedMessageBytes,
  resizableBuffer,
} from '../../src/workers/dead-buffers.js';

const MIB = 1024 * 1024;

/**
 * Collections that someone asked V8 for (its `gc()`), by kind. V8 marks them forced, so its own
 * collections, which it runs whenever it likes, never count.
 */
function forcedCollections(): { kinds: number[]; stop: () => void } {
  const kinds: number[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const { detail } = entry as unknown as { detail: { kind: number; flags: number } };
      if (detail.flags & constants.NODE_PERFORMANCE_GC_FLAGS_FORCED) kinds.push(detail.kind);
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return { kinds, stop: () => observer.disconnect() };
}

/** Polls until `done` or `ms` have passed; GC entries and freed memory are reported a little later. */
async function within(ms: number, done: () => boolean): Promise<boolean> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; await sleep(5)) if (done()) return true;
  return done();
}

/** Buffers of their own memory, as a large message's socket chunks are, dropped at once. */
function dropBuffers(bytes: number): void {
  const chunks: Buffer[] = [];
  for (let total = 0; total < bytes; total += 64 * 1024) chunks.push(Buffer.allocUnsafeSlow(64 * 1024));
  assert.equal(chunks.length, bytes / (64 * 1024));
}

// In this order: the first test needs a process whose flags nothing has changed yet.
it('leaves the V8 flags of a process that embeds Mailport as they are', async () => {
  const collections = forcedCollections();
  try {
    releasedMessageBytes(2 * COLLECT_EVERY_BYTES);
    assert.equal(await within(100, () => collections.kinds.length > 0), false);
    assert.equal(runInNewContext('typeof gc'), 'undefined');
  } finally {
    collections.stop();
  }
});

it('asks for one minor collection per COLLECT_EVERY_BYTES released, which frees the dropped buffers', async () => {
  enableDeadBufferCollection();
  const collections = forcedCollections();
  try {
    const before = process.memoryUsage().arrayBuffers;
    dropBuffers(3 * COLLECT_EVERY_BYTES);

    releasedMessageBytes(COLLECT_EVERY_BYTES - 1);
    assert.equal(await within(100, () => collections.kinds.length > 0), false, 'none below the threshold');

    releasedMessageBytes(1);
    assert.equal(await within(2_000, () => collections.kinds.length > 0), true, 'one at the threshold');
    assert.deepEqual(collections.kinds, [constants.NODE_PERFORMANCE_GC_MINOR]);
    const freed = await within(2_000, () => process.memoryUsage().arrayBuffers - before < MIB);
    assert.equal(freed, true, 'the dropped buffers were freed');
  } finally {
    collections.stop();
  }
});

it('discardMessageBytes empties a resizable buffer at once, still referenced or not, and leaves others alone', () => {
  const buffer = resizableBuffer(4 * MIB);
  buffer.resize(3 * MIB);
  const message = Buffer.from(buffer, 0, 3 * MIB).fill(0x61);
  discardMessageBytes(message);
  assert.equal(buffer.byteLength, 0);
  assert.equal(message.length, 0, 'a view of it reads nothing, rather than freed memory');

  const ordinary = Buffer.alloc(1024, 0x62);
  discardMessageBytes(ordinary);
  assert.equal(ordinary.length, 1024);
  assert.equal(ordinary[0], 0x62);
});
