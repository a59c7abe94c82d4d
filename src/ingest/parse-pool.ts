/**
 * Parses messages on worker threads, so MIME parsing never competes with the SMTP sessions for
 * the event loop. Falls back to parsing in-thread when no worker is available (a crash, or workers
 * that cannot start), because a message must never be refused for that.
 */
import type { Envelope, ParsedMessage } from '../domain/types.js';
import type { Logger } from '../logging/logger.js';
import { parseMessage } from '../mime/parse-message.js';
import { startSiblingWorker } from '../workers/start-worker.js';
import { WorkerClient } from '../workers/worker-client.js';
import type { ParseRequest } from './parse-worker.js';

/** Workers that die before answering anything are not restarted forever: parse in-thread instead. */
const MAX_FAILED_STARTS = 3;

export class ParsePool {
  readonly #workers: WorkerClient[] = [];
  readonly #size: number;
  readonly #logger: Logger;
  #closed = false;
  #started = false;
  #failedStarts = 0;

  /** Workers start on the first parse: a store that parses on its own threads never needs them. */
  constructor(size: number, logger: Logger) {
    this.#size = size;
    this.#logger = logger;
  }

  #spawn(): WorkerClient {
    const client: WorkerClient = new WorkerClient(
      startSiblingWorker(import.meta.url, 'parse-worker'),
      (error) => this.#replace(client, error),
    );
    client.worker.unref();
    return client;
  }

  #replace(client: WorkerClient, error: Error): void {
    const index = this.#workers.indexOf(client);
    if (index < 0 || this.#closed) return;
    if (!client.answered) this.#failedStarts += 1;
    if (this.#failedStarts < MAX_FAILED_STARTS) {
      this.#logger.error('A parse worker failed; starting a new one', { error: error.message });
      this.#workers[index] = this.#spawn();
    } else {
      this.#logger.error('Parse workers keep failing; parsing on the main thread instead', {
        error: error.message,
      });
      this.#workers.splice(index, 1);
    }
  }

  /** The worker with the fewest messages in flight. */
  #leastBusy(): WorkerClient | undefined {
    let best: WorkerClient | undefined;
    for (const client of this.#workers)
      if (!client.stopped && (!best || client.inFlight < best.inFlight)) best = client;
    return best;
  }

  async parse(raw: Buffer, envelope: Envelope): Promise<ParsedMessage> {
    if (!this.#started && !this.#closed) {
      this.#started = true;
      for (let i = 0; i < this.#size; i += 1) this.#workers.push(this.#spawn());
    }
    const client = this.#closed ? undefined : this.#leastBusy();
    if (!client) return parseMessage(raw, envelope);
    const request: ParseRequest = { raw, envelope };
    try {
      return await client.call<ParsedMessage>(request);
    } catch {
      return parseMessage(raw, envelope);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#workers.map(({ worker }) => worker.terminate()));
    this.#workers.length = 0;
  }
}
