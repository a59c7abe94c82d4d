/**
 * Keeps a store under a count limit (`--max-messages`, `--max-sessions`): after records are saved,
 * the oldest past the limit are deleted and announced on the bus.
 */
import type { EventBus } from '../events/bus.js';
import type { Logger } from '../logging/logger.js';

export interface RetentionOptions {
  /** Keep at most this many; 0 = unlimited. */
  keep: number;
  /** Deletes all but the newest `keep`; returns the ids deleted. */
  prune: (keep: number) => Promise<string[]>;
  /** Announces what was deleted (`message.deleted`, `session.deleted`). */
  event: 'message.deleted' | 'session.deleted';
  /** What is pruned, for the log: "messages". */
  what: string;
  bus: EventBus;
  logger: Logger;
}

export class Retention {
  readonly #options: RetentionOptions;
  /** The prune in flight, and the one that will follow it for saves that finished meanwhile. */
  #running: Promise<void> | null = null;
  #next: Promise<void> | null = null;

  constructor(options: RetentionOptions) {
    this.#options = options;
  }

  /**
   * Resolves after a prune that started after this call. Saves that finish while a prune runs
   * share the next one, so retention costs one store round trip per burst, not per record.
   */
  enforce(): Promise<void> {
    if (this.#options.keep <= 0) return Promise.resolve();
    if (this.#running === null) {
      this.#running = this.#prune().finally(() => {
        this.#running = null;
      });
      return this.#running;
    }
    this.#next ??= this.#running.then(() => {
      this.#next = null;
      return this.enforce();
    });
    return this.#next;
  }

  async #prune(): Promise<void> {
    const { keep, prune, event, what, bus, logger } = this.#options;
    try {
      const ids = await prune(keep);
      if (ids.length > 0) bus.publish(event, { ids });
    } catch (error) {
      logger.warn(`Pruning old ${what} failed`, { error: String(error) });
    }
  }
}
