/**
 * Worker thread of the load generator: drives its share of the connections of one run and reports
 * raw samples back. Every loop stops at the shared message budget or the deadline, whichever
 * comes first; a connection that fails stops (reused) or is retried a bounded number of times.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parentPort } from 'node:worker_threads';
import { benchMessage } from '../messages.js';
import { LoadConnection } from './load-connection.js';
import { type FromWorker, type ToWorker, type WorkerJob, wallClock } from './worker-protocol.js';

/** A one-message-per-connection loop gives up after this many failures in a row. */
const MAX_CONSECUTIVE_FAILURES = 3;

class GrowableSamples {
  #data = new Float64Array(4096);
  #length = 0;

  add(value: number): void {
    if (this.#length === this.#data.length) {
      const bigger = new Float64Array(this.#data.length * 2);
      bigger.set(this.#data);
      this.#data = bigger;
    }
    this.#data[this.#length++] = value;
  }

  take(): Float64Array {
    return this.#data.slice(0, this.#length);
  }
}

class WorkerRun {
  readonly samples = new GrowableSamples();
  readonly setups = new GrowableSamples();
  readonly #connections: LoadConnection[] = [];
  readonly #message;
  readonly #counter: Int32Array;
  errors = 0;
  firstError: string | null = null;

  constructor(readonly job: WorkerJob) {
    this.#message = benchMessage(job.size);
    this.#counter = new Int32Array(job.claimed);
  }

  async prepare(): Promise<void> {
    if (!this.job.reuse) return;
    const opened = await Promise.allSettled(Array.from({ length: this.job.connections }, () => this.#open()));
    for (const outcome of opened) {
      if (outcome.status === 'fulfilled') this.#connections.push(outcome.value);
      else this.#fail(outcome.reason);
    }
  }

  async run(deadline: number): Promise<void> {
    const loops = this.job.reuse
      ? this.#connections.map((connection) => this.#reusedLoop(connection, deadline))
      : Array.from({ length: this.job.connections }, () => this.#perConnectionLoop(deadline));
    await Promise.all(loops);
  }

  #claim(deadline: number): boolean {
    return wallClock() < deadline && Atomics.add(this.#counter, 0, 1) < this.job.maxMessages;
  }

  async #open(): Promise<LoadConnection> {
    const started = performance.now();
    const connection = await LoadConnection.open(this.job.target, this.job.replyTimeoutMs);
    this.setups.add(performance.now() - started);
    return connection;
  }

  async #reusedLoop(connection: LoadConnection, deadline: number): Promise<void> {
    const interval = this.job.ratePerConnection ? 1000 / this.job.ratePerConnection : 0;
    // Spread paced connections over one interval so they do not fire in lockstep.
    let due = wallClock() + Math.random() * interval;
    while (this.#claim(deadline)) {
      if (interval > 0) {
        const wait = due - wallClock();
        if (wait > 0) await sleep(wait);
        due += interval;
      }
      try {
        const latency = await connection.send(this.#message);
        this.#record(latency);
      } catch (error) {
        this.#fail(error);
        connection.destroy();
        return;
      }
    }
    await connection.quit();
  }

  async #perConnectionLoop(deadline: number): Promise<void> {
    let failures = 0;
    while (failures < MAX_CONSECUTIVE_FAILURES && this.#claim(deadline)) {
      let connection: LoadConnection | null = null;
      try {
        connection = await this.#open();
        const latency = await connection.send(this.#message);
        this.#record(latency);
        await connection.quit();
        failures = 0;
      } catch (error) {
        failures++;
        this.#fail(error);
        connection?.destroy();
      }
    }
  }

  #record(latency: number): void {
    this.samples.add(wallClock());
    this.samples.add(latency);
  }

  #fail(error: unknown): void {
    this.errors++;
    this.firstError ??= error instanceof Error ? error.message : String(error);
  }
}

const port = parentPort;
if (!port) throw new Error('load-worker.ts runs only as a worker thread of the load generator.');
const post = (message: FromWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer);

let current: WorkerRun | null = null;
port.on('message', (message: ToWorker) => {
  if (message.type === 'prepare') {
    const run = new WorkerRun(message.job);
    current = run;
    void run.prepare().then(() => post({ type: 'ready' }));
    return;
  }
  const run = current;
  if (!run) return;
  void run.run(message.deadline).then(() => {
    const samples = run.samples.take();
    const setups = run.setups.take();
    current = null;
    post({ type: 'done', result: { samples, setups, errors: run.errors, firstError: run.firstError } }, [
      samples.buffer as ArrayBuffer,
      setups.buffer as ArrayBuffer,
    ]);
  });
});
