/**
 * The HTTP API (and the web UI): builds a Fastify app over the Store and the EventBus. The caller
 * listens and closes; closing ends open event streams and long-polls first.
 */
import { createServer as createHttpsServer } from 'node:https';
import fastifySwagger from '@fastify/swagger';
import Fastify, { type FastifyInstance, type FastifyServerFactory, type RawServerDefault } from 'fastify';
import { MIN_TLS_VERSION } from '../tls/tls-material.js';
import { VERSION } from '../version.js';
import { requireBasicAuth, SECURITY_SCHEME, SECURITY_SCHEME_NAME } from './basic-auth.js';
import { answerClientError, MAX_URL_BYTES } from './client-error.js';
import { serveConditionalRequests } from './conditional-requests.js';
import { negotiateMediaTypes } from './content-negotiation.js';
import type { HttpDeps, RouteContext } from './deps.js';
import { EventStreamHub } from './event-stream.js';
import { answerPlainHttpRequests } from './https-only.js';
import { LAZY_SCHEMA_COMPILERS } from './lazy-schema-compilers.js';
import { sendProblem, toProblem } from './problem.js';
import { documentRequestErrors } from './request-errors.js';
import { RouteMethods } from './route-methods.js';
import { registerChaosRoutes } from './routes/chaos.js';
import { registerCheckRoutes } from './routes/checks.js';
import { registerEventRoutes } from './routes/events.js';
import { registerMessageWaitRoute } from './routes/message-wait.js';
import { registerMessageRoutes } from './routes/messages.js';
import { registerOAuthRoutes } from './routes/oauth.js';
import { registerReleaseRoute } from './routes/release.js';
import { registerSessionRoutes } from './routes/sessions.js';
import { registerSystemRoutes } from './routes/system.js';
import { CHAOS_SCHEMAS } from './schemas/chaos.js';
import { CHECKS_SCHEMAS } from './schemas/checks.js';
import { COMMON_SCHEMAS } from './schemas/common.js';
import { EVENT_SCHEMAS } from './schemas/event.js';
import { INFO_SCHEMAS } from './schemas/info.js';
import { MESSAGE_SCHEMAS } from './schemas/message.js';
import { RELEASE_SCHEMAS } from './schemas/release.js';
import { SESSION_SCHEMAS } from './schemas/session.js';
import { Shutdown } from './shutdown.js';
import { isUiDir, registerStaticUi, sendSpaIndex } from './static-ui.js';
import type { TypeBoxTypeProvider } from './type-provider.js';

export type { HttpDeps, MessageIngest } from './deps.js';

/**
 * HTTP connections at once, event streams included; Node closes any more as they arrive, so a
 * client opening sockets without end cannot take the file descriptors the SMTP listeners need.
 */
export const MAX_HTTP_CONNECTIONS = 1000;

