/**
 * Typed in-process event bus. The SMTP server publishes, the HTTP layer (SSE, webhooks, long-poll
 * waits) subscribes; neither knows the other.
 */
import { EventEmitter } from 'node:events';
import type { MessageSummary, SessionSummary } from '../domain/types.js';

export interface MailportEvents {
  'message.received': { message: MessageSummary };
  'message.deleted': { ids: string[] };
  'session.closed': { session: SessionSummary };
}

export type MailportEventName = keyof MailportEvents;

export class EventBus {
  readonly #emitter = new EventEmitter();

  constructor() {
    // Every SSE client and waiter subscribes; hundreds are normal, not a leak.
    this.#emitter.setMaxListeners(0);
  }

  publish<K extends MailportEventName>(name: K, payload: MailportEvents[K]): void {
    this.#emitter.emit(name, payload);
  }

  /** Subscribes and returns the function that unsubscribes. */
  subscribe<K extends MailportEventName>(
    name: K,
    listener: (payload: MailportEvents[K]) => void,
  ): () => void {
    this.#emitter.on(name, listener);
    return () => this.#emitter.off(name, listener);
  }
}
