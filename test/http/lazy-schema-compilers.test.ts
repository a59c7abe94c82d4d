/**
 * The API's schemas are compiled on a route's first request (src/http/lazy-schema-compilers.ts):
 * what a request is validated against and what a response is serialized to must be exactly what
 * Fastify's own compilers do, only later.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { LAZY_SCHEMA_COMPILERS } from '../../src/http/lazy-schema-compilers.js';

const ROUTE_SCHEMA = {
  querystring: {
    type: 'object',
    properties: { limit: { type: 'integer', minimum: 1, maximum: 500 } },
    additionalProperties: false,
  },
  response: {
    200: { type: 'object', properties: { limit: { type: 'integer' }, note: { type: 'string' } } },
  },
} as const;

async function appWith(compilers: 'lazy' | 'default'): Promise<FastifyInstance> {
  const app = Fastify(
    compilers === 'lazy' ? { schemaController: { compilersFactory: LAZY_SCHEMA_COMPILERS } } : {},
  );
  app.get('/items', { schema: ROUTE_SCHEMA }, async (request) => ({
    limit: (request.query as { limit?: number }).limit ?? 50,
    note: 'kept',
    secret: 'not in the response schema',
  }));
  await app.ready();
  return app;
}

describe('lazy schema compilers', () => {
  test('validate and serialize every request as Fastify’s own compilers do', async () => {
    const [lazy, eager] = await Promise.all([appWith('lazy'), appWith('default')]);
    try {
      // Valid, coerced, out of range, unknown parameter, wrong type: status and body alike,
      // the second time too (the compiled function is kept).
      for (const url of ['/items?limit=20', '/items', '/items?limit=0', '/items?other=1', '/items?limit=x']) {
        for (let round = 0; round < 2; round++) {
          const [fromLazy, fromEager] = await Promise.all([lazy.inject(url), eager.inject(url)]);
          assert.equal(fromLazy.statusCode, fromEager.statusCode, url);
          assert.equal(fromLazy.body, fromEager.body, url);
        }
      }
      const ok = await lazy.inject('/items?limit=20');
      assert.deepEqual(ok.json(), { limit: 20, note: 'kept' });
      const refused = await lazy.inject('/items?limit=0');
      assert.equal(refused.statusCode, 400);
      assert.match(refused.json().message, /querystring\/limit must be >= 1/);
    } finally {
      await Promise.all([lazy.close(), eager.close()]);
    }
  });

  test('compile nothing at start-up: a schema is compiled by the first request that needs it', async () => {
    // A pattern Ajv cannot compile: Fastify's own compilers refuse it in ready().
    const broken = { querystring: { type: 'object', properties: { q: { type: 'string', pattern: '(' } } } };
    const eager = Fastify();
    eager.get('/broken', { schema: broken }, async () => 'x');
    await assert.rejects(async () => {
      await eager.ready();
    });
    await eager.close();

    const app = Fastify({ schemaController: { compilersFactory: LAZY_SCHEMA_COMPILERS } });
    app.get('/broken', { schema: broken }, async () => 'x');
    app.get('/fine', async () => 'fine');
    try {
      await app.ready();
      assert.equal((await app.inject('/fine')).body, 'fine');
      assert.equal((await app.inject('/broken')).statusCode, 500);
    } finally {
      await app.close();
    }
  });
});
