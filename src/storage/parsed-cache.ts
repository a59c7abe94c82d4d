/**
 * Full MIME parses of opened messages. Stores keep the raw bytes and what lists and searches
 * need (message-facts.ts), not the parse: it would double the bytes on disk and cost every
 * message a full parse on its way to the 250, when most captured messages are never opened.
 * Opening one in the UI asks for it, its HTML, its text and its headers in a row, so the latest
 * parses are kept, up to a byte budget; a parse in flight is shared by everyone who asks.
 */
import type { Envelope, ParsedMessage } from '../domain/types.js';
import { parseMessage } from '../mime/parse-message.js';

const DEFAULT_BUDGET_BYTES = 64 * 1024 * 1024;

interface Entry {
  parsed: Promise<ParsedMessage>;
  bytes: number;
}

export class ParsedMessageCache {
  readonly #entries = new Map<string, Entry>();
  readonly #budgetBytes: number;
  #bytes = 0;

  constructor(budgetBytes = DEFAULT_BUDGET_BYTES) {
    this.#budgetBytes = budgetBytes;
  }

  /** The parse of message `id`, whose bytes are `raw` (ids are never reused, so they key it safely). */
  get(id: string, raw: Buffer, envelope: Envelope): Promise<ParsedMessage> {
    const cached = this.#entries.get(id);
    if (cached !== undefined) {
      // Most recently used last: Map keeps insertion order, so the first entry is the one to evict.
      this.#entries.delete(id);
      this.#entries.set(id, cached);
      return cached.parsed;
    }
    const parsed = parseMessage(raw, envelope);
    // The parse holds the text and HTML as strings and the raw bytes' size is a fair measure of them.
    const entry: Entry = { parsed, bytes: raw.length };
    if (entry.bytes > this.#budgetBytes) return parsed;
    this.#entries.set(id, entry);
    this.#bytes += entry.bytes;
    while (this.#bytes > this.#budgetBytes) this.#evictOldest();
    return parsed;
  }

  #evictOldest(): void {
    const oldest = this.#entries.entries().next().value;
    if (oldest === undefined) return;
    this.#entries.delete(oldest[0]);
    this.#bytes -= oldest[1].bytes;
  }
}
