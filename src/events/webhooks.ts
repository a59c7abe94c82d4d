/**
 * Webhooks: each event of the bus a target asked for is POSTed to it as JSON, in order, off the
 * SMTP path. A slow or dead endpoint never delays a 250: deliveries queue per target (bounded,
 * oldest dropped first) and are retried with backoff on network errors, timeouts, 408, 429 and 5xx.
 */
import { createHmac, randomUUID } from 'node:crypto';
import type { Logger } from '../logging/logger.js';
import type { MetricsRegistry } from '../metrics/registry.js';
import { VERSION } from '../version.js';
import type { EventBus, MailportEventName, MailportEvents } from './bus.js';

export const WEBHOOK_EVENTS: readonly MailportEventName[] = [
  'message.received',
  'message.deleted',
  'message.released',
  'session.closed',
  'session.deleted',
];

export interface WebhookTarget {
  url: URL;
  events: ReadonlySet<MailportEventName>;
}

/** The JSON body of every delivery. */
export interface WebhookDelivery<K extends MailportEventName = MailportEventName> {
  /** Unique per event; the same on every retry of it (also in `X-Mailport-Delivery`). */
  id: string;
  type: K;
  /** ISO 8601 time the event happened. */
  occurredAt: string;
  /** The event's payload, as in the `data:` of `GET /api/v1/events`. */
  data: MailportEvents[K];
}

export type WebhookOutcome = 'delivered' | 'failed' | 'dropped';

export interface WebhookOptions {
  targets: readonly WebhookTarget[];
  /** Signs each body: `X-Mailport-Signature: sha256=<hex HMAC-SHA256 of the body>`. */
  secret: string | null;
  bus: EventBus;
  logger: Logger;
  metrics: MetricsRegistry;
  /** Bound of each POST. */
  timeoutMs?: number;
  /** Waits before each retry; their count is the number of retries. */
  retryDelaysMs?: readonly number[];
  /** Deliveries kept waiting per target; beyond it the oldest is dropped. */
  queueLimit?: number;
}

const DEFAULT_TIMEOUT_MS = 5000;
const DEFAULT_RETRY_DELAYS_MS = [1000, 5000, 30_000, 120_000];
const DEFAULT_QUEUE_LIMIT = 1000;
/** How long close() lets the deliveries in flight finish. */
const CLOSE_GRACE_MS = 2000;
const RETRY_AFTER_CAP_MS = 300_000;

/** A webhook URL as logs and the banner show it: without credentials or query (it may hold a token). */
export function displayUrl(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

class RetryableError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
  }
}

export class WebhookDispatcher {
  readonly #queues: TargetQueue[];
  readonly #unsubscribes: Array<() => void>;

  constructor(options: WebhookOptions) {
    const settings: DeliverySettings = {
      secret: options.secret,
      logger: options.logger,
      count: (outcome) => options.metrics.webhookOutcome(outcome),
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      retryDelaysMs: options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS,
      queueLimit: options.queueLimit ?? DEFAULT_QUEUE_LIMIT,
    };
    this.#queues = options.targets.map((target) => new TargetQueue(target, settings));
    this.#unsubscribes = WEBHOOK_EVENTS.filter((name) =>
      options.targets.some((target) => target.events.has(name)),
    ).map((name) =>
      options.bus.subscribe(name, (payload, origin) => {
        // Nodes sharing a store each send their own events: a relayed one was sent where it happened.
        if (origin === 'relayed') return;
        const delivery: WebhookDelivery = {
          id: randomUUID(),
          type: name,
          occurredAt: new Date().toISOString(),
          data: payload,
        };
        for (const queue of this.#queues) if (queue.wants(name)) queue.push(delivery);
      }),
    );
  }

