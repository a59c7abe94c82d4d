/**
 * `GET /api/v1/messages/wait`: one HTTP call that returns when `count` messages match `q` (already
 * stored ones included), or 408 with what arrived instead. Lets any language wait for mail
 * without a polling loop.
 */
import { Type } from '@sinclair/typebox';
import { queryNotesOf } from '../../search/query.js';
import type { ApiInstance, RouteContext } from '../deps.js';
import { DURATION_PATTERN, parseDuration } from '../duration.js';
import { waitForMatchingMessages } from '../message-waiter.js';
import { HttpProblem } from '../problem.js';
import { problemResponse, ref } from '../schemas/common.js';
import { WaitResultSchema, WaitTimeoutProblemSchema } from '../schemas/message.js';

export const DEFAULT_WAIT_MS = 30_000;
/** Longer waits are cut to this, below common proxy and client idle timeouts. */
export const MAX_WAIT_MS = 300_000;
const NEAREST_COUNT = 10;

/** The wait in ms for a `timeout` parameter: 30 s when absent, never more than MAX_WAIT_MS. */
export function waitTimeoutMs(timeout: string | undefined): number {
  const requested = timeout === undefined ? DEFAULT_WAIT_MS : (parseDuration(timeout) ?? DEFAULT_WAIT_MS);
  return Math.min(requested, MAX_WAIT_MS);
}

export function registerMessageWaitRoute(app: ApiInstance, { deps, shutdown }: RouteContext): void {
  const { store, bus } = deps;

  app.get(
    '/api/v1/messages/wait',
    {
      // A HEAD twin would hold the connection for the whole wait to send no body.
      exposeHeadRoute: false,
      schema: {
        operationId: 'waitForMessages',
        tags: ['messages'],
        summary: 'Wait until `count` messages match `q` (long-poll)',
        description:
          'Returns as soon as `count` stored messages match `q`, counting messages stored before the call. On timeout answers 408 with the messages that did match and the newest messages overall.',
        querystring: Type.Object({
          q: Type.Optional(
            Type.String({ maxLength: 2000, description: 'Search query, as in `GET /api/v1/messages`.' }),
          ),
          count: Type.Optional(
            Type.Integer({
              minimum: 1,
              maximum: 500,
              default: 1,
              description: 'How many matching messages to wait for.',
            }),
          ),
          timeout: Type.Optional(
            Type.String({
              pattern: DURATION_PATTERN,
              default: '30s',
              description: `How long to wait: \`30s\`, \`500ms\`, \`2m\`, or plain seconds; at most ${MAX_WAIT_MS / 1000}s.`,
            }),
          ),
        }),
        response: {
          200: ref(WaitResultSchema),
          400: problemResponse('Invalid query parameters.'),
          408: problemResponse('Not enough messages matched in time.', ref(WaitTimeoutProblemSchema)),
          503: problemResponse('The server is shutting down.'),
        },
      },
    },
    async (request, reply) => {
      const q = request.query.q ?? '';
      const count = request.query.count ?? 1;
      const timeoutMs = waitTimeoutMs(request.query.timeout);
      const clientGone = new AbortController();
      reply.raw.once('close', () => clientGone.abort());
      shutdown.track(reply.raw);
      const started = Date.now();
      const outcome = await waitForMatchingMessages(store, bus, {
        q,
        count,
        timeoutMs,
        signal: AbortSignal.any([shutdown.signal, clientGone.signal]),
      });
      if (outcome.kind === 'matched') {
        const { items, total } = outcome.page;
        return { items: items.slice(0, count), total, waitedMs: Date.now() - started, ...queryNotesOf(q) };
      }
      if (outcome.kind === 'aborted') {
        throw new HttpProblem(503, 'The server is shutting down; retry once it is back.');
      }
      const [matched, nearest] = await Promise.all([
        store.listMessages({ q, limit: count }),
        store.listMessages({ limit: NEAREST_COUNT }),
      ]);
      throw new HttpProblem(
        408,
        `Waited ${timeoutMs} ms for ${count} message(s) matching ${q === '' ? 'anything' : `"${q}"`}; ${matched.total} matched. \`nearest\` lists the newest messages that did arrive.`,
        { extensions: { count, matched: matched.items, nearest: nearest.items, ...queryNotesOf(q) } },
      );
    },
  );
}
