/**
 * The domain model shared by the SMTP server, storage, the HTTP API and the UI.
 * JSON field names here are public API: keep them stable.
 */
import type { ProfileName } from '../profiles/port-profiles.js';

/** Facts about the TLS layer of a connection, as negotiated. */
export interface TlsFacts {
  /** How TLS was reached: `starttls` (upgrade, RFC 3207) or `implicit` (from the first byte, RFC 8314). */
  mode: 'starttls' | 'implicit';
  /** Negotiated protocol, e.g. `TLSv1.3`. */
  protocol: string;
  /** Negotiated cipher suite, e.g. `TLS_AES_256_GCM_SHA384`. */
  cipher: string;
  /** SNI name the client asked for, if any. */
  servername: string | null;
}

export interface AuthFacts {
  /** Username the client authenticated as. The password is never stored. */
  user: string;
  /** SASL mechanism used: `PLAIN`, `LOGIN`, `XOAUTH2` or `OAUTHBEARER`. */
  mechanism: string;
}

export interface EnvelopeAddress {
  /** The address as given in the command, without angle brackets; `''` for the null reverse-path. */
  address: string;
  /** ESMTP parameters given with the command (`SIZE`, `BODY`, `SMTPUTF8`...), keys upper-case. */
  params: Record<string, string | true>;
}

export interface Envelope {
  mailFrom: EnvelopeAddress;
  rcptTo: EnvelopeAddress[];
}

/** Everything the SMTP side knows about a message at the moment it is accepted. */
export interface IncomingMessage {
  /** Raw message bytes exactly as received (after dot-unstuffing, before any change). */
  raw: Buffer;
  envelope: Envelope;
  /** Name of the inbox the message belongs to (the AUTH user, or `default`). */
  inbox: string;
  sessionId: string;
  listener: { profile: ProfileName; port: number };
  client: { address: string; port: number };
  /** Name given in EHLO/HELO. */
  heloName: string | null;
  tls: TlsFacts | null;
  auth: AuthFacts | null;
  receivedAt: Date;
}

export interface AddressValue {
  name: string;
  address: string;
}

export interface AttachmentInfo {
  /** Index within the message, used in `/attachments/{n}`. */
  index: number;
  filename: string | null;
  contentType: string;
  size: number;
  contentId: string | null;
  /** True for `Content-Disposition: inline` parts referenced from HTML (e.g. `cid:` images). */
  inline: boolean;
}

export interface HeaderLine {
  name: string;
  value: string;
}

/** The parsed view of a stored message. */
export interface ParsedMessage {
  messageId: string | null;
  subject: string | null;
  from: AddressValue[];
  to: AddressValue[];
  cc: AddressValue[];
  /** Envelope recipients that appear in no To/Cc header. */
  bcc: AddressValue[];
  replyTo: AddressValue[];
  /** The Date header, ISO 8601, or null when missing or unparsable. */
  date: string | null;
  text: string | null;
  html: string | null;
  headers: HeaderLine[];
  attachments: AttachmentInfo[];
}

/** A row of the message list. */
export interface MessageSummary {
  id: string;
  inbox: string;
  receivedAt: string;
  size: number;
  subject: string | null;
  from: AddressValue[];
  to: AddressValue[];
  envelopeFrom: string;
  envelopeTo: string[];
  listener: { profile: ProfileName; port: number };
  attachmentCount: number;
  /** Short text preview for lists. */
  snippet: string;
  read: boolean;
}

/** A stored message with everything known about it (raw bytes fetched separately). */
export interface MessageDetail extends MessageSummary {
  sessionId: string;
  envelope: Envelope;
  client: { address: string; port: number };
  heloName: string | null;
  tls: TlsFacts | null;
  auth: AuthFacts | null;
  parsed: ParsedMessage;
  /** Each time the message was released to a real SMTP server (src/release), oldest first. */
  releases: MessageRelease[];
}

/** One successful release of a message: when, to whom, through which server, and its answer. Never credentials. */
export interface MessageRelease {
  /** When the upstream accepted it, ISO 8601. */
  at: string;
  /** The envelope recipients it went to. */
  to: string[];
  /** The upstream server it went out through, `host:port`. */
  server: string;
  /** The upstream's final reply line, e.g. `250 2.0.0 Ok: queued as 4Xb1`. */
  reply: string;
}

export type TranscriptDirection = 'C' | 'S' | '*';

/** One line of a session transcript: `C` client, `S` server, `*` an event (TLS established, DATA body elided). */
export interface TranscriptLine {
  /** Milliseconds since the session started. */
  t: number;
  dir: TranscriptDirection;
  text: string;
}

