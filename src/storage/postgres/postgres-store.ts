/**
 * The PostgreSQL store, for shared deployments: same semantics as SqliteStore (the same contract
 * suite runs against both), with a tsvector/GIN full-text index and versioned migrations.
 */
import pg from 'pg';
import type {
  MessageDetail,
  MessageRelease,
  MessageSummary,
  SessionRecord,
  SessionSummary,
} from '../../domain/types.js';
import { MailportError } from '../../errors.js';
import { parseSearchQuery } from '../../search/query.js';
import { searchWords } from '../../search/words.js';
import {
  type DetailRow,
  detailColumns,
  detailFromRow,
  type MessageRecord,
  messageRecord,
  RELEASE_COLUMNS,
  type ReleaseRow,
  type SummaryRow,
  summaryColumns,
  summaryFromRow,
} from '../message-record.js';
import { decodeCursor, page, pageSize } from '../paging.js';
import { ParsedMessageCache } from '../parsed-cache.js';
import { compileSearch, type FullTextColumn, type FullTextPhrase, whereOf } from '../search-sql.js';
import { diagnosticCodes, hasProblems, sessionSummary } from '../session-record.js';
import { storageError } from '../storage-error.js';
import type { MessageQuery, NewMessage, Page, SessionQuery, Store, StoreStats } from '../store.js';
import { POSTGRES_MIGRATIONS } from './migrations.js';
import { type TsWeight, tsqueryPhrase, tsvectorLiteral } from './tsvector.js';

export interface PostgresStoreOptions {
  /** e.g. `postgres://user@host:5432/db`. */
  connectionString: string;
  /** Schema holding Mailport's tables, created when missing; default `public`. */
  schema?: string;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
/** Serialises migrations between processes sharing a database (any constant works; this spells "mport"). */
const MIGRATION_LOCK_KEY = 0x6d706f7274;

/** One tsvector holds every column; its weight labels tell them apart for `subject:`, `from:` and `to:`. */
const COLUMN_WEIGHTS: Record<FullTextColumn, TsWeight> = { subject: 'A', sender: 'B', recipients: 'C' };

/** Up to this many matches, a filtered list is collected and sorted rather than read along the id index. */
const FEW_MATCHES = 5_000;

const INSERT_MESSAGE = `INSERT INTO messages (id, inbox, received_at, size, listener_profile, listener_port,
    attachment_count, has_attachment, subject, subject_search, from_search, to_search, envelope_from, envelope_to,
    from_json, to_json, snippet, search)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18::tsvector)`;
const INSERT_CONTENT = 'INSERT INTO message_content (id, extras_json, raw) VALUES ($1, $2, $3)';

export class PostgresStore implements Store {
  readonly engine = 'postgres';
  readonly schema: string;
  private readonly pool: pg.Pool;
  private readonly parsed = new ParsedMessageCache();

  constructor(options: PostgresStoreOptions) {
    this.schema = options.schema ?? 'public';
    if (!SCHEMA_NAME.test(this.schema)) {
      throw new MailportError('MP_ERR_CONFIG', `"${this.schema}" is not a usable PostgreSQL schema name.`, {
        hint: 'Use lower-case letters, digits and underscores, starting with a letter or underscore.',
      });
    }
    // Every connection works inside the store's schema, so the SQL never names it. COMMIT must
    // return only once the WAL is flushed (the 250 follows it), whatever the server's default.
    this.pool = new pg.Pool({
      connectionString: options.connectionString,
      options: `-c search_path=${this.schema} -c synchronous_commit=on`,
    });
    // An idle connection that breaks (server restart, network) is dropped by the pool and replaced
    // on the next query; without a listener the 'error' event would crash the process.
    this.pool.on('error', () => undefined);
  }

