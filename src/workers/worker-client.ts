/**
 * Request/reply over a worker thread: every request carries an id, the worker answers
 * `{ id, result }` or `{ id, error }` (see `serveRequests`). When the worker dies, every request in
 * flight is rejected, so no caller waits forever.
 */
import { parentPort, type TransferListItem, type Worker } from 'node:worker_threads';

interface Reply {
  id: number;
  result?: unknown;
  error?: string;
}

interface Pending {
  resolve: (result: unknown) => void;
  reject: (error: Error) => void;
}

export class WorkerStoppedError extends Error {
  override readonly name = 'WorkerStoppedError';
}

export class WorkerClient {
  readonly worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #nextId = 0;
  #stopped: Error | null = null;
  /** Set once the worker has answered a request: it started fine. */
  answered = false;

  constructor(worker: Worker, onFailure: (error: Error) => void = () => {}) {
    this.worker = worker;
    worker.on('message', (reply: Reply) => {
      this.answered = true;
      const pending = this.#pending.get(reply.id);
      if (!pending) return;
      this.#pending.delete(reply.id);
      if (reply.error === undefined) pending.resolve(reply.result);
      else pending.reject(new Error(reply.error));
    });
    worker.on('error', (error) => {
      this.#stop(error);
      onFailure(error);
    });
    worker.on('exit', (code) => this.#stop(new WorkerStoppedError(`worker thread exited with code ${code}`)));
  }

  get inFlight(): number {
    return this.#pending.size;
  }

  get stopped(): boolean {
    return this.#stopped !== null;
  }

  /** `transfer`: objects moved to the worker rather than copied (e.g. message ports). */
  call<T>(request: object, transfer: readonly TransferListItem[] = []): Promise<T> {
    if (this.#stopped) return Promise.reject(this.#stopped);
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (result: unknown) => void, reject });
      this.worker.postMessage({ ...request, id }, transfer);
    });
  }

  #stop(error: Error): void {
    this.#stopped ??= error;
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
  }
}

/** Worker side: answers each request with what `handle` returns (or throws). */
export function serveRequests<Request extends { id: number }>(handle: (request: Request) => unknown): void {
  const port = parentPort;
  if (!port) throw new Error('This module must run as a worker thread.');
  port.on('message', (request: Request) => {
    Promise.resolve()
      .then(() => handle(request))
      .then(
        (result) => port.postMessage({ id: request.id, result }),
        (error: unknown) =>
          port.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) }),
      );
  });
}
