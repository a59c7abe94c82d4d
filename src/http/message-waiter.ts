/**
 * The long-poll behind `GET /api/v1/messages/wait`: resolves as soon as `count` stored messages
 * match `q`. The store is asked once at the start (messages already there count) and again only
 * when the bus reports a new message, so there is no polling loop and the store alone decides
 * what matches.
 */

import type { MessageSummary } from '../domain/types.js';
import type { EventBus } from '../events/bus.js';
import type { Page, Store } from '../storage/store.js';

export interface WaitRequest {
  q: string;
  count: number;
  timeoutMs: number;
  /** Aborts the wait (client went away, server shutting down). */
  signal: AbortSignal;
}

export type WaitOutcome =
  | { kind: 'matched'; page: Page<MessageSummary> }
  | { kind: 'timeout' }
  | { kind: 'aborted' };

export function waitForMatchingMessages(
  store: Store,
  bus: EventBus,
  request: WaitRequest,
): Promise<WaitOutcome> {
  const { q, count, timeoutMs, signal } = request;
  return new Promise<WaitOutcome>((resolve, reject) => {
    let settled = false;
    let checking = false;
    let checkAgain = false;

    const settle = (finish: () => void): void => {
      if (settled) return;
      settled = true;
      unsubscribe();
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      finish();
    };

    // Messages arriving while a query runs set `checkAgain`, so none is missed and queries never overlap.
    const check = async (): Promise<void> => {
      if (checking) {
        checkAgain = true;
        return;
      }
      checking = true;
      try {
        do {
          checkAgain = false;
          const page = await store.listMessages({ q, limit: count });
          if (page.total >= count) settle(() => resolve({ kind: 'matched', page }));
        } while (checkAgain && !settled);
      } catch (error) {
        settle(() => reject(error));
      } finally {
        checking = false;
      }
    };

    const onAbort = (): void => settle(() => resolve({ kind: 'aborted' }));
    // Subscribe before the first query so a message stored in between is not missed.
    const unsubscribe = bus.subscribe('message.received', () => void check());
    const timer = setTimeout(() => settle(() => resolve({ kind: 'timeout' })), timeoutMs);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    void check();
  });
}
