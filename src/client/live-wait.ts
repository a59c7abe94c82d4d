/**
 * Waits resolved by the live event stream (`GET /api/v1/events`), not by polling. Each wait
 * subscribes first and only then reads what is already stored, so a message that arrives in
 * between is seen at least once (ids de-duplicate it) and never missed.
 */
import type { MessageSummary, SessionRecord, SessionSummary } from '../domain/types.js';
import { MailportError } from '../errors.js';
import type { MailportClient } from './api-client.js';
import { MailportNetworkError, MailportSessionWaitTimeoutError, MailportWaitTimeoutError } from './errors.js';
import {
  criteriaOf,
  describeCriteria,
  describeSessionCriteria,
  type MessageFilter,
  mismatches,
  narrowingQuery,
  type SessionFilter,
  sessionCriteriaOf,
  sessionMatches,
} from './message-filter.js';
import { ReceivedMessage } from './received-message.js';
import type { MailportEvent } from './types.js';

export const DEFAULT_STREAM_WAIT_MS = 30_000;
/** The largest page the API serves; stored messages beyond it are older than any wait cares about. */
const STORED_SCAN_LIMIT = 500;
const NEAREST_COUNT = 10;

export interface StreamWaitOptions {
  /** Milliseconds to wait before throwing. @defaultValue 30000 */
  timeout?: number;
  signal?: AbortSignal;
}

type Outcome<T> = { value: T } | { error: unknown };

interface WaitHandlers {
  /** The stream is open: read what is already stored. */
  onOpen(): Promise<void>;
  onEvent(event: MailportEvent): Promise<void>;
  /** Builds the error to throw, listing what arrived instead. */
  onTimeout(timeoutMs: number): Promise<Error>;
}

/** The live part every wait shares: a subscription, a timer, and one place that settles. */
function streamWait<T>(
  client: MailportClient,
  options: StreamWaitOptions,
  start: (finish: (outcome: Outcome<T>) => void) => WaitHandlers,
): Promise<T> {
  const timeoutMs = options.timeout ?? DEFAULT_STREAM_WAIT_MS;
  return new Promise<T>((resolve, reject) => {
    const stream = new AbortController();
    let settled = false;
    // Events are handled one at a time, in arrival order, each after the stored messages were read.
    let queue: Promise<void> = Promise.resolve();
    const finish = (outcome: Outcome<T>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      stream.abort();
      if ('value' in outcome) resolve(outcome.value);
      else reject(outcome.error);
    };
    const handlers = start(finish);
    const enqueue = (task: () => Promise<void>): void => {
      queue = queue.then(() => (settled ? undefined : task())).catch((error: unknown) => finish({ error }));
    };
    const onAbort = (): void => finish({ error: options.signal?.reason });
    const timer = setTimeout(() => {
      enqueue(async () => finish({ error: await handlers.onTimeout(timeoutMs) }));
    }, timeoutMs);
    if (options.signal?.aborted) return onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    client
      .subscribe((event) => enqueue(() => handlers.onEvent(event)), {
        signal: stream.signal,
        onOpen: () => enqueue(() => handlers.onOpen()),
      })
      .then(
        () => {
          const url = `${client.baseUrl}/api/v1/events`;
          finish({
            error: new MailportNetworkError('GET', url, client.baseUrl, new Error('the event stream ended')),
          });
        },
        (error: unknown) => finish({ error }),
      );
  });
}

/**
 * Resolves with the `count` newest messages matching `filter`, oldest first, as soon as that many
 * exist (already stored ones count). On timeout throws {@link MailportWaitTimeoutError} listing
 * the newest messages that did arrive and why each one did not match.
 */
