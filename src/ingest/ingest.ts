/**
 * The ingest pipeline every accepted message goes through, whichever door it came in by (SMTP or
 * the import API): parse, commit durably (group commit), announce, apply retention.
 *
 * Group commit: messages that finish DATA while a commit is in flight wait for the next one, so
 * one fsync covers many messages; each caller is still answered only after its own commit.
 */
import { newId } from '../domain/ids.js';
import type { IncomingMessage, MessageSummary, ParsedMessage } from '../domain/types.js';
import type { EventBus } from '../events/bus.js';
import type { Logger } from '../logging/logger.js';
import type { MetricsRegistry } from '../metrics/registry.js';
import { parseMessage } from '../mime/parse-message.js';
import { snippet } from '../mime/snippet.js';
import type { NewMessage, Store } from '../storage/store.js';

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
  /** MIME parser; a ParsePool keeps parsing off the event loop. */
  parse?: (raw: Buffer, envelope: IncomingMessage['envelope']) => Promise<ParsedMessage>;
}

export function summarize(id: string, incoming: IncomingMessage, parsed: ParsedMessage): MessageSummary {
  return {
    id,
    inbox: incoming.inbox,
    receivedAt: incoming.receivedAt.toISOString(),
    size: incoming.raw.length,
    subject: parsed.subject,
    from: parsed.from,
    to: parsed.to,
    envelopeFrom: incoming.envelope.mailFrom.address,
    envelopeTo: incoming.envelope.rcptTo.map((rcpt) => rcpt.address),
    listener: incoming.listener,
    attachmentCount: parsed.attachments.length,
    snippet: snippet(parsed),
    read: false,
  };
}

export class MessageIngest {
  readonly #options: IngestOptions;
  #queue: Pending[] = [];
  #committing = false;

  constructor(options: IngestOptions) {
    this.#options = options;
  }

  /** Resolves with the message id once the message is durably stored. */
  async accept(incoming: IncomingMessage): Promise<{ id: string }> {
    const parsed = await (this.#options.parse ?? parseMessage)(incoming.raw, incoming.envelope);
    const message: NewMessage = { id: newId(), incoming, parsed };
    await new Promise<void>((resolve, reject) => {
      this.#queue.push({ message, resolve, reject });
      if (!this.#committing) void this.#commitLoop();
    });
    const { bus, metrics } = this.#options;
    metrics.messageAccepted(incoming.raw.length);
    bus.publish('message.received', { message: summarize(message.id, incoming, parsed) });
    return { id: message.id };
  }

  async #commitLoop(): Promise<void> {
    this.#committing = true;
    try {
      while (this.#queue.length > 0) {
        // Yield once so messages finishing in the same turn of the event loop share the commit.
        await new Promise((resolve) => setImmediate(resolve));
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
        // Retention before the acknowledgement, so the store never holds more than the limit once answered.
        await this.#applyRetention();
        for (const pending of batch) pending.resolve();
      }
    } finally {
      this.#committing = false;
    }
  }

  async #applyRetention(): Promise<void> {
    const { maxMessages, store, bus, logger } = this.#options;
    if (maxMessages <= 0) return;
    try {
      const ids = await store.pruneMessages(maxMessages);
      if (ids.length > 0) bus.publish('message.deleted', { ids });
    } catch (error) {
      logger.warn('Pruning old messages failed', { error: String(error) });
    }
  }
}
