/** Chaos routes: the rules that make SMTP stages fail on purpose, read, replaced and removed. */
import { ChaosRuleError, validateChaosRules } from '../../chaos/rules.js';
import type { ApiInstance, RouteContext } from '../deps.js';
import { HttpProblem } from '../problem.js';
import { ChaosRemovedSchema, ChaosRulesBodySchema, ChaosRulesSchema } from '../schemas/chaos.js';
import { problemResponse, ref } from '../schemas/common.js';

const TAGS = ['chaos'];

export function registerChaosRoutes(app: ApiInstance, { deps }: RouteContext): void {
  const { chaos } = deps;

  app.get(
    '/api/v1/chaos',
    {
      schema: {
        operationId: 'getChaos',
        tags: TAGS,
        summary: 'The chaos rules in force, with how often each fired',
        response: { 200: ref(ChaosRulesSchema) },
      },
    },
    async () => ({ rules: chaos.list() }),
  );

  app.put(
    '/api/v1/chaos',
    {
      schema: {
        operationId: 'setChaos',
        tags: TAGS,
        summary: 'Replace every chaos rule',
        description:
          'The rules take effect for the next stage of every session, live ones included; counters start at zero. Rules live in memory on this node only.',
        body: ChaosRulesBodySchema,
        response: {
          200: ref(ChaosRulesSchema),
          400: problemResponse('A rule is invalid; `errors` names the field.'),
        },
      },
    },
    async (request) => {
      try {
        return { rules: chaos.replace(validateChaosRules(request.body.rules)) };
      } catch (error) {
        if (error instanceof ChaosRuleError) throw invalidRule(error);
        throw error;
      }
    },
  );

  app.delete(
    '/api/v1/chaos',
    {
      schema: {
        operationId: 'clearChaos',
        tags: TAGS,
        summary: 'Remove every chaos rule',
        response: { 200: ref(ChaosRemovedSchema) },
      },
    },
    async () => ({ removed: chaos.clear() }),
  );
}

/** The same problem shape as a schema validation error, for what only the rule validator can see. */
function invalidRule(error: ChaosRuleError): HttpProblem {
  const field = error.field === '' ? '' : `.${error.field}`;
  return new HttpProblem(400, `Invalid request body: \`rules.${error.index}${field}\` ${error.problem}`, {
    extensions: {
      errors: [
        {
          location: 'body',
          path: `/rules/${error.index}${field.replaceAll('.', '/')}`,
          message: error.problem,
        },
      ],
    },
  });
}