export function waitForMatchingMessages(
  client: MailportClient,
  count: number,
  filter: MessageFilter | undefined,
  options: StreamWaitOptions = {},
): Promise<ReceivedMessage[]> {
  if (!Number.isInteger(count) || count < 1 || count > STORED_SCAN_LIMIT) {
    return Promise.reject(
      new MailportError('MP_ERR_USAGE', `Cannot wait for ${count} messages.`, {
        hint: `Give a whole number from 1 to ${STORED_SCAN_LIMIT}.`,
      }),
    );
  }
  const criteria = criteriaOf(filter);
  const narrowing = narrowingQuery(criteria);
  const matched = new Map<string, ReceivedMessage>();
  /** Why each message seen so far failed, for the timeout report. */
  const rejected = new Map<string, string>();
  /** Terms of `q` the server searched as text (its `queryNotes`): the likeliest reason for a timeout. */
  let queryNotes: string[] = [];

  return streamWait<ReceivedMessage[]>(client, options, (finish) => {
    const consider = async (summary: MessageSummary, passedQuery: boolean): Promise<void> => {
      if (matched.has(summary.id) || rejected.has(summary.id)) return;
      const reasons = mismatches(summary, criteria);
      if (reasons.length > 0) return void rejected.set(summary.id, reasons.join('; '));
      if (!passedQuery && criteria.q) {
        const page = await client.listMessages({ q: criteria.q, limit: STORED_SCAN_LIMIT });
        if (!page.items.some((item) => item.id === summary.id)) {
          return void rejected.set(summary.id, `not found by q ${JSON.stringify(criteria.q)}`);
        }
      }
      const message = new ReceivedMessage(await client.getMessage(summary.id));
      if (criteria.where && !(await criteria.where(message))) {
        return void rejected.set(summary.id, 'rejected by the predicate');
      }
      matched.set(summary.id, message);
      if (matched.size >= count) {
        // Ids are time-sortable (UUIDv7): sorting them sorts by arrival.
        const newest = [...matched.values()].sort((a, b) => (a.id < b.id ? -1 : 1)).slice(-count);
        finish({ value: newest });
      }
    };

    return {
      onOpen: async () => {
        const stored = await client.listMessages({ q: narrowing, limit: STORED_SCAN_LIMIT });
        queryNotes = stored.queryNotes ?? [];
        // Newest first, so the newest matches are the ones kept when more than `count` match.
        for (const summary of stored.items) await consider(summary, true);
      },
      onEvent: async (event) => {
        if (event.type === 'message.received') await consider(event.data.message, false);
        if (event.type === 'message.deleted') for (const id of event.data.ids) matched.delete(id);
      },
      onTimeout: async (timeoutMs) => {
        const newest = await client.listMessages({ limit: NEAREST_COUNT });
        const described = describeCriteria(criteria);
        return new MailportWaitTimeoutError(
          'GET',
          `${client.baseUrl}/api/v1/events`,
          {
            type: 'urn:mailport:problem:wait-timeout',
            title: 'Request Timeout',
            status: 408,
            detail: `Waited ${timeoutMs} ms for ${count} message(s) matching ${described}; ${matched.size} matched.`,
            instance: '/api/v1/events',
            count,
            matched: [...matched.values()].map((message) => message.detail),
            nearest: newest.items,
            ...(queryNotes.length > 0 ? { queryNotes } : {}),
          },
          (message) =>
            matched.has(message.id)
              ? 'matched'
              : (rejected.get(message.id) ?? (mismatches(message, criteria).join('; ') || null)),
        );
      },
    };
  });
}

/**
 * Resolves with the first closed SMTP session matching `filter` (stored ones count), with its
 * transcript. On timeout throws {@link MailportSessionWaitTimeoutError} listing the newest sessions.
 */
export function waitForMatchingSession(
  client: MailportClient,
  filter: SessionFilter,
  options: StreamWaitOptions = {},
): Promise<SessionRecord> {
  const criteria = sessionCriteriaOf(filter);
  return streamWait<SessionRecord>(client, options, (finish) => {
    const consider = async (session: SessionSummary): Promise<void> => {
      if (sessionMatches(session, criteria)) finish({ value: await client.getSession(session.id) });
    };
    return {
      onOpen: async () => {
        const stored = await client.listSessions({
          ...(criteria.diagnostic === undefined ? {} : { diagnostic: criteria.diagnostic }),
          limit: STORED_SCAN_LIMIT,
        });
        for (const session of stored.items) await consider(session);
      },
      onEvent: async (event) => {
        if (event.type === 'session.closed') await consider(event.data.session);
      },
      onTimeout: async (timeoutMs) => {
        const newest = await client.listSessions({ limit: NEAREST_COUNT });
        return new MailportSessionWaitTimeoutError(
          'GET',
          `${client.baseUrl}/api/v1/events`,
          {
            type: 'urn:mailport:problem:wait-timeout',
            title: 'Request Timeout',
            status: 408,
            detail: `Waited ${timeoutMs} ms for a session with ${describeSessionCriteria(criteria)}; none closed.`,
            instance: '/api/v1/events',
          },
          newest.items,
        );
      },
    };
  });
}