  /** Stops taking events; deliveries in flight get a short grace, the rest are abandoned. */
  async close(): Promise<void> {
    for (const unsubscribe of this.#unsubscribes) unsubscribe();
    await Promise.all(this.#queues.map((queue) => queue.close()));
  }
}

interface DeliverySettings {
  secret: string | null;
  logger: Logger;
  count: (outcome: WebhookOutcome) => void;
  timeoutMs: number;
  retryDelaysMs: readonly number[];
  queueLimit: number;
}

/** One target's deliveries, sent one at a time so that the endpoint sees events in order. */
class TargetQueue {
  readonly #target: WebhookTarget;
  readonly #settings: DeliverySettings;
  readonly #where: string;
  readonly #waiting: WebhookDelivery[] = [];
  #dropped = 0;
  /** Aborted by close(): no new attempt, no waiting for a retry. */
  readonly #closing = new AbortController();
  /** Aborted when the grace for requests in flight is over. */
  readonly #cancelRequests = new AbortController();
  #running: Promise<void> | null = null;

  constructor(target: WebhookTarget, settings: DeliverySettings) {
    this.#target = target;
    this.#settings = settings;
    this.#where = displayUrl(target.url);
  }

  wants(name: MailportEventName): boolean {
    return this.#target.events.has(name);
  }

  push(delivery: WebhookDelivery): void {
    this.#waiting.push(delivery);
    if (this.#waiting.length > this.#settings.queueLimit) {
      this.#waiting.shift();
      this.#settings.count('dropped');
      // The first drop, then one line per thousand: a dead endpoint must not flood the log.
      if (this.#dropped++ % 1000 === 0) {
        this.#settings.logger.warn('Webhook queue full: oldest events dropped', {
          webhook: this.#where,
          dropped: this.#dropped,
          queued: this.#settings.queueLimit,
        });
      }
    }
    this.#running ??= this.#drain().finally(() => {
      this.#running = null;
    });
  }

  async close(): Promise<void> {
    this.#waiting.length = 0;
    this.#closing.abort();
    const grace = setTimeout(() => this.#cancelRequests.abort(), CLOSE_GRACE_MS);
    await this.#running;
    clearTimeout(grace);
  }

  async #drain(): Promise<void> {
    for (let delivery = this.#waiting.shift(); delivery; delivery = this.#waiting.shift()) {
      if (this.#closing.signal.aborted) return;
      await this.#deliver(delivery);
    }
  }

  async #deliver(delivery: WebhookDelivery): Promise<void> {
    const body = JSON.stringify(delivery);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': `mailport/${VERSION}`,
      'x-mailport-event': delivery.type,
      'x-mailport-delivery': delivery.id,
    };
    if (this.#settings.secret !== null) {
      const digest = createHmac('sha256', this.#settings.secret).update(body).digest('hex');
      headers['x-mailport-signature'] = `sha256=${digest}`;
    }
    const { retryDelaysMs } = this.#settings;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.#post(body, headers);
        this.#settings.count('delivered');
        return;
      } catch (error) {
        const delay = retryDelaysMs[attempt];
        if (!(error instanceof RetryableError) || delay === undefined || this.#closing.signal.aborted) {
          this.#settings.count('failed');
          this.#settings.logger.warn('Webhook delivery failed', {
            webhook: this.#where,
            event: delivery.type,
            delivery: delivery.id,
            attempts: attempt + 1,
            error: (error as Error).message,
          });
          return;
        }
        const wait = Math.min(Math.max(delay, error.retryAfterMs ?? 0), RETRY_AFTER_CAP_MS);
        if (!(await this.#sleep(wait))) return;
      }
    }
  }

  async #post(body: string, headers: Record<string, string>): Promise<void> {
    let response: Response;
    try {
      response = await fetch(this.#target.url, {
        method: 'POST',
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.any([AbortSignal.timeout(this.#settings.timeoutMs), this.#cancelRequests.signal]),
      });
    } catch (error) {
      const cause = (error as Error & { cause?: { code?: string } }).cause?.code;
      const reason =
        (error as Error).name === 'TimeoutError' ? `no answer in ${this.#settings.timeoutMs} ms` : cause;
      throw new RetryableError(`POST failed: ${reason ?? (error as Error).message}`);
    }
    // The body is not used; reading it frees the connection for the next delivery.
    await response.arrayBuffer().catch(() => undefined);
    if (response.status >= 200 && response.status < 300) return;
    const message = `the endpoint answered ${response.status} ${response.statusText}`.trim();
    if (response.status === 408 || response.status === 429 || response.status >= 500) {
      throw new RetryableError(message, retryAfterMs(response.headers.get('retry-after')));
    }
    throw new Error(message);
  }

  /** Resolves false when the dispatcher closes first. */
  #sleep(ms: number): Promise<boolean> {
    const signal = this.#closing.signal;
    return new Promise((resolve) => {
      if (signal.aborted) return resolve(false);
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', stop);
        resolve(true);
      }, ms);
      const stop = (): void => {
        clearTimeout(timer);
        resolve(false);
      };
      signal.addEventListener('abort', stop, { once: true });
    });
  }
}

/** `Retry-After` in seconds (RFC 9110 §10.2.3); an HTTP date is ignored. */
function retryAfterMs(header: string | null): number | null {
  if (header === null || !/^\d+$/.test(header.trim())) return null;
  return Number(header) * 1000;
}