export type DiagnosticCode =
  | 'implicit-tls-on-starttls-port'
  | 'plaintext-on-implicit-tls-port'
  | 'auth-before-starttls'
  | 'mail-before-starttls'
  | 'mail-before-auth'
  | 'auth-failed'
  | 'auth-mechanism-unsupported'
  | 'auth-without-tls'
  | 'tls-handshake-failed'
  | 'tls-version-too-old'
  | 'bare-lf'
  | 'no-ehlo'
  | 'message-too-large'
  | 'too-many-recipients'
  | 'line-too-long'
  | 'unknown-parameter'
  | 'too-many-connections'
  | 'idle-timeout'
  | 'pipelining-violation'
  | 'starttls-not-reissued-ehlo'
  | 'quit-without-starttls'
  | 'bad-sequence'
  | 'syntax-error'
  | 'http-request'
  | 'invalid-address'
  | 'sender-not-owned';

export interface Diagnostic {
  code: DiagnosticCode;
  /** What happened, in one sentence. */
  message: string;
  /** How to fix the client, in one or two sentences. */
  fix: string;
  /** Extra facts (e.g. the TLS alert reason). */
  detail?: string;
  /** Milliseconds since the session started. */
  t: number;
}

export type SessionOutcome =
  /** At least one message accepted and the client said QUIT. */
  | 'delivered'
  /** Client said QUIT without sending a message (e.g. a connection check). */
  | 'quit'
  /** Something went wrong; see diagnostics. */
  | 'failed'
  /** The connection closed without QUIT. */
  | 'disconnected'
  | 'timeout'
  | 'rejected';

export interface SessionRecord {
  id: string;
  listener: { profile: ProfileName; port: number };
  client: { address: string; port: number };
  startedAt: string;
  endedAt: string | null;
  heloName: string | null;
  tls: TlsFacts | null;
  auth: AuthFacts | null;
  /** IDs of messages accepted in this session. */
  messageIds: string[];
  outcome: SessionOutcome;
  /** The last error reply sent, if any, e.g. `530 5.7.0 Must issue a STARTTLS command first`. */
  lastError: string | null;
  /** Set when chaos rules fired in the session (src/chaos); absent when none did. */
  chaos?: SessionChaos;
  diagnostics: Diagnostic[];
  transcript: TranscriptLine[];
}

export interface SessionChaos {
  /** Ids of the rules that fired, in the order they first fired. */
  rules: string[];
  /**
   * The session failed only because of them: every error reply was injected by a rule or followed
   * only from one, and the client made no mistake. Such a session is not one with problems.
   */
  failedOnPurpose: boolean;
}

export type SessionSummary = Omit<SessionRecord, 'transcript'>;

export interface ListenerInfo {
  profile: ProfileName;
  label: string;
  host: string;
  /** The bound port (the real one when started with port 0). */
  port: number;
  /** The production port this profile stands for (25, 465, 587, 2525). */
  standardPort: number;
  tls: 'none' | 'starttls' | 'starttls-required' | 'implicit';
  auth: 'off' | 'optional' | 'required';
}

export interface ServerInfo {
  version: string;
  hostname: string;
  listeners: ListenerInfo[];
  http: {
    host: string;
    port: number;
    url: string;
    /** Whether the API and UI ask for an HTTP Basic login (`--http-auth`); the logins are never shown. */
    authRequired: boolean;
  };
  tls: {
    /** Path of the CA certificate clients must trust. */
    caPath: string;
    caPem: string;
    /** Environment variable line that makes Node trust the CA. */
    trustHint: string;
  };
  auth: {
    /** `default`: the built-in pair below; `configured`: pairs from --auth; `any`: any credentials accepted. */
    mode: 'default' | 'configured' | 'any';
    users: string[];
    /** Only for `default` mode, where the pair is public knowledge anyway; never for configured users. */
    defaultCredentials: { user: string; pass: string } | null;
    /** After AUTH, MAIL FROM must be the login itself (`--sender-must-match-login`). */
    senderMustMatchLogin: boolean;
    /** The OAuth token endpoint (`POST /oauth2/token`), null without the HTTP API, and its tokens' lifetime. */
    oauth: { tokenUrl: string | null; tokenLifetimeSeconds: number };
  };
  limits: {
    maxMessageSize: number;
    maxRecipients: number;
    maxConnections: number;
    idleTimeoutSeconds: number;
    maxMessages: number;
    maxSessions: number;
  };
  storage: { engine: string; dataDir: string | null };
  /** Where messages are released to (`POST /api/v1/messages/{id}/release`); null when release is off. */
  release: ReleaseInfo | null;
}

/** The release target as anyone may see it: host and port, never credentials. */
export interface ReleaseInfo {
  /** The upstream SMTP server, `host:port`, or `host` alone when the decision rule picks the port. */
  server: string;
  /** How TLS is chosen: `auto` (465 implicit, others STARTTLS), `starttls`, `implicit` or `none`. */
  tls: 'auto' | 'starttls' | 'implicit' | 'none';
  /** Envelope sender of every release, or null to keep each message's MAIL FROM. */
  from: string | null;
  /** Recipient globs a release may go to; empty: only the recipients each request names. */
  allow: string[];
}
