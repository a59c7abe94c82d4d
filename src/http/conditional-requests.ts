/**
 * Validators, conditional and partial GETs (RFC 9110 §13, §14) for the routes that declare the
 * request headers for them in their schema (`If-None-Match`, and with it `If-Modified-Since`,
 * `Range` and `If-Range`), so the OpenAPI document and the behaviour cannot part:
 *
 * - `If-None-Match`: the 200 answer gets an ETag (the one the handler set, else a weak one hashed
 *   from the body, which changes whenever the body does) and `Cache-Control: no-cache` unless it
 *   has one; a request naming the current ETag gets 304 without a body.
 * - `If-Modified-Since`: the handler sets Last-Modified; a GET or HEAD without If-None-Match whose
 *   date is not before it gets 304 (§13.1.3, §13.2.2). A value that is no HTTP-date is ignored.
 * - `Range` (with `If-Range`): `Accept-Ranges: bytes`, one byte range served with 206, a range past
 *   the end answered 416 with a Content-Range that gives the length (see byte-range.ts).
 */
import { createHash } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { selectRange } from './byte-range.js';
import { parseHttpDate } from './http-date.js';
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

/** Header schemas for a route whose handler sets Last-Modified, the time its body last changed. */
export const DATE_VALIDATOR_HEADERS = {
  'if-modified-since': Type.Optional(
    Type.String({
      description:
        'An HTTP-date: when the body has not changed since, the answer is 304 with no body. Ignored with If-None-Match, or when it is not an HTTP-date.',
      examples: ['Sun, 06 Dec 2026 10:00:00 GMT'],
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
        'Serve the Range only if this is still the current (strong) ETag, or exactly the Last-Modified date; otherwise the whole body (200).',
    }),
  ),
};

const CONTENT_RANGE = (description: string) => ({ 'content-range': Type.String({ description }) });

const LAST_MODIFIED = {
  'last-modified': Type.String({
    description:
      'When the body last changed, as an HTTP-date (to send back in If-Modified-Since or If-Range).',
  }),
};

const DOCS = {
  notModified: {
    ...Type.Null({
      description:
        'Not modified: the copy the client holds is current (If-None-Match names the current ETag or, on a route that takes it and without If-None-Match, If-Modified-Since is not before Last-Modified). No body.',
    }),
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

/** What this module reads of and adds to a route's response schemas. */
interface DocumentedResponse {
  content?: unknown;
  headers?: object;
}

/** Wires validators and ranges into every route registered from now on that declares their headers. */
export function serveConditionalRequests(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    const headers = (route.schema?.headers as { properties?: Record<string, unknown> } | undefined)
      ?.properties;
    if (route.schema === undefined || headers?.['if-none-match'] === undefined) return;
    const ranges = headers.range !== undefined;
    const response = route.schema.response as Record<string, DocumentedResponse | undefined>;
    response['304'] ??= DOCS.notModified;
    if (ranges) {
      response['206'] ??= { ...DOCS.partial, content: response['200']?.content };
      response['416'] ??= DOCS.unsatisfiable;
    }
    if (headers['if-modified-since'] !== undefined) {
      for (const status of ['200', '206', '304']) {
        const answer = response[status];
        if (answer !== undefined)
          response[status] = { ...answer, headers: { ...answer.headers, ...LAST_MODIFIED } };
      }
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
    const lastModified = reply.hasHeader('last-modified')
      ? parseHttpDate(String(reply.getHeader('last-modified')))
      : null;
    if (notModified(request, etag, lastModified)) {
      reply.code(304).removeHeader('content-type');
      // A HEAD twin takes Content-Length from the payload (the length a 200 would have, as §8.6
      // allows) and sends none of it.
      return request.method === 'HEAD' ? payload : null;
    }
    const range = headerOf(request, 'range');
    if (!ranges || !ifRangeHolds(headerOf(request, 'if-range'), etag, lastModified)) return payload;
    const bytes = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
    const selection = selectRange(range, bytes.length);
    if (selection.kind === 'whole') return payload;
    if (selection.kind === 'partial') {
      const { first, last } = selection;
      reply.code(206).header('content-range', `bytes ${first}-${last}/${bytes.length}`);
      return bytes.subarray(first, last + 1);
    }
    // The problem describes the request, not the file: it is neither the download nor its version.
    reply.removeHeader('content-disposition').removeHeader('etag').removeHeader('last-modified');
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

/**
 * The client's copy is current (§13.2.2): If-None-Match decides when it is sent; without it, a GET
 * or HEAD whose If-Modified-Since is an HTTP-date no earlier than Last-Modified (§13.1.3).
 */
function notModified(request: FastifyRequest, etag: string, lastModified: number | null): boolean {
  const ifNoneMatch = headerOf(request, 'if-none-match');
  if (ifNoneMatch !== undefined) return namesCurrent(ifNoneMatch, etag);
  const ifModifiedSince = headerOf(request, 'if-modified-since');
  if (ifModifiedSince === undefined || lastModified === null) return false;
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  const since = parseHttpDate(ifModifiedSince);
  return since !== null && lastModified <= since;
}

/** If-None-Match names `etag`: weak comparison (§13.1.2), `*` naming any current body. */
function namesCurrent(ifNoneMatch: string, etag: string): boolean {
  if (ifNoneMatch.trim() === '*') return true;
  const opaque = etag.replace(/^W\//, '');
  return (ifNoneMatch.match(ENTITY_TAG) ?? []).some((tag) => tag.replace(/^W\//, '') === opaque);
}

/**
 * If-Range holds only for a strong ETag equal to the current one, or a date that exactly matches
 * Last-Modified (§13.1.5). The routes that set Last-Modified serve bytes fixed at that time, so the
 * date is as strong a validator as their ETag; on a route without one, a date never holds.
 */
function ifRangeHolds(ifRange: string | undefined, etag: string, lastModified: number | null): boolean {
  if (ifRange === undefined) return true;
  const value = ifRange.trim();
  if (/^(?:W\/)?"/.test(value)) return !etag.startsWith('W/') && value === etag;
  return lastModified !== null && parseHttpDate(value) === lastModified;
}
