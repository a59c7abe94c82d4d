/**
 * Frees dead message buffers promptly. A message's bytes arrive in socket chunks, are joined, and
 * cross to the writer thread; once it is stored they are all garbage. But V8 frees a buffer's
 * memory only when a collection finds its small JavaScript object dead, and it schedules
 * collections by JavaScript allocation, which large messages barely cause: three 10 MiB messages in
 * a row left about 40 MiB of dead buffers in RSS. So each thread counts the message bytes it lets
 * go of and, every COLLECT_EVERY_BYTES of them, asks for a minor collection. That is a scavenge of
 * the young generation, where these buffers' objects are: it visits only live objects and takes
 * about a millisecond.
 *
 * A large message is not left to collections: its bytes are in a resizable buffer
 * (resizableBuffer, src/protocol/message-body.ts), which discardMessageBytes shrinks to nothing
 * once it is stored, giving its pages back at once. Left to collections, one in three 10 MiB
 * messages was still held when the next arrived (a collection right after its commit sometimes
 * still found it referenced), which put two of them in memory at once.
 *
 * Collections need V8's `gc()`, which only exists with --expose-gc. `mailport serve` turns that on
 * (enableDeadBufferCollection); a process that embeds Mailport (the testing kit) keeps its V8 flags
 * as they are, and there, unless it runs with --expose-gc itself, this does nothing.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** At 1 KiB per message that is one scavenge per 8,000 messages; a 10 MiB message gets its own. */
export const COLLECT_EVERY_BYTES = 8 * 1024 * 1024;

/**
 * ES2024's resizable ArrayBuffer, which Node 20's V8 has. TypeScript's ES2024 lib would also
 * promise ArrayBuffer.prototype.transfer, which Node 20 lacks, so only this much is declared.
 */
export interface ResizableArrayBuffer extends ArrayBuffer {
  readonly resizable: boolean;
  resize(byteLength: number): void;
}

/**
 * A buffer for a large message, empty, able to grow to `maxByteLength` in place. V8 reserves the
 * address space at once and commits it as the buffer grows; `discardMessageBytes` decommits it.
 */
export function resizableBuffer(maxByteLength: number): ResizableArrayBuffer {
  const Resizable = ArrayBuffer as unknown as new (
    byteLength: number,
    options: { maxByteLength: number },
  ) => ResizableArrayBuffer;
  return new Resizable(0, { maxByteLength });
}

type Collect = (options: { type: 'minor' | 'major' }) => void;

/** Undefined until first needed; null when this process has no `gc()`. */
let collect: Collect | null | undefined;
let released = 0;
let scheduled = false;

/**
 * Lets every thread of this process ask for collections, from now on: the flag is process-wide,
 * and V8 gives `gc()` to each context created after it is set.
 */
export function enableDeadBufferCollection(): void {
  setFlagsFromString('--expose-gc');
  if (collect === null) collect = undefined;
}

/**
 * Call once this thread no longer needs a message's bytes. A large message's buffer is resizable
 * (src/protocol/message-body.ts): shrunk to nothing, it gives its memory back at once, whatever
 * still refers to it and whenever V8 collects it. Other bytes count toward the next collection.
 */
export function discardMessageBytes(bytes: Uint8Array): void {
  const size = bytes.byteLength;
  const { buffer } = bytes;
  if (isResizable(buffer)) buffer.resize(0);
  releasedMessageBytes(size);
}

/** Call once message bytes of `bytes` are no longer referenced by this thread. */
export function releasedMessageBytes(bytes: number): void {
  released += bytes;
  if (released < COLLECT_EVERY_BYTES || scheduled) return;
  released = 0;
  collect ??= collector();
  if (collect === null) return;
  const minor = collect;
  scheduled = true;
  // After the current turn, so that the caller's last references are gone too.
  setImmediate(() => {
    scheduled = false;
    minor({ type: 'minor' });
  });
}

/** This context's `gc()`, or a new context's when --expose-gc was set after this one was created. */
function collector(): Collect | null {
  const own = (globalThis as { gc?: Collect }).gc;
  if (typeof own === 'function') return own;
  return runInNewContext('typeof gc === "function" ? gc : null') as Collect | null;
}

function isResizable(buffer: ArrayBufferLike): buffer is ResizableArrayBuffer {
  return buffer instanceof ArrayBuffer && (buffer as ResizableArrayBuffer).resizable;
}
