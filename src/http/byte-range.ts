/**
 * Byte ranges (RFC 9110 §14): which part of a representation a `Range` header asks for. Only one
 * range is served; a header this server does not take (another unit, several ranges, bad syntax)
 * is ignored, which §14.2 allows, and the whole representation is sent.
 */

export type RangeSelection =
  /** Send all of it with 200: no Range, or one that is ignored. */
  | { kind: 'whole' }
  /** Send bytes `first` to `last` (inclusive) with 206. */
  | { kind: 'partial'; first: number; last: number }
  /** Nothing of it lies in the range: 416. */
  | { kind: 'unsatisfiable' };

const WHOLE: RangeSelection = { kind: 'whole' };

/** `bytes=a-b`, `bytes=a-` or `bytes=-n`; the unit is case-insensitive (§14.1). */
const SINGLE_RANGE = /^bytes=(?:(\d+)-(\d*)|-(\d+))$/i;

export function selectRange(header: string | undefined, length: number): RangeSelection {
  // An empty representation has no byte to point at: a Content-Range cannot describe any part of it.
  if (header === undefined || length === 0) return WHOLE;
  const match = SINGLE_RANGE.exec(header.trim());
  if (match === null) return WHOLE;
  const [, firstText, lastText, suffixText] = match;
  if (suffixText !== undefined) {
    const suffix = Number(suffixText);
    return suffix === 0
      ? { kind: 'unsatisfiable' }
      : { kind: 'partial', first: Math.max(0, length - suffix), last: length - 1 };
  }
  const first = Number(firstText);
  const last = lastText === '' || lastText === undefined ? Number.POSITIVE_INFINITY : Number(lastText);
  // A last position before the first makes the header invalid, not unsatisfiable (§14.1.1).
  if (last < first) return WHOLE;
  if (first >= length) return { kind: 'unsatisfiable' };
  return { kind: 'partial', first, last: Math.min(last, length - 1) };
}
