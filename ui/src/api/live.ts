/**
 * One shared EventSource on `/api/v1/events`. Views subscribe to the events they care about; the
 * browser reconnects by itself after a drop, and `status` tells the UI whether updates are live.
 */
import type { MailportEvents } from './types.js';

export type LiveStatus = 'connecting' | 'live' | 'offline';
type EventName = keyof MailportEvents;
type Listener<K extends EventName> = (payload: MailportEvents[K]) => void;

const EVENT_NAMES: readonly EventName[] = [
  'message.received',
  'message.deleted',
  'message.released',
  'session.closed',
  'session.deleted',
];

class LiveEvents {
  #source: EventSource | null = null;
  #listeners = new Map<EventName, Set<(payload: never) => void>>();
  #statusListeners = new Set<(status: LiveStatus) => void>();
  #reconnectListeners = new Set<() => void>();
  #wasLive = false;
  status: LiveStatus = 'connecting';

  start(): void {
    if (this.#source !== null) return;
    const source = new EventSource('/api/v1/events');
    this.#source = source;
    source.onopen = () => {
      // Events sent while the connection was down are lost: tell views to reload.
      if (this.#wasLive) for (const listener of this.#reconnectListeners) listener();
      this.#wasLive = true;
      this.#setStatus('live');
    };
    // EventSource retries on its own, but once a stream that was live has dropped, the server is
    // gone until a retry gets through: that is offline, not a first connection still under way.
    source.onerror = () =>
      this.#setStatus(this.#wasLive || source.readyState === EventSource.CLOSED ? 'offline' : 'connecting');
    for (const name of EVENT_NAMES) {
      source.addEventListener(name, (event) => {
        const payload = JSON.parse((event as MessageEvent<string>).data) as never;
        for (const listener of this.#listeners.get(name) ?? []) listener(payload);
      });
    }
  }

  on<K extends EventName>(name: K, listener: Listener<K>): () => void {
    let set = this.#listeners.get(name);
    if (set === undefined) {
      set = new Set();
      this.#listeners.set(name, set);
    }
    set.add(listener as (payload: never) => void);
    return () => set.delete(listener as (payload: never) => void);
  }

  /** Called when the stream comes back after a drop. */
  onReconnect(listener: () => void): () => void {
    this.#reconnectListeners.add(listener);
    return () => this.#reconnectListeners.delete(listener);
  }

  /**
   * Calls `listener` now with the current status, then on every change: the stream may open
   * between a view's first render and its subscription, and that change must not be missed.
   */
  onStatus(listener: (status: LiveStatus) => void): () => void {
    this.#statusListeners.add(listener);
    listener(this.status);
    return () => this.#statusListeners.delete(listener);
  }

  #setStatus(status: LiveStatus): void {
    this.status = status;
    for (const listener of this.#statusListeners) listener(status);
  }
}

export const live = new LiveEvents();
