/**
 * The embedded default store: one SQLite file (better-sqlite3) with WAL, an FTS5 index and
 * versioned migrations (migrations.ts).
 *
 * Messages are listed newest first by `seq`, the rowid they were given on arrival: each batch is
 * inserted in id order and ids are minted on arrival, so this is id order, and it is the order in
 * which FTS5 hands back matches, which keeps searches over a million messages fast.
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { MessageDetail, MessageSummary, SessionRecord, SessionSummary } from '../../domain/types.js';
import { parseSearchQuery } from '../../search/query.js';
import {
  type DetailRow,
  decodeJson,
  detailFromRow,
  messageRecord,
  type SummaryRow,
  summaryColumns,
  summaryFromRow,
} from '../message-record.js';
import { decodeCursor, page, pageSize } from '../paging.js';
import { compileSearch, type FullTextPhrase, whereOf } from '../search-sql.js';
import { diagnosticCodes, hasProblems, sessionSummary } from '../session-record.js';
import { storageError } from '../storage-error.js';
import type { MessageQuery, NewMessage, Page, SessionQuery, Store, StoreStats } from '../store.js';
import { migrate } from './migrate.js';
import { SQLITE_MIGRATIONS } from './migrations.js';

export interface SqliteStoreOptions {
  /** Database file; its directory is created when missing. */
  path: string;
}

/** Dynamic WHERE clauses repeat (the same `q` shapes over and over), so their statements are kept too. */
const STATEMENT_CACHE_SIZE = 200;

export class SqliteStore implements Store {
  readonly engine = 'sqlite';
  readonly path: string;
  private readonly db: Database.Database;
  private readonly cache = new Map<string, Database.Statement>();

  constructor(options: SqliteStoreOptions) {
    this.path = options.path;
    try {
      mkdirSync(dirname(options.path), { recursive: true });
      this.db = new Database(options.path);
      this.db.pragma('journal_mode = WAL');
      // A message is acknowledged with 250 only after addMessages returns, and the promise is that
      // nothing acknowledged is lost. In WAL mode `synchronous = NORMAL` survives a process kill but
      // can drop the last commits on an OS crash or power loss, because the WAL is fsynced only at
      // checkpoints; `FULL` fsyncs the WAL on every commit, so a committed message is on disk
      // before the 250. Group commit (one transaction per addMessages batch) pays that fsync once
      // per batch rather than once per message.
      this.db.pragma('synchronous = FULL');
      this.db.pragma('foreign_keys = ON');
      this.db.pragma('busy_timeout = 5000');
    } catch (cause) {
      throw storageError(`Could not open the SQLite database at ${options.path}.`, cause);
    }
  }

  async init(): Promise<void> {
    try {
      migrate(this.db, SQLITE_MIGRATIONS);
    } catch (cause) {
      throw storageError(`Could not migrate the SQLite database at ${this.path}.`, cause);
    }
  }

  async close(): Promise<void> {
    if (!this.db.open) return;
    this.cache.clear();
    this.db.pragma('optimize');
    this.db.close();
  }

