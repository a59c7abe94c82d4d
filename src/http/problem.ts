/**
 * RFC 9457 problem details: every error response of the API has this shape and the
 * `application/problem+json` media type, whether a handler, validation or routing failed.
 */
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { MailportError } from '../errors.js';
import { PROBLEM_CONTENT_TYPE, type Problem } from './schemas/common.js';

const TITLES: Readonly<Record<number, { slug: string; title: string }>> = {
  400: { slug: 'bad-request', title: 'The request is invalid' },
  401: { slug: 'unauthorized', title: 'Login required' },
  403: { slug: 'forbidden', title: 'Forbidden' },
  404: { slug: 'not-found', title: 'Not found' },
  405: { slug: 'method-not-allowed', title: 'Method not allowed' },
  406: { slug: 'not-acceptable', title: 'Not acceptable' },
  408: { slug: 'wait-timeout', title: 'Timed out waiting' },
  412: { slug: 'precondition-failed', title: 'Precondition failed' },
  413: { slug: 'payload-too-large', title: 'The request body is too large' },
  415: { slug: 'unsupported-media-type', title: 'Unsupported media type' },
  416: { slug: 'range-not-satisfiable', title: 'Range not satisfiable' },
  431: { slug: 'request-header-too-large', title: 'The request line or headers are too large' },
  500: { slug: 'internal-error', title: 'Internal server error' },
  503: { slug: 'unavailable', title: 'Service unavailable' },
};

/** The `type` URI of a problem kind (RFC 9457 §3.1.1: stable, not meant to be dereferenced). */
export function problemType(slug: string): string {
  return `urn:mailport:problem:${slug}`;
}

