/**
 * Paging rules shared by every adapter: lists are newest first by id (ids are time-sortable,
 * see src/domain/ids.ts), and a cursor is the last id of the previous page, encoded so callers
 * treat it as opaque.
 */
import { MailportError } from '../errors.js';
import type { Page } from './store.js';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

const ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function pageSize(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_PAGE_SIZE;
  return Math.min(MAX_PAGE_SIZE, Math.max(1, Math.trunc(limit)));
}

export function encodeCursor(lastId: string): string {
  return Buffer.from(lastId, 'utf8').toString('base64url');
}

/** Returns the id the next page starts below, or null for the first page. */
export function decodeCursor(cursor: string | undefined): string | null {
  if (cursor === undefined || cursor === '') return null;
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!ID_PATTERN.test(id)) {
    throw new MailportError('MP_ERR_USAGE', `The cursor "${cursor}" is not one this server returned.`, {
      hint: 'Pass the nextCursor value of the previous page unchanged, or omit cursor to start at the newest item.',
    });
  }
  return id;
}

/** Builds a page from up to `limit + 1` rows; the extra row only tells that another page exists. */
export function page<T extends { id: string }>(rows: T[], limit: number, total: number): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items,
    total,
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(last.id) : null,
  };
}
