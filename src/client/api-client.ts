/**
 * A typed client for the Mailport HTTP API, built on the global `fetch` (Node 20+, browsers), or on
 * undici's when it is given a CA to trust (`ca`).
 *
 * @example
 * ```ts
 * const mailport = new MailportClient('http://127.0.0.1:8025');
 * const { items } = await mailport.waitForMessages({ q: 'to:alice@example.com subject:reset', timeoutMs: 10_000 });
 * const [first] = items;
 * if (first) console.log((await mailport.getMessage(first.id)).subject);
 * ```
 */
import type { ChaosRuleInput, ChaosRuleStatus } from '../chaos/rules.js';
import { parseChaosRule } from '../chaos/syntax.js';
import { MailportError } from '../errors.js';
import { MailportApiError, MailportNetworkError, MailportWaitTimeoutError } from './errors.js';
import { type StreamWaitOptions, waitForMatchingMessages, waitForMatchingSession } from './live-wait.js';
import type { MessageFilter, SessionFilter } from './message-filter.js';
import type { ReceivedMessage } from './received-message.js';
import { readServerSentEvents } from './sse.js';
import { fetchTrusting } from './trusting-fetch.js';
import type {
  AttachmentContent,
  CheckOptions,
  DeleteResult,
  DeliverabilityReport,
  HeaderLine,
  ImportOptions,
  MailportEvent,
  MailportEventType,
  MessageDetail,
  MessageListQuery,
  MessagePage,
  Page,
  ProblemDetails,
  ReleaseOptions,
  ReleaseResult,
  ServerInfo,
  SessionDeleteResult,
  SessionListQuery,
  SessionRecord,
  SessionSummary,
  WaitOptions,
  WaitResult,
} from './types.js';

export {
  MailportApiError,
  MailportNetworkError,
  MailportSessionWaitTimeoutError,
  MailportWaitTimeoutError,
} from './errors.js';
export type { StreamWaitOptions } from './live-wait.js';
export type * from './message-filter.js';
export { MessageHeaders, ReceivedMessage } from './received-message.js';
export type * from './types.js';

export const DEFAULT_API_URL = 'http://127.0.0.1:8025';

const EVENT_TYPES: readonly MailportEventType[] = [
  'message.received',
  'message.deleted',
  'message.released',
  'session.closed',
  'session.deleted',
];

type QueryValue = string | number | boolean | readonly string[] | undefined;

interface RequestOptions {
  query?: Record<string, QueryValue>;
  body?: string | Uint8Array;
  headers?: Record<string, string>;
  signal?: AbortSignal | undefined;
}

export interface MailportClientOptions {
  /** A fetch implementation to use instead of the global one (not together with `ca`). */
  fetch?: typeof fetch;
  /**
   * CA certificates (PEM) to trust for an `https://` API, besides the system's and
   * NODE_EXTRA_CA_CERTS: a sandbox started with `--http-tls` signs its certificate with its local
   * CA, the `<data dir>/tls/ca.pem` that `mailport serve` prints as "TLS CA".
   */
  ca?: string | readonly string[];
  /**
   * The login of a sandbox started with `mailport serve --http-auth`, sent as HTTP Basic
   * credentials; a base URL of the form `http://USER:PASS@HOST:PORT` gives it too (this wins).
   */
  auth?: { user: string; pass: string };
}

export interface SubscribeOptions {
  /** Aborting it closes the stream and resolves `subscribe()`. */
  signal: AbortSignal;
  /** Called once the server has accepted the stream: events published from then on are delivered. */
  onOpen?: () => void;
  /** Resume after this event id: the server replays the recent events that followed it. */
  lastEventId?: string;
}

export class MailportClient {
  /** Base URL of the API, without a trailing slash. */
  readonly baseUrl: string;
  readonly #fetch: typeof fetch;
  /** The `Authorization` header of every request, or null when no login was given. */
  readonly #authorization: string | null;

  /** `baseUrl` may carry the login (`http://USER:PASS@HOST:PORT`, percent-encoded): it is sent, never kept in `baseUrl`. */
  constructor(baseUrl: string = DEFAULT_API_URL, options: MailportClientOptions = {}) {
    const { url, login } = parseBaseUrl(baseUrl);
    this.baseUrl = url;
    this.#fetch = fetchFor(options);
    const auth = options.auth ?? login;
    this.#authorization =
      auth === null ? null : `Basic ${Buffer.from(`${auth.user}:${auth.pass}`, 'utf8').toString('base64')}`;
  }

