/** Message and session ids: UUIDv7 layout (RFC 9562 §5.7), time order as plain strings, random tails. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newId } from '../../src/domain/ids.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The 48-bit millisecond time at the front of an id. */
function millisOf(id: string): number {
  return Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}

/** The last two groups: the variant bits, then 62 random bits. */
function randomTail(id: string): string {
  return id.slice(19);
}

describe('newId', () => {
  it('is a UUIDv7 carrying the given millisecond time', () => {
    const now = Date.UTC(2030, 0, 2, 3, 4, 5, 678);
    const id = newId(now);
    assert.match(id, UUID_V7);
    assert.equal(millisOf(id), now);
  });

  it('sorts as plain strings in the order ids were made, within one millisecond and past a counter wrap', () => {
    // 5,000 ids in one millisecond: more than the 12-bit counter holds, so time must move on.
    const now = Date.UTC(2031, 5, 6);
    const ids = Array.from({ length: 5000 }, () => newId(now));
    for (const id of ids) assert.match(id, UUID_V7);
    assert.deepEqual([...ids].sort(), ids);
    assert.equal(new Set(ids).size, ids.length);
    assert.equal(millisOf(ids[0] ?? ''), now);
    assert.equal(millisOf(ids.at(-1) ?? ''), now + 1, 'the counter wrapped once');
  });

  it('stays ordered when the clock steps back', () => {
    const now = Date.UTC(2032, 1, 1);
    const first = newId(now);
    const second = newId(now - 5000);
    assert.ok(second > first, `${second} after ${first}`);
  });

  it('never repeats random bits, across many refills of the random pool', () => {
    // 20,000 ids draw 160,000 random bytes: dozens of pool refills.
    const tails = Array.from({ length: 20_000 }, () => randomTail(newId()));
    assert.equal(new Set(tails).size, tails.length);
    // The variant digit keeps its two random bits; every other digit takes all 16 values.
    assert.deepEqual(new Set(tails.map((tail) => tail[0])), new Set(['8', '9', 'a', 'b']));
    for (let position = 1; position < (tails[0]?.length ?? 0); position += 1) {
      if (position === 4) continue; // the dash between the two groups
      const digits = new Set(tails.map((tail) => tail[position]));
      assert.equal(digits.size, 16, `digit ${position} of the tail`);
    }
  });
});
