/**
 * The load generator: a pool of worker threads (one per core) that share each run's connections.
 * The main thread only coordinates, so its timers mark the measurement window precisely: a warm-up
 * (not counted), then the window, which ends at the deadline or when the budget is used up.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { benchMessage, type MessageSize } from '../messages.js';
import type { SmtpTarget } from './load-connection.js';
import { type FromWorker, type ToWorker, type WorkerResult, wallClock } from './worker-protocol.js';

export interface LoadSpec {
  target: SmtpTarget;
  size: MessageSize;
  connections: number;
  reuse: boolean;
  /** Messages sent at most, warm-up included. */
  maxMessages: number;
  warmupMs: number;
  /** Length of the measured window after the warm-up. */
  durationMs: number;
  /** Total messages per second to pace at, or null for as fast as possible. */
  ratePerSecond: number | null;
  replyTimeoutMs: number;
}

/** Called at the edges of the measured window, e.g. to read the peer's CPU time. */
export interface WindowObserver {
  windowStart(): void;
  windowEnd(): void;
}

export interface LoadResult {
  /** Messages accepted (250 after DATA) inside the window. */
  messages: number;
  /** Messages accepted over the whole run, warm-up and stragglers included. */
  totalAccepted: number;
  windowMs: number;
  messagesPerSecond: number;
  mibPerSecond: number;
  p50Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  /** Median connect-to-ready time (TCP, TLS, EHLO, AUTH) over the connections opened. */
  setupP50Ms: number | null;
  connectionsOpened: number;
  errors: number;
  firstError: string | null;
  /** CPU the generator process (all threads) used in the window, in % of one core. */
  generatorCpuPercent: number;
}

export function percentile(sorted: Float64Array, fraction: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? null;
}

/** Runs from source through tsx (`.ts`) or compiled by tsc (`.js`). */
function startWorker(): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./load-worker.js', import.meta.url));
  // Node 20 does not hand tsx's loader hooks on to worker threads: register them inside the worker.
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const worker = JSON.stringify(new URL('./load-worker.ts', import.meta.url).href);
  return new Worker(`import(${tsx}).then(({ register }) => { register(); return import(${worker}); });`, {
    eval: true,
  });
}

class GeneratorThread {
  readonly #worker = startWorker();
  #waiting: ((message: FromWorker) => void) | null = null;
  /** A thread that missed an answer may still send it later: it is never asked again. */
  broken = false;