  async init(): Promise<void> {
    await this.transaction(`Could not migrate the PostgreSQL schema "${this.schema}".`, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
      const applied = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
      const done = new Set(applied.rows.map((row) => row.version));
      const ordered = [...POSTGRES_MIGRATIONS].sort((a, b) => a.version - b.version);
      for (const migration of ordered) {
        if (done.has(migration.version)) continue;
        await client.query(migration.sql);
        await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
          migration.version,
          migration.name,
        ]);
      }
    });
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  async addMessages(messages: NewMessage[]): Promise<void> {
    if (messages.length === 0) return;
    // One transaction per batch; with synchronous_commit=on (set for every connection) COMMIT
    // returns after the WAL is flushed, so the caller may acknowledge with 250 afterwards.
    await this.transaction(`Could not store ${messages.length} message(s).`, async (client) => {
      for (const record of messages.map(messageRecord)) {
        await client.query({
          name: 'mailport-insert-message',
          text: INSERT_MESSAGE,
          values: messageValues(record),
        });
        await client.query({
          name: 'mailport-insert-content',
          text: INSERT_CONTENT,
          values: [record.id, JSON.stringify(record.extras), record.raw],
        });
      }
    });
  }

  async listMessages(query: MessageQuery): Promise<Page<MessageSummary>> {
    const limit = pageSize(query.limit);
    const below = decodeCursor(query.cursor, 'id');
    const filter = messageFilter(query.q);
    const total =
      filter.where === null
        ? await this.counter('messages')
        : await this.count(`SELECT count(*) AS n FROM messages WHERE ${filter.where}`, filter.params);
    const params = [...filter.params];
    const conditions = [filter.where];
    if (below !== null) {
      params.push(below);
      conditions.push(`id < $${params.length}`);
    }
    params.push(limit + 1);
    const select = `SELECT ${summaryColumns('messages')} FROM messages ${whereOf(conditions)}`;
    // For a prefix search PostgreSQL cannot estimate how rare the words are, and may walk the id
    // index newest first testing every row. When the count says the matches are few, fetch them
    // through the GIN index first and sort only those.
    const sql =
      filter.where !== null && total <= FEW_MATCHES
        ? `WITH matches AS MATERIALIZED (${select}) SELECT * FROM matches ORDER BY id DESC LIMIT $${params.length}`
        : `${select} ORDER BY id DESC LIMIT $${params.length}`;
    const rows = await this.query<SummaryRow>(sql, params);
    return page(rows, limit, total, (row) => row.id, summaryFromRow);
  }

  async getMessage(id: string): Promise<MessageDetail | null> {
    const [[row], releases] = await Promise.all([
      this.query<DetailRow>(
        `SELECT ${detailColumns('messages', 'c')} FROM messages JOIN message_content c ON c.id = messages.id
         WHERE messages.id = $1`,
        [id],
      ),
      this.query<ReleaseRow>(
        `SELECT ${RELEASE_COLUMNS} FROM message_releases WHERE message_id = $1 ORDER BY seq`,
        [id],
      ),
    ]);
    return row === undefined ? null : detailFromRow(row, releases, this.parsed);
  }

  async getRawMessage(id: string): Promise<Buffer | null> {
    const [row] = await this.query<{ raw: Buffer }>('SELECT raw FROM message_content WHERE id = $1', [id]);
    return row?.raw ?? null;
  }

  async getReceivedAt(id: string): Promise<Date | null> {
    const [row] = await this.query<{ received_at: Date }>('SELECT received_at FROM messages WHERE id = $1', [
      id,
    ]);
    return row?.received_at ?? null;
  }

  async setRead(id: string, read: boolean): Promise<boolean> {
    const result = await this.pool.query('UPDATE messages SET is_read = $2 WHERE id = $1', [id, read]);
    return (result.rowCount ?? 0) > 0;
  }

  async addRelease(id: string, release: MessageRelease): Promise<boolean> {
    const rows = await this.query(
      `INSERT INTO message_releases (message_id, ${RELEASE_COLUMNS})
       SELECT id, $2, $3, $4, $5 FROM messages WHERE id = $1 FOR KEY SHARE RETURNING seq`,
      [id, release.at, JSON.stringify(release.to), withoutNul(release.server), withoutNul(release.reply)],
      `Could not record the release of message ${id}.`,
    );
    return rows.length > 0;
  }

  async deleteMessage(id: string): Promise<boolean> {
    const result = await this.pool.query('DELETE FROM messages WHERE id = $1', [id]);
    return (result.rowCount ?? 0) > 0;
  }

  async deleteMessages(q?: string): Promise<string[]> {
    const filter = messageFilter(q);
    const rows = await this.query<{ id: string }>(
      `DELETE FROM messages ${whereOf([filter.where])} RETURNING id`,
      filter.params,
    );
    return rows.map((row) => row.id);
  }

  async pruneMessages(keep: number): Promise<string[]> {
    const rows = await this.query<{ id: string }>(
      'DELETE FROM messages WHERE id IN (SELECT id FROM messages ORDER BY id DESC OFFSET $1) RETURNING id',
      [Math.max(0, Math.trunc(keep))],
    );
    return rows.map((row) => row.id);
  }

  async deleteSession(id: string): Promise<boolean> {
    const result = await this.pool.query('DELETE FROM sessions WHERE id = $1', [id]);
    return (result.rowCount ?? 0) > 0;
  }

  async deleteSessions(): Promise<string[]> {
    const rows = await this.query<{ id: string }>('DELETE FROM sessions RETURNING id', []);
    return rows.map((row) => row.id);
  }

  async pruneSessions(keep: number): Promise<string[]> {
    const rows = await this.query<{ id: string }>(
      'DELETE FROM sessions WHERE id IN (SELECT id FROM sessions ORDER BY id DESC OFFSET $1) RETURNING id',
      [Math.max(0, Math.trunc(keep))],
    );
    return rows.map((row) => row.id);
  }

  async saveSession(session: SessionRecord): Promise<void> {
    await this.query(
      `INSERT INTO sessions (id, has_problems, chaos_fired, diagnostic_codes, summary_json, transcript_json)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (id) DO UPDATE SET has_problems = excluded.has_problems, chaos_fired = excluded.chaos_fired,
         diagnostic_codes = excluded.diagnostic_codes, summary_json = excluded.summary_json,
         transcript_json = excluded.transcript_json`,
      [
        session.id,
        hasProblems(session),
        session.chaos !== undefined,
        diagnosticCodes(session),
        JSON.stringify(sessionSummary(session)),
        JSON.stringify(session.transcript),
      ],
      `Could not store session ${session.id}.`,
    );
  }

  async listSessions(query: SessionQuery): Promise<Page<SessionSummary>> {
    const limit = pageSize(query.limit);
    const after = decodeCursor(query.cursor, 'id');
    const filters: string[] = [];
    const params: unknown[] = [];
    if (query.diagnostic !== undefined) {
      params.push([query.diagnostic]);
      filters.push(`diagnostic_codes @> $${params.length}::text[]`);
    }
    if (query.problems === true) filters.push('has_problems');
    if (query.chaos === true) filters.push('chaos_fired');
    const filterParams = [...params];
    const conditions = [...filters];
    if (after !== null) {
      params.push(after);
      conditions.push(`id < $${params.length}`);
    }
    params.push(limit + 1);
    const rows = await this.query<{ summary_json: SessionSummary }>(
      `SELECT summary_json FROM sessions ${whereOf(conditions)} ORDER BY id DESC LIMIT $${params.length}`,
      params,
    );
    const total =
      filters.length === 0
        ? await this.counter('sessions')
        : await this.count(`SELECT count(*) AS n FROM sessions ${whereOf(filters)}`, filterParams);
    return page(
      rows,
      limit,
      total,
      (row) => row.summary_json.id,
      (row) => row.summary_json,
    );
  }

  async getSession(id: string): Promise<SessionRecord | null> {
    const [row] = await this.query<{
      summary_json: SessionSummary;
      transcript_json: SessionRecord['transcript'];
    }>('SELECT summary_json, transcript_json FROM sessions WHERE id = $1', [id]);
    return row === undefined ? null : { ...row.summary_json, transcript: row.transcript_json };
  }

  async stats(): Promise<StoreStats> {
    const rows = await this.query<{ name: string; value: string }>('SELECT name, value FROM counters');
    const counters = new Map(rows.map((row) => [row.name, Number(row.value)]));
    const storeBytes = await this.count(
      `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) AS n
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relkind IN ('r', 'm')`,
      [this.schema],
    );
    return {
      messages: counters.get('messages') ?? 0,
      sessions: counters.get('sessions') ?? 0,
      messageBytes: counters.get('message_bytes') ?? 0,
      storeBytes,
    };
  }

  private async counter(name: 'messages' | 'sessions'): Promise<number> {
    return this.count('SELECT value AS n FROM counters WHERE name = $1', [name]);
  }

  /** Runs a query whose single row has a bigint column `n` (returned by pg as a string). */
  private async count(sql: string, params: unknown[]): Promise<number> {
    const [row] = await this.query<{ n: string }>(sql, params);
    return Number(row?.n ?? 0);
  }

  private async query<T extends pg.QueryResultRow>(
    sql: string,
    params: unknown[] = [],
    failure = 'The PostgreSQL query failed.',
  ): Promise<T[]> {
    try {
      return (await this.pool.query<T>(sql, params)).rows;
    } catch (cause) {
      throw storageError(failure, cause);
    }
  }

  private async transaction(failure: string, work: (client: pg.PoolClient) => Promise<void>): Promise<void> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (cause) {
      throw storageError(failure, cause);
    }
    try {
      await client.query('BEGIN');
      await work(client);
      await client.query('COMMIT');
    } catch (cause) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw storageError(failure, cause);
    } finally {
      client.release();
    }
  }
}

