/**
 * Errors of the API client. Each has a fixed `name` and `code` so callers branch on the class, not
 * on message text, and each carries a `hint` saying what to do next (the CLI prints it).
 */
import { MailportError } from '../errors.js';
import type { MessageSummary, ProblemDetails, SessionSummary } from './types.js';

/** The API answered with an error status; `problem` is its RFC 9457 body when it sent one. */
export class MailportApiError extends MailportError {
  override readonly name: string = 'MailportApiError';
  readonly method: string;
  readonly url: string;
  readonly status: number;
  readonly problem: ProblemDetails | null;

  /** `hint` replaces the advice the status and problem would give, when the caller knows better. */
  constructor(
    method: string,
    url: string,
    status: number,
    problem: ProblemDetails | null,
    bodyText = '',
    hint?: string,
  ) {
    const reason = problem?.detail ?? (bodyText.trim().slice(0, 200) || `HTTP ${status}`);
    // A problem that says what to do (`fix`, as release problems do) beats the generic advice.
    hint ??= typeof problem?.fix === 'string' ? problem.fix : hintFor(status);
    super('MP_ERR_API', `${method} ${url} failed with ${status}: ${reason}`, { hint });
    this.method = method;
    this.url = url;
    this.status = status;
    this.problem = problem;
  }
}

/** `waitForMessages` ran out of time; `nearest` shows what arrived instead. */
export class MailportWaitTimeoutError extends MailportApiError {
  override readonly name = 'MailportWaitTimeoutError';
  /** How many messages were expected. */
  readonly count: number;
  /** The messages that did match (fewer than `count`). */
  readonly matched: MessageSummary[];
  /** The newest messages regardless of the query. */
  readonly nearest: MessageSummary[];
  /** Terms of `q` the server searched as text instead, and why (its `queryNotes`). */
  readonly queryNotes: string[];

  /** `whyNot` says why a listed message did not match (the stream waits know; the long-poll does not). */
  constructor(
    method: string,
    url: string,
    problem: ProblemDetails,
    whyNot: (message: MessageSummary) => string | null = () => null,
  ) {
    super(method, url, problem.status, problem);
    this.count = typeof problem.count === 'number' ? problem.count : 1;
    this.matched = Array.isArray(problem.matched) ? (problem.matched as MessageSummary[]) : [];
    this.nearest = Array.isArray(problem.nearest) ? (problem.nearest as MessageSummary[]) : [];
    this.queryNotes = Array.isArray(problem.queryNotes) ? (problem.queryNotes as string[]) : [];
    const seen = this.nearest
      .map((message) => {
        const reason = whyNot(message);
        return `  - ${describe(message)}${reason === null ? '' : `: ${reason}`}`;
      })
      .join('\n');
    // A mistyped term (`after:zzz`) is the likeliest reason nothing matched: it comes first.
    const notes = this.queryNotes.map((note) => `Note: ${note}\n`).join('');
    this.message = `${problem.detail}\n${notes}${seen === '' ? 'No messages arrived at all.' : `Newest messages:\n${seen}`}`;
  }
}

/** `waitForSession` ran out of time; `nearest` lists the newest sessions with their diagnostics. */
export class MailportSessionWaitTimeoutError extends MailportApiError {
  override readonly name = 'MailportSessionWaitTimeoutError';
  readonly nearest: SessionSummary[];

  constructor(method: string, url: string, problem: ProblemDetails, nearest: SessionSummary[]) {
    super(method, url, problem.status, problem);
    this.nearest = nearest;
    const seen = nearest.map((session) => `  - ${describeSession(session)}`).join('\n');
    this.message = `${problem.detail}\n${seen === '' ? 'No sessions at all.' : `Newest sessions:\n${seen}`}`;
  }
}

/** The API could not be reached at all (refused, DNS, reset); the original error is `cause`. */
export class MailportNetworkError extends MailportError {
  override readonly name = 'MailportNetworkError';
  readonly method: string;
  readonly url: string;
  readonly baseUrl: string;

  constructor(method: string, url: string, baseUrl: string, cause: unknown) {
    const { reason, received } = networkReason(cause);
    const { problem, hint } = whyUnreachable(reason, received, baseUrl);
    super('MP_ERR_API_UNREACHABLE', `Cannot reach the Mailport API at ${baseUrl} (${reason}): ${problem}`, {
      cause,
      hint,
    });
    this.method = method;
    this.url = url;
    this.baseUrl = baseUrl;
  }
}

