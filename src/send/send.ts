/**
 * Sends one message like swaks: with a given port, exactly as asked; without one, by the decision
 * rule, falling back 587 → 465 → 2525 when a port cannot be reached or speaks another TLS mode.
 * Problems that would repeat on every port (AUTH, sender, recipients, message) stop the fallback.
 */
import { type Explanation, explainError } from '../explain/index.js';
import {
  type Credentials,
  type EhloCapabilities,
  isAscii,
  type ServerReply,
  SmtpClient,
  SmtpClientError,
  type SmtpPhase,
  type TranscriptEntry,
} from '../smtp-client/index.js';
import {
  type FallbackPort,
  isSilentGreeting,
  otherTlsModeFor,
  type PlannedAttempt,
  planAttempts,
  type TlsChoice,
} from './plan.js';

export interface SendOptions {
  host: string;
  /** Without a port the decision rule picks one, with fallback. */
  port?: number;
  tls: TlsChoice;
  /** Ports standing in for 587 / 465 / 2525 when no port is given (default: those three). */
  fallback?: readonly FallbackPort[];
  from: string;
  to: string[];
  message: Buffer;
  credentials?: Credentials;
  /** Extra CA certificates (PEM) to trust. */
  ca?: string[];
  servername?: string;
  stepTimeoutMs: number;
  /** Called as each attempt starts and ends, for live progress output. */
  onProgress?: (event: SendProgress) => void;
}

export type SendProgress =
  | { kind: 'trying'; attempt: PlannedAttempt }
  | { kind: 'failed'; attempt: PlannedAttempt; error: SmtpClientError; next: PlannedAttempt | null };

export interface AttemptRecord {
  port: number;
  tls: PlannedAttempt['tls'];
  ok: boolean;
  /** The TLS protocol negotiated, if any. */
  tlsVersion: string | null;
  error: SmtpClientError | null;
  transcript: TranscriptEntry[];
}

export interface SendResult {
  ok: boolean;
  attempts: AttemptRecord[];
  /** The server's reply to the message data, when it was accepted. */
  reply: ServerReply | null;
  /** The explain answer for the last failure. */
  explanation: Explanation | null;
}

/** Phases where another port or TLS mode may succeed; later failures would repeat everywhere. */
const FALLBACK_PHASES: ReadonlySet<SmtpPhase> = new Set(['connect', 'greeting', 'ehlo', 'starttls']);

export async function sendMessage(options: SendOptions): Promise<SendResult> {
  const plan = planAttempts(options.port, options.tls, options.fallback);
  const attempts: AttemptRecord[] = [];
  let modeSwitched = false;
  for (let index = 0; index < plan.length; index++) {
    const attempt = plan[index] as PlannedAttempt;
    options.onProgress?.({ kind: 'trying', attempt });
    const record: AttemptRecord = {
      port: attempt.port,
      tls: attempt.tls,
      ok: false,
      tlsVersion: null,
      error: null,
      transcript: [],
    };
    attempts.push(record);
    try {
      const reply = await sendOnce(attempt, options, record);
      record.ok = true;
      return { ok: true, attempts, reply, explanation: null };
    } catch (error) {
      if (!(error instanceof SmtpClientError)) throw error;
      record.error = error;
      const explanation = explainError(error, { port: attempt.port });
      const switched =
        options.tls === 'auto' && options.port !== undefined && !modeSwitched
          ? otherTlsModeFor(attempt, explanation.cause, explanation.confidence, isSilentGreeting(error))
          : null;
      if (switched) {
        plan.splice(index + 1, 0, switched);
        modeSwitched = true;
      }
      const fallback = index < plan.length - 1 && FALLBACK_PHASES.has(error.phase) && error.code !== 'EDNS';
      options.onProgress?.({
        kind: 'failed',
        attempt,
        error,
        next: fallback ? (plan[index + 1] ?? null) : null,
      });
      if (!fallback) return { ok: false, attempts, reply: null, explanation };
    }
  }
  const last = attempts.at(-1);
  return {
    ok: false,
    attempts,
    reply: null,
    explanation: last?.error ? explainError(last.error, { port: last.port }) : null,
  };
}