  /** Listeners, TLS trust material, AUTH mode and limits of the running sandbox. */
  async info(): Promise<ServerInfo> {
    return this.#json('GET', '/api/v1/info');
  }

  /** Messages, newest first. */
  async listMessages(query: MessageListQuery = {}): Promise<MessagePage> {
    return this.#json('GET', '/api/v1/messages', { query: { ...query } });
  }

  async getMessage(id: string): Promise<MessageDetail> {
    return this.#json('GET', messagePath(id));
  }

  /** The message bytes exactly as received. */
  async getRaw(id: string): Promise<Buffer> {
    const response = await this.#request('GET', `${messagePath(id)}/raw`);
    // Another web server's page must not pass for the message (`messages show --raw > message.eml`).
    if (!(response.headers.get('content-type') ?? '').startsWith('message/rfc822'))
      throw notTheApiError('GET', response.url, response, await response.text(), this.baseUrl);
    return Buffer.from(await response.arrayBuffer());
  }

  /** The HTML body (`cid:` links point at the attachment route). */
  async getHtml(id: string): Promise<string> {
    return (await this.#request('GET', `${messagePath(id)}/html`)).text();
  }

  async getText(id: string): Promise<string> {
    return (await this.#request('GET', `${messagePath(id)}/text`)).text();
  }

  async getHeaders(id: string): Promise<HeaderLine[]> {
    return this.#json('GET', `${messagePath(id)}/headers`);
  }

  /** Attachment `index`, as numbered in `parsed.attachments[].index`. */
  async getAttachment(id: string, index: number): Promise<AttachmentContent> {
    const response = await this.#request('GET', `${messagePath(id)}/attachments/${index}`);
    return {
      contentType: response.headers.get('content-type') ?? 'application/octet-stream',
      filename: filenameOf(response.headers.get('content-disposition')),
      content: Buffer.from(await response.arrayBuffer()),
    };
  }

  /**
   * The deliverability report of a message: SPF, DKIM, DMARC and ARC with live DNS, content
   * problems with their fixes, links (requested over HTTP only with `probeLinks: true`), and
   * SpamAssassin's score with the rules that hit when the server runs with `--spamassassin`
   * (`report.spam`; null otherwise, and `report.spamAssassin` says why), and the HTML's support in
   * email clients from caniemail.com (`report.htmlCompatibility`; null without an HTML part).
   *
   * @example
   * ```ts
   * const report = await client.checks(message.id, { ip: '203.0.113.5' });
   * assert.equal(report.authentication.dkim.result, 'pass');
   * ```
   */
  async checks(id: string, options: CheckOptions = {}): Promise<DeliverabilityReport> {
    return this.#json('GET', `${messagePath(id)}/checks`, {
      query: {
        ip: options.ip,
        probeLinks: options.probeLinks ? 'true' : undefined,
        clients: options.clients?.join(','),
      },
    });
  }