export async function createHttpApp(deps: HttpDeps): Promise<FastifyInstance> {
  // Closing destroys every socket once long-lived responses have finished (see Shutdown): idle
  // keep-alive clients must not hold a sandbox's shutdown up for the keep-alive timeout.
  const { tls } = deps;
  // An https.Server is an http.Server to Fastify: same request and reply objects, TLS underneath.
  const serverFactory: FastifyServerFactory<RawServerDefault> | undefined = tls
    ? (handler) =>
        answerPlainHttpRequests(
          createHttpsServer({ cert: tls.certPem, key: tls.keyPem, minVersion: MIN_TLS_VERSION }, handler),
        )
    : undefined;
  const base = Fastify({
    ...(serverFactory ? { serverFactory } : {}),
    forceCloseConnections: true,
    logger: false,
    // Ids longer than Fastify's 100 characters reach the schema, which says what is wrong with
    // them, rather than falling through to "no route"; Node's 16 KiB header limit bounds them.
    routerOptions: { maxParamLength: MAX_URL_BYTES },
    // A path with a broken percent-encoding never reaches a route: answer it as problem+json too.
    frameworkErrors: (error, request, reply) => sendProblem(reply, request, toProblem(error, request)),
    clientErrorHandler: answerClientError,
    // Validation errors carry the schema that failed, so a pattern mismatch can be explained in
    // the words of the field's description (problem.ts).
    ajv: { customOptions: { verbose: true } },
    schemaController: { compilersFactory: LAZY_SCHEMA_COMPILERS },
  });
  base.server.maxConnections = MAX_HTTP_CONNECTIONS;
  // First of all hooks, so every route, the UI's files and the 404 handler included, inherits it.
  if (deps.httpAuth) requireBasicAuth(base, deps.httpAuth);
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const routeMethods = new RouteMethods();
  routeMethods.watch(base);
  documentRequestErrors(base);
  negotiateMediaTypes(base);
  serveConditionalRequests(base);
  // Fastify reads text/plain bodies as strings, which no route takes: let them be 415s that name
  // the media types, not "body must be object".
  base.removeContentTypeParser('text/plain');

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Mailport API',
        description:
          'Captured messages, SMTP sessions with diagnostics, live events and chaos rules of a Mailport sandbox. Errors are RFC 9457 problem details (`application/problem+json`).',
        version: VERSION,
        license: { name: 'MIT', identifier: 'MIT' },
      },
      tags: [
        { name: 'messages', description: 'Captured messages.' },
        { name: 'sessions', description: 'SMTP sessions with transcripts and diagnostics.' },
        { name: 'events', description: 'Live events.' },
        {
          name: 'chaos',
          description:
            'Fault injection: rules that make SMTP stages fail on purpose, to test retries and timeouts.',
        },
        {
          name: 'oauth',
          description:
            'An OAuth 2.0 token endpoint, for applications that fetch their own tokens for AUTH XOAUTH2.',
        },
        { name: 'system', description: 'Health, metrics, server info and this document.' },
      ],
      ...(deps.httpAuth
        ? { components: { securitySchemes: { [SECURITY_SCHEME_NAME]: SECURITY_SCHEME } } }
        : {}),
    },
    // Keep the schema ids as component names (`#/components/schemas/MessageSummary`).
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, index) => String(json.$id ?? `def-${index}`),
    },
  });
  for (const schema of [
    ...COMMON_SCHEMAS,
    ...MESSAGE_SCHEMAS,
    ...SESSION_SCHEMAS,
    ...INFO_SCHEMAS,
    ...EVENT_SCHEMAS,
    ...CHAOS_SCHEMAS,
    ...CHECKS_SCHEMAS,
    ...RELEASE_SCHEMAS,
  ]) {
    app.addSchema(schema);
  }

  const shutdown = new Shutdown();
  const hub = new EventStreamHub(deps.bus);
  app.addHook('preClose', () => shutdown.begin());
  app.addHook('onClose', (_instance, done) => {
    hub.close();
    done();
  });

  app.setErrorHandler((error, request, reply) => {
    const problem = toProblem(error, request);
    if (problem.status >= 500) {
      deps.logger?.error('HTTP request failed', {
        method: request.method,
        url: request.url,
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      });
    }
    sendProblem(reply, request, problem);
  });

  const uiDir = isUiDir(deps.uiDir) ? deps.uiDir : null;
  app.setNotFoundHandler((request, reply) => {
    if (uiDir !== null && sendSpaIndex(request, reply)) return;
    routeMethods.answerUnmatched(request, reply);
  });

  const context: RouteContext = { deps, hub, shutdown };
  registerSystemRoutes(app, context);
  registerMessageWaitRoute(app, context);
  registerMessageRoutes(app, context);
  registerCheckRoutes(app, context);
  registerReleaseRoute(app, context);
  registerSessionRoutes(app, context);
  registerEventRoutes(app, context);
  registerChaosRoutes(app, context);
  registerOAuthRoutes(app, context);
  if (uiDir !== null) await registerStaticUi(base, uiDir);

  await app.ready();
  return base;
}
