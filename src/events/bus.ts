/**
 * Typed in-process event bus. The SMTP server publishes; SSE, long-poll waits, webhooks and the
 * PostgreSQL relay subscribe; neither side knows the other.
 */
import { EventEmitter } from 'node:events';
import type { MessageRelease, MessageSummary, SessionSummary } from '../domain/types.js';

export interface MailportEvents {
  'message.received': { message: MessageSummary };
  'message.deleted': { ids: string[] };
  /** A message was released to a real SMTP server and the release recorded on it (`releases`). */
  'message.released': { id: string; release: MessageRelease };
  'session.closed': { session: SessionSummary };
  'session.deleted': { ids: string[] };
}

export type MailportEventName = keyof MailportEvents;

/**
 * Where an event happened: on this node, or on another node sharing the store (relayed by
 * postgres-relay.ts). What must happen once per event (sending it on to other nodes, webhooks)
 * listens to local events only.
 */
export type EventOrigin = 'local' | 'relayed';

export class EventBus {
  readonly #emitter = new EventEmitter();

  constructor() {
    // Every SSE client and waiter subscribes; hundreds are normal, not a leak.
    this.#emitter.setMaxListeners(0);
  }

  publish<K extends MailportEventName>(
    name: K,
    payload: MailportEvents[K],
    origin: EventOrigin = 'local',
  ): void {
    this.#emitter.emit(name, payload, origin);
  }

  /** Subscribes and returns the function that unsubscribes. */
  subscribe<K extends MailportEventName>(
    name: K,
    listener: (payload: MailportEvents[K], origin: EventOrigin) => void,
  ): () => void {
    this.#emitter.on(name, listener);
    return () => this.#emitter.off(name, listener);
  }
}
