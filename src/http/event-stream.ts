/**
 * Server-Sent Events (WHATWG HTML §9.2) for `GET /api/v1/events`. One hub subscribes to the bus,
 * numbers every event and keeps the most recent ones, so a client that reconnects with
 * `Last-Event-ID` gets what it missed; each connected client only attaches a listener.
 *
 * Events go out in batches: the events published since the last flush are encoded once into one
 * buffer that every subscriber gets in one write. Under a steady stream a hundred subscribers then
 * cost a hundred writes per flush interval, not a hundred per event (or per commit).
 */
import { performance } from 'node:perf_hooks';
import type { SessionRecord } from '../domain/types.js';
import type { EventBus, MailportEventName, MailportEvents } from '../events/bus.js';

export const STREAMED_EVENTS: readonly MailportEventName[] = [
  'message.received',
  'message.deleted',
  'message.released',
  'session.closed',
  'session.deleted',
];

/**
 * The latency bound: an event published after a quiet spell is flushed on the next turn of the
 * event loop; while events keep coming, flushes are this many ms apart, so no event waits longer.
 */
export const FLUSH_INTERVAL_MS = 25;

/**
 * Unsent bytes a subscriber may fall behind by (beyond what the kernel's socket buffers hold)
 * before it is disconnected: a client that stops reading cannot make the server hold every later
 * event. It can reconnect with `Last-Event-ID` to get the recent events it missed. Batches are
 * shared, so slow subscribers mostly hold on to the same buffers.
 */
export const MAX_BACKLOG_BYTES = 4 * 1024 * 1024;

export interface StreamedEvent {
  readonly id: number;
  readonly name: MailportEventName;
  /** The event in the text/event-stream format. */
  readonly wire: string;
}

/** Consecutive events, in order, and their wire format encoded once for every subscriber. */
export interface StreamBatch {
  events: readonly StreamedEvent[];
  wire: Buffer;
}

export type StreamListener = (batch: StreamBatch) => void;

export class EventStreamHub {
  readonly #listeners = new Set<StreamListener>();
  readonly #recent: StreamedEvent[] = [];
  readonly #replaySize: number;
  readonly #unsubscribes: Array<() => void>;
  #pending: StreamedEvent[] = [];
  #cancelScheduledFlush: (() => void) | null = null;
  #lastFlushAt = Number.NEGATIVE_INFINITY;
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
    // Pending events were published before this listener came: the others get them now, so that
    // every later batch is news to every listener.
    this.flush();
    if (lastEventId !== null) {
      const missed = this.#recent.filter((event) => event.id > lastEventId);
      if (missed.length > 0) listener(batchOf(missed));
    }
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get listenerCount(): number {
    return this.#listeners.size;
  }

  /** Hands the pending events to every listener now (a shutdown sends them before ending streams). */
  flush(): void {
    this.#cancelScheduledFlush?.();
    this.#cancelScheduledFlush = null;
    if (this.#pending.length === 0) return;
    const batch = batchOf(this.#pending);
    this.#pending = [];
    this.#lastFlushAt = performance.now();
    for (const listener of this.#listeners) listener(batch);
  }

  close(): void {
    for (const unsubscribe of this.#unsubscribes) unsubscribe();
    this.#cancelScheduledFlush?.();
    this.#cancelScheduledFlush = null;
    this.#pending = [];
    this.#listeners.clear();
  }

  #dispatch(id: number, name: MailportEventName, payload: MailportEvents[MailportEventName]): void {
    const event = streamedEvent(id, name, payload);
    this.#recent.push(event);
    if (this.#recent.length > this.#replaySize) this.#recent.shift();
    if (this.#listeners.size === 0) return;
    this.#pending.push(event);
    if (this.#cancelScheduledFlush === null) this.#scheduleFlush();
  }

  #scheduleFlush(): void {
    const wait = this.#lastFlushAt + FLUSH_INTERVAL_MS - performance.now();
    if (wait <= 0) {
      // setImmediate still lets the rest of this turn's events (one commit's worth) join the batch.
      const immediate = setImmediate(() => this.flush());
      this.#cancelScheduledFlush = () => clearImmediate(immediate);
    } else {
      // Timers count whole milliseconds from the loop's cached clock and can fire a little early:
      // check again, so that flushes are never closer than the interval.
      const timer = setTimeout(() => this.#scheduleFlush(), Math.ceil(wait));
      this.#cancelScheduledFlush = () => clearTimeout(timer);
    }
  }
}

/**
 * An event whose wire format is encoded on first use: with no subscriber connected, an event is
 * only kept for replay and most are never sent. Encoding each at once took 3% of the event loop's
 * busy time at 2,800 messages/s (587 1 KiB x10), for nobody.
 */
function streamedEvent(
  id: number,
  name: MailportEventName,
  payload: MailportEvents[MailportEventName],
): StreamedEvent {
  let wire: string | null = null;
  return {
    id,
    name,
    get wire() {
      // The payload is JSON on a single `data:` line.
      wire ??= `id: ${id}\nevent: ${name}\ndata: ${JSON.stringify(payload)}\n\n`;
      return wire;
    },
  };
}

function batchOf(events: readonly StreamedEvent[]): StreamBatch {
  let text = '';
  for (const event of events) text += event.wire;
  return { events, wire: Buffer.from(text) };
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
