/**
 * Proactive negotiation of the response media type (RFC 9110 §12.5.1): a route answers 406 when the
 * request's Accept admits none of the media types it produces. What a route produces is read from
 * its own response schema, so each route (JSON, event stream, raw message, HTML, metrics) is judged
 * against what it documents. Its errors are problem+json: a client that names that type (and no
 * type the route produces) is still answered, as it reads what this API sends.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HttpProblem, sendProblem } from './problem.js';
import { PROBLEM_CONTENT_TYPE, problemResponse } from './schemas/common.js';

interface MediaRange {
  type: string;
  subtype: string;
  /** The `q` weight, 0 to 1; 0 means "not acceptable". */
  quality: number;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const QVALUE = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;

/**
 * The media ranges of an Accept header, lower-cased. A member that is not a media range or has an
 * invalid weight is left out: a malformed member says nothing about what the client takes.
 */
export function parseAccept(header: string): MediaRange[] {
  const ranges: MediaRange[] = [];
  for (const member of header.split(',')) {
    const [range = '', ...parameters] = member.split(';').map((part) => part.trim());
    const [type = '', subtype = '', ...rest] = range.toLowerCase().split('/');
    if (!TOKEN.test(type) || !TOKEN.test(subtype) || rest.length > 0) continue;
    if (type === '*' && subtype !== '*') continue;
    // Parameters other than the weight (`;charset=utf-8`, `;version=0.0.4`) do not narrow the
    // match here: no route produces two variants of one media type.
    const weight = parameters.find((parameter) => /^q\s*=/i.test(parameter))?.replace(/^q\s*=\s*/i, '');
    if (weight !== undefined && !QVALUE.test(weight)) continue;
    ranges.push({ type, subtype, quality: weight === undefined ? 1 : Number(weight) });
  }
  return ranges;
}

/** How closely a media range matches a media type: 2 exactly, 1 by `type/*`, 0 by any type, -1 not at all. */
function specificity(range: MediaRange, type: string, subtype: string): number {
  if (range.type === type) return range.subtype === subtype ? 2 : range.subtype === '*' ? 1 : -1;
  return range.type === '*' ? 0 : -1;
}

/**
 * The weight the client gives `mediaType` and how it said so: the weight of the most specific
 * range matching it (`text/html` over `text/*` over any type), 0 when none does.
 */
function preferenceFor(
  ranges: readonly MediaRange[],
  mediaType: string,
): { quality: number; named: boolean } {
  const [type = '', subtype = ''] = mediaType.toLowerCase().split('/');
  let best = { specificity: -1, quality: 0 };
  for (const range of ranges) {
    const matched = specificity(range, type, subtype);
    if (matched > best.specificity || (matched === best.specificity && range.quality > best.quality)) {
      best = { specificity: matched, quality: range.quality };
    }
  }
  return { quality: best.specificity === -1 ? 0 : best.quality, named: best.specificity === 2 };
}

/**
 * True when an Accept header admits one of the media types a route `produces`, or names its error
 * type (problem+json) itself. No Accept, or none that holds a media range, admits any (§12.5.1).
 */
export function isAcceptable(header: string | undefined, produces: readonly string[]): boolean {
  const ranges = parseAccept(header ?? '');
  if (ranges.length === 0) return true;
  if (produces.some((mediaType) => preferenceFor(ranges, mediaType).quality > 0)) return true;
  const problem = preferenceFor(ranges, PROBLEM_CONTENT_TYPE);
  return problem.named && problem.quality > 0;
}

/**
 * The media types of a route's 2xx bodies: the keys of a documented `content`, JSON for a plain
 * schema. Empty when there is nothing to negotiate: no body (204), or a body whose type is only
 * known once it is loaded (an attachment's own type, documented as the range of all types).
 */
export function producedMediaTypes(response: unknown): string[] {
  const types = new Set<string>();
  for (const [status, entry] of Object.entries((response ?? {}) as Record<string, unknown>)) {
    if (!/^2\d\d$/.test(status) || status === '204') continue;
    const content = (entry as { content?: Record<string, unknown> }).content;
    for (const type of content === undefined ? ['application/json'] : Object.keys(content)) types.add(type);
  }
  return types.has('*/*') ? [] : [...types];
}

const NOT_ACCEPTABLE = problemResponse(
  'The Accept header admits none of the media types this route produces; the detail names them.',
);

/** Makes every route registered from now on answer 406 to an Accept it cannot satisfy. */
export function negotiateMediaTypes(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    const produced = producedMediaTypes(route.schema?.response);
    if (route.schema === undefined || produced.length === 0) return;
    const response = route.schema.response as Record<string, unknown>;
    response['406'] ??= NOT_ACCEPTABLE;
    const refuseUnacceptable = async (request: FastifyRequest, reply: FastifyReply) => {
      const accept = request.headers.accept;
      if (isAcceptable(accept, produced)) return;
      const detail = `This route produces ${produced.join(', ')} (and ${PROBLEM_CONTENT_TYPE} for errors); the Accept header \`${accept}\` admits none of them. Send Accept: ${produced[0]} (or */*), or leave Accept out.`;
      return sendProblem(reply, request, new HttpProblem(406, detail));
    };
    route.onRequest = [...[route.onRequest ?? []].flat(), refuseUnacceptable];
  });
}
