/**
 * Closing the app with long-lived responses open: event streams and long-polls are told to end
 * (the signal aborts), and the close waits until their last bytes are flushed, so clients get a
 * clean end of stream or a 503 rather than a reset.
 */
import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';

/** Upper bound on how long closing waits for long-lived responses to finish. */
const GRACE_MS = 2_000;

export class Shutdown {
  readonly #controller = new AbortController();
  readonly #open = new Set<ServerResponse>();

  /** Aborted when the app starts closing. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Registers a response that stays open until an event (stream end, enough messages, shutdown). */
  track(response: ServerResponse): void {
    this.#open.add(response);
    response.once('close', () => this.#open.delete(response));
  }

  /** Aborts the signal, then resolves once every tracked response has finished (or after a grace period). */
  async begin(): Promise<void> {
    this.#controller.abort();
    const pending = [...this.#open].filter((response) => !response.writableFinished);
    if (pending.length === 0) return;
    const grace = new AbortController();
    await Promise.race([
      Promise.all(pending.map((response) => once(response, 'finish'))),
      delay(GRACE_MS, undefined, { signal: grace.signal }).catch(() => undefined),
    ]);
    grace.abort();
  }
}
