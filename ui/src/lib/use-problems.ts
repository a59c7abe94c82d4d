/**
 * Sessions with problems (a diagnostic, or a failed outcome chaos did not cause on purpose), kept
 * live: a misconfigured client's failed connection is the first thing the UI should show, on every view.
 */
import { useEffect, useState } from 'preact/hooks';
import { hasProblems } from '../../../src/storage/session-record.js';
import { api } from '../api/client.js';
import { live } from '../api/live.js';
import type { SessionSummary } from '../api/types.js';

export interface Problems {
  total: number;
  latest: SessionSummary | null;
}

export function useProblems(): Problems {
  const [problems, setProblems] = useState<Problems>({ total: 0, latest: null });
  useEffect(() => {
    let cancelled = false;
    /** `merge`: keep what live events added meanwhile; false once sessions were deleted. */
    const count = (merge: boolean) =>
      api
        .listSessions({ problems: true, limit: 1 })
        .then((page) => {
          if (!cancelled)
            setProblems((now) => ({
              total: merge ? Math.max(now.total, page.total) : page.total,
              latest: (merge ? now.latest : null) ?? page.items[0] ?? null,
            }));
        })
        .catch(() => {
          // The badge is a hint; the Sessions view reports API errors itself.
        });
    void count(true);
    const offClosed = live.on('session.closed', ({ session }) => {
      // The API's own `problems=1` rule, so the badge counts what the filtered list shows.
      if (hasProblems(session)) setProblems((now) => ({ total: now.total + 1, latest: session }));
    });
    const offDeleted = live.on('session.deleted', () => void count(false));
    return () => {
      cancelled = true;
      offClosed();
      offDeleted();
    };
  }, []);
  return problems;
}
