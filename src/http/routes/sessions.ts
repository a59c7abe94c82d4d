/** Session routes: every SMTP connection with its transcript and diagnostics. */
import { Type } from '@sinclair/typebox';
import { DIAGNOSTIC_CODES } from '../../diagnostics/catalogue.js';
import type { DiagnosticCode } from '../../domain/types.js';
import type { ApiInstance, RouteContext } from '../deps.js';
import { type HttpProblem, notFound } from '../problem.js';
import { flag, IdParamsSchema, isFlagSet, PageQuerySchema, problemResponse, ref } from '../schemas/common.js';
import { SessionDeleteResultSchema, SessionPageSchema, SessionRecordSchema } from '../schemas/session.js';

const TAGS = ['sessions'];

export function registerSessionRoutes(app: ApiInstance, { deps }: RouteContext): void {
  const { store, bus } = deps;

  app.get(
    '/api/v1/sessions',
    {
      schema: {
        operationId: 'listSessions',
        tags: TAGS,
        summary: 'List SMTP sessions, newest first',
        querystring: Type.Object({
          diagnostic: Type.Optional(
            Type.Unsafe<DiagnosticCode>(
              Type.String({
                enum: DIAGNOSTIC_CODES,
                description: 'Only sessions that carry this diagnostic code.',
              }),
            ),
          ),
          problems: flag(
            '`1`: only sessions with at least one diagnostic, or a failed outcome that chaos rules did not cause on purpose (see `chaos.failedOnPurpose`).',
          ),
          chaos: flag('`1`: only sessions in which chaos rules fired (those with a `chaos` field).'),
          ...PageQuerySchema,
        }),
        response: { 200: ref(SessionPageSchema), 400: problemResponse('Invalid query parameters.') },
      },
    },
    async (request) => {
      const { problems, chaos, ...query } = request.query;
      return store.listSessions({ ...query, problems: isFlagSet(problems), chaos: isFlagSet(chaos) });
    },
  );

  app.get(
    '/api/v1/sessions/:id',
    {
      schema: {
        operationId: 'getSession',
        tags: TAGS,
        summary: 'Get a session with its transcript and diagnostics',
        params: IdParamsSchema,
        response: { 200: ref(SessionRecordSchema), 404: problemResponse('No session with this id.') },
      },
    },
    async (request) => {
      const session = await store.getSession(request.params.id);
      if (session === null) throw sessionNotFound(request.params.id);
      return session;
    },
  );

  app.delete(
    '/api/v1/sessions/:id',
    {
      schema: {
        operationId: 'deleteSession',
        tags: TAGS,
        summary: 'Delete a session and its transcript',
        params: IdParamsSchema,
        response: {
          204: Type.Null({ description: 'Deleted.' }),
          404: problemResponse('No session with this id.'),
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      if (!(await store.deleteSession(id))) throw sessionNotFound(id);
      bus.publish('session.deleted', { ids: [id] });
      return reply.code(204).send(null);
    },
  );

  app.delete(
    '/api/v1/sessions',
    {
      schema: {
        operationId: 'deleteSessions',
        tags: TAGS,
        summary: 'Delete every session (the messages stay)',
        response: { 200: ref(SessionDeleteResultSchema) },
      },
    },
    async () => {
      const ids = await store.deleteSessions();
      if (ids.length > 0) bus.publish('session.deleted', { ids });
      return { deleted: ids.length, ids };
    },
  );
}

function sessionNotFound(id: string): HttpProblem {
  return notFound(`No session with id ${id}; GET /api/v1/sessions lists the stored ones.`);
}
