/**
 * The OpenAPI document is generated from the schemas the routes validate and serialise with; these
 * tests prove it covers every registered route and documents every response field.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { VERSION } from '../../src/version.js';
import { type ApiHarness, startApiHarness } from './harness.js';

interface Operation {
  operationId?: string;
  summary?: string;
  parameters?: unknown[];
  requestBody?: unknown;
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: unknown }> }>;
}

interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, JsonSchema> };
}

interface JsonSchema {
  $ref?: string;
  description?: string;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  additionalProperties?: boolean | JsonSchema;
}

/**
 * Every method and path in Fastify's route tree (`printRoutes`), nested segments joined, with
 * `:param` turned into OpenAPI's `{param}`. HEAD routes are Fastify's automatic twins of GET.
 */
function registeredRoutes(tree: string): string[] {
  const routes: string[] = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^([│ ]*)[├└]── (\S+)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (match === null) continue;
    const depth = (match[1] ?? '').length / 4;
    stack.length = depth;
    stack.push(match[2] ?? '');
    const path = stack.join('').replace(/:(\w+)/g, '{$1}');
    for (const method of (match[3] ?? '').split(', ').filter((name) => name !== '' && name !== 'HEAD')) {
      routes.push(`${method} ${path}`);
    }
  }
  return routes.sort();
}

/** Paths (like `MessageDetail.parsed.subject`) of properties that have no description of their own or via $ref. */
function undocumentedProperties(document: OpenApiDocument): string[] {
  const missing: string[] = [];
  const described = (schema: JsonSchema): boolean => {
    if (schema.description) return true;
    if (schema.$ref) {
      const name = schema.$ref.replace('#/components/schemas/', '');
      return Boolean(document.components.schemas[name]?.description);
    }
    return false;
  };
  const walk = (schema: JsonSchema | undefined, path: string): void => {
    if (schema === undefined) return;
    for (const [name, property] of Object.entries(schema.properties ?? {})) {
      if (!described(property)) missing.push(`${path}.${name}`);
      walk(property, `${path}.${name}`);
    }
    walk(schema.items, `${path}[]`);
    for (const option of schema.anyOf ?? []) walk(option, path);
  };
  for (const [name, schema] of Object.entries(document.components.schemas)) {
    if (!schema.description) missing.push(name);
    walk(schema, name);
  }
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        for (const [mediaType, content] of Object.entries(response.content ?? {})) {
          walk(
            content.schema as JsonSchema | undefined,
            `${method.toUpperCase()} ${path} ${status} ${mediaType}`,
          );
        }
      }
    }
  }
  return missing;
}

describe('GET /api/openapi.json', () => {
  let harness: ApiHarness;
  let document: OpenApiDocument;

  before(async () => {
    harness = await startApiHarness();
    const response = await fetch(`${harness.url}/api/openapi.json`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    document = (await response.json()) as OpenApiDocument;
  });
  after(() => harness.close());

  test('is OpenAPI 3.1 with the package version', () => {
    assert.equal(document.openapi, '3.1.0');
    assert.equal(document.info.title, 'Mailport API');
    assert.equal(document.info.version, VERSION);
  });

  test('documents every registered route, and nothing else', () => {
    const routes = registeredRoutes(harness.app.printRoutes({ commonPrefix: false }));
    assert.ok(routes.length >= 18, `found ${routes.length} routes in:\n${harness.app.printRoutes()}`);
    const documented = Object.entries(document.paths)
      .flatMap(([path, operations]) =>
        Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
      )
      .sort();
    assert.deepEqual(documented, routes);
  });

  test('every operation has an id, a summary and described responses; errors are problem+json', () => {
    const ids = new Set<string>();
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const where = `${method.toUpperCase()} ${path}`;
        assert.ok(operation.operationId, `${where} has an operationId`);
        assert.ok(!ids.has(operation.operationId), `${where}: operationId is unique`);
        ids.add(operation.operationId);
        assert.ok(operation.summary, `${where} has a summary`);
        for (const [status, response] of Object.entries(operation.responses ?? {})) {
          assert.ok(response.description, `${where} ${status} has a description`);
          if (Number(status) >= 400) {
            assert.deepEqual(
              Object.keys(response.content ?? {}),
              ['application/problem+json'],
              `${where} ${status}`,
            );
          }
        }
      }
    }
  });

  test('documents the 400, 413 and 415 any route with parameters or a body can answer', () => {
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const where = `${method.toUpperCase()} ${path}`;
        const statuses = Object.keys(operation.responses ?? {});
        if ((operation.parameters ?? []).length > 0 || operation.requestBody !== undefined)
          assert.ok(statuses.includes('400'), `${where} documents 400`);
        if (operation.requestBody !== undefined) {
          assert.ok(statuses.includes('413'), `${where} documents 413`);
          assert.ok(statuses.includes('415'), `${where} documents 415`);
        }
      }
    }
  });

  test('response and payload schemas are named components with every field described', () => {
    const names = Object.keys(document.components.schemas);
    for (const name of [
      'MessageSummary',
      'MessageDetail',
      'SessionRecord',
      'ServerInfo',
      'Problem',
      'WaitTimeoutProblem',
    ]) {
      assert.ok(names.includes(name), `${name} is a component`);
    }
    assert.ok(!names.some((name) => name.startsWith('def-')), 'no anonymous components');
    const list = document.paths['/api/v1/messages']?.get?.responses?.['200']?.content?.['application/json'];
    assert.deepEqual(list?.schema, { $ref: '#/components/schemas/MessagePage' });
    assert.deepEqual(undocumentedProperties(document), []);
  });
});
