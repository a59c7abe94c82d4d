/** Cursor-paged sessions for a filter, with closed sessions added live from the event stream. */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api/client.js';
import { live } from '../api/live.js';
import type { DiagnosticCode, SessionSummary } from '../api/types.js';
import { isProblem } from './use-problems.js';

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
}

function matches(filter: SessionFilter, session: SessionSummary): boolean {
  if (filter.problems && !isProblem(session)) return false;
  if (
    filter.diagnostic !== '' &&
    !session.diagnostics.some((diagnostic) => diagnostic.code === filter.diagnostic)
  )
    return false;
  return true;
}

export function useSessionList(filter: SessionFilter): SessionList {
  const [items, setItems] = useState<SessionSummary[]>([]);
  const [total, setTotal] = useState(0);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const cursor = useRef<string | null>(null);
  const generation = useRef(0);
  const inFlight = useRef(false);

  const fetchPage = useCallback(
    async (first: boolean) => {
      if (!first && (inFlight.current || cursor.current === null)) return;
      const mine = first ? ++generation.current : generation.current;
      inFlight.current = true;
      setLoading(true);
      try {
        const page = await api.listSessions({
          problems: filter.problems,
          diagnostic: filter.diagnostic,
          limit: PAGE,
          cursor: first ? null : cursor.current,
        });
        if (mine !== generation.current) return;
        cursor.current = page.nextCursor;
        setTotal(page.total);
        setItems((previous) => (first ? page.items : previous.concat(page.items)));
        setError(null);
      } catch (failure) {
        if (mine === generation.current)
          setError(failure instanceof Error ? failure.message : String(failure));
      } finally {
        if (mine === generation.current) {
          inFlight.current = false;
          setLoading(false);
        }
      }
    },
    [filter.problems, filter.diagnostic],
  );

  useEffect(() => {
    cursor.current = null;
    void fetchPage(true);
  }, [fetchPage]);

  useEffect(() => live.onReconnect(() => void fetchPage(true)), [fetchPage]);

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

  return { items, total, loading, error, loadMore: () => void fetchPage(false) };
}
