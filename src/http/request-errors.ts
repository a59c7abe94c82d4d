/**
 * Documents the errors any route answers for a malformed request, from what its schema validates,
 * so that the OpenAPI document lists every status a client can get: 400 for a route with
 * parameters, headers or a body; 413 and 415 for one with a body. A route's own description of a
 * status is kept.
 */
import type { FastifyInstance } from 'fastify';
import { problemResponse } from './schemas/common.js';

const REQUEST_ERRORS = {
  invalid: problemResponse('Invalid parameters, headers or body; `errors` names each invalid value.'),
  tooLarge: problemResponse('The request body is larger than this route accepts.'),
  mediaType: problemResponse('The body is not of a media type this route takes.'),
};

export function documentRequestErrors(app: FastifyInstance): void {
  app.addHook('onRoute', ({ schema }) => {
    if (schema === undefined) return;
    const response = (schema.response ?? {}) as Record<string, unknown>;
    const validated = ['params', 'querystring', 'headers', 'body'].some(
      (part) => (schema as Record<string, unknown>)[part] !== undefined,
    );
    if (validated) response['400'] ??= REQUEST_ERRORS.invalid;
    if (schema.body !== undefined) {
      response['413'] ??= REQUEST_ERRORS.tooLarge;
      response['415'] ??= REQUEST_ERRORS.mediaType;
    }
    schema.response = response;
  });
}
