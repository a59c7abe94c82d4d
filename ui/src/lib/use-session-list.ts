/** Cursor-paged sessions for a filter, with closed sessions added live from the event stream. */
import { useCallback, useEffect } from 'preact/hooks';
import { hasProblems } from '../../../src/storage/session-record.js';
import { api } from '../api/client.js';
import { live } from '../api/live.js';
import type { DiagnosticCode, SessionSummary } from '../api/types.js';
import { usePagedList } from './use-paged-list.js';

const PAGE = 200;

export interface SessionFilter {
  problems: boolean;
  diagnostic: DiagnosticCode | '';
}

export interface SessionList {
  items: SessionSummary[];
  total: number;
  loading: boolean;
  error: string | null;
  loadMore(): void;
  reload(): void;
}

function matches(filter: SessionFilter, session: SessionSummary): boolean {
  if (filter.problems && !hasProblems(session)) return false;
  if (
    filter.diagnostic !== '' &&
    !session.diagnostics.some((diagnostic) => diagnostic.code === filter.diagnostic)
  )
    return false;
  return true;
}

export function useSessionList(filter: SessionFilter): SessionList {
  const load = useCallback(
    (_first: boolean, cursor: string | null) =>
      api.listSessions({ problems: filter.problems, diagnostic: filter.diagnostic, limit: PAGE, cursor }),
    [filter.problems, filter.diagnostic],
  );
  const { items, setItems, total, setTotal, loading, error, fetchPage } = usePagedList(load);

  useEffect(() => live.onReconnect(() => void fetchPage(true)), [fetchPage]);
  // Deleted sessions may be anywhere in the list, and in its total: read the first page again.
  useEffect(() => live.on('session.deleted', () => void fetchPage(true)), [fetchPage]);

  useEffect(
    () =>
      live.on('session.closed', ({ session }) => {
        if (!matches(filter, session)) return;
        setItems((previous) => {
          const index = previous.findIndex((item) => item.id === session.id);
          if (index >= 0) return previous.map((item) => (item.id === session.id ? session : item));
          setTotal((count) => count + 1);
          return [session, ...previous];
        });
      }),
    [filter.problems, filter.diagnostic],
  );

  return {
    items,
    total,
    loading,
    error,
    loadMore: () => void fetchPage(false),
    reload: () => void fetchPage(true),
  };
}