  /**
   * Releases a message to the real SMTP server the sandbox was started with (`--release-server`):
   * the stored bytes unchanged, to `options.to` (or, with `--release-allow`, to the message's own
   * recipients). Throws MailportApiError whose `problem` has `fix` (and, when the upstream refused
   * or could not be reached, status 502 with the `mailport explain` `cause`); 409 when release is
   * not configured, 403 when a recipient is outside `--release-allow`.
   *
   * @example
   * ```ts
   * const { server, port, reply } = await client.release(message.id, { to: ['qa@example.com'] });
   * ```
   */
  async release(id: string, options: ReleaseOptions = {}): Promise<ReleaseResult> {
    return this.#json('POST', `${messagePath(id)}/release`, {
      body: JSON.stringify(options.to === undefined ? {} : { to: options.to }),
      headers: { 'content-type': 'application/json' },
    });
  }

  async markRead(id: string, read = true): Promise<void> {
    await this.#request('PATCH', messagePath(id), {
      body: JSON.stringify({ read }),
      headers: { 'content-type': 'application/json' },
    });
  }

  async deleteMessage(id: string): Promise<void> {
    await this.#request('DELETE', messagePath(id));
  }

  /** Deletes every message, or only those matching `q`. */
  async clear(q?: string): Promise<DeleteResult> {
    return this.#json('DELETE', '/api/v1/messages', { query: { q } });
  }

  /** Stores a raw RFC 5322 message as if it had been delivered to the relay port. */
  async importMessage(raw: Uint8Array | string, options: ImportOptions = {}): Promise<{ id: string }> {
    return this.#json('POST', '/api/v1/messages', {
      query: { inbox: options.inbox, from: options.mailFrom, to: options.rcptTo },
      body: typeof raw === 'string' ? raw : new Uint8Array(raw),
      headers: { 'content-type': 'message/rfc822' },
    });
  }

  /** SMTP sessions, newest first. */
  async listSessions(query: SessionListQuery = {}): Promise<Page<SessionSummary>> {
    const { problems, chaos, ...rest } = query;
    return this.#json('GET', '/api/v1/sessions', {
      query: { ...rest, problems: problems ? '1' : undefined, chaos: chaos ? '1' : undefined },
    });
  }

  /** A session with its transcript and diagnostics. */
  async getSession(id: string): Promise<SessionRecord> {
    return this.#json('GET', sessionPath(id));
  }

  async deleteSession(id: string): Promise<void> {
    await this.#request('DELETE', sessionPath(id));
  }

  /** Deletes every session and its transcript; the messages stay. */
  async clearSessions(): Promise<SessionDeleteResult> {
    return this.#json('DELETE', '/api/v1/sessions');
  }

  /** The chaos rules in force on this node, with how often each fired. */
  async getChaos(): Promise<ChaosRuleStatus[]> {
    return (await this.#json<{ rules: ChaosRuleStatus[] }>('GET', '/api/v1/chaos')).rules;
  }

  /**
   * Replaces every chaos rule (counters start at zero) and returns them, defaults filled in. Rules
   * may be given in the text form: a typo there throws `ChaosRuleError` before any request.
   *
   * @example
   * ```ts
   * await client.setChaos(['rcpt:451,match=*@flaky.test,times=2']); // fails twice, then accepts
   * await client.setChaos([{ stage: 'message', action: { type: 'reply', code: 554 }, probability: 0.1 }]);
   * ```
   */
  async setChaos(rules: readonly (string | ChaosRuleInput)[]): Promise<ChaosRuleStatus[]> {
    const inputs = rules.map((rule, index) =>
      typeof rule === 'string' ? parseChaosRule(rule, index) : rule,
    );
    const body = JSON.stringify({ rules: inputs });
    const result = await this.#json<{ rules: ChaosRuleStatus[] }>('PUT', '/api/v1/chaos', {
      body,
      headers: { 'content-type': 'application/json' },
    });
    return result.rules;
  }

  /** Removes every chaos rule; returns them with their final counters. */
  async clearChaos(): Promise<ChaosRuleStatus[]> {
    return (await this.#json<{ removed: ChaosRuleStatus[] }>('DELETE', '/api/v1/chaos')).removed;
  }

  /**
   * Resolves with the first message matching `filter` (already stored ones count), as the live
   * event stream reports it. Throws {@link MailportWaitTimeoutError}, listing the newest messages
   * and why each did not match, when time runs out.
   *
   * @example
   * ```ts
   * const message = await client.waitForMessage({ to: 'alice@example.com', subject: /reset/i }, { timeout: 10_000 });
   * const link = message.links().find((href) => href.includes('token='));
   * ```
   */
  async waitForMessage(filter?: MessageFilter, options: StreamWaitOptions = {}): Promise<ReceivedMessage> {
    const [message] = await waitForMatchingMessages(this, 1, filter, options);
    return message as ReceivedMessage;
  }

  /**
   * With a count: resolves with the `count` newest messages matching `filter`, oldest first, as
   * the live event stream reports them. With an options object: the same over one long-poll
   * request (`GET /api/v1/messages/wait`), matching a `q` search. Both throw
   * {@link MailportWaitTimeoutError}, listing what arrived instead, when time runs out.
   */
  async waitForMessages(
    count: number,
    filter?: MessageFilter,
    options?: StreamWaitOptions,
  ): Promise<ReceivedMessage[]>;
  async waitForMessages(options?: WaitOptions): Promise<WaitResult>;
  async waitForMessages(
    countOrOptions: number | WaitOptions = {},
    filter?: MessageFilter,
    streamOptions: StreamWaitOptions = {},
  ): Promise<ReceivedMessage[] | WaitResult> {
    if (typeof countOrOptions === 'number') {
      return waitForMatchingMessages(this, countOrOptions, filter, streamOptions);
    }
    return this.#longPoll(countOrOptions);
  }

  /**
   * Resolves with the first closed SMTP session matching `filter` (stored ones count), transcript
   * included, e.g. `{ diagnostic: 'mail-before-starttls' }`. Throws
   * {@link MailportSessionWaitTimeoutError}, listing the newest sessions, when time runs out.
   */
  async waitForSession(filter: SessionFilter, options: StreamWaitOptions = {}): Promise<SessionRecord> {
    return waitForMatchingSession(this, filter, options);
  }

  async #longPoll(options: WaitOptions): Promise<WaitResult> {
    const { q, count, timeoutMs, signal } = options;
    const timeout = timeoutMs === undefined ? undefined : `${Math.max(0, Math.round(timeoutMs))}ms`;
    try {
      return await this.#json('GET', '/api/v1/messages/wait', { query: { q, count, timeout }, signal });
    } catch (error) {
      if (error instanceof MailportApiError && error.status === 408 && error.problem !== null) {
        throw new MailportWaitTimeoutError(error.method, error.url, error.problem);
      }
      throw error;
    }
  }

  /**
   * Streams live events to `onEvent` until `options.signal` aborts (then resolves) or the server
   * ends the stream (also resolves). Rejects when the stream cannot be opened.
   */
  async subscribe(onEvent: (event: MailportEvent) => void, options: SubscribeOptions): Promise<void> {
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (options.lastEventId !== undefined) headers['last-event-id'] = options.lastEventId;
    let response: Response;
    try {
      response = await this.#request('GET', '/api/v1/events', { headers, signal: options.signal });
    } catch (error) {
      if (options.signal.aborted) return;
      throw error;
    }
    if (response.body === null) return;
    options.onOpen?.();
    try {
      for await (const event of readServerSentEvents(response.body)) {
        if (!(EVENT_TYPES as readonly string[]).includes(event.event)) continue;
        onEvent({ id: event.id, type: event.event, data: JSON.parse(event.data) } as MailportEvent);
      }
    } catch (error) {
      if (options.signal.aborted) return;
      throw new MailportNetworkError('GET', `${this.baseUrl}/api/v1/events`, this.baseUrl, error);
    }
  }

  async #json<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const response = await this.#request(method, path, {
      ...options,
      headers: { accept: 'application/json', ...options.headers },
    });
    const text = await response.text();
    // A web server that is not Mailport (an HTML page with 200) must not surface as a JSON SyntaxError.
    if (isJson(response)) {
      try {
        return JSON.parse(text) as T;
      } catch {
        // Reported below as not the Mailport API.
      }
    }
    throw notTheApiError(method, response.url, response, text, this.baseUrl);
  }

  async #request(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    const url = this.#url(path, options.query);
    let response: Response;
    try {
      response = await this.#fetch(url, {
        method,
        headers:
          this.#authorization === null
            ? options.headers
            : { authorization: this.#authorization, ...options.headers },
        body: options.body,
        signal: options.signal,
      });
    } catch (error) {
      if (options.signal?.aborted) throw error;
      throw new MailportNetworkError(method, url, this.baseUrl, error);
    }
    if (!response.ok) throw await apiError(method, url, response, this.baseUrl, this.#authorization !== null);
    return response;
  }

  #url(path: string, query: Record<string, QueryValue> = {}): string {
    const url = new URL(`${this.baseUrl}${path}`);
    for (const [key, value] of Object.entries(query)) {
      if (value === undefined || value === '') continue;
      if (Array.isArray(value)) for (const item of value) url.searchParams.append(key, item);
      else url.searchParams.set(key, String(value));
    }
    return url.toString();
  }
}