/** An error a route throws to answer with a specific problem. */
export class HttpProblem extends Error {
  override readonly name = 'HttpProblem';
  readonly status: number;
  readonly slug: string;
  readonly title: string;
  /** Extension members (RFC 9457 §3.2) added to the body. */
  readonly extensions: Readonly<Record<string, unknown>>;
  /** Response headers the status calls for (`Allow` with a 405). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    status: number,
    detail: string,
    options: {
      slug?: string;
      title?: string;
      extensions?: Record<string, unknown>;
      headers?: Record<string, string>;
    } = {},
  ) {
    super(detail);
    const known = TITLES[status] ?? { slug: `http-${status}`, title: `HTTP ${status}` };
    this.status = status;
    this.slug = options.slug ?? known.slug;
    this.title = options.title ?? known.title;
    this.extensions = options.extensions ?? {};
    this.headers = options.headers ?? {};
  }
}

export function notFound(detail: string): HttpProblem {
  return new HttpProblem(404, detail);
}

export function messageNotFound(id: string): HttpProblem {
  return notFound(
    `No message with id ${id}. It may have been deleted; GET /api/v1/messages lists the stored ones.`,
  );
}

/** The body of `problem` for a request to `instance` (its path, without the query). */
export function problemJson(problem: HttpProblem, instance: string): Problem {
  return {
    type: problemType(problem.slug),
    title: problem.title,
    status: problem.status,
    detail: problem.message,
    instance,
    ...problem.extensions,
  };
}

export function problemBody(problem: HttpProblem, request: FastifyRequest): Problem {
  return problemJson(problem, request.url.split('?')[0] ?? request.url);
}

export function sendProblem(
  reply: FastifyReply,
  request: FastifyRequest,
  problem: HttpProblem,
): FastifyReply {
  return reply.send(problemPayload(reply, request, problem));
}

/**
 * Sets the status and headers of `problem` on `reply` and returns its body, for a hook that
 * replaces a payload rather than sending one.
 */
export function problemPayload(reply: FastifyReply, request: FastifyRequest, problem: HttpProblem): string {
  reply.code(problem.status).headers(problem.headers).type(`${PROBLEM_CONTENT_TYPE}; charset=utf-8`);
  // Serialised here, not by a response schema, so extension members are never dropped.
  return JSON.stringify(problemBody(problem, request));
}

const LOCATION_NAMES: Readonly<Record<string, string>> = {
  querystring: 'query parameter',
  params: 'path parameter',
  body: 'request body',
  headers: 'request header',
};

/** One entry of a Fastify validation error (Ajv's error object, the fields read here). */
interface ValidationIssue {
  keyword: string;
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
  /** Where in the schema the keyword is: `#/properties/action/anyOf/1/required`. */
  schemaPath: string;
  /** The schema holding the failed keyword, and the value it judged (Ajv's `verbose` option, set in app.ts). */
  parentSchema?: { description?: unknown; anyOf?: unknown };
  data?: unknown;
}

function validationMessage(issue: ValidationIssue, allowedConstants: readonly unknown[]): string {
  const allowed = issue.params.allowedValues;
  if (Array.isArray(allowed)) return `must be one of: ${allowed.join(', ')}`;
  if (issue.keyword === 'minLength' && issue.params.limit === 1) return 'must not be empty';
  // Ajv's words for a value that fits none of a union's forms; the other errors say what is off.
  if (issue.keyword === 'anyOf') {
    return allowedConstants.length > 0
      ? `must be one of: ${allowedConstants.join(', ')}`
      : 'matches none of the accepted forms (/api/openapi.json lists them)';
  }
  // "must match pattern "^\d+(\.\d+)?(ms|s|m)?$"" says nothing to a person; the first sentence
  // of the field's own description says what it takes.
  const description = issue.parentSchema?.description;
  if (issue.keyword === 'pattern' && typeof description === 'string') {
    const [firstSentence = description] = description.split(/\.\s+(?=[A-Z])/);
    return `is not in the form this field takes (${firstSentence.replace(/\.$/, '')})`;
  }
  return issue.message ?? 'is invalid';
}

/**
 * A union whose branches each fix a `type` (the chaos actions: reply, delay…) reports an error from
 * every branch. The value's own `type` says which branch was meant: only that branch's errors say
 * what is wrong ("enhancedCode is not…", not "must have required property 'delayMs'"), and a
 * `type` no branch has is named with the ones there are.
 */
function withinChosenBranches(issues: readonly ValidationIssue[]): ValidationIssue[] {
  let kept = [...issues];
  for (const union of issues.filter((issue) => issue.keyword === 'anyOf')) {
    const types = branchTypes(union.parentSchema?.anyOf);
    if (types === null) continue;
    const given = (union.data as { type?: unknown } | null | undefined)?.type;
    const prefix = `${union.schemaPath}/`;
    const inUnion = (issue: ValidationIssue): boolean =>
      issue.schemaPath.startsWith(prefix) || issue === union;
    const chosen = types.indexOf(given as string);
    if (chosen === -1) {
      kept = kept.filter((issue) => !inUnion(issue));
      kept.push({
        keyword: 'enum',
        instancePath: `${union.instancePath}/type`,
        schemaPath: union.schemaPath,
        params: { allowedValues: types },
      });
      continue;
    }
    kept = kept.filter(
      (issue) =>
        issue !== union &&
        (!issue.schemaPath.startsWith(prefix) || issue.schemaPath.startsWith(`${prefix}${chosen}/`)),
    );
  }
  return kept;
}

/** The `type` constant of every branch of a union, or null when a branch has none. */
function branchTypes(branches: unknown): string[] | null {
  if (!Array.isArray(branches) || branches.length === 0) return null;
  const types = branches.map(
    (branch) => (branch as { properties?: { type?: { const?: unknown } } } | null)?.properties?.type?.const,
  );
  return types.every((type): type is string => typeof type === 'string') ? types : null;
}

/** The problem for a request Fastify's validation refused: every invalid value, named once. */
function validationProblem(
  allIssues: readonly ValidationIssue[],
  location: string,
  request: FastifyRequest,
): HttpProblem {
  const issues = withinChosenBranches(allIssues);
  // A union of literals (`?download=1|true|0|false`) fails once per literal, then once as a union:
  // say which values it takes, in one entry.
  const constantsByPath = new Map<string, unknown[]>();
  for (const issue of issues) {
    if (issue.keyword !== 'const') continue;
    constantsByPath.set(issue.instancePath, [
      ...(constantsByPath.get(issue.instancePath) ?? []),
      issue.params.allowedValue,
    ]);
  }
  const unionPaths = new Set(
    issues.filter((issue) => issue.keyword === 'anyOf').map((issue) => issue.instancePath),
  );
  const query = (request.query ?? {}) as Record<string, unknown>;
  const errors = [
    ...new Map(
      issues
        .filter((issue) => !(issue.keyword === 'const' && unionPaths.has(issue.instancePath)))
        .map((issue) => {
          const repeated = location === 'querystring' && Array.isArray(query[issue.instancePath.slice(1)]);
          const message = repeated
            ? 'is given more than once; give it once'
            : validationMessage(issue, constantsByPath.get(issue.instancePath) ?? []);
          // Each branch of a union that does not match reports the same missing field: say it once.
          return [`${issue.instancePath}\n${message}`, { location, path: issue.instancePath, message }];
        }),
    ).values(),
  ];
  const described = errors.map(
    ({ path, message }) =>
      `${path === '' ? location : `\`${path.slice(1).replaceAll('/', '.')}\``} ${message}`,
  );
  return new HttpProblem(400, `Invalid ${LOCATION_NAMES[location] ?? location}: ${described.join('; ')}.`, {
    extensions: { errors },
  });
}

const BODY_FIX =
  'Send a JSON object with Content-Type: application/json; /api/openapi.json describes each body.';

/**
 * Fastify's own client errors, in words that say what to do; their message alone
 * ("Request body is too large") does not.
 */
function frameworkProblem(code: string | undefined, request: FastifyRequest): HttpProblem | null {
  switch (code) {
    case 'FST_ERR_BAD_URL':
      return new HttpProblem(
        400,
        'The path holds an invalid percent-encoding (a `%` not followed by two hex digits, or bytes that are not UTF-8). Write `%` itself as `%25` and encode other characters as UTF-8.',
      );
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new HttpProblem(400, `The request body is empty although Content-Type says JSON. ${BODY_FIX}`);
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new HttpProblem(
        400,
        `The request body is not valid JSON (or uses the reserved keys __proto__ or constructor.prototype). ${BODY_FIX}`,
      );
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new HttpProblem(
        400,
        'The request body is not as long as its Content-Length header says; send it again whole.',
      );
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new HttpProblem(
        413,
        `The request body is larger than the ${request.routeOptions.bodyLimit} bytes this route accepts.`,
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new HttpProblem(
        415,
        `This route does not accept Content-Type ${request.headers['content-type'] ?? '(none)'}; /api/openapi.json lists the media types it takes.`,
      );
    default:
      return null;
  }
}

/** Details for a 4xx that only carries its status text ("Forbidden"), as the static file server's do. */
const GENERIC_DETAILS: Readonly<Record<number, string>> = {
  400: 'The request is malformed (e.g. a NUL byte in the path); correct the URL and send it again.',
  403: 'The path leaves the web UI directory (`..`); request the page without it.',
  412: 'The file is not the version If-Match or If-Unmodified-Since names; request it without the condition.',
  416: 'The Range asks for bytes past the end of the file; ask for a range within it, or for the whole file.',
};

/** Maps anything thrown while handling a request to a problem; unexpected errors become a 500 that leaks nothing. */
export function toProblem(error: unknown, request: FastifyRequest): HttpProblem {
  if (error instanceof HttpProblem) return error;
  const fastifyError = (error ?? {}) as Partial<FastifyError>;
  if (fastifyError.validation !== undefined) {
    return validationProblem(fastifyError.validation, fastifyError.validationContext ?? 'request', request);
  }
  const framework = frameworkProblem(fastifyError.code, request);
  if (framework !== null) return framework;
  // A caller's mistake found below the routes (e.g. a cursor this server never issued).
  if (error instanceof MailportError && error.code === 'MP_ERR_USAGE') {
    return new HttpProblem(400, error.hint === undefined ? error.message : `${error.message} ${error.hint}`);
  }
  const status = fastifyError.statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    const generic = fastifyError.message === undefined || fastifyError.message === STATUS_CODES[status];
    return new HttpProblem(
      status,
      (generic ? GENERIC_DETAILS[status] : undefined) ?? fastifyError.message ?? `HTTP ${status}`,
    );
  }
  return new HttpProblem(500, 'The server failed to handle this request; the server log has the details.');
}
