/**
 * RFC 9457 problem details: every error response of the API has this shape and the
 * `application/problem+json` media type, whether a handler, validation or routing failed.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { MailportError } from '../errors.js';
import { PROBLEM_CONTENT_TYPE, type Problem } from './schemas/common.js';

const TITLES: Readonly<Record<number, { slug: string; title: string }>> = {
  400: { slug: 'bad-request', title: 'The request is invalid' },
  404: { slug: 'not-found', title: 'Not found' },
  405: { slug: 'method-not-allowed', title: 'Method not allowed' },
  406: { slug: 'not-acceptable', title: 'Not acceptable' },
  408: { slug: 'wait-timeout', title: 'Timed out waiting' },
  413: { slug: 'payload-too-large', title: 'The request body is too large' },
  415: { slug: 'unsupported-media-type', title: 'Unsupported media type' },
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

  constructor(
    status: number,
    detail: string,
    options: { slug?: string; title?: string; extensions?: Record<string, unknown> } = {},
  ) {
    super(detail);
    const known = TITLES[status] ?? { slug: `http-${status}`, title: `HTTP ${status}` };
    this.status = status;
    this.slug = options.slug ?? known.slug;
    this.title = options.title ?? known.title;
    this.extensions = options.extensions ?? {};
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

export function problemBody(problem: HttpProblem, request: FastifyRequest): Problem {
  return {
    type: problemType(problem.slug),
    title: problem.title,
    status: problem.status,
    detail: problem.message,
    instance: request.url.split('?')[0] ?? request.url,
    ...problem.extensions,
  };
}

export function sendProblem(
  reply: FastifyReply,
  request: FastifyRequest,
  problem: HttpProblem,
): FastifyReply {
  // Serialised here, not by a response schema, so extension members are never dropped.
  return reply
    .code(problem.status)
    .type(`${PROBLEM_CONTENT_TYPE}; charset=utf-8`)
    .send(JSON.stringify(problemBody(problem, request)));
}

const LOCATION_NAMES: Readonly<Record<string, string>> = {
  querystring: 'query parameter',
  params: 'path parameter',
  body: 'request body',
  headers: 'request header',
};

function validationMessage(message: string | undefined, params: Record<string, unknown>): string {
  const allowed = params.allowedValues;
  if (Array.isArray(allowed)) return `must be one of: ${allowed.join(', ')}`;
  // Ajv's words for a value that fits none of a union's forms; the other errors say what is off.
  if (message === 'must match a schema in anyOf')
    return 'matches none of the accepted forms (/api/openapi.json lists them)';
  return message ?? 'is invalid';
}

/** Maps anything thrown while handling a request to a problem; unexpected errors become a 500 that leaks nothing. */
export function toProblem(error: unknown, request: FastifyRequest): HttpProblem {
  if (error instanceof HttpProblem) return error;
  const fastifyError = (error ?? {}) as Partial<FastifyError>;
  if (fastifyError.validation !== undefined) {
    const location = fastifyError.validationContext ?? 'request';
    // Each branch of a union that does not match reports the same missing field: say it once.
    const errors = [
      ...new Map(
        fastifyError.validation.map((issue) => {
          const message = validationMessage(issue.message, issue.params);
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
  if (fastifyError.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return new HttpProblem(
      415,
      `This route does not accept Content-Type ${request.headers['content-type'] ?? '(none)'}; /api/openapi.json lists the media types it takes.`,
    );
  }
  // A caller's mistake found below the routes (e.g. a cursor this server never issued).
  if (error instanceof MailportError && error.code === 'MP_ERR_USAGE') {
    return new HttpProblem(400, error.hint === undefined ? error.message : `${error.message} ${error.hint}`);
  }
  const status = fastifyError.statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    return new HttpProblem(status, fastifyError.message ?? `HTTP ${status}`);
  }
  return new HttpProblem(500, 'The server failed to handle this request; the server log has the details.');
}
