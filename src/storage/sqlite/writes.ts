/**
 * Every write of the SQLite store. They run on the writer thread (writer-thread.ts), so no
 * statement or fsync ever blocks the event loop that serves SMTP sessions.
 */
import type Database from 'better-sqlite3';
import type { SessionRecord } from '../../domain/types.js';
import { isAscii, searchWords } from '../../search/words.js';
import { messageRecord } from '../message-record.js';
import { diagnosticCodes, hasProblems, sessionSummary } from '../session-record.js';
import type { NewMessage } from '../store.js';
import { StatementCache } from './connection.js';

/** A statement prepared on the main thread's connection (e.g. a compiled `q`), run on the writer. */
export interface SqlWrite {
  sql: string;
  params: unknown[];
  /** `ids`: the statement returns one column to collect; `changes`: the number of changed rows. */
  returns: 'ids' | 'changes';
}

/**
 * One message as the values bound to the store's INSERTs, JSON already encoded: building it is
 * most of the per-message work of a write, so it can be done off the writer thread.
 */
export interface MessageRow {
  id: string;
  /** Bytes of the raw message, added to the `message_bytes` counter. */
  size: number;
  /** `messages` columns after `id`, in the INSERT's order. */
  message: unknown[];
  /** `message_content` columns after `seq`: extras_json, raw (empty when the bytes are in `rawParts`). */
  content: [string, Uint8Array];
  /** A message over RAW_PART_BYTES: its bytes in `message_raw_parts` rows, in order (migration 4). */
  rawParts: Uint8Array[];
  /** `messages_fts` columns after the rowid: subject, sender, recipients, body. */
  fullText: [string, string, string, string];
}

/** Raw bytes larger than this are stored as parts of this size (migration 4). */
export const RAW_PART_BYTES = 256 * 1024;

const NO_BYTES = new Uint8Array(0);

export function messageRow(message: NewMessage): MessageRow {
  const record = messageRecord(message);
  const text = record.fullText;
  const inParts = record.raw.length > RAW_PART_BYTES;
  return {
    id: record.id,
    size: record.size,
    message: [
      record.inbox,
      record.receivedAt.getTime(),
      record.size,
      record.listenerProfile,
      record.listenerPort,
      record.attachmentCount,
      record.attachmentCount > 0 ? 1 : 0,
      record.subject,
      record.subjectSearch,
      record.fromSearch,
      record.toSearch,
      record.envelopeFrom,
      JSON.stringify(record.envelopeTo),
      JSON.stringify(record.from),
      JSON.stringify(record.to),
      record.snippet,
    ],
    content: [JSON.stringify(record.extras), inParts ? NO_BYTES : record.raw],
    rawParts: inParts ? rawParts(record.raw) : [],
    fullText: [
      indexText(text.subject),
      indexText(text.sender),
      indexText(text.recipients),
      indexText(text.body),
    ],
  };
}

/** Views of `raw`, no copies: the writer binds one part at a time. */
function rawParts(raw: Uint8Array): Uint8Array[] {
  const parts: Uint8Array[] = [];
  for (let start = 0; start < raw.length; start += RAW_PART_BYTES)
    parts.push(raw.subarray(start, start + RAW_PART_BYTES));
  return parts;
}

/**
 * A column's text as the FTS5 table receives it: the words of searchWords() separated by spaces.
 * On ASCII text its unicode61 tokenizer already splits exactly there (every character but a
 * letter or digit separates, case folded), so the text goes in as it is, saving a split and a
 * join of every word of large bodies.
 */
function indexText(text: string): string {
  return isAscii(text) ? text : searchWords(text).join(' ');
}

export class SqliteWrites {
  readonly #db: Database.Database;
  readonly #statements: StatementCache;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#statements = new StatementCache(db);
  }

  addMessages(messages: NewMessage[]): void {
    this.commit(messages.map(messageRow), []);
  }

  saveSessions(sessions: SessionRecord[]): void {
    this.commit([], sessions);
  }

  /**
   * Commits messages (rows built by messageRow(), possibly on another thread) and session records
   * in one transaction: one commit, and one fsync (wal-sync.ts), for everything that arrived together.
   */
  commit(rows: MessageRow[], sessions: SessionRecord[]): void {
    if (rows.length === 0 && sessions.length === 0) return;
    this.#db
      .transaction(() => {
        this.#insertRows(rows);
        this.#upsertSessions(sessions);
      })
      .immediate();
  }

  #insertRows(rows: MessageRow[]): void {
    if (rows.length === 0) return;
    const insertMessage = this.#statements.get(
      `INSERT INTO messages (id, inbox, received_at, size, listener_profile, listener_port, attachment_count,
        has_attachment, subject, subject_search, from_search, to_search, envelope_from, envelope_to, from_json,
        to_json, snippet)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insertContent = this.#statements.get(
      'INSERT INTO message_content (seq, extras_json, raw) VALUES (?, ?, ?)',
    );
    const insertText = this.#statements.get(
      'INSERT INTO messages_fts (rowid, subject, sender, recipients, body) VALUES (?, ?, ?, ?, ?)',
    );
    const insertRawPart = this.#statements.get(
      'INSERT INTO message_raw_parts (seq, part, bytes) VALUES (?, ?, ?)',
    );
    // Inserted in id order, so seq order (the list order) is id order.
    const sorted = [...rows].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    let bytes = 0;
    for (const row of sorted) {
      const { lastInsertRowid: seq } = insertMessage.run(row.id, ...row.message);
      insertContent.run(seq, ...row.content);
      for (const [part, bytes] of row.rawParts.entries()) insertRawPart.run(seq, part, bytes);
      insertText.run(seq, ...row.fullText);
      bytes += row.size;
    }
    // Once per commit rather than a trigger per row (migration 3).
    const addToCounter = this.#statements.get('UPDATE counters SET value = value + ? WHERE name = ?');
    addToCounter.run(sorted.length, 'messages');
    addToCounter.run(bytes, 'message_bytes');
  }

  #upsertSessions(sessions: SessionRecord[]): void {
    if (sessions.length === 0) return;
    const upsert = this.#statements.get(
      `INSERT INTO sessions (id, has_problems, chaos_fired, summary_json, transcript_json) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET has_problems = excluded.has_problems, chaos_fired = excluded.chaos_fired,
         summary_json = excluded.summary_json, transcript_json = excluded.transcript_json`,
    );
    const clearCodes = this.#statements.get('DELETE FROM session_diagnostics WHERE session_id = ?');
    const addCode = this.#statements.get('INSERT INTO session_diagnostics (code, session_id) VALUES (?, ?)');
    for (const session of sessions) {
      upsert.run(
        session.id,
        hasProblems(session) ? 1 : 0,
        session.chaos === undefined ? 0 : 1,
        JSON.stringify(sessionSummary(session)),
        JSON.stringify(session.transcript),
      );
      clearCodes.run(session.id);
      for (const code of diagnosticCodes(session)) addCode.run(code, session.id);
    }
  }

  run(write: SqlWrite): string[] | number {
    const statement = this.#statements.get(write.sql);
    return write.returns === 'ids'
      ? (statement.pluck().all(...write.params) as string[])
      : statement.run(...write.params).changes;
  }

  close(): void {
    this.#statements.clear();
    this.#db.pragma('optimize');
    this.#db.close();
  }
}
