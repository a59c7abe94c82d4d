/**
 * Webhooks against a real HTTP endpoint on loopback: what a delivery carries and how it is signed,
 * retries on 5xx with the same delivery id, no retry on 4xx, order, the bounded queue, relayed
 * events left to the node they happened on, a dead endpoint never holding up shutdown, and the
 * whole path from an SMTP message to a POST.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, test } from 'node:test';
import nodemailer from 'nodemailer';
import type { MessageSummary } from '../../src/domain/types.js';
import { EventBus } from '../../src/events/bus.js';
import { WebhookDispatcher } from '../../src/events/webhooks.js';
import { renderMetrics } from '../../src/http/metrics-text.js';
import { createLogger } from '../../src/logging/logger.js';
import { MetricsRegistry } from '../../src/metrics/registry.js';
import { startTestSandbox } from '../helpers/sandbox.js';
import { startWebhookEndpoint } from '../helpers/webhook-endpoint.js';
import { closedPort } from '../smtp-client/test-servers.js';

function summary(id: string): MessageSummary {
  return {
    id,
    inbox: 'default',
    receivedAt: '2026-12-05T10:00:00.000Z',
    size: 10,
    subject: `message ${id}`,
    from: [{ name: '', address: 'a@example.com' }],
    to: [{ name: '', address: 'b@example.com' }],
    envelopeFrom: 'a@example.com',
    envelopeTo: ['b@example.com'],
    listener: { profile: 'relay', port: 1025 },
    attachmentCount: 0,
    snippet: 'hello',
    read: false,
  };
}

const dispatchers: WebhookDispatcher[] = [];
after(async () => {
  await Promise.all(dispatchers.map((dispatcher) => dispatcher.close()));
});

function dispatch(
  url: URL,
  options: { secret?: string; queueLimit?: number; retryDelaysMs?: number[] } = {},
) {
  const bus = new EventBus();
  const metrics = new MetricsRegistry();
  const dispatcher = new WebhookDispatcher({
    targets: [{ url, events: new Set(['message.received', 'session.closed'] as const) }],
    secret: options.secret ?? null,
    bus,
    logger: createLogger('silent', 'text'),
    metrics,
    timeoutMs: 1000,
    retryDelaysMs: options.retryDelaysMs ?? [20, 40],
    ...(options.queueLimit === undefined ? {} : { queueLimit: options.queueLimit }),
  });
  dispatchers.push(dispatcher);
  return { bus, metrics, dispatcher };
}

describe('WebhookDispatcher', () => {
  test('POSTs the events asked for as signed JSON, and only those', async () => {
    const endpoint = await startWebhookEndpoint();
    const { bus, metrics } = dispatch(endpoint.url, { secret: 's3cret' });
    bus.publish('message.deleted', { ids: ['x'] });
    bus.publish('message.received', { message: summary('m1') });
    const [post] = await endpoint.waitFor(1);
    assert.ok(post);
    assert.equal(post.headers['content-type'], 'application/json');
    assert.equal(post.headers['x-mailport-event'], 'message.received');
    assert.equal(post.headers['x-mailport-delivery'], post.delivery.id);
    assert.match(String(post.headers['user-agent']), /^mailport\//);
    const expected = createHmac('sha256', 's3cret').update(post.body).digest('hex');
    assert.equal(post.headers['x-mailport-signature'], `sha256=${expected}`);
    assert.equal(post.delivery.type, 'message.received');
    assert.deepEqual(post.delivery.data, { message: summary('m1') });
    assert.ok(Date.parse(post.delivery.occurredAt) > 0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(endpoint.received.length, 1, 'message.deleted was not asked for');
    assert.match(
      renderMetrics(metrics, { messages: 0, messageBytes: 0, sessions: 0, storeBytes: 0 }),
      /mailport_webhook_deliveries_total\{outcome="delivered"\} 1/,
    );
    await endpoint.close();
  });

  test('retries a 503 with the same delivery id, and does not retry a 400', async () => {
    let answers = [503, 503, 200];
    const endpoint = await startWebhookEndpoint((_received, response) => {
      response.statusCode = answers.shift() ?? 200;
    });
    const { bus, metrics } = dispatch(endpoint.url);
    bus.publish('message.received', { message: summary('retried') });
    const posts = await endpoint.waitFor(3);
    assert.deepEqual(new Set(posts.map((post) => post.delivery.id)).size, 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(metrics.webhookOutcomes.get('delivered'), 1);

    answers = [400];
    bus.publish('message.received', { message: summary('refused') });
    await endpoint.waitFor(4);
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal(endpoint.received.length, 4, 'a 400 was retried');
    assert.equal(metrics.webhookOutcomes.get('failed'), 1);
    await endpoint.close();
  });

  test('events arrive in the order they happened, even when one needs a retry', async () => {
    let first = true;
    const endpoint = await startWebhookEndpoint((_received, response) => {
      if (first) response.statusCode = 500;
      first = false;
    });
    const { bus } = dispatch(endpoint.url);
    for (const id of ['a', 'b', 'c', 'd']) bus.publish('message.received', { message: summary(id) });
    const posts = await endpoint.waitFor(5);
    const delivered = posts
      .slice(1)
      .map((post) => (post.delivery.data as { message: MessageSummary }).message.id);
    assert.deepEqual(delivered, ['a', 'b', 'c', 'd']);
    await endpoint.close();
  });

  test('a full queue drops the oldest waiting event and counts it', async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow = createServer(async (_request, response) => {
      await held;
      response.end();
    });
    slow.listen(0, '127.0.0.1');
    await once(slow, 'listening');
    const { bus, metrics } = dispatch(new URL(`http://127.0.0.1:${(slow.address() as AddressInfo).port}/`), {
      queueLimit: 2,
    });
    // The first is in flight; of the four behind it, only the last two can wait.
    for (const id of ['1', '2', '3', '4', '5']) bus.publish('message.received', { message: summary(id) });
    assert.equal(metrics.webhookOutcomes.get('dropped'), 2);
    release();
    slow.closeAllConnections();
    slow.close();
  });

  test('events relayed from another node are left to that node', async () => {
    const endpoint = await startWebhookEndpoint();
    const { bus } = dispatch(endpoint.url);
    bus.publish('message.received', { message: summary('elsewhere') }, 'relayed');
    bus.publish('message.received', { message: summary('here') });
    const [post] = await endpoint.waitFor(1);
    assert.ok(post);
    assert.equal((post.delivery.data as { message: MessageSummary }).message.id, 'here');
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(endpoint.received.length, 1);
    await endpoint.close();
  });

  test('a dead endpoint waiting for retries does not hold up close()', async () => {
    const { bus, dispatcher, metrics } = dispatch(new URL(`http://127.0.0.1:${await closedPort()}/`), {
      retryDelaysMs: [60_000],
    });
    bus.publish('message.received', { message: summary('lost') });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = Date.now();
    await dispatcher.close();
    assert.ok(Date.now() - started < 1000, `close() took ${Date.now() - started} ms`);
    assert.equal(metrics.webhookOutcomes.get('delivered'), undefined);
  });
});

test('mailport serve --webhook: an SMTP message and its session reach the endpoint', async () => {
  const endpoint = await startWebhookEndpoint();
  const sandbox = await startTestSandbox({
    webhook: [endpoint.url.href],
    webhookEvents: 'message.received,session.closed',
    webhookSecret: 'shared',
  });
  try {
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: sandbox.port('relay'),
      secure: false,
      ignoreTLS: true,
    });
    await transport.sendMail({
      from: 'app@example.com',
      to: 'user@example.com',
      subject: 'Webhook me',
      text: 'hi',
    });
    transport.close();
    const posts = await endpoint.waitFor(2);
    const byType = new Map(posts.map((post) => [post.delivery.type, post.delivery.data]));
    const { message } = byType.get('message.received') as { message: MessageSummary };
    assert.equal(message.subject, 'Webhook me');
    const listed = (await (await fetch(`${sandbox.apiUrl}/api/v1/messages`)).json()) as {
      items: { id: string }[];
    };
    assert.equal(listed.items[0]?.id, message.id);
    const { session } = byType.get('session.closed') as { session: Record<string, unknown> };
    assert.equal(session.outcome, 'delivered');
    assert.equal(session.transcript, undefined, 'the transcript stays in the API');
    for (const post of posts) {
      const signature = createHmac('sha256', 'shared').update(post.body).digest('hex');
      assert.equal(post.headers['x-mailport-signature'], `sha256=${signature}`);
    }
  } finally {
    await sandbox.stop();
    await endpoint.close();
  }
});
