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
    super(
      'MP_ERR_API_UNREACHABLE',
      `Cannot reach the Mailport API at ${baseUrl} (${networkReason(cause)}). Is \`mailport serve\` running at ${baseUrl}?`,
      {
        cause,
        hint: 'Start it with `npx mailport serve`, or pass --api URL (or set MAILPORT_API) to point at a running sandbox.',
      },
    );
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

/** Undici hides the socket error under `cause` (`fetch failed` → `ECONNREFUSED`). */
function networkReason(error: unknown): string {
  let current: unknown = error;
  let reason = 'network error';
  while (current instanceof Error) {
    const code = (current as NodeJS.ErrnoException).code;
    reason = typeof code === 'string' ? code : current.message;
    if (typeof code === 'string') break;
    current = current.cause;
  }
  return reason;
}

function describe(message: MessageSummary): string {
  const to = message.envelopeTo.join(', ') || '(no recipients)';
  return `"${message.subject ?? '(no subject)'}" from ${message.envelopeFrom || '<>'} to ${to} at ${message.receivedAt}`;
}

function describeSession(session: SessionSummary): string {
  const codes = session.diagnostics.map((diagnostic) => diagnostic.code).join(', ');
  return `${session.listener.profile} port ${session.listener.port} at ${session.startedAt}: ${session.outcome}${session.lastError ? ` (${session.lastError})` : ''}${codes ? `; diagnostics: ${codes}` : ''}`;
}
