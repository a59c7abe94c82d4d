/**
 * Cursor paging shared by the inbox and the sessions list: the first page replaces the list, later
 * pages append (skipping rows already shown), and an answer to a superseded request — the query
 * changed meanwhile — is dropped.
 */
import { type StateUpdater, useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { Page } from '../api/types.js';

export interface PagedList<T> {
  items: T[];
  setItems: (update: StateUpdater<T[]>) => void;
  total: number;
  setTotal: (update: StateUpdater<number>) => void;
  loading: boolean;
  error: string | null;
  /** Loads the first page again (`true`) or the next one (`false`). */
  fetchPage(first: boolean): Promise<void>;
}

/**
 * `load` fetches one page; it must change identity when the query does (wrap it in useCallback),
 * which reloads from the first page. `onFirstPage` runs after a first page arrives.
 */
export function usePagedList<T extends { id: string }>(
  load: (first: boolean, cursor: string | null) => Promise<Page<T>>,
  onFirstPage: () => void = () => {},
): PagedList<T> {
  const [items, setItems] = useState<T[]>([]);
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
        const page = await load(first, first ? null : cursor.current);
        if (mine !== generation.current) return;
        cursor.current = page.nextCursor;
        setTotal(page.total);
        setItems((previous) => {
          if (first) return page.items;
          const known = new Set(previous.map((item) => item.id));
          return previous.concat(page.items.filter((item) => !known.has(item.id)));
        });
        setError(null);
        if (first) onFirstPage();
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
    [load],
  );

  useEffect(() => {
    cursor.current = null;
    void fetchPage(true);
  }, [fetchPage]);

  return { items, setItems, total, setTotal, loading, error, fetchPage };
}
