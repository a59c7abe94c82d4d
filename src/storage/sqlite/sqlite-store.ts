/**
 * The embedded default store: one SQLite file (better-sqlite3) with WAL, an FTS5 index and
 * versioned migrations (migrations.ts). Reads run on the calling thread; every write runs on a
 * writer thread (writer-thread.ts), so commits and their fsyncs never stall the event loop.
 *
 * Messages from SMTP and the import API take a shorter road (ingestRaw, see ingest-pipeline.ts):
 * their bytes go to the writer thread, which reads their facts, commits and answers with the
 * summary, so each message makes one round trip off the event loop.
 *
 * Messages are listed newest first by `seq`, the rowid they were given on arrival: each batch is
 * inserted in id order and ids are minted on arrival, so this is id order, and it is the order in
 * which FTS5 hands back matches, which keeps searches over a million messages fast.
 */
import { statSync } from 'node:fs';
import type Database from 'better-sqlite3';
import type {
  MessageDetail,
  MessageRelease,
  MessageSummary,
  SessionRecord,
  SessionSummary,
} from '../../domain/types.js';
import type { RawIngestStore, RawMessage } from '../../ingest/raw-ingest.js';
import { summarize } from '../../ingest/summary.js';
import { messageFacts } from '../../mime/message-facts.js';
import { parseSearchQuery } from '../../search/query.js';
import { startSiblingWorker } from '../../workers/start-worker.js';
import { WorkerClient } from '../../workers/worker-client.js';
import {
  type DetailRow,
  decodeJson,
  detailColumns,
  detailFromRow,
  RELEASE_COLUMNS,
  type ReleaseRow,
  type SummaryRow,
  summaryColumns,
  summaryFromRow,
} from '../message-record.js';
import { decodeCursor, page, pageSize } from '../paging.js';
import { ParsedMessageCache } from '../parsed-cache.js';
import { compileSearch, type FullTextPhrase, whereOf } from '../search-sql.js';
import { storageError } from '../storage-error.js';
import type { MessageQuery, NewMessage, Page, SessionQuery, StoreStats } from '../store.js';
import { openDatabase, StatementCache } from './connection.js';
import { SqliteIngestPipeline } from './ingest-pipeline.js';
import { migrate } from './migrate.js';
import { SQLITE_MIGRATIONS } from './migrations.js';
import type { WriterRequest } from './writer-thread.js';
import type { SqlWrite } from './writes.js';

/**
 * Almost everything the writer thread allocates is garbage once its batch commits. V8's default
 * young generation let tens of MiB of it pile up between scavenges: with 8 MB the process peaks
 * about 35 MiB lower on 100 KiB messages, at the same throughput.
 */
const WRITER_YOUNG_GENERATION_MB = 8;

export interface SqliteStoreOptions {
  /** Database file; its directory is created when missing. */
  path: string;
}

export class SqliteStore implements RawIngestStore {
  readonly engine = 'sqlite';
  readonly path: string;
  private readonly db: Database.Database;
  private readonly statements: StatementCache;
  private readonly parsed = new ParsedMessageCache();
  private writer: WorkerClient | null = null;
  private ingestPipeline: SqliteIngestPipeline | null = null;
  /** Sessions closing in the same turn of the event loop are saved in one transaction. */
  private sessionBatch: { sessions: SessionRecord[]; saved: Promise<void> } | null = null;

  constructor(options: SqliteStoreOptions) {
    this.path = options.path;
    try {
      this.db = openDatabase(options.path);
    } catch (cause) {
      throw storageError(`Could not open the SQLite database at ${options.path}.`, cause);
    }
    this.statements = new StatementCache(this.db);
  }

  async init(): Promise<void> {
    try {
      migrate(this.db, SQLITE_MIGRATIONS);
    } catch (cause) {
      throw storageError(`Could not migrate the SQLite database at ${this.path}.`, cause);
    }
    // Started after the migration, so the writer never sees an old schema.
    if (this.writer) return;
    const writer = new WorkerClient(
      startSiblingWorker(import.meta.url, 'writer-thread', {
        workerData: { path: this.path },
        resourceLimits: { maxYoungGenerationSizeMb: WRITER_YOUNG_GENERATION_MB },
      }),
    );
    this.writer = writer;
    try {
      this.ingestPipeline = await SqliteIngestPipeline.start(writer);
    } catch (cause) {
      throw storageError(`Could not start the ingest threads of the SQLite store at ${this.path}.`, cause);
    }
  }

  async close(): Promise<void> {
    // A batch of sessions still waiting for its turn (saveSession) is written while the writer runs.
    await this.sessionBatch?.saved.catch(() => undefined);
    const writer = this.writer;
    this.writer = null;
    this.ingestPipeline?.close();
    this.ingestPipeline = null;
    if (writer && !writer.stopped) {
      await writer.call({ op: 'close' } satisfies WriterRequest).catch(() => undefined);
      await writer.worker.terminate();
    }
    if (!this.db.open) return;
    this.statements.clear();
    this.db.close();
  }

  private async write<T>(request: WriterRequest, failure: string): Promise<T> {
    if (!this.writer) throw storageError(`${failure} The store is not open.`, null);
    try {
      return await this.writer.call<T>(request);
    } catch (cause) {
      throw storageError(failure, cause);
    }
  }

  async addMessages(messages: NewMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await this.write({ op: 'addMessages', messages }, `Could not store ${messages.length} message(s).`);
  }

