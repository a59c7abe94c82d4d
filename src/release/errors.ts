/**
 * Why a release did not happen. Each error carries `fix`, what to do about it, so the HTTP API,
 * the CLI and the web UI all say the same thing.
 */
import type { Explanation } from '../explain/index.js';
import type { AttemptTls } from '../send/index.js';

export abstract class ReleaseError extends Error {
  abstract readonly fix: string;
}

/** `required`: nobody named and no default; `invalid`: not an address; `not-allowed`: outside --release-allow. */
export type RecipientProblem = 'required' | 'invalid' | 'not-allowed';

/** The recipients of a release request cannot be used; nothing was sent. */
export class ReleaseRecipientsError extends ReleaseError {
  override readonly name = 'ReleaseRecipientsError';
  readonly problem: RecipientProblem;
  /** The offending recipients (none for `required`). */
  readonly recipients: string[];
  /** The `--release-allow` patterns in force. */
  readonly allow: string[];
  readonly fix: string;

  constructor(
    problem: RecipientProblem,
    message: string,
    details: { recipients: string[]; allow: readonly string[]; fix: string },
  ) {
    super(message);
    this.problem = problem;
    this.recipients = details.recipients;
    this.allow = [...details.allow];
    this.fix = details.fix;
  }
}

/** One try at the upstream server: the port, the TLS mode, and why it failed. */
export interface ReleaseAttempt {
  port: number;
  tls: AttemptTls;
  /** The failure, in words; null for the attempt that succeeded. */
  error: string | null;
}

/** The upstream server could not be reached or did not take the message. */
export class ReleaseUpstreamError extends ReleaseError {
  override readonly name = 'ReleaseUpstreamError';
  /** The upstream host as configured. */
  readonly server: string;
  readonly attempts: ReleaseAttempt[];
  /** `mailport explain`'s answer for the last failure: cause id, summary, fix. */
  readonly explanation: Explanation;
  /** The upstream's refusal, e.g. `550 5.1.1 <x@example.com>: Recipient address rejected`, when it answered. */
  readonly reply: string | null;
  /** The whole message went out but was never acknowledged: the upstream may have taken it. */
  readonly maybeDelivered: boolean;
  /** The SMTP conversation of the last attempt (AUTH redacted, message data elided). */
  readonly transcript: string[];

  constructor(
    message: string,
    details: {
      server: string;
      attempts: ReleaseAttempt[];
      explanation: Explanation;
      reply: string | null;
      maybeDelivered: boolean;
      transcript: string[];
    },
  ) {
    super(message);
    this.server = details.server;
    this.attempts = details.attempts;
    this.explanation = details.explanation;
    this.reply = details.reply;
    this.maybeDelivered = details.maybeDelivered;
    this.transcript = details.transcript;
  }

  get fix(): string {
    return this.maybeDelivered
      ? 'Check the recipient’s mailbox (or the upstream server’s log) before releasing it again, so it does not arrive twice.'
      : this.explanation.fix;
  }
}