async function sendOnce(
  attempt: PlannedAttempt,
  options: SendOptions,
  record: AttemptRecord,
): Promise<ServerReply> {
  let client: SmtpClient | null = null;
  try {
    client = await SmtpClient.connect({
      host: options.host,
      port: attempt.port,
      implicitTls: attempt.tls === 'implicit',
      tls: {
        ...(options.servername ? { servername: options.servername } : {}),
        ...(options.ca ? { ca: options.ca } : {}),
      },
      stepTimeoutMs: options.stepTimeoutMs,
      clientName: 'mailport.localhost',
    });
    let capabilities = await client.ehlo();
    const wantsStartTls =
      attempt.tls === 'starttls' || (attempt.tls === 'opportunistic' && capabilities.starttls);
    if (wantsStartTls) {
      if (!capabilities.starttls && attempt.tls === 'starttls') {
        throw new SmtpClientError(
          'ETLS',
          'starttls',
          `${client.notOffered('STARTTLS')} (STARTTLS not offered)`,
        );
      }
      await client.startTls();
      capabilities = await client.ehlo();
    }
    record.tlsVersion = client.tlsInfo?.protocol ?? null;
    if (options.credentials) {
      if (!client.tlsMode && attempt.tls !== 'none') {
        throw new SmtpClientError(
          'EAUTH',
          'auth',
          `Refusing to send the ${'token' in options.credentials ? 'OAuth token' : 'password'} in cleartext: port ${attempt.port} has no STARTTLS (STARTTLS not offered); use --tls none only for local tests`,
        );
      }
      await client.authenticate(options.credentials);
    }
    await client.mailFrom(options.from, mailParameters(capabilities, options));
    for (const recipient of options.to) await client.rcptTo(recipient);
    const reply = await client.data(options.message);
    await client.quit();
    return reply;
  } catch (error) {
    client?.close();
    throw error;
  } finally {
    if (client) record.transcript = client.transcript.entries;
  }
}

/**
 * The MAIL FROM parameters this message needs, or why the server cannot take it as it is: nothing
 * goes out that the server has not said it can carry. Converting the message instead (RFC 6152
 * allows that too) would change the bytes a release promises to pass on unchanged.
 */
function mailParameters(capabilities: EhloCapabilities, options: SendOptions): string[] {
  const size = options.message.length;
  // RFC 1870: a server that declares its limit should not be sent a larger message at all, and
  // one that declares SIZE learns the size up front (SIZE 0 means no fixed limit).
  const limit = capabilities.size;
  if (limit !== null && limit > 0 && size > limit) {
    throw new SmtpClientError(
      'EMESSAGE',
      'mail',
      `The message is ${size} bytes and the server accepts at most ${limit} (SIZE ${limit}, RFC 1870): message too large, nothing sent`,
    );
  }
  const params = limit === null ? [] : [`SIZE=${size}`];
  // RFC 6152 §3: octets above 127 (an application's UTF-8 body sent as `Content-Transfer-Encoding:
  // 8bit`, piped to sendmail) go only to a server that offers 8BITMIME, declared as such.
  if (options.message.some((octet) => octet > 0x7f)) {
    if (!capabilities.eightBitMime) {
      throw new SmtpClientError(
        'EMESSAGE',
        'mail',
        'The message has 8-bit bytes (octets above 127, such as UTF-8 text sent with Content-Transfer-Encoding: 8bit) and the server does not offer 8BITMIME (RFC 6152 §3): nothing sent',
      );
    }
    params.push('BODY=8BITMIME');
  }
  // RFC 6531 §3.2: an address that is not ASCII (a release to jörg@bücher.example) goes only to a
  // server that offers SMTPUTF8, declared on MAIL FROM whether it is the sender or a recipient.
  const international = [options.from, ...options.to].find((address) => !isAscii(address));
  if (international !== undefined) {
    if (!capabilities.smtputf8) {
      throw new SmtpClientError(
        'EENVELOPE',
        'mail',
        `The address ${international} is not ASCII and the server does not offer SMTPUTF8 (RFC 6531 §3.2): nothing sent`,
      );
    }
    params.push('SMTPUTF8');
  }
  return params;
}
