/**
 * An optional Store capability: the store takes a message as raw bytes and reads, indexes and
 * commits it on its own worker threads, so the bytes cross threads once and the event loop gets
 * back only the summary. Same promise as Store.addMessages: it resolves only after the commit.
 */
import type { IncomingMessage, MessageSummary } from '../domain/types.js';
import type { Store } from '../storage/store.js';

export interface RawMessage {
  /** Pre-assigned, time-sortable id (see src/domain/ids.ts). */
  id: string;
  incoming: IncomingMessage;
}

export interface RawIngestStore extends Store {
  /**
   * Reads and durably commits the message; resolves with its summary after the commit. Takes the
   * bytes over: `incoming.raw` may be handed to another thread and be empty afterwards.
   */
  ingestRaw(message: RawMessage): Promise<MessageSummary>;
}

export function ingestsRaw(store: Store): store is RawIngestStore {
  return typeof (store as Partial<RawIngestStore>).ingestRaw === 'function';
}
