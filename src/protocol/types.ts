/**
 * Contract between the pure SMTP protocol engine (src/protocol) and the socket layer (src/server).
 * The engine never touches sockets, timers, files or the clock directly: bytes come in through
 * `SmtpProtocolSession.receive`, everything else goes out through `ProtocolSink` and `ProtocolHooks`.
 */
import type { AuthFacts, DiagnosticCode, Envelope, TlsFacts } from '../domain/types.js';
import type { PortProfile } from '../profiles/port-profiles.js';

/**
 * Every reply the server sends. `enhanced` is the RFC 3463 code; null only for the greeting and the
 * EHLO/HELO reply (RFC 2034 §3) and for 3xx intermediate replies such as 334 and 354 (RFC 3463 §2).
 */
export interface SmtpReply {
  code: number;
  enhanced: string | null;
  /** One or more lines of text, without codes; a multi-line reply is formatted `250-...` / `250 ...`. */
  text: string | readonly string[];
}

export interface ProtocolLimits {
  /** Largest message accepted, in bytes; advertised as `SIZE` (RFC 1870). */
  maxMessageSize: number;
  /** Most RCPT TO accepted per transaction; the next gets 452 4.5.3 (RFC 5321 §4.5.3.1.8). */
  maxRecipients: number;
  /** Longest command line in octets including CRLF (RFC 5321 §4.5.3.1.4: 512; AUTH lines may be up to 12288, RFC 4954 §4). */
  maxCommandLineLength: number;
  /** Longest message text line in octets including CRLF (RFC 5321 §4.5.3.1.6: 1000). */
  maxDataLineLength: number;
  /** Unknown or malformed commands tolerated before `421 4.7.0` and disconnect. */
  maxBadCommands: number;
  /** Failed AUTH attempts tolerated before `421 4.7.0` and disconnect. */
  maxAuthFailures: number;
}

export type Credentials = PasswordCredentials | TokenCredentials;

export interface PasswordCredentials {
  mechanism: 'PLAIN' | 'LOGIN';
  /** PLAIN authorization identity, if the client sent one. */
  authzid: string | null;
  username: string;
  password: string;
}

/** An OAuth 2.0 bearer token for `username` (XOAUTH2, or OAUTHBEARER per RFC 7628). */
export interface TokenCredentials {
  mechanism: 'XOAUTH2' | 'OAUTHBEARER';
  /** The user named in the message is the one the token acts for: no separate authorization identity. */
  authzid: null;
  username: string;
  token: string;
}

/** A complete mail transaction, handed to `ProtocolHooks.deliver` after `<CRLF>.<CRLF>`. */
export interface Transaction {
  envelope: Envelope;
  /** Message bytes, dot-unstuffed, with CRLF line endings, without the terminating `.` line. */
  data: Buffer;
  heloName: string | null;
  tls: TlsFacts | null;
  auth: AuthFacts | null;
}

/**
 * The points where the server accepts something, in session order: the greeting, EHLO/HELO, AUTH,
 * MAIL FROM, RCPT TO, the DATA command (354) and the message after its end of data.
 */
export type ProtocolStage = 'connect' | 'ehlo' | 'auth' | 'mail' | 'rcpt' | 'data' | 'message';

/** What `ProtocolHooks.beforeAccept` decides for a stage. */
export type StageVerdict =
  | { verdict: 'accept' }
  /** Send this reply instead of the positive one; a 421 also closes the connection (RFC 5321 §3.8). */
  | { verdict: 'refuse'; reply: SmtpReply }
  /** Close the connection without replying. */
  | { verdict: 'disconnect' };

export interface ProtocolHooks {
  /** Checks credentials. Never log or store `password` or `token`. */
  authenticate(credentials: Credentials): boolean | Promise<boolean>;
  /**
   * Stores the message; the engine sends `250 2.0.0` with the returned id only after this resolves.
   * Rejecting with an `SmtpReplyError` sends that reply; any other rejection sends `451 4.3.0`.
   */
  deliver(transaction: Transaction): Promise<{ id: string }>;
  /**
   * Called where a stage is about to succeed (the engine's own checks passed, so a real refusal is
   * never masked), with what the stage names: the EHLO/HELO name, the AUTH user, the sender, the
   * recipient, or every recipient at `data` and `message`; nothing at `connect`. A promise holds
   * the reply back; input is read again once it settles. Left out, every stage is accepted.
   */
  beforeAccept?(stage: ProtocolStage, subjects: readonly string[]): StageVerdict | Promise<StageVerdict>;
}

export type TranscriptDirectionOut = 'C' | 'S' | '*';

/** Everything the engine asks of the outside world. */
export interface ProtocolSink {
  /** Bytes to write to the client, already formatted (`250-...\r\n250 ...\r\n`). */
  write(data: string): void;
  /**
   * The engine has written `220 2.0.0 Ready to start TLS` and discarded any input that followed the
   * STARTTLS command (CVE-2011-0411). Stop reading plaintext, upgrade the socket, then call
   * `tlsStarted()` (or close on failure).
   */
  startTls(): void;
  /** Close the connection after pending writes flush. */
  close(): void;
  /** Transcript line: client (`C`), server (`S`) or event (`*`). AUTH payloads are already redacted, DATA bodies elided. */
  transcript(direction: TranscriptDirectionOut, text: string): void;
  /** A client mistake worth telling the user about (catalogue in src/diagnostics). */
  diagnostic(code: DiagnosticCode, detail?: string): void;
  /** A message was accepted (after its 250 was written). */
  delivered(messageId: string): void;
}

export interface ProtocolSessionOptions {
  profile: PortProfile;
  /** Name used in the greeting and EHLO reply. */
  hostname: string;
  limits: ProtocolLimits;
  hooks: ProtocolHooks;
  sink: ProtocolSink;
  /** Set when the connection is already TLS (implicit TLS, RFC 8314). */
  tls: TlsFacts | null;
  /** After AUTH, MAIL FROM must be the login itself (`--sender-must-match-login`). */
  senderMustMatchLogin?: boolean;
}

/** Why a session ended, as seen by the engine. */
export type ProtocolEnd = 'quit' | 'closed-by-server' | 'client-disconnected';
