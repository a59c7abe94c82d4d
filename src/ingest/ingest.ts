/**
 * The ingest pipeline every accepted message goes through, whichever door it came in by (SMTP or
 * the import API): read its facts (message-facts.ts), commit durably (group commit), announce, apply
 * retention.
 *
 * A store that can ingest raw bytes itself (RawIngestStore: SQLite reads and group-commits on its
 * writer thread) gets each message as it arrives. Otherwise the facts are read here and messages
 * are group-committed: those that arrive while a commit is in flight wait for the next one, so
 * one fsync covers many messages. Either way each caller is answered only after its own commit.
 */
import { newId } from '../domain/ids.js';
import type { IncomingMessage, MessageSummary } from '../domain/types.js';
import type { EventBus } from '../events/bus.js';
import type { Logger } from '../logging/logger.js';
import type { MetricsRegistry } from '../metrics/registry.js';
import { messageFacts } from '../mime/message-facts.js';
import { Retention } from '../storage/retention.js';
import type { NewMessage, Store } from '../storage/store.js';
import { discardMessageBytes, releasedMessageBytes } from '../workers/dead-buffers.js';
import { ingestsRaw } from './raw-ingest.js';
import { summarize } from './summary.js';

interface Pending {
  message: NewMessage;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export interface IngestOptions {
  store: Store;
  bus: EventBus;
  metrics: MetricsRegistry;
  logger: Logger;
  /** Keep at most this many messages; 0 = unlimited. */
  maxMessages: number;
}

export class MessageIngest {
  readonly #options: IngestOptions;
  #queue: Pending[] = [];
  #committing = false;
  readonly #retention: Retention;

  constructor(options: IngestOptions) {
    this.#options = options;
    const { store, bus, logger, maxMessages } = options;
    this.#retention = new Retention({
      keep: maxMessages,
      prune: (keep) => store.pruneMessages(keep),
      event: 'message.deleted',
      what: 'messages',
      bus,
      logger,
    });
  }

  /**
   * Resolves with the message id once the message is durably stored. Takes the bytes over:
   * `incoming.raw` may be empty afterwards (handed to another thread, or its memory given back).
   */
  async accept(incoming: IncomingMessage): Promise<{ id: string }> {
    const { store, bus, metrics } = this.#options;
    const id = newId();
    // Read before the store takes the bytes over (a raw-ingest store may transfer them away).
    const size = incoming.raw.length;
    const stored = ingestsRaw(store) ? store.ingestRaw({ id, incoming }) : this.#readAndCommit(id, incoming);
    // What the message was read into (socket chunks, a request body) is dead now that it is joined,
    // whatever the commit takes. A large message's chunks were also counted as they were read
    // (message-body.ts): counted twice, they only bring the next collection forward.
    releasedMessageBytes(size);
    const summary = await stored;
    // Retention before the acknowledgement, so the store never holds more than the limit once answered.
    await this.#retention.enforce();
    metrics.messageAccepted(size);
    bus.publish('message.received', { message: summary });
    return { id };
  }

  async #readAndCommit(id: string, incoming: IncomingMessage): Promise<MessageSummary> {
    const facts = messageFacts(incoming.raw, incoming.envelope);
    const message: NewMessage = { id, incoming, facts };
    await new Promise<void>((resolve, reject) => {
      this.#queue.push({ message, resolve, reject });
      if (!this.#committing) void this.#commitLoop();
    });
    const summary = summarize(id, incoming, facts);
    discardMessageBytes(incoming.raw);
    return summary;
  }

  async #commitLoop(): Promise<void> {
    this.#committing = true;
    try {
      // Yield once so messages finishing in the same turn of the event loop share the first commit;
      // later ones start as soon as the previous commit returns, with whatever queued meanwhile.
      await new Promise((resolve) => setImmediate(resolve));
      while (this.#queue.length > 0) {
        const batch = this.#queue;
        this.#queue = [];
        try {
          await this.#options.store.addMessages(batch.map((pending) => pending.message));
        } catch (error) {
          this.#options.logger.error('Storing messages failed', {
            count: batch.length,
            error: String(error),
          });
          for (const pending of batch) pending.reject(error);
          continue;
        }
        for (const pending of batch) pending.resolve();
      }
    } finally {
      this.#committing = false;
    }
  }
}
