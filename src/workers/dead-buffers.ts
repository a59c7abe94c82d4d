/**
 * Frees dead message buffers promptly. A message's bytes arrive in socket chunks, are joined, and
 * cross to the writer thread; once it is stored they are all garbage. But V8 frees a buffer's
 * memory only when a collection finds its small JavaScript object dead, and it schedules
 * collections by JavaScript allocation, which large messages barely cause: three 10 MiB messages in
 * a row left about 40 MiB of dead buffers in RSS. So each thread counts the message bytes it lets
 * go of and, every COLLECT_EVERY_BYTES of them, asks for a minor collection. That is a scavenge of
 * the young generation, where these buffers' objects are: it visits only live objects and takes
 * about a millisecond.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** At 1 KiB per message that is one scavenge per 8,000 messages; a 10 MiB message gets its own. */
export const COLLECT_EVERY_BYTES = 8 * 1024 * 1024;

type Collect = (options: { type: 'minor' | 'major' }) => void;

let collect: Collect | null = null;
let released = 0;
let scheduled = false;

/** Call once message bytes of `bytes` are no longer referenced by this thread. */
export function releasedMessageBytes(bytes: number): void {
  released += bytes;
  if (released < COLLECT_EVERY_BYTES || scheduled) return;
  scheduled = true;
  // After the current turn, so that the caller's last references are gone too.
  setImmediate(() => {
    scheduled = false;
    released = 0;
    collect ??= exposeCollector();
    collect({ type: 'minor' });
  });
}

/**
 * V8's own `gc()`, which it gives only to contexts created with --expose-gc: the flag is set here,
 * at run time, so that `mailport` needs no special Node.js command line.
 */
function exposeCollector(): Collect {
  const existing = (globalThis as { gc?: Collect }).gc;
  if (existing) return existing;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as Collect;
}