function hintFor(status: number): string {
  if (status === 404)
    return 'Check the id: `mailport messages list` and `mailport sessions list` show the stored ones.';
  if (status === 400) return 'Check the arguments; GET /api/openapi.json describes every parameter.';
  if (status >= 500) return 'The server failed; the `mailport serve` log has the details.';
  return 'See the problem details above.';
}

/** What a network failure says about the API URL, and what to do about it. */
function whyUnreachable(
  reason: string,
  received: string | null,
  baseUrl: string,
): { problem: string; hint: string } {
  const https = baseUrl.startsWith('https:');
  // An SMTP greeting (RFC 5321 §4.2) where an HTTP response belongs: one of the sandbox's SMTP ports.
  if (received !== null && /^[2-5]\d\d[ -]/.test(received))
    return {
      problem: `it answered with an SMTP greeting ("${received.trim().slice(0, 80)}"): that is an SMTP port, not the API.`,
      hint: 'Point --api (or MAILPORT_API) at the "Web UI + API" address `mailport serve` printed (default http://127.0.0.1:8025), not at a mail port.',
    };
  if (UNTRUSTED_CERTIFICATE.has(reason))
    return {
      problem: 'its HTTPS certificate is not trusted here.',
      hint: 'A sandbox signs it with its local CA, the file `mailport serve` prints as "TLS CA" (e.g. .mailport/tls/ca.pem): pass it to mailport commands with --api-ca FILE (or MAILPORT_API_CA), to MailportClient as `ca`, or to any Node client with NODE_EXTRA_CA_CERTS; or start serve with --tls-cert and a certificate this machine trusts.',
    };
  if (reason === 'ERR_TLS_CERT_ALTNAME_INVALID')
    return {
      problem: 'its HTTPS certificate is for another name.',
      hint: 'Use a host name the certificate holds (serve --hostname NAME; localhost and 127.0.0.1 by default).',
    };
  if (https && /WRONG_VERSION_NUMBER|wrong version number|EPROTO|packet length too long/i.test(reason))
    return {
      problem: 'it answers plain HTTP, not HTTPS.',
      hint: `Use http:// (${baseUrl.replace(/^https:/, 'http:')}), or start serve with --http-tls.`,
    };
  // A TLS port drops a plain HTTP request unanswered: connected, then closed.
  if (!https && HUNG_UP.has(reason))
    return {
      problem: 'something accepted the connection and closed it without an answer.',
      hint: `A sandbox started with --http-tls answers only HTTPS: use ${baseUrl.replace(/^http:/, 'https:')} (trusting its CA: --api-ca FILE, or NODE_EXTRA_CA_CERTS). Otherwise point --api (or MAILPORT_API) at the "Web UI + API" address \`mailport serve\` printed.`,
    };
  return {
    problem: `is \`mailport serve\` running there?`,
    hint: 'Start it with `npx mailport serve`, or pass --api URL (or set MAILPORT_API) to point at a running sandbox.',
  };
}

/** OpenSSL's verification failures that mean "signed by a CA this machine does not trust". */
const UNTRUSTED_CERTIFICATE: ReadonlySet<string> = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
]);

const HUNG_UP: ReadonlySet<string> = new Set(['UND_ERR_SOCKET', 'ECONNRESET']);

/** Undici hides the socket error under `cause` (`fetch failed` → `ECONNREFUSED`). */
function networkReason(error: unknown): { reason: string; received: string | null } {
  let current: unknown = error;
  let reason = 'network error';
  while (current instanceof Error) {
    const code = (current as NodeJS.ErrnoException).code;
    reason = typeof code === 'string' ? code : current.message;
    if (typeof code === 'string') {
      // Undici's parse errors keep what the server sent instead of an HTTP response.
      const data = (current as { data?: unknown }).data;
      return { reason, received: typeof data === 'string' ? data : null };
    }
    current = current.cause;
  }
  return { reason, received: null };
}

function describe(message: MessageSummary): string {
  const to = message.envelopeTo.join(', ') || '(no recipients)';
  return `"${message.subject ?? '(no subject)'}" from ${message.envelopeFrom || '<>'} to ${to} at ${message.receivedAt}`;
}

function describeSession(session: SessionSummary): string {
  const codes = session.diagnostics.map((diagnostic) => diagnostic.code).join(', ');
  return `${session.listener.profile} port ${session.listener.port} at ${session.startedAt}: ${session.outcome}${session.lastError ? ` (${session.lastError})` : ''}${codes ? `; diagnostics: ${codes}` : ''}`;
}
