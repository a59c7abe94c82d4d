/**
 * Releases a captured message to the real SMTP server of `--release-server`: the stored bytes as
 * they are (nothing added, nothing removed), with the message's own MAIL FROM (or
 * `--release-from`), sent by `mailport send`'s sender with its port rule and fallback.
 */
import { formatHostPort } from '../config/host-port.js';
import type { ReleaseSettings } from '../config/release-config.js';
import type { Envelope, MessageRelease, ReleaseInfo } from '../domain/types.js';
import { explainError } from '../explain/index.js';
import type { Logger } from '../logging/logger.js';
import type { AttemptRecord, SendResult } from '../send/index.js';
import { formatTranscriptEntry } from '../smtp-client/index.js';
import { ReleaseAllowList } from './allow-list.js';
import { ReleaseUpstreamError } from './errors.js';
import { chooseRecipients } from './recipients.js';

/** Each step (connect, TLS, every reply) gets this long, as `mailport send` gives it by default. */
const DEFAULT_STEP_TIMEOUT_MS = 10_000;

export interface ReleasableMessage {
  id: string;
  envelope: Envelope;
}

export interface ReleaseResult {
  /** The upstream host as configured. */
  server: string;
  /** The port the message went out on (the decision rule's pick when none was configured). */
  port: number;
  tls: {
    /** How the connection was secured: `starttls`, `implicit`, or `none`. */
    mode: 'starttls' | 'implicit' | 'none';
    /** The TLS protocol negotiated, e.g. `TLSv1.3`; null without TLS. */
    protocol: string | null;
  };
  /** The envelope sender used. */
  from: string;
  /** The envelope recipients, every one accepted by the upstream. */
  to: string[];
  /** The upstream's final reply line to the message, e.g. `250 2.0.0 Ok: queued as 4Xb1`. */
  reply: string;
}

export class MessageReleaser {
  readonly #settings: ReleaseSettings;
  readonly #allow: ReleaseAllowList;
  readonly #logger: Logger;
  readonly #stepTimeoutMs: number;

  constructor(settings: ReleaseSettings, logger: Logger, options: { stepTimeoutMs?: number } = {}) {
    this.#settings = settings;
    this.#allow = new ReleaseAllowList(settings.allow);
    this.#logger = logger;
    this.#stepTimeoutMs = options.stepTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
  }

  /** Where releases go, as anyone may see it: no user name, no password. */
  info(): ReleaseInfo {
    const { host, port, tls, from, allow } = this.#settings;
    return { server: port === null ? host : formatHostPort(host, port), tls, from, allow: [...allow] };
  }

  /**
   * Sends `raw` to the upstream server. Throws ReleaseRecipientsError before connecting when the
   * recipients cannot be used, ReleaseUpstreamError when the upstream is unreachable or refuses.
   */
  async release(
    message: ReleasableMessage,
    raw: Buffer,
    requestedTo?: readonly string[],
  ): Promise<ReleaseResult> {
    const to = chooseRecipients(
      requestedTo,
      message.envelope.rcptTo.map((recipient) => recipient.address),
      this.#allow,
    );
    const settings = this.#settings;
    const from = settings.from ?? message.envelope.mailFrom.address;
    // The sender (nodemailer and the port rules) is loaded by the first release, not by every start.
    const { sendMessage } = await import('../send/index.js');
    const result = await sendMessage({
      host: settings.host,
      ...(settings.port === null ? {} : { port: settings.port }),
      tls: settings.tls,
      from,
      to,
      message: raw,
      ...(settings.credentials === null ? {} : { credentials: settings.credentials }),
      ...(settings.ca === null ? {} : { ca: [settings.ca] }),
      stepTimeoutMs: this.#stepTimeoutMs,
    });
    const sent = result.attempts.find((attempt) => attempt.ok);
    if (!result.ok || sent === undefined || result.reply === null) {
      const failure = this.#failure(result);
      this.#logger.warn('Release failed', {
        message: message.id,
        server: settings.host,
        ports: failure.attempts.map((attempt) => attempt.port).join(','),
        cause: failure.explanation.cause,
        error: failure.message,
      });
      throw failure;
    }
    const reply = result.reply.raw.split('\n').at(-1) ?? result.reply.raw;
    this.#logger.info('Released message', {
      message: message.id,
      server: formatHostPort(settings.host, sent.port),
      from,
      to: to.join(','),
      reply,
    });
    return { server: settings.host, port: sent.port, tls: tlsOf(sent), from, to, reply };
  }

  #failure(result: SendResult): ReleaseUpstreamError {
    const { host } = this.#settings;
    const last = result.attempts.at(-1);
    const error = last?.error ?? null;
    const explanation = result.explanation ?? explainError(error);
    const maybeDelivered = result.attempts.some((attempt) => attempt.error?.maybeDelivered === true);
    const tried = result.attempts.map((attempt) => attempt.port).join(', ');
    const message = maybeDelivered
      ? `Perhaps released: the whole message went out to ${host}:${last?.port}, but the server never acknowledged it.`
      : `The upstream server ${host} did not take the message (tried port ${tried}): ${error?.message ?? explanation.summary}`;
    return new ReleaseUpstreamError(message, {
      server: host,
      attempts: result.attempts.map((attempt) => ({
        port: attempt.port,
        tls: attempt.tls,
        error: attempt.error?.message ?? null,
      })),
      explanation,
      reply: error?.reply?.raw ?? null,
      maybeDelivered,
      transcript: (last?.transcript ?? []).map(formatTranscriptEntry),
    });
  }
}

/** What a message keeps of one of its releases (`releases` in its detail): no sender, TLS or credentials. */
export function releaseRecord(result: ReleaseResult, at: Date): MessageRelease {
  return {
    at: at.toISOString(),
    to: [...result.to],
    server: formatHostPort(result.server, result.port),
    reply: result.reply,
  };
}

function tlsOf(attempt: AttemptRecord): ReleaseResult['tls'] {
  if (attempt.tlsVersion === null) return { mode: 'none', protocol: null };
  return { mode: attempt.tls === 'implicit' ? 'implicit' : 'starttls', protocol: attempt.tlsVersion };
}