function fetchFor({ fetch: given, ca }: MailportClientOptions): typeof fetch {
  if (ca === undefined) return given ?? globalThis.fetch;
  if (given !== undefined)
    throw new MailportError('MP_ERR_USAGE', 'MailportClient takes `fetch` or `ca`, not both.', {
      hint: 'Drop `ca` and make your fetch trust the CA, or drop `fetch`.',
    });
  const pems = typeof ca === 'string' ? [ca] : [...ca];
  if (pems.length === 0 || pems.some((pem) => !pem.includes('-----BEGIN CERTIFICATE-----')))
    throw new MailportError(
      'MP_ERR_USAGE',
      'MailportClient `ca` must be PEM certificate text, not a file name.',
      {
        hint: "Read the file first, e.g. `ca: readFileSync('.mailport/tls/ca.pem', 'utf8')`.",
      },
    );
  return fetchTrusting(pems);
}

/**
 * The base URL without a trailing slash and without its userinfo (fetch refuses URLs that carry
 * credentials), and the login the userinfo held, percent-decoded.
 */
function parseBaseUrl(baseUrl: string): { url: string; login: { user: string; pass: string } | null } {
  const shown = withoutUserinfo(baseUrl);
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new MailportError('MP_ERR_USAGE', `"${shown}" is not a URL.`, {
      hint: 'Pass the API address with its scheme, e.g. http://127.0.0.1:8025.',
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new MailportError('MP_ERR_USAGE', `"${shown}" is not an http(s) URL.`, {
      hint: 'Pass the API address with its scheme, e.g. http://127.0.0.1:8025.',
    });
  }
  let login: { user: string; pass: string } | null = null;
  if (url.username !== '' || url.password !== '') {
    try {
      login = { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) };
    } catch {
      throw new MailportError('MP_ERR_USAGE', `The login in "${shown}" has a broken percent-encoding.`, {
        hint: 'Write `%` in USER or PASS as %25, and percent-encode @, : and / (e.g. http://qa:p%40ss@127.0.0.1:8025).',
      });
    }
  }
  return { url: `${url.origin}${url.pathname}`.replace(/\/+$/, ''), login };
}

