/**
 * Every failure of the SMTP client is an SmtpClientError: a stable `code`, the `phase` it happened
 * in, the server's reply when there was one, and the underlying `cause` (socket or TLS error).
 * `mailport explain` reads these fields; keep the codes stable.
 */
import { formatReply, type ServerReply } from './reply.js';
import { commandName, type SurplusLine } from './transcript.js';

export type SmtpClientErrorCode =
  /** The TCP connection was refused (nothing listens, or a firewall rejects). */
  | 'ECONNREFUSED'
  /** A step did not finish in time (connect, greeting, or a reply). */
  | 'ETIMEDOUT'
  /** The server closed or reset the connection unexpectedly. */
  | 'ECONNRESET'
  /** The host name did not resolve. */
  | 'EDNS'
  /** The TLS handshake failed, or the server refused STARTTLS. */
  | 'ETLS'
  /** Authentication failed or could not be attempted. */
  | 'EAUTH'
  /** The server sent something that is not SMTP, or a reply that breaks the protocol. */
  | 'EPROTOCOL'
  /** The sender or a recipient was refused. */
  | 'EENVELOPE'
  /** The message data was refused. */
  | 'EMESSAGE'
  /** Any other socket error (network unreachable, host unreachable...). */
  | 'ESOCKET';

export type SmtpPhase = 'connect' | 'greeting' | 'ehlo' | 'starttls' | 'auth' | 'mail' | 'rcpt' | 'data';

export class SmtpClientError extends Error {
  override readonly name = 'SmtpClientError';
  readonly code: SmtpClientErrorCode;
  readonly phase: SmtpPhase;
  /** The server reply that caused the failure, if any. */
  readonly reply: ServerReply | null;
  /** The first bytes the server sent when they were not an SMTP reply (a banner of another protocol). */
  readonly received: Buffer | null;
  /** Why those bytes are not SMTP, in words (e.g. a reply line longer than 64 KiB). */
  readonly notSmtpReason: string | null;
  /** The whole message went out but its reply never came: the server may have accepted it. */
  readonly maybeDelivered: boolean;
  /** The server refused EHLO and HELO but answered LHLO: an LMTP server (RFC 2033), not SMTP. */
  readonly speaksLmtp: boolean;

  constructor(
    code: SmtpClientErrorCode,
    phase: SmtpPhase,
    message: string,
    options: {
      reply?: ServerReply | null;
      cause?: unknown;
      received?: Buffer | null;
      notSmtpReason?: string | null;
      maybeDelivered?: boolean;
      speaksLmtp?: boolean;
    } = {},
  ) {
    const replyText = options.reply ? `: ${formatReply(options.reply)}` : '';
    super(`${message}${replyText}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.phase = phase;
    this.reply = options.reply ?? null;
    this.received = options.received ?? null;
    this.notSmtpReason = options.notSmtpReason ?? null;
    this.maybeDelivered = options.maybeDelivered ?? false;
    this.speaksLmtp = options.speaksLmtp ?? false;
  }
}

/**
 * A reply that no command of this kind can get, such as 354 to MAIL FROM (RFC 5321 §4.3.2): the
 * server's replies are out of step with the commands, or it is broken.
 */
export function outOfStepReply(command: string, phase: SmtpPhase, reply: ServerReply): SmtpClientError {
  return new SmtpClientError(
    'EPROTOCOL',
    phase,
    `The server answered ${command} with ${reply.code}, which is no answer to ${command} (RFC 5321 §4.3.2): a protocol error on its side, its replies out of step with the commands`,
    { reply },
  );
}

/**
 * The server sent reply lines nobody asked for: a reply already ended (a space after its code),
 * and more lines followed before the next command. Read on, each would pass for the reply to the
 * next command (a 550 taken for the 250 before it), so the session stops here.
 */
export class OutOfStepError extends SmtpClientError {
  constructor(
    phase: SmtpPhase,
    readonly surplus: SurplusLine,
  ) {
    const { after, final, line } = surplus;
    const reply = after === null ? 'greeting' : `reply to ${commandName(after)}`;
    super(
      'EPROTOCOL',
      phase,
      `The server's ${reply} ended at "${final}" (a space after the code marks the last line, RFC 5321 §4.2.1), yet more lines followed: "${line}". Clients read those as the replies to their next commands, out of step from there on, so Mailport stopped here: the server (or a proxy rewriting its replies) sends malformed replies`,
    );
  }
}

/** Maps a Node socket error (`err.code`) to a client error code. */
export function socketErrorCode(error: unknown): SmtpClientErrorCode {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'ECONNREFUSED';
    case 'ETIMEDOUT':
      return 'ETIMEDOUT';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'ECONNRESET';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
    case 'EAI_NONAME':
      return 'EDNS';
    default:
      return typeof code === 'string' && (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS'))
        ? 'ETLS'
        : 'ESOCKET';
  }
}
