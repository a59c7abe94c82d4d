import { randomFillSync } from 'node:crypto';

let lastMillis = 0;
let sequence = 0;

/** Random bits are drawn a block at a time: one CSPRNG call per 512 ids instead of one per id. */
const RANDOM_POOL = Buffer.allocUnsafeSlow(4096);
/** Bytes 8-15 of an id; the first six bytes are the time, the next two version and counter. */
const RANDOM_BYTES_PER_ID = 8;
let poolOffset = RANDOM_POOL.length;
const idBytes = Buffer.allocUnsafeSlow(16);

/**
 * A UUIDv7-style id (RFC 9562): 48-bit millisecond time, then a counter and random bits, so ids
 * sort by arrival time as plain strings — which is what cursor paging relies on.
 */
export function newId(now: number = Date.now()): string {
  if (now <= lastMillis) {
    sequence = (sequence + 1) & 0xfff;
    if (sequence === 0) lastMillis += 1;
    now = lastMillis;
  } else {
    lastMillis = now;
    sequence = 0;
  }
  if (poolOffset + RANDOM_BYTES_PER_ID > RANDOM_POOL.length) {
    randomFillSync(RANDOM_POOL);
    poolOffset = 0;
  }
  const bytes = idBytes;
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = 0x70 | (sequence >> 8);
  bytes[7] = sequence & 0xff;
  RANDOM_POOL.copy(bytes, 8, poolOffset, poolOffset + RANDOM_BYTES_PER_ID);
  poolOffset += RANDOM_BYTES_PER_ID;
  bytes[8] = 0x80 | ((bytes[8] ?? 0) & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
