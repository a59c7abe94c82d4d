/**
 * Server-Sent Events (WHATWG HTML §9.2) for `GET /api/v1/events`. One hub subscribes to the bus,
 * numbers every event and keeps the most recent ones, so a client that reconnects with
 * `Last-Event-ID` gets what it missed; each connected client only attaches a listener.
 */
import type { SessionRecord } from '../domain/types.js';
import type { EventBus, MailportEventName, MailportEvents } from '../events/bus.js';

export const STREAMED_EVENTS: readonly MailportEventName[] = [
  'message.received',
  'message.deleted',
  'session.closed',
];

export interface StreamedEvent {
  id: number;
  name: MailportEventName;
  payload: MailportEvents[MailportEventName];
  /** The event in the text/event-stream format, serialised once for every subscriber. */
  wire: string;
}

export type StreamListener = (event: StreamedEvent) => void;

export class EventStreamHub {
  readonly #listeners = new Set<StreamListener>();
  readonly #recent: StreamedEvent[] = [];
  readonly #replaySize: number;
  readonly #unsubscribes: Array<() => void>;
  #lastId = 0;

  constructor(bus: EventBus, options: { replaySize?: number } = {}) {
    this.#replaySize = options.replaySize ?? 256;
    this.#unsubscribes = STREAMED_EVENTS.map((name) =>
      bus.subscribe(name, (payload) => this.#dispatch(++this.#lastId, name, streamPayload(payload))),
    );
  }

  /**
   * Attaches a listener; when `lastEventId` is given, first replays the kept events after it.
   * Returns the function that detaches it.
   */
  attach(listener: StreamListener, lastEventId: number | null = null): () => void {
    if (lastEventId !== null) {
      for (const event of this.#recent) if (event.id > lastEventId) listener(event);
    }
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get listenerCount(): number {
    return this.#listeners.size;
  }

  close(): void {
    for (const unsubscribe of this.#unsubscribes) unsubscribe();
    this.#listeners.clear();
  }

  #dispatch(id: number, name: MailportEventName, payload: MailportEvents[MailportEventName]): void {
    // The payload is JSON on a single `data:` line.
    const event: StreamedEvent = {
      id,
      name,
      payload,
      wire: `id: ${id}\nevent: ${name}\ndata: ${JSON.stringify(payload)}\n\n`,
    };
    this.#recent.push(event);
    if (this.#recent.length > this.#replaySize) this.#recent.shift();
    for (const listener of this.#listeners) listener(event);
  }
}

/**
 * The documented payload only: a publisher may hand over a full SessionRecord where a
 * SessionSummary is promised, and transcripts stay out of the stream (fetch them by id).
 */
function streamPayload(payload: MailportEvents[MailportEventName]): MailportEvents[MailportEventName] {
  if (!('session' in payload)) return payload;
  const { transcript: _transcript, ...summary } = payload.session as SessionRecord;
  return { session: summary };
}
