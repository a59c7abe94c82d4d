/**
 * The narrow storage interface. The server, the HTTP API and the CLI see only this; one adapter
 * per engine implements it (SQLite embedded by default, PostgreSQL for shared deployments), and
 * every adapter passes the same contract suite in test/storage/.
 */
import type {
  DiagnosticCode,
  IncomingMessage,
  MessageDetail,
  MessageRelease,
  MessageSummary,
  SessionRecord,
  SessionSummary,
} from '../domain/types.js';
import type { MessageFacts } from '../mime/message-facts.js';

export interface MessageQuery {
  /** Search text in the API's `q` syntax (see src/search/query.ts). */
  q?: string;
  /** Page size; adapters clamp it to 1..500. */
  limit?: number;
  /** Opaque cursor returned as `nextCursor` by the previous page. */
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  /** Total number of items matching the query (ignoring the cursor). */
  total: number;
  /** Pass as `cursor` to get the next page; null on the last page. */
  nextCursor: string | null;
}

export interface SessionQuery {
  /** Only sessions that carry this diagnostic code. */
  diagnostic?: DiagnosticCode;
  /** Only sessions for which `hasProblems` (session-record.ts) holds. */
  problems?: boolean;
  /** Only sessions in which chaos rules fired (those with a `chaos` field). */
  chaos?: boolean;
  limit?: number;
  cursor?: string;
}

export interface NewMessage {
  /** Pre-assigned, time-sortable id (see src/domain/ids.ts). */
  id: string;
  incoming: IncomingMessage;
  /** What it is listed and searched by; the full parse happens when it is read (getMessage). */
  facts: MessageFacts;
}

export interface StoreStats {
  messages: number;
  sessions: number;
  /** Sum of raw message sizes in bytes. */
  messageBytes: number;
  /** Bytes the store occupies on disk (0 when unknown). */
  storeBytes: number;
}

export interface Store {
  /** Engine name, e.g. `sqlite` or `postgres`. */
  readonly engine: string;
  /** Creates or migrates the schema. Safe to call on an existing store. */
  init(): Promise<void>;
  close(): Promise<void>;

  /**
   * Durably commits messages; resolves only after the commit is on disk, so the caller may then
   * acknowledge them with 250. Adapters may commit a whole batch in one transaction.
   */
  addMessages(messages: NewMessage[]): Promise<void>;
  listMessages(query: MessageQuery): Promise<Page<MessageSummary>>;
  getMessage(id: string): Promise<MessageDetail | null>;
  getRawMessage(id: string): Promise<Buffer | null>;
  /** When message `id` was received, or null when there is no such message. */
  getReceivedAt(id: string): Promise<Date | null>;
  setRead(id: string, read: boolean): Promise<boolean>;
  /**
   * Records a successful release on the message (returned, oldest first, in `getMessage().releases`;
   * deleted with it). False when there is no such message.
   */
  addRelease(id: string, release: MessageRelease): Promise<boolean>;
  deleteMessage(id: string): Promise<boolean>;
  /** Deletes all messages, or those matching `q`; returns the ids deleted. */
  deleteMessages(q?: string): Promise<string[]>;
  /** Keeps the newest `keep` messages and deletes the rest; returns the ids deleted. */
  pruneMessages(keep: number): Promise<string[]>;

  /** Inserts or replaces a session (called when it opens and again when it closes). */
  saveSession(session: SessionRecord): Promise<void>;
  listSessions(query: SessionQuery): Promise<Page<SessionSummary>>;
  getSession(id: string): Promise<SessionRecord | null>;
  deleteSession(id: string): Promise<boolean>;
  /** Deletes every session; returns the ids deleted. A session still open is saved again when it closes. */
  deleteSessions(): Promise<string[]>;
  /** Keeps the newest `keep` sessions and deletes the rest; returns the ids deleted. */
  pruneSessions(keep: number): Promise<string[]>;

  stats(): Promise<StoreStats>;
}
