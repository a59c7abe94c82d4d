/**
 * The chaos rules in force, for the sidebar warning and the Chaos view. The API sends no event
 * when rules change (`client.setChaos()` in a test, curl, another tab), so they are polled every
 * 5 s while the page is visible: a forgotten rule that makes mail fail must show up without a
 * reload. A closed session (a rule may have fired) and the stream coming back re-read sooner;
 * the UI's own changes pass in the answer of their PUT or DELETE, which is the new list.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api/client.js';
import { live } from '../api/live.js';
import type { ChaosRuleStatus } from '../api/types.js';

const POLL_MS = 5_000;
/** After a session closes: soon enough to show the new `fired`, and one read for a burst of sessions. */
const AFTER_SESSION_MS = 300;

export interface ChaosRules {
  /** null until the first answer. */
  rules: ChaosRuleStatus[] | null;
  /** Why the last read failed; null once one succeeds. */
  error: string | null;
  /** Takes the list the API answered to a change made here. */
  update: (rules: ChaosRuleStatus[]) => void;
}

export function useChaosRules(): ChaosRules {
  const [rules, setRules] = useState<ChaosRuleStatus[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Bumped by every read and every change, so an older read's answer never overwrites a newer list.
  const generation = useRef(0);

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let dueAt = Number.POSITIVE_INFINITY;
    let stopped = false;
    const visible = () => document.visibilityState === 'visible';

    // Keeps the earliest pending read: steady session traffic must not keep pushing the poll back.
    const schedule = (delay: number) => {
      if (stopped || !visible()) return;
      const due = Date.now() + delay;
      if (timer !== undefined && due >= dueAt) return;
      clearTimeout(timer);
      dueAt = due;
      timer = setTimeout(read, delay);
    };
    const read = () => {
      clearTimeout(timer);
      timer = undefined;
      const mine = ++generation.current;
      api
        .getChaos()
        .then((current) => {
          if (mine !== generation.current) return;
          setRules(current);
          setError(null);
        })
        .catch((failure: unknown) => {
          if (mine === generation.current)
            setError(failure instanceof Error ? failure.message : String(failure));
        })
        .finally(() => schedule(POLL_MS));
    };
    const onVisibility = () => {
      if (visible()) read();
      else {
        clearTimeout(timer);
        timer = undefined;
      }
    };

    read();
    document.addEventListener('visibilitychange', onVisibility);
    const offClosed = live.on('session.closed', () => schedule(AFTER_SESSION_MS));
    const offReconnect = live.onReconnect(read);
    return () => {
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisibility);
      offClosed();
      offReconnect();
    };
  }, []);

  const update = useCallback((next: ChaosRuleStatus[]) => {
    generation.current++;
    setRules(next);
    setError(null);
  }, []);

  return { rules, error, update };
}
