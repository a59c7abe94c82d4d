/**
 * The API's wire types, as the client sees them. The resources themselves are the domain types
 * (src/domain/types.ts); this module adds the envelopes the API wraps them in.
 */
import type { DiagnosticCode, MessageRelease, MessageSummary, SessionSummary } from '../domain/types.js';

export type {
  ChaosAction,
  ChaosActionInput,
  ChaosRule,
  ChaosRuleInput,
  ChaosRuleStatus,
  ChaosStage,
} from '../chaos/rules.js';
export type * from '../deliverability/types.js';

export type {
  AttachmentInfo,
  DiagnosticCode,
  HeaderLine,
  MessageDetail,
  MessageRelease,
  MessageSummary,
  ReleaseInfo,
  ServerInfo,
  SessionRecord,
  SessionSummary,
} from '../domain/types.js';
export type { ReleaseResult } from '../release/releaser.js';

/** One page of a listing, newest first. */
export interface Page<T> {
  items: T[];
  /** Number of items matching the query, on all pages. */
  total: number;
  /** Pass as `cursor` to get the next page; null on the last page. */
  nextCursor: string | null;
}

/**
 * Sentences about a search query: one for each `key:value` term the server searched as free text
 * instead (`port:abc`, `after:zzz`), saying why and what to write. Absent when every term was understood.
 */
export interface QueryNotes {
  queryNotes?: string[];
}

/** One page of messages, with notes about the `q` it was listed by. */
export interface MessagePage extends Page<MessageSummary>, QueryNotes {}

export interface MessageListQuery {
  /**
   * Search: free text plus `from:` `to:` `subject:` `inbox:` `port:` `profile:` `has:attachment`
   * `is:read` `before:` `after:`; `-` negates a term.
   * @example 'to:alice@example.com subject:"password reset"'
   */
  q?: string;
  /** Page size, 1 to 500. @defaultValue 50 */
  limit?: number;
  cursor?: string;
}

export interface SessionListQuery {
  /** Only sessions that carry this diagnostic code. */
  diagnostic?: DiagnosticCode;
  /** Only sessions with at least one diagnostic, or a failed outcome chaos rules did not cause on purpose. */
  problems?: boolean;
  /** Only sessions in which chaos rules fired (those with a `chaos` field). */
  chaos?: boolean;
  limit?: number;
  cursor?: string;
}

export interface WaitOptions {
  /** Search query the messages must match (see {@link MessageListQuery.q}); empty matches any message. */
  q?: string;
  /** How many matching messages to wait for, already stored ones included. @defaultValue 1 */
  count?: number;
  /** How long the server waits, in ms; the server caps it at 5 minutes. @defaultValue 30000 */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface WaitResult extends QueryNotes {
  /** The `count` newest matching messages, newest first. */
  items: MessageSummary[];
  /** Number of messages matching when the wait ended. */
  total: number;
  waitedMs: number;
}

export interface DeleteResult extends QueryNotes {
  deleted: number;
  ids: string[];
}

export interface SessionDeleteResult {
  deleted: number;
  ids: string[];
}

export interface ImportOptions {
  /** @defaultValue 'default' */
  inbox?: string;
  /** Envelope sender; defaults to the From header. */
  mailFrom?: string;
  /** Envelope recipients; default to the To, Cc and Bcc headers. */
  rcptTo?: string[];
}

export interface CheckOptions {
  /** The production sending IP SPF is evaluated for (over the server's `--sending-ip`). */
  ip?: string;
  /** Request every http(s) link (HEAD, GET when refused) and report its status. @defaultValue false */
  probeLinks?: boolean;
  /**
   * The email clients to check the HTML against (`report.htmlCompatibility`), as caniemail
   * `family.platform` names with `*` wildcards, e.g. `['gmail.*', 'outlook.windows']`. @defaultValue every client
   */
  clients?: readonly string[];
}

export interface ReleaseOptions {
  /**
   * Envelope recipients. Default: the message's own, only when the server has `--release-allow`;
   * without it, required. Each must match `--release-allow` when it is set.
   */
  to?: readonly string[];
}

export interface AttachmentContent {
  contentType: string;
  /** From `Content-Disposition`; null when the server sent none. */
  filename: string | null;
  content: Buffer;
}

/** RFC 9457 problem details, the body of every API error. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  [extension: string]: unknown;
}

export interface MailportEventMap {
  'message.received': { message: MessageSummary };
  'message.deleted': { ids: string[] };
  /** A release was recorded on message `id`: `release` is what its `releases` just gained. */
  'message.released': { id: string; release: MessageRelease };
  /** The session without its transcript; `getSession(id)` has it. */
  'session.closed': { session: SessionSummary };
  /** Sessions were deleted (`deleteSession`, `clearSessions`, or pruned by `--max-sessions`). */
  'session.deleted': { ids: string[] };
}

export type MailportEventType = keyof MailportEventMap;

/** An event from `GET /api/v1/events`. */
export type MailportEvent = {
  [K in MailportEventType]: {
    /** The event id, to resume after it (`lastEventId`). */
    id: string | null;
    type: K;
    data: MailportEventMap[K];
  };
}[MailportEventType];
