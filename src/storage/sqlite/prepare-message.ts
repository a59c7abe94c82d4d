/**
 * Turns a raw message into what the writer inserts: its facts read (message-facts.ts), summarised,
 * and encoded as rows (JSON and search words included).
 */
import type { IncomingMessage, MessageSummary } from '../../domain/types.js';
import { summarize } from '../../ingest/summary.js';
import { messageFacts } from '../../mime/message-facts.js';
import { type MessageRow, messageRow } from './writes.js';

/** A raw message as it crosses to the writer thread: its bytes by transfer, the rest by clone. */
export interface RawIngestRequest {
  id: string;
  incoming: Omit<IncomingMessage, 'raw'> & { raw: Uint8Array };
}

/** A message ready for the writer. */
export interface PreparedMessage {
  row: MessageRow;
  summary: MessageSummary;
  /** The raw bytes `row` refers to: the writer discards them once they are committed. */
  raw: Buffer;
}

export function prepareMessage({ id, incoming: received }: RawIngestRequest): PreparedMessage {
  // The bytes arrived by transfer and own their memory: a Buffer view, no copy.
  const raw = Buffer.from(received.raw.buffer, received.raw.byteOffset, received.raw.byteLength);
  const incoming: IncomingMessage = { ...received, raw };
  const facts = messageFacts(raw, incoming.envelope);
  return { row: messageRow({ id, incoming, facts }), summary: summarize(id, incoming, facts), raw };
}
