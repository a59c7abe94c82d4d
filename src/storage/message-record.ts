/**
 * The engine-neutral shape of a stored message: the searchable fields every adapter keeps as real
 * columns, computed once from a NewMessage, and the mapping from a stored row back to the domain
 * types. Adapters differ only in SQL, never in what is stored or returned.
 */
import type { AddressValue, MessageDetail, MessageRelease, MessageSummary } from '../domain/types.js';
import { plainText, snippet } from '../mime/snippet.js';
import type { ProfileName } from '../profiles/port-profiles.js';
import { foldText } from '../search/words.js';
import type { ParsedMessageCache } from './parsed-cache.js';
import type { NewMessage } from './store.js';

/** Everything of a MessageDetail that is not a column of its own, stored as one JSON document. */
export type MessageExtras = Pick<
  MessageDetail,
  'sessionId' | 'envelope' | 'client' | 'heloName' | 'tls' | 'auth'
>;

export interface MessageRecord {
  id: string;
  inbox: string;
  receivedAt: Date;
  size: number;
  listenerProfile: ProfileName;
  listenerPort: number;
  attachmentCount: number;
  subject: string | null;
  /** Haystacks folded by foldText() for `subject:`, `from:` (From header and MAIL FROM) and `to:` (To, Cc, Bcc, RCPT TO). */
  subjectSearch: string;
  fromSearch: string;
  toSearch: string;
  envelopeFrom: string;
  envelopeTo: string[];
  from: AddressValue[];
  to: AddressValue[];
  snippet: string;
  extras: MessageExtras;
  raw: Buffer;
  /**
   * Text for the full-text index, by column. Each engine indexes exactly the words searchWords()
   * splits it into, the words a query is split into.
   */
  fullText: FullTextColumns;
}

export interface FullTextColumns {
  subject: string;
  sender: string;
  recipients: string;
  body: string;
}

export function messageRecord(message: NewMessage): MessageRecord {
  const { incoming, facts } = message;
  const envelopeFrom = incoming.envelope.mailFrom.address;
  const envelopeTo = incoming.envelope.rcptTo.map((rcpt) => rcpt.address);
  const sender = [addressText(facts.from), envelopeFrom].join(' ').trim();
  const recipients = [addressText([...facts.to, ...facts.cc, ...facts.bcc]), envelopeTo.join(' ')]
    .join(' ')
    .trim();
  return {
    id: message.id,
    inbox: incoming.inbox,
    receivedAt: incoming.receivedAt,
    size: incoming.raw.length,
    listenerProfile: incoming.listener.profile,
    listenerPort: incoming.listener.port,
    attachmentCount: facts.attachmentCount,
    subject: facts.subject,
    subjectSearch: foldText(facts.subject ?? ''),
    fromSearch: foldText(sender),
    toSearch: foldText(recipients),
    envelopeFrom,
    envelopeTo,
    from: facts.from,
    to: facts.to,
    snippet: snippet(facts),
    extras: {
      sessionId: incoming.sessionId,
      envelope: incoming.envelope,
      client: incoming.client,
      heloName: incoming.heloName,
      tls: incoming.tls,
      auth: incoming.auth,
    },
    raw: incoming.raw,
    fullText: {
      subject: facts.subject ?? '',
      sender,
      recipients,
      body: plainText(facts),
    },
  };
}

function addressText(addresses: AddressValue[]): string {
  return addresses
    .map((entry) => (entry.name === '' ? entry.address : `${entry.name} <${entry.address}>`))
    .join(', ');
}

/** Summary columns as an adapter reads them back (JSON columns may arrive as text or already decoded). */
export interface SummaryRow {
  id: string;
  inbox: string;
  received_at: number | Date;
  size: number | string;
  is_read: number | boolean;
  listener_profile: string;
  listener_port: number | string;
  attachment_count: number | string;
  subject: string | null;
  envelope_from: string;
  envelope_to: unknown;
  from_json: unknown;
  to_json: unknown;
  snippet: string;
}

export interface DetailRow extends SummaryRow {
  extras_json: unknown;
  raw: Buffer;
}

const SUMMARY_COLUMN_NAMES = [
  'id',
  'inbox',
  'received_at',
  'size',
  'is_read',
  'listener_profile',
  'listener_port',
  'attachment_count',
  'subject',
  'envelope_from',
  'envelope_to',
  'from_json',
  'to_json',
  'snippet',
] as const satisfies readonly (keyof SummaryRow)[];

/** Column list matching SummaryRow for SELECTs, qualified by `table` (the full-text table shares some names). */
export function summaryColumns(table: string): string {
  return SUMMARY_COLUMN_NAMES.map((column) => `${table}.${column}`).join(', ');
}

export function summaryFromRow(row: SummaryRow): MessageSummary {
  return {
    id: row.id,
    inbox: row.inbox,
    receivedAt: new Date(row.received_at).toISOString(),
    size: Number(row.size),
    subject: row.subject,
    from: decodeJson<AddressValue[]>(row.from_json),
    to: decodeJson<AddressValue[]>(row.to_json),
    envelopeFrom: row.envelope_from,
    envelopeTo: decodeJson<string[]>(row.envelope_to),
    listener: { profile: row.listener_profile as ProfileName, port: Number(row.listener_port) },
    attachmentCount: Number(row.attachment_count),
    snippet: row.snippet,
    read: Boolean(row.is_read),
  };
}

/** The columns of a detail row: the summary, the extras and the raw bytes the body is parsed from. */
export function detailColumns(messages: string, content: string): string {
  return `${summaryColumns(messages)}, ${content}.extras_json, ${content}.raw`;
}

/**
 * A stored message opened: its row, its releases, and the full MIME parse of its raw bytes (from
 * `parsed`, see parsed-cache.ts).
 */
export async function detailFromRow(
  row: DetailRow,
  releases: ReleaseRow[],
  parsed: ParsedMessageCache,
): Promise<MessageDetail> {
  const extras = decodeJson<MessageExtras>(row.extras_json);
  return {
    ...summaryFromRow(row),
    ...extras,
    parsed: await parsed.get(row.id, row.raw, extras.envelope),
    releases: releases.map(releaseFromRow),
  };
}

/** A row of `message_releases`, as each adapter reads it back (SQLite: epoch ms and JSON text). */
export interface ReleaseRow {
  released_at: number | Date;
  recipients: unknown;
  server: string;
  reply: string;
}

/** The columns of `message_releases` matching ReleaseRow, in both engines. */
export const RELEASE_COLUMNS = 'released_at, recipients, server, reply';

function releaseFromRow(row: ReleaseRow): MessageRelease {
  return {
    at: new Date(row.released_at).toISOString(),
    to: decodeJson<string[]>(row.recipients),
    server: row.server,
    reply: row.reply,
  };
}

export function decodeJson<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}
