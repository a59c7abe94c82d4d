/**
 * MessageBody: small messages as joined views, large ones copied into one resizable buffer that
 * is exactly their size when taken, and gives its memory back when dropped.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { LARGE_BODY_OCTETS, MessageBody } from '../../src/protocol/message-body.js';

const MIB = 1024 * 1024;

/** `total` random octets in pieces of 1 to `maxPiece` octets. */
function pieces(total: number, maxPiece: number): Buffer[] {
  const bytes = randomBytes(total);
  const out: Buffer[] = [];
  for (let at = 0; at < total; ) {
    const size = Math.min(total - at, 1 + Math.floor(Math.random() * maxPiece));
    out.push(bytes.subarray(at, at + size));
    at += size;
  }
  return out;
}

function rssMiB(): number {
  return process.memoryUsage().rss / MIB;
}

describe('MessageBody', () => {
  it('joins a small body from its views', () => {
    const body = new MessageBody(25 * MIB);
    const input = pieces(200_000, 9000);
    for (const piece of input) body.append(piece);
    const taken = body.take();
    assert.deepEqual(taken, Buffer.concat(input));
    assert.equal((taken.buffer as ArrayBuffer & { resizable: boolean }).resizable, false);
  });

  it('keeps a large body byte for byte across the switch to one buffer, which it hands over whole', () => {
    const body = new MessageBody(25 * MIB);
    // Pieces as large as a TLS record or a socket read, so one of them straddles the switch.
    const input = pieces(3 * MIB + 12_345, 70_000);
    for (const piece of input) body.append(piece);
    const taken = body.take();
    assert.deepEqual(taken, Buffer.concat(input));
    // Nothing else in its buffer: it can be transferred to the writer thread as it is.
    assert.equal(taken.byteOffset, 0);
    assert.equal(taken.buffer.byteLength, taken.length);
    assert.equal((taken.buffer as ArrayBuffer & { resizable: boolean }).resizable, true);
  });

  it('is empty after take() and collects the next message on its own', () => {
    const body = new MessageBody(25 * MIB);
    body.append(Buffer.alloc(LARGE_BODY_OCTETS + 1, 1));
    assert.equal(body.take().length, LARGE_BODY_OCTETS + 1);
    body.append(Buffer.from('second'));
    assert.equal(body.take().toString(), 'second');
    assert.equal(body.take().length, 0);
  });

  it('holds a body of exactly its limit', () => {
    const limit = 2 * MIB + 7;
    const body = new MessageBody(limit);
    const input = pieces(limit, 100_000);
    for (const piece of input) body.append(piece);
    assert.deepEqual(body.take(), Buffer.concat(input));
  });

  it('gives a dropped large body its memory back at once, without a collection', () => {
    const size = 64 * MIB;
    const body = new MessageBody(size);
    const chunk = Buffer.alloc(MIB, 0x61);
    for (let at = 0; at < size; at += MIB) body.append(chunk);
    const full = rssMiB();
    body.clear();
    const cleared = rssMiB();
    assert.ok(full - cleared > 48, `clear() gave back ${(full - cleared).toFixed(1)} MiB of 64`);
  });
});