  async addMessages(messages: NewMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const insertMessage = this.statement(
      `INSERT INTO messages (id, inbox, received_at, size, listener_profile, listener_port, attachment_count,
        has_attachment, subject, subject_search, from_search, to_search, envelope_from, envelope_to, from_json,
        to_json, snippet)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insertContent = this.statement(
      'INSERT INTO message_content (seq, extras_json, parsed_json, raw) VALUES (?, ?, ?, ?)',
    );
    const insertText = this.statement(
      'INSERT INTO messages_fts (rowid, subject, sender, recipients, body) VALUES (?, ?, ?, ?, ?)',
    );
    // Inserted in id order, so seq order (the list order) is id order.
    const records = messages.map(messageRecord).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const insertAll = this.db.transaction(() => {
      for (const record of records) {
        const { lastInsertRowid: seq } = insertMessage.run(
          record.id,
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
        );
        insertContent.run(seq, JSON.stringify(record.extras), JSON.stringify(record.parsed), record.raw);
        const text = record.fullText;
        insertText.run(
          seq,
          text.subject.join(' '),
          text.sender.join(' '),
          text.recipients.join(' '),
          text.body.join(' '),
        );
      }
    });
    try {
      insertAll.immediate();
    } catch (cause) {
      throw storageError(`Could not store ${messages.length} message(s).`, cause);
    }
  }

  async listMessages(query: MessageQuery): Promise<Page<MessageSummary>> {
    const limit = pageSize(query.limit);
    const below = decodeCursor(query.cursor, 'seq');
    const selection = this.selectMessages(query.q);
    const cursor = below === null ? [] : [Number(below)];
    // With words to find, FTS5 drives the list: it yields matching rowids newest first, so the
    // page is read without collecting every match.
    const { from, seq, conditions, params } =
      selection.match === null
        ? { from: 'messages', seq: 'messages.seq', ...filterConditions(selection) }
        : {
            from: 'messages_fts JOIN messages ON messages.seq = messages_fts.rowid',
            seq: 'messages_fts.rowid',
            conditions: ['messages_fts MATCH ?', selection.where],
            params: [selection.match, ...selection.whereParams],
          };
    const rows = this.statement(
      `SELECT ${seq} AS seq, ${summaryColumns('messages')} FROM ${from}
       ${whereOf([...conditions, below === null ? null : `${seq} < ?`])} ORDER BY ${seq} DESC LIMIT ?`,
    ).all(...params, ...cursor, limit + 1) as (SummaryRow & { seq: number })[];
    return page(rows, limit, this.countMessages(selection), (row) => String(row.seq), summaryFromRow);
  }

  async getMessage(id: string): Promise<MessageDetail | null> {
    const row = this.statement(
      `SELECT ${summaryColumns('messages')}, c.extras_json, c.parsed_json
       FROM messages JOIN message_content c ON c.seq = messages.seq WHERE messages.id = ?`,
    ).get(id) as DetailRow | undefined;
    return row === undefined ? null : detailFromRow(row);
  }

  async getRawMessage(id: string): Promise<Buffer | null> {
    const raw = this.statement(
      'SELECT c.raw FROM messages m JOIN message_content c ON c.seq = m.seq WHERE m.id = ?',
    )
      .pluck()
      .get(id) as Buffer | undefined;
    return raw ?? null;
  }

  async setRead(id: string, read: boolean): Promise<boolean> {
    return this.statement('UPDATE messages SET is_read = ? WHERE id = ?').run(read ? 1 : 0, id).changes > 0;
  }

  async deleteMessage(id: string): Promise<boolean> {
    return this.statement('DELETE FROM messages WHERE id = ?').run(id).changes > 0;
  }

  async deleteMessages(q?: string): Promise<string[]> {
    const { conditions, params } = filterConditions(this.selectMessages(q));
    return this.statement(`DELETE FROM messages ${whereOf(conditions)} RETURNING id`)
      .pluck()
      .all(...params) as string[];
  }

  async pruneMessages(keep: number): Promise<string[]> {
    return this.statement(
      'DELETE FROM messages WHERE seq IN (SELECT seq FROM messages ORDER BY seq DESC LIMIT -1 OFFSET ?) RETURNING id',
    )
      .pluck()
      .all(Math.max(0, Math.trunc(keep))) as string[];
  }

  async saveSession(session: SessionRecord): Promise<void> {
    const upsert = this.statement(
      `INSERT INTO sessions (id, has_problems, summary_json, transcript_json) VALUES (?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET has_problems = excluded.has_problems,
         summary_json = excluded.summary_json, transcript_json = excluded.transcript_json`,
    );
    const clearCodes = this.statement('DELETE FROM session_diagnostics WHERE session_id = ?');
    const addCode = this.statement('INSERT INTO session_diagnostics (code, session_id) VALUES (?, ?)');
    try {
      this.db
        .transaction(() => {
          upsert.run(
            session.id,
            hasProblems(session) ? 1 : 0,
            JSON.stringify(sessionSummary(session)),
            JSON.stringify(session.transcript),
          );
          clearCodes.run(session.id);
          for (const code of diagnosticCodes(session)) addCode.run(code, session.id);
        })
        .immediate();
    } catch (cause) {
      throw storageError(`Could not store session ${session.id}.`, cause);
    }
  }

  async listSessions(query: SessionQuery): Promise<Page<SessionSummary>> {
    const limit = pageSize(query.limit);
    const after = decodeCursor(query.cursor, 'id');
    const filters: string[] = [];
    const params: unknown[] = [];
    if (query.diagnostic !== undefined) {
      filters.push('id IN (SELECT session_id FROM session_diagnostics WHERE code = ?)');
      params.push(query.diagnostic);
    }
    if (query.problems === true) filters.push('has_problems = 1');
    const conditions = after === null ? filters : [...filters, 'id < ?'];
    const rows = this.statement(
      `SELECT summary_json FROM sessions ${whereOf(conditions)} ORDER BY id DESC LIMIT ?`,
    )
      .pluck()
      .all(...params, ...(after === null ? [] : [after]), limit + 1) as string[];
    const total =
      filters.length === 0
        ? this.counter('sessions')
        : (this.statement(`SELECT count(*) FROM sessions ${whereOf(filters)}`)
            .pluck()
            .get(...params) as number);
    return page(
      rows.map((json) => decodeJson<SessionSummary>(json)),
      limit,
      total,
      (summary) => summary.id,
      (summary) => summary,
    );
  }

  async getSession(id: string): Promise<SessionRecord | null> {
    const row = this.statement('SELECT summary_json, transcript_json FROM sessions WHERE id = ?').get(id) as
      | { summary_json: string; transcript_json: string }
      | undefined;
    if (row === undefined) return null;
    return { ...decodeJson<SessionSummary>(row.summary_json), transcript: decodeJson(row.transcript_json) };
  }

  async stats(): Promise<StoreStats> {
    return {
      messages: this.counter('messages'),
      sessions: this.counter('sessions'),
      messageBytes: this.counter('message_bytes'),
      storeBytes: fileSize(this.path) + fileSize(`${this.path}-wal`),
    };
  }

  private counter(name: 'messages' | 'message_bytes' | 'sessions'): number {
    return this.statement('SELECT value FROM counters WHERE name = ?').pluck().get(name) as number;
  }

  /** Total for a selection: the running counter when unfiltered, the full-text index alone when it can answer. */
  private countMessages(selection: MessageSelection): number {
    const { conditions, params } = filterConditions(selection);
    if (conditions.every((condition) => condition === null)) return this.counter('messages');
    const sql =
      selection.match !== null && selection.where === null
        ? 'SELECT count(*) FROM messages_fts WHERE messages_fts MATCH ?'
        : `SELECT count(*) FROM messages ${whereOf(conditions)}`;
    return this.statement(sql)
      .pluck()
      .get(...params) as number;
  }

  /** Compiles `q`: the phrases become FTS5 MATCH expressions, the rest a condition on `messages`. */
  private selectMessages(q: string | undefined): MessageSelection {
    const whereParams: unknown[] = [];
    const search = compileSearch(parseSearchQuery(q ?? ''), {
      bind: (value) => {
        whereParams.push(value);
        return '?';
      },
      contains: (column, needle) => {
        whereParams.push(needle);
        return `instr(${column}, ?) > 0`;
      },
      boolean: (value) => (value ? '1' : '0'),
      time: (at) => {
        whereParams.push(at.getTime());
        return '?';
      },
    });
    const required = search.required.map(ftsPhrase).join(' AND ');
    const excluded = search.excluded.map(ftsPhrase).join(' OR ');
    // FTS5's NOT needs something on its left, so negated phrases join the MATCH only when there is one.
    if (required !== '') {
      const match = excluded === '' ? required : `(${required}) NOT (${excluded})`;
      return { match, exclude: null, where: search.where, whereParams };
    }
    return { match: null, exclude: excluded === '' ? null : excluded, where: search.where, whereParams };
  }

  private statement(sql: string): Database.Statement {
    let statement = this.cache.get(sql);
    if (statement === undefined) {
      if (this.cache.size >= STATEMENT_CACHE_SIZE) {
        const oldest = this.cache.keys().next().value;
        if (oldest !== undefined) this.cache.delete(oldest);
      }
      statement = this.db.prepare(sql);
      this.cache.set(sql, statement);
    }
    return statement;
  }
}

interface MessageSelection {
  /** FTS5 expression every match must satisfy, or null. */
  match: string | null;
  /** FTS5 expression no match may satisfy (negated words alone), or null. */
  exclude: string | null;
  /** Every other condition, over `messages`, or null. */
  where: string | null;
  /** Values for the placeholders of `where`, in order. */
  whereParams: unknown[];
}

/** The selection as conditions on `messages` alone (for counts and deletes), with their values in order. */
function filterConditions(selection: MessageSelection): { conditions: (string | null)[]; params: unknown[] } {
  const conditions: (string | null)[] = [];
  const params: unknown[] = [];
  if (selection.match !== null) {
    conditions.push('seq IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?)');
    params.push(selection.match);
  }
  if (selection.exclude !== null) {
    conditions.push('seq NOT IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?)');
    params.push(selection.exclude);
  }
  conditions.push(selection.where);
  params.push(...selection.whereParams);
  return { conditions, params };
}

/**
 * An FTS5 phrase with a prefix on the last word, behind a column filter when given. Words are
 * letters and digits only, so the quotes need no escaping.
 */
function ftsPhrase(phrase: FullTextPhrase): string {
  const text = `"${phrase.words.join(' ')}" *`;
  return phrase.column === null ? text : `{${phrase.column}} : ${text}`;
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