  async ingestRaw(message: RawMessage): Promise<MessageSummary> {
    const failure = 'Could not store the message.';
    if (this.ingestPipeline?.available) {
      try {
        return await this.ingestPipeline.ingest(message);
      } catch (cause) {
        throw storageError(failure, cause);
      }
    }
    // The pipeline's threads are gone: read the facts here, and commit through the writer like any write.
    const facts = messageFacts(message.incoming.raw, message.incoming.envelope);
    await this.addMessages([{ ...message, facts }]);
    return summarize(message.id, message.incoming, facts);
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
      `SELECT messages.seq, ${detailColumns('messages', 'c')} FROM messages
       JOIN message_content c ON c.seq = messages.seq WHERE messages.id = ?`,
    ).get(id) as (DetailRow & { seq: number }) | undefined;
    if (row === undefined) return null;
    const releases = this.statement(
      `SELECT ${RELEASE_COLUMNS} FROM message_releases WHERE seq = ? ORDER BY rowid`,
    ).all(row.seq) as ReleaseRow[];
    return detailFromRow({ ...row, raw: this.rawBytes(row.seq, row.raw) }, releases, this.parsed);
  }

  async getRawMessage(id: string): Promise<Buffer | null> {
    const row = this.statement(
      'SELECT m.seq, c.raw FROM messages m JOIN message_content c ON c.seq = m.seq WHERE m.id = ?',
    ).get(id) as { seq: number; raw: Buffer } | undefined;
    return row === undefined ? null : this.rawBytes(row.seq, row.raw);
  }

  async getReceivedAt(id: string): Promise<Date | null> {
    const at = this.statement('SELECT received_at FROM messages WHERE id = ?').pluck().get(id) as
      | number
      | undefined;
    return at === undefined ? null : new Date(at);
  }

  /** A message's bytes: inline, or joined from its parts when the inline column is empty (migration 4). */
  private rawBytes(seq: number, inline: Buffer): Buffer {
    if (inline.length > 0) return inline;
    const parts = this.statement('SELECT bytes FROM message_raw_parts WHERE seq = ? ORDER BY part')
      .pluck()
      .all(seq) as Buffer[];
    return parts.length === 0 ? inline : Buffer.concat(parts);
  }

  private run<T extends string[] | number>(write: SqlWrite): Promise<T> {
    return this.write<T>({ op: 'run', write }, 'Could not change the stored messages.');
  }

  async setRead(id: string, read: boolean): Promise<boolean> {
    const sql = 'UPDATE messages SET is_read = ? WHERE id = ?';
    return (await this.run<number>({ sql, params: [read ? 1 : 0, id], returns: 'changes' })) > 0;
  }

  async addRelease(id: string, release: MessageRelease): Promise<boolean> {
    const changes = await this.run<number>({
      sql: `INSERT INTO message_releases (seq, ${RELEASE_COLUMNS}) SELECT seq, ?, ?, ?, ? FROM messages WHERE id = ?`,
      params: [Date.parse(release.at), JSON.stringify(release.to), release.server, release.reply, id],
      returns: 'changes',
    });
    return changes > 0;
  }

  async deleteMessage(id: string): Promise<boolean> {
    return (
      (await this.run<number>({
        sql: 'DELETE FROM messages WHERE id = ?',
        params: [id],
        returns: 'changes',
      })) > 0
    );
  }

  async deleteMessages(q?: string): Promise<string[]> {
    const { conditions, params } = filterConditions(this.selectMessages(q));
    return this.run<string[]>({
      sql: `DELETE FROM messages ${whereOf(conditions)} RETURNING id`,
      params,
      returns: 'ids',
    });
  }

  async pruneMessages(keep: number): Promise<string[]> {
    return this.run<string[]>({
      sql: 'DELETE FROM messages WHERE seq IN (SELECT seq FROM messages ORDER BY seq DESC LIMIT -1 OFFSET ?) RETURNING id',
      params: [Math.max(0, Math.trunc(keep))],
      returns: 'ids',
    });
  }

  async deleteSession(id: string): Promise<boolean> {
    return (
      (await this.run<number>({
        sql: 'DELETE FROM sessions WHERE id = ?',
        params: [id],
        returns: 'changes',
      })) > 0
    );
  }

  async deleteSessions(): Promise<string[]> {
    return this.run<string[]>({ sql: 'DELETE FROM sessions RETURNING id', params: [], returns: 'ids' });
  }

  async pruneSessions(keep: number): Promise<string[]> {
    return this.run<string[]>({
      sql: 'DELETE FROM sessions WHERE id IN (SELECT id FROM sessions ORDER BY id DESC LIMIT -1 OFFSET ?) RETURNING id',
      params: [Math.max(0, Math.trunc(keep))],
      returns: 'ids',
    });
  }

  async saveSession(session: SessionRecord): Promise<void> {
    if (this.sessionBatch) {
      this.sessionBatch.sessions.push(session);
      return this.sessionBatch.saved;
    }
    const sessions = [session];
    const saved = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      this.sessionBatch = null;
      return this.write<void>(
        { op: 'saveSessions', sessions },
        `Could not store ${sessions.length} session(s).`,
      );
    });
    this.sessionBatch = { sessions, saved };
    return saved;
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
    if (query.chaos === true) filters.push('chaos_fired = 1');
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
    return this.statements.get(sql);
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
