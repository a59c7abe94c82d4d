/**
 * Validators, conditional and partial GETs (RFC 9110 §13, §14) for the routes that declare the
 * request headers for them in their schema (`If-None-Match`, and with it `Range` and `If-Range`),
 * so the OpenAPI document and the behaviour cannot part:
 *
 * - `If-None-Match`: the 200 answer gets an ETag (the one the handler set, else a weak one hashed
 *   from the body, which changes whenever the body does) and `Cache-Control: no-cache` unless it
 *   has one; a request naming the current ETag gets 304 without a body.
 * - `Range` (with `If-Range`): `Accept-Ranges: bytes`, one byte range served with 206, a range past
 *   the end answered 416 with a Content-Range that gives the length (see byte-range.ts).
 */
import { createHash } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { selectRange } from './byte-range.js';
import { HttpProblem, problemPayload } from './problem.js';
import { problemResponse } from './schemas/common.js';

/** Header schemas for a route whose 200 body gets an ETag and may be revalidated. */
export const VALIDATOR_HEADERS = {
  'if-none-match': Type.Optional(
    Type.String({
      description:
        'ETags of copies the client holds (or `*`): when one is current, the answer is 304 with no body.',
    }),
  ),
};

/** Header schemas for a route that serves byte ranges of its 200 body. */
export const RANGE_HEADERS = {
  range: Type.Optional(
    Type.String({
      description:
        'One byte range: `bytes=FIRST-LAST`, `bytes=FIRST-` or `bytes=-SUFFIX_LENGTH`. Several ranges, or a header that is not one, get the whole body (200).',
      examples: ['bytes=0-99'],
    }),
  ),
  'if-range': Type.Optional(
    Type.String({
      description:
        'Serve the Range only if this is still the current (strong) ETag; otherwise the whole body (200).',
    }),
  ),
};

const CONTENT_RANGE = (description: string) => ({ 'content-range': Type.String({ description }) });

const DOCS = {
  notModified: {
    ...Type.Null({ description: 'Not modified: If-None-Match names the current ETag. No body.' }),
    headers: { etag: Type.String({ description: 'The current ETag.' }) },
  },
  partial: {
    description: 'The bytes the Range asked for.',
    headers: CONTENT_RANGE('`bytes FIRST-LAST/LENGTH`: which bytes of how many.'),
  },
  unsatisfiable: {
    ...problemResponse('The Range starts past the end of the body.'),
    headers: CONTENT_RANGE('`bytes */LENGTH`: the length to ask within.'),
  },
};

/** Wires validators and ranges into every route registered from now on that declares their headers. */
export function serveConditionalRequests(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    const headers = (route.schema?.headers as { properties?: Record<string, unknown> } | undefined)
      ?.properties;
    if (route.schema === undefined || headers?.['if-none-match'] === undefined) return;
    const ranges = headers.range !== undefined;
    const response = route.schema.response as Record<string, unknown>;
    response['304'] ??= DOCS.notModified;
    if (ranges) {
      const whole = response['200'] as { content?: unknown } | undefined;
      response['206'] ??= { ...DOCS.partial, content: whole?.content };
      response['416'] ??= DOCS.unsatisfiable;
    }
    // First, so that Fastify's HEAD twin (whose own hook drops the body) sees the final payload.
    route.onSend = [answerConditionally(ranges), ...[route.onSend ?? []].flat()];
  });
}

function answerConditionally(ranges: boolean) {
  return async (request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> => {
    if (reply.statusCode !== 200 || !(typeof payload === 'string' || Buffer.isBuffer(payload)))
      return payload;
    if (!reply.hasHeader('etag')) reply.header('etag', weakEtagOf(payload));
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-cache');
    if (ranges) reply.header('accept-ranges', 'bytes');
    const etag = String(reply.getHeader('etag'));
    if (namesCurrent(headerOf(request, 'if-none-match'), etag)) {
      reply.code(304).removeHeader('content-type');
      // A HEAD twin takes Content-Length from the payload (the length a 200 would have, as §8.6
      // allows) and sends none of it.
      return request.method === 'HEAD' ? payload : null;
    }
    const range = headerOf(request, 'range');
    if (!ranges || !ifRangeHolds(headerOf(request, 'if-range'), etag)) return payload;
    const bytes = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
    const selection = selectRange(range, bytes.length);
    if (selection.kind === 'whole') return payload;
    if (selection.kind === 'partial') {
      const { first, last } = selection;
      reply.code(206).header('content-range', `bytes ${first}-${last}/${bytes.length}`);
      return bytes.subarray(first, last + 1);
    }
    // The problem describes the request, not the file: it is neither the download nor its version.
    reply.removeHeader('content-disposition').removeHeader('etag');
    const problem = new HttpProblem(
      416,
      `The Range \`${range}\` selects none of the ${bytes.length} bytes of this body (0-${bytes.length - 1}). Ask for a range that starts below ${bytes.length}, or leave out Range to get all of it.`,
      { headers: { 'content-range': `bytes */${bytes.length}` } },
    );
    return problemPayload(reply, request, problem);
  };
}

/** A request header as one value (Node joins repeated ones, but its type allows a list). */
function headerOf(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** A weak ETag of a serialised body: the same bytes always get the same one. */
function weakEtagOf(body: string | Buffer): string {
  return `W/"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
}

/** A strong ETag from parts that together name bytes that never change. */
export function strongEtag(...parts: readonly (string | number)[]): string {
  return `"${parts.join('.')}"`;
}

const ENTITY_TAG = /(?:W\/)?"[^"]*"/g;

/** If-None-Match names `etag`: weak comparison (§13.1.2), `*` naming any current body. */
function namesCurrent(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  if (ifNoneMatch.trim() === '*') return true;
  const opaque = etag.replace(/^W\//, '');
  return (ifNoneMatch.match(ENTITY_TAG) ?? []).some((tag) => tag.replace(/^W\//, '') === opaque);
}

/**
 * If-Range holds only for a strong ETag equal to the current one (§13.1.5); a date never does,
 * as these answers carry no Last-Modified to compare it with.
 */
function ifRangeHolds(ifRange: string | undefined, etag: string): boolean {
  if (ifRange === undefined) return true;
  return !etag.startsWith('W/') && ifRange.trim() === etag;
}
