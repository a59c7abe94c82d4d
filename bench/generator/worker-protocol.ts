/**
 * Messages between the load generator (main thread) and its worker threads, one worker per core.
 * A run is: `prepare` (reused connections are opened and authenticated) -> `ready` -> `go` ->
 * `done`. Every worker claims messages from one shared counter, so the message budget is exact.
 */
import { performance } from 'node:perf_hooks';
import type { MessageSize } from '../messages.js';
import type { SmtpTarget } from './load-connection.js';

export interface WorkerJob {
  target: SmtpTarget;
  size: MessageSize;
  /** Connections this worker drives. */
  connections: number;
  /** true: each connection sends many messages; false: one message per connection. */
  reuse: boolean;
  /** Int32Array[0] over this buffer counts messages claimed by all workers. */
  claimed: SharedArrayBuffer;
  maxMessages: number;
  /** Messages per second per connection, or null to send as fast as replies come back. */
  ratePerConnection: number | null;
  replyTimeoutMs: number;
}

export type ToWorker = { type: 'prepare'; job: WorkerJob } | { type: 'go'; deadline: number };

export interface WorkerResult {
  /** Pairs of (completion time as epoch ms, latency ms) for every accepted message. */
  samples: Float64Array;
  /** Milliseconds from connect to ready-for-MAIL (TCP, TLS, EHLO, AUTH) per connection opened. */
  setups: Float64Array;
  errors: number;
  firstError: string | null;
}

export type FromWorker = { type: 'ready' } | { type: 'done'; result: WorkerResult };

/** Wall clock in epoch ms, comparable across threads (each has its own `performance.timeOrigin`). */
export function wallClock(): number {
  return performance.timeOrigin + performance.now();
}
