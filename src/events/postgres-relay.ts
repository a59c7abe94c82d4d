/**
 * Shares events between sandbox nodes that use one PostgreSQL store: each node's events go out
 * with NOTIFY, and the other nodes' events come in with LISTEN and are published on the local bus,
 * so live views, SSE clients and waits on any node see mail captured by every node.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Logger } from '../logging/logger.js';
import type { Store } from '../storage/store.js';
import type { EventBus, MailportEventName, MailportEvents } from './bus.js';

const RELAYED: readonly MailportEventName[] = ['message.received', 'message.deleted', 'session.closed'];
/** NOTIFY payloads must stay under 8000 bytes; larger events travel as a reference and are re-read. */
const MAX_PAYLOAD = 7900;
/** Deleted ids per notification (36-character ids stay well under MAX_PAYLOAD). */
const IDS_PER_NOTIFICATION = 150;

interface Envelope {
  origin: string;
  name: MailportEventName;
  payload?: MailportEvents[MailportEventName];
  /** Set instead of `payload` when the event was too large: the message or session id to re-read. */
  ref?: string;
}

export class PostgresEventRelay {
  readonly #origin = randomUUID();
  readonly #channel: string;
  readonly #client: pg.Client;
  readonly #publisher: pg.Pool;
  readonly #unsubscribe: (() => void)[] = [];
  /** Payloads this relay published itself: they came from another node and are not sent back out. */
  readonly #relayed = new WeakSet<object>();

  private constructor(connectionString: string, channel: string) {
    this.#channel = channel;
    this.#client = new pg.Client({ connectionString });
    this.#publisher = new pg.Pool({ connectionString, max: 2 });
  }

  /** Starts relaying; `channel` scopes the nodes that share events (one per store schema). */
  static async start(options: {
    connectionString: string;
    channel: string;
    bus: EventBus;
    store: Store;
    logger: Logger;
  }): Promise<PostgresEventRelay> {
    const relay = new PostgresEventRelay(options.connectionString, options.channel);
    await relay.#listen(options.bus, options.store, options.logger);
    return relay;
  }

  async #listen(bus: EventBus, store: Store, logger: Logger): Promise<void> {
    const client = this.#client;
    client.on('error', (error) => logger.warn('Event relay connection failed', { error: error.message }));
    await client.connect();
    await client.query(`LISTEN ${pg.escapeIdentifier(this.#channel)}`);
    client.on('notification', (notification) => {
      if (notification.channel !== this.#channel || !notification.payload) return;
      const envelope = JSON.parse(notification.payload) as Envelope;
      if (envelope.origin === this.#origin) return;
      void this.#deliver(envelope, bus, store).catch((error: unknown) =>
        logger.warn('A relayed event could not be read', { event: envelope.name, error: String(error) }),
      );
    });
    for (const name of RELAYED) {
      this.#unsubscribe.push(
        bus.subscribe(name, (payload) => {
          if (this.#relayed.has(payload)) return;
          this.#notify(name, payload).catch((error: unknown) =>
            logger.warn('An event could not be shared with other nodes', {
              event: name,
              error: String(error),
            }),
          );
        }),
      );
    }
  }

  async #notify(name: MailportEventName, payload: MailportEvents[MailportEventName]): Promise<void> {
    const envelopes: Envelope[] = [];
    if ('ids' in payload) {
      for (let i = 0; i < payload.ids.length; i += IDS_PER_NOTIFICATION) {
        envelopes.push({
          origin: this.#origin,
          name,
          payload: { ids: payload.ids.slice(i, i + IDS_PER_NOTIFICATION) },
        });
      }
    } else {
      envelopes.push({ origin: this.#origin, name, payload });
    }
    for (const envelope of envelopes) {
      let text = JSON.stringify(envelope);
      if (Buffer.byteLength(text) > MAX_PAYLOAD) {
        const ref =
          'message' in payload ? payload.message.id : 'session' in payload ? payload.session.id : undefined;
        text = JSON.stringify({ origin: this.#origin, name, ref } satisfies Envelope);
      }
      await this.#publisher.query('SELECT pg_notify($1, $2)', [this.#channel, text]);
    }
  }

  #publish<K extends MailportEventName>(bus: EventBus, name: K, payload: MailportEvents[K]): void {
    this.#relayed.add(payload);
    bus.publish(name, payload);
  }

  async #deliver(envelope: Envelope, bus: EventBus, store: Store): Promise<void> {
    if (envelope.payload) {
      this.#publish(bus, envelope.name, envelope.payload);
      return;
    }
    if (envelope.ref === undefined) return;
    if (envelope.name === 'message.received') {
      const message = await store.getMessage(envelope.ref);
      if (message) this.#publish(bus, 'message.received', { message });
    } else if (envelope.name === 'session.closed') {
      const record = await store.getSession(envelope.ref);
      if (record) {
        const { transcript: _transcript, ...session } = record;
        this.#publish(bus, 'session.closed', { session });
      }
    }
  }

  async close(): Promise<void> {
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    await Promise.allSettled([this.#client.end(), this.#publisher.end()]);
  }
}