/** A URL as an error may quote it: the userinfo, password included, is left out. */
function withoutUserinfo(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1…@');
}

function messagePath(id: string): string {
  return `/api/v1/messages/${encodeURIComponent(id)}`;
}

function sessionPath(id: string): string {
  return `/api/v1/sessions/${encodeURIComponent(id)}`;
}

async function apiError(
  method: string,
  url: string,
  response: Response,
  baseUrl: string,
  loginSent: boolean,
): Promise<MailportApiError> {
  const text = await response.text();
  // Whoever asks for the login (the sandbox, or a proxy in front of it), the fix is the same.
  if (response.status === 401) {
    const problem = problemOf(response, text);
    return new MailportApiError(method, url, 401, problem, text, loginHint(loginSent));
  }
  const problem = problemOf(response, text);
  if (problem === null) return notTheApiError(method, url, response, text, baseUrl);
  // A 404 for a route (not an id) most often means --api carries a path, e.g. …/api/v1.
  const hasPath = new URL(baseUrl).pathname !== '/';
  const hint = response.status === 404 && hasPath ? baseUrlHint(baseUrl) : undefined;
  return new MailportApiError(method, url, response.status, problem, text, hint);
}

/** The RFC 9457 body of an error response, or null when it sent none. */
function problemOf(response: Response, text: string): ProblemDetails | null {
  if (!isJson(response)) return null;
  try {
    const parsed = JSON.parse(text) as Partial<ProblemDetails>;
    if (typeof parsed.detail === 'string' && typeof parsed.status === 'number')
      return parsed as ProblemDetails;
  } catch {
    // Not JSON after all: not the Mailport API.
  }
  return null;
}

/** What to do about a 401: give the login, or correct the one given. The password is never repeated. */
function loginHint(loginSent: boolean): string {
  return loginSent
    ? 'The sandbox refused the login: check USER and PASS in --api http://USER:PASS@HOST:PORT or MAILPORT_API against `mailport serve --http-auth` (percent-encode @, : and / in them).'
    : 'The sandbox asks for a login: put it in --api http://USER:PASS@HOST:PORT or MAILPORT_API (in code: the client URL or its `auth` option).';
}

/** Something answered at the API URL, but not Mailport's API: another web server, a proxy page. */
function notTheApiError(
  method: string,
  url: string,
  response: Response,
  text: string,
  baseUrl: string,
): MailportApiError {
  const type = response.headers.get('content-type')?.split(';')[0] || 'no content type';
  const excerpt = text.replace(/\s+/g, ' ').trim().slice(0, 80);
  const reason = `the server at ${baseUrl} is not the Mailport API (it answered with ${type}${excerpt === '' ? '' : `: ${excerpt}`})`;
  return new MailportApiError(method, url, response.status, null, reason, baseUrlHint(baseUrl));
}

function baseUrlHint(baseUrl: string): string {
  const { origin, pathname } = new URL(baseUrl);
  const example = pathname === '/' ? DEFAULT_API_URL : origin;
  return `Point --api (or MAILPORT_API) at the "Web UI + API" address \`mailport serve\` printed, with no path (e.g. ${example}).`;
}

function isJson(response: Response): boolean {
  return (response.headers.get('content-type') ?? '').includes('json');
}

/** The file name from `Content-Disposition`, preferring the RFC 8187 `filename*` form. */
function filenameOf(disposition: string | null): string | null {
  if (disposition === null) return null;
  const extended = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
  if (extended?.[1] !== undefined) {
    try {
      return decodeURIComponent(extended[1]);
    } catch {
      // Malformed percent-encoding: fall back to the plain parameter.
    }
  }
  return /filename="([^"]*)"/i.exec(disposition)?.[1] ?? null;
}