  constructor() {
    this.#worker.on('message', (message: FromWorker) => {
      const waiting = this.#waiting;
      this.#waiting = null;
      waiting?.(message);
    });
    this.#worker.on('error', (error) => {
      process.stderr.write(`bench: a load generator thread failed: ${error.stack ?? error.message}\n`);
    });
  }

  request(message: ToWorker, timeoutMs: number): Promise<FromWorker> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting = null;
        this.broken = true;
        void this.#worker.terminate();
        reject(new Error(`a generator thread did not answer "${message.type}" within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiting = (answer) => {
        clearTimeout(timer);
        resolve(answer);
      };
      this.#worker.postMessage(message);
    });
  }

  terminate(): Promise<number> {
    return this.#worker.terminate();
  }
}

export class LoadGenerator {
  readonly #threads: GeneratorThread[] = [];
  readonly threadCount: number;

  constructor(threadCount = availableParallelism()) {
    this.threadCount = threadCount;
  }

  async run(spec: LoadSpec, observer?: WindowObserver): Promise<LoadResult> {
    const threads = this.#threadsFor(spec.connections);
    const claimed = new SharedArrayBuffer(4);
    const ratePerConnection = spec.ratePerSecond ? spec.ratePerSecond / spec.connections : null;
    const setupBudgetMs = spec.replyTimeoutMs * 4;
    await Promise.all(
      threads.map((thread, index) =>
        thread.request(
          {
            type: 'prepare',
            job: {
              target: spec.target,
              size: spec.size,
              connections: share(spec.connections, threads.length, index),
              reuse: spec.reuse,
              claimed,
              maxMessages: spec.maxMessages,
              ratePerConnection,
              replyTimeoutMs: spec.replyTimeoutMs,
            },
          },
          setupBudgetMs,
        ),
      ),
    );

    const go = wallClock();
    const windowStart = go + spec.warmupMs;
    const deadline = windowStart + spec.durationMs;
    const cpuAtStart = { value: process.cpuUsage() };
    const startTimer = setTimeout(() => {
      cpuAtStart.value = process.cpuUsage();
      observer?.windowStart();
    }, spec.warmupMs);
    let windowEndedAt: number | null = null;
    let cpuUsed = { user: 0, system: 0 };
    const endWindow = (): void => {
      if (windowEndedAt !== null) return;
      windowEndedAt = wallClock();
      cpuUsed = process.cpuUsage(cpuAtStart.value);
      observer?.windowEnd();
    };
    const endTimer = setTimeout(endWindow, deadline - wallClock());
    let results: WorkerResult[];
    try {
      const dones = await Promise.all(
        threads.map((thread) => thread.request({ type: 'go', deadline }, deadline - go + setupBudgetMs)),
      );
      results = dones.map((done) => {
        if (done.type !== 'done') throw new Error(`a generator thread answered "${done.type}" to "go"`);
        return done.result;
      });
    } finally {
      clearTimeout(startTimer);
      endWindow();
      clearTimeout(endTimer);
    }
    return summarize(spec, windowStart, Math.min(deadline, windowEndedAt ?? deadline), cpuUsed, results);
  }

  async close(): Promise<void> {
    await Promise.all(this.#threads.map((thread) => thread.terminate()));
    this.#threads.length = 0;
  }

  #threadsFor(connections: number): GeneratorThread[] {
    const wanted = Math.max(1, Math.min(this.threadCount, connections));
    for (let i = this.#threads.length - 1; i >= 0; i--)
      if (this.#threads[i]?.broken) this.#threads.splice(i, 1);
    while (this.#threads.length < wanted) this.#threads.push(new GeneratorThread());
    return this.#threads.slice(0, wanted);
  }
}

/** Connections handed to thread `index` of `threads` (as even as possible). */
function share(total: number, threads: number, index: number): number {
  return Math.floor(total / threads) + (index < total % threads ? 1 : 0);
}

function summarize(
  spec: LoadSpec,
  windowStart: number,
  windowEnd: number,
  cpuUsed: NodeJS.CpuUsage,
  results: WorkerResult[],
): LoadResult {
  const latencies: number[] = [];
  let lastCompletion = windowStart;
  for (const { samples } of results) {
    for (let i = 0; i < samples.length; i += 2) {
      const completedAt = samples[i] ?? 0;
      if (completedAt < windowStart || completedAt > windowEnd) continue;
      latencies.push(samples[i + 1] ?? 0);
      if (completedAt > lastCompletion) lastCompletion = completedAt;
    }
  }
  // A window cut short by the message budget ends with its last accepted message.
  const end = Math.min(windowEnd, latencies.length > 0 ? lastCompletion : windowEnd);
  const windowMs = Math.max(end - windowStart, 1);
  const sorted = Float64Array.from(latencies).sort();
  const setups = Float64Array.from(results.flatMap(({ setups }) => [...setups])).sort();
  const bytes = benchMessage(spec.size).bytes;
  return {
    messages: sorted.length,
    totalAccepted: results.reduce((sum, result) => sum + result.samples.length / 2, 0),
    windowMs,
    messagesPerSecond: (sorted.length * 1000) / windowMs,
    mibPerSecond: (sorted.length * bytes * 1000) / windowMs / (1024 * 1024),
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    maxMs: sorted.length > 0 ? (sorted[sorted.length - 1] ?? null) : null,
    setupP50Ms: percentile(setups, 0.5),
    connectionsOpened: setups.length,
    // Each thread's count includes the connections it failed to open while preparing.
    errors: results.reduce((sum, result) => sum + result.errors, 0),
    firstError: results.find((result) => result.firstError)?.firstError ?? null,
    generatorCpuPercent: ((cpuUsed.user + cpuUsed.system) / 1000 / windowMs) * 100,
  };
}
