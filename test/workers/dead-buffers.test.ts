import assert from 'node:assert/strict';
import { it } from 'node:test';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { runInNewContext } from 'node:vm';
import {
  COLLECT_EVERY_BYTES,
  enableDeadBufferCollection,
  releasedMessageBytes,
} from '../../src/workers/dead-buffers.js';

const MIB = 1024 * 1024;

const liveBufferBytes = (): number => process.memoryUsage().arrayBuffers;

/** V8 frees the memory of collected buffers on a background thread, just after the collection. */
async function freedWithin(ms: number, freed: () => boolean): Promise<boolean> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; await sleep(5)) if (freed()) return true;
  return freed();
}

/** Buffers of their own memory, as a large message's socket chunks are, dropped at once. */
function dropBuffers(bytes: number): void {
  const chunks: Buffer[] = [];
  for (let total = 0; total < bytes; total += 64 * 1024) chunks.push(Buffer.allocUnsafeSlow(64 * 1024));
  assert.equal(chunks.length, bytes / (64 * 1024));
}

// In this order: the first test needs a process whose flags nothing has changed yet.
it('leaves the V8 flags of a process that embeds Mailport as they are', async () => {
  releasedMessageBytes(2 * COLLECT_EVERY_BYTES);
  await nextTurn();
  assert.equal(runInNewContext('typeof gc'), 'undefined');
});

it('frees dropped message buffers once COLLECT_EVERY_BYTES of them are released', async () => {
  enableDeadBufferCollection();
  // Below V8's own external-memory trigger (64 MiB), so only the collector can free them this soon.
  const garbage = 3 * COLLECT_EVERY_BYTES;
  const before = liveBufferBytes();
  dropBuffers(garbage);
  await nextTurn();
  assert.ok(liveBufferBytes() - before > garbage - MIB, 'V8 has not freed the buffers by itself');

  releasedMessageBytes(COLLECT_EVERY_BYTES - 1);
  await nextTurn();
  const freed = () => liveBufferBytes() - before < MIB;
  assert.equal(await freedWithin(200, freed), false, 'nothing is collected below the threshold');

  releasedMessageBytes(1);
  assert.equal(await freedWithin(500, freed), true, 'the released buffers were freed');
});
