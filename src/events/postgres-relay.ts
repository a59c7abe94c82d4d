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

const RELAYED: readonly MailportEventName[] = [
  'message.received',
  'message.deleted',
  'message.released',
  'session.closed',
  'session.deleted',
];
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
  /** With `ref` of a `message.released` (one with very many recipients): the release's `at`. */
  at?: string;
}

export class PostgresEventRelay {
  readonly #origin = randomUUID();
  readonly #channel: string;
  readonly #client: pg.Client;
  readonly #publisher: pg.Pool;
  readonly #unsubscribe: (() => void)[] = [];

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
        bus.subscribe(name, (payload, origin) => {
          // What came from another node is not sent back out.
          if (origin === 'relayed') return;
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
        text = JSON.stringify({ origin: this.#origin, name, ...reference(payload) } satisfies Envelope);
      }
      await this.#publisher.query('SELECT pg_notify($1, $2)', [this.#channel, text]);
    }
  }

  async #deliver(envelope: Envelope, bus: EventBus, store: Store): Promise<void> {
    if (envelope.payload) {
      bus.publish(envelope.name, envelope.payload, 'relayed');
      return;
    }
    if (envelope.ref === undefined) return;
    if (envelope.name === 'message.received') {
      const message = await store.getMessage(envelope.ref);
      if (message) bus.publish('message.received', { message }, 'relayed');
    } else if (envelope.name === 'message.released') {
      const message = await store.getMessage(envelope.ref);
      const release = message?.releases.findLast((candidate) => candidate.at === envelope.at);
      if (release) bus.publish('message.released', { id: envelope.ref, release }, 'relayed');
    } else if (envelope.name === 'session.closed') {
      const record = await store.getSession(envelope.ref);
      if (record) {
        const { transcript: _transcript, ...session } = record;
        bus.publish('session.closed', { session }, 'relayed');
      }
    }
  }

  async close(): Promise<void> {
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    await Promise.allSettled([this.#client.end(), this.#publisher.end()]);
  }
}

/** What the other nodes re-read an event by when it is too large to send. */
function reference(payload: MailportEvents[MailportEventName]): Pick<Envelope, 'ref' | 'at'> {
  if ('message' in payload) return { ref: payload.message.id };
  if ('session' in payload) return { ref: payload.session.id };
  if ('release' in payload) return { ref: payload.id, at: payload.release.at };
  return {};
}
