/**
 * Paging rules shared by every adapter: lists are newest first (ids are time-sortable, see
 * src/domain/ids.ts), and a cursor is the key of the last item of the previous page, encoded so
 * callers treat it as opaque.
 */
import { MailportError } from '../errors.js';
import type { Page } from './store.js';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

/** What a cursor holds: the last id of the page, or an adapter's own sequence number. */
export type CursorKind = 'id' | 'seq';

const CURSOR_PATTERNS: Record<CursorKind, RegExp> = {
  id: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
  seq: /^[1-9][0-9]{0,15}$/,
};

export function pageSize(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_PAGE_SIZE;
  return Math.min(MAX_PAGE_SIZE, Math.max(1, Math.trunc(limit)));
}

function encodeCursor(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

/** Returns the key the next page starts below, or null for the first page. */
export function decodeCursor(cursor: string | undefined, kind: CursorKind): string | null {
  if (cursor === undefined || cursor === '') return null;
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!CURSOR_PATTERNS[kind].test(key)) {
    throw new MailportError('MP_ERR_USAGE', `The cursor "${cursor}" is not one this server returned.`, {
      hint: 'Pass the nextCursor value of the previous page unchanged, or omit cursor to start at the newest item.',
    });
  }
  return key;
}

/**
 * Builds a page from up to `limit + 1` rows (the extra row only tells that another page exists);
 * `keyOf` gives the cursor key of a row.
 */
export function page<Row, Item>(
  rows: Row[],
  limit: number,
  total: number,
  keyOf: (row: Row) => string,
  toItem: (row: Row) => Item,
): Page<Item> {
  const kept = rows.slice(0, limit);
  const last = kept.at(-1);
  return {
    items: kept.map(toItem),
    total,
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(keyOf(last)) : null,
  };
}
