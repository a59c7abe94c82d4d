/** Operational routes: health, Prometheus metrics, server info and the OpenAPI document. */
import { Type } from '@sinclair/typebox';
import type { ApiInstance, RouteContext } from '../deps.js';
import { METRICS_CONTENT_TYPE, renderMetrics } from '../metrics-text.js';
import { HttpProblem } from '../problem.js';
import { problemResponse, ref } from '../schemas/common.js';
import { ServerInfoSchema } from '../schemas/info.js';

export const OPENAPI_PATH = '/api/openapi.json';

export function registerSystemRoutes(app: ApiInstance, { deps }: RouteContext): void {
  const { store, metrics } = deps;

  app.get(
    '/healthz',
    {
      schema: {
        operationId: 'getHealth',
        tags: ['system'],
        summary: 'Liveness and storage check',
        response: {
          200: Type.Object(
            {
              status: Type.Literal('ok', {
                description: 'Always `ok` when the server and its store answer.',
              }),
            },
            { description: 'The server and its store are working.' },
          ),
          503: problemResponse('The store does not answer.'),
        },
      },
    },
    async () => {
      try {
        await store.stats();
      } catch (error) {
        deps.logger?.error('Health check: the store does not answer', { error: String(error) });
        throw new HttpProblem(
          503,
          `The ${store.engine} store does not answer; the server log has the error.`,
        );
      }
      return { status: 'ok' as const };
    },
  );

  app.get(
    '/metrics',
    {
      schema: {
        operationId: 'getMetrics',
        tags: ['system'],
        summary: 'Prometheus metrics',
        description:
          'Text exposition format 0.0.4: stored messages and sessions, accepted messages and bytes, SMTP rejects by reply code, diagnostics by code, open connections, store size, webhook deliveries by outcome and OAuth token requests by outcome.',
        response: {
          200: { description: 'The metrics.', content: { 'text/plain': { schema: Type.String() } } },
        },
      },
    },
    async (_request, reply) =>
      reply.type(METRICS_CONTENT_TYPE).send(renderMetrics(metrics, await store.stats())),
  );

  app.get(
    '/api/v1/info',
    {
      schema: {
        operationId: 'getInfo',
        tags: ['system'],
        summary: 'Listeners, TLS trust material, AUTH mode and limits',
        response: { 200: ref(ServerInfoSchema) },
      },
    },
    async () => deps.info(),
  );

  app.get(
    OPENAPI_PATH,
    {
      schema: {
        operationId: 'getOpenApi',
        tags: ['system'],
        summary: 'This API, described in OpenAPI 3.1',
        response: {
          200: {
            description: 'The OpenAPI document.',
            content: { 'application/json': { schema: Type.Object({}, { additionalProperties: true }) } },
          },
        },
      },
    },
    async (_request, reply) => {
      return reply.type('application/json; charset=utf-8').send(JSON.stringify(app.swagger()));
    },
  );
}