function messageValues(record: MessageRecord): unknown[] {
  const text = record.fullText;
  return [
    record.id,
    record.inbox,
    record.receivedAt,
    record.size,
    record.listenerProfile,
    record.listenerPort,
    record.attachmentCount,
    record.attachmentCount > 0,
    withoutNul(record.subject),
    withoutNul(record.subjectSearch),
    withoutNul(record.fromSearch),
    withoutNul(record.toSearch),
    withoutNul(record.envelopeFrom),
    JSON.stringify(record.envelopeTo),
    JSON.stringify(record.from),
    JSON.stringify(record.to),
    withoutNul(record.snippet),
    tsvectorLiteral([
      { words: searchWords(text.subject), weight: COLUMN_WEIGHTS.subject },
      { words: searchWords(text.sender), weight: COLUMN_WEIGHTS.sender },
      { words: searchWords(text.recipients), weight: COLUMN_WEIGHTS.recipients },
      { words: searchWords(text.body), weight: 'D' },
    ]),
  ];
}

/** PostgreSQL text cannot hold NUL characters; malformed mail can. (JSON columns escape them.) */
function withoutNul<T extends string | null>(value: T): T {
  return (value === null ? value : value.replaceAll('\u0000', '')) as T;
}

/** Turns `q` into one WHERE condition; every phrase goes into a single tsquery, answered by the GIN index. */
function messageFilter(q: string | undefined): { where: string | null; params: unknown[] } {
  const params: unknown[] = [];
  const bind = (value: unknown): string => {
    params.push(value);
    return `$${params.length}`;
  };
  const search = compileSearch(parseSearchQuery(q ?? ''), {
    bind,
    contains: (column, needle) => `strpos(${column}, ${bind(withoutNul(needle))}) > 0`,
    boolean: (value) => (value ? 'true' : 'false'),
    time: (at) => `${bind(at)}::timestamptz`,
  });
  const phrases = [
    ...search.required.map((phrase) => `(${tsqueryPhrase(phrase.words, weightOf(phrase))})`),
    ...search.excluded.map((phrase) => `!(${tsqueryPhrase(phrase.words, weightOf(phrase))})`),
  ];
  const fullText = phrases.length === 0 ? null : `search @@ ${bind(phrases.join(' & '))}::tsquery`;
  const where = [fullText, search.where].filter((part) => part !== null);
  return { where: where.length === 0 ? null : where.join(' AND '), params };
}

function weightOf(phrase: FullTextPhrase): TsWeight | null {
  return phrase.column === null ? null : COLUMN_WEIGHTS[phrase.column];
}
