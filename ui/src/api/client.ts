/**
 * Thin typed wrappers over the public HTTP API (`/api/v1`). The UI uses nothing else, so whatever
 * it shows can be scripted with curl.
 */
import type {
  ChaosRuleInput,
  ChaosRuleStatus,
  DeliverabilityReport,
  MessageDetail,
  MessageSummary,
  Page,
  ReleaseResult,
  ServerInfo,
  SessionRecord,
  SessionSummary,
} from './types.js';

const API = '/api/v1';

/** One invalid field of a refused request body, as the problem's `errors` lists it. */
export interface FieldProblem {
  /** JSON Pointer into the body, e.g. `/rules/2/action/enhancedCode`. */
  path: string;
  message: string;
}

/**
 * An API call that failed; `detail` comes from the RFC 9457 problem document when there is one,
 * `fieldProblems` from its `errors` member (a 400 for an invalid body).
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly fieldProblems: readonly FieldProblem[] = [],
    /** The problem's extension members, e.g. a release problem's `fix` and `cause`. */
    readonly problem: Readonly<Record<string, unknown>> = {},
  ) {
    super(detail);
    this.name = 'ApiError';
  }
}

async function request(path: string, init?: RequestInit): Promise<Response> {
  const response = await fetch(`${API}${path}`, init);
  if (!response.ok) {
    let detail = `${response.status} ${response.statusText}`;
    let fieldProblems: FieldProblem[] = [];
    let problem: Record<string, unknown> = {};
    try {
      problem = (await response.json()) as Record<string, unknown>;
      const { detail: text, title, errors } = problem;
      detail = typeof text === 'string' ? text : typeof title === 'string' ? title : detail;
      if (Array.isArray(errors)) fieldProblems = errors.filter(isFieldProblem);
    } catch {
      // Not a problem document; the status line says enough.
    }
    throw new ApiError(response.status, detail, fieldProblems, problem);
  }
  return response;
}

function isFieldProblem(value: unknown): value is FieldProblem {
  const candidate = value as Partial<FieldProblem> | null;
  return typeof candidate?.path === 'string' && typeof candidate.message === 'string';
}

async function json<T>(path: string, init?: RequestInit): Promise<T> {
  return (await request(path, init)).json() as Promise<T>;
}

function query(params: Record<string, string | number | boolean | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

export const messageUrl = {
  raw: (id: string, download = false) =>
    `${API}/messages/${encodeURIComponent(id)}/raw${download ? '?download=1' : ''}`,
  html: (id: string) => `${API}/messages/${encodeURIComponent(id)}/html`,
  attachment: (id: string, index: number) => `${API}/messages/${encodeURIComponent(id)}/attachments/${index}`,
};

export const api = {
  info: () => json<ServerInfo>('/info'),

  listMessages: (params: { q?: string; limit?: number; cursor?: string | null }) =>
    json<Page<MessageSummary>>(`/messages${query(params)}`),
  getMessage: (id: string) => json<MessageDetail>(`/messages/${encodeURIComponent(id)}`),
  getRaw: async (id: string) => (await request(`/messages/${encodeURIComponent(id)}/raw`)).text(),
  setRead: (id: string, read: boolean) =>
    request(`/messages/${encodeURIComponent(id)}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ read }),
    }),
  /** The deliverability report; `ip` is the production sending IP, `probeLinks` requests every link. */
  /** `clients`: comma-separated caniemail client patterns, e.g. `gmail,outlook`; all clients when left out. */
  checks: (id: string, params: { ip?: string; probeLinks?: boolean; clients?: string }) =>
    json<DeliverabilityReport>(
      `/messages/${encodeURIComponent(id)}/checks${query({ ip: params.ip, probeLinks: params.probeLinks ? 'true' : null, clients: params.clients })}`,
    ),
  /** Sends the message to the server's `--release-server`; `to` omitted: the default recipients. */
  release: (id: string, to?: readonly string[]) =>
    json<ReleaseResult>(`/messages/${encodeURIComponent(id)}/release`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(to === undefined ? {} : { to }),
    }),
  deleteMessage: (id: string) => request(`/messages/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  /** Deletes every message, or only those matching `q`. */
  deleteMessages: (q: string) => request(`/messages${query({ q })}`, { method: 'DELETE' }),

  listSessions: (params: {
    problems?: boolean;
    diagnostic?: string;
    limit?: number;
    cursor?: string | null;
  }) =>
    json<Page<SessionSummary>>(`/sessions${query({ ...params, problems: params.problems ? 'true' : null })}`),
  getSession: (id: string) => json<SessionRecord>(`/sessions/${encodeURIComponent(id)}`),
  /** Deletes every session and its transcript; the messages stay. */
  clearSessions: () => request('/sessions', { method: 'DELETE' }),

  getChaos: async () => (await json<{ rules: ChaosRuleStatus[] }>('/chaos')).rules,
  /** Replaces every chaos rule (counters restart at zero); returns the rules now in force. */
  setChaos: async (rules: readonly ChaosRuleInput[]) =>
    (
      await json<{ rules: ChaosRuleStatus[] }>('/chaos', {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ rules }),
      })
    ).rules,
  clearChaos: async () =>
    (await json<{ removed: ChaosRuleStatus[] }>('/chaos', { method: 'DELETE' })).removed,
};
