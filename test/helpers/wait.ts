import type { SessionSummary } from '../../src/domain/types.js';
import type { EventBus } from '../../src/events/bus.js';

/** Resolves with the next closed session that matches, driven by the event bus (no polling). */
export function nextClosedSession(
  bus: EventBus,
  matches: (session: SessionSummary) => boolean = () => true,
  timeoutMs = 10_000,
): Promise<SessionSummary> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`No matching session closed within ${timeoutMs} ms`));
    }, timeoutMs);
    const unsubscribe = bus.subscribe('session.closed', ({ session }) => {
      if (!matches(session)) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(session);
    });
  });
}
