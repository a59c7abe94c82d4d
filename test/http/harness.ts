/**
 * A real HTTP API over a real SqliteStore in a fresh temp dir, the real EventBus and the real
 * ingest pipeline, listening on 127.0.0.1:0. Always `await harness.close()` in teardown.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { type AddressInfo, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type Mail from 'nodemailer/lib/mailer/index.js';
import { ChaosRuleSet } from '../../src/chaos/rule-set.js';
import type { DeliverabilitySettings } from '../../src/deliverability/settings.js';
import { newId } from '../../src/domain/ids.js';
import type { IncomingMessage, ServerInfo, SessionRecord } from '../../src/domain/types.js';
import { EventBus } from '../../src/events/bus.js';
import { createHttpApp } from '../../src/http/app.js';
import { MessageIngest } from '../../src/ingest/ingest.js';
import { createLogger, type Logger } from '../../src/logging/logger.js';
import { MetricsRegistry } from '../../src/metrics/registry.js';
import { SqliteStore } from '../../src/storage/sqlite/sqlite-store.js';

export interface ApiHarness {
  app: FastifyInstance;
  url: string;
  store: SqliteStore;
  bus: EventBus;
  metrics: MetricsRegistry;
  /** Delivers a message through the real ingest, as the SMTP server would. */
  deliver(mail: Mail.Options, options?: Partial<Omit<IncomingMessage, 'raw'>>): Promise<string>;
  close(): Promise<void>;
}

export const MAX_MESSAGE_SIZE = 1024 * 1024;

export function serverInfo(url: string, port: number): ServerInfo {
  return {
    version: '0.0.0-test',
    hostname: 'localhost',
    listeners: [
      {
        profile: 'submission',
        label: 'submission (587-style)',
        host: '127.0.0.1',
        port: 1587,
        standardPort: 587,
        tls: 'starttls-required',
        auth: 'required',
      },
    ],
    http: { host: '127.0.0.1', port, url, authRequired: false },
    tls: {
      caPath: '/tmp/ca.pem',
      caPem: '-----BEGIN CERTIFICATE-----\n',
      trustHint: 'NODE_EXTRA_CA_CERTS=/tmp/ca.pem',
    },
    auth: {
      mode: 'default',
      users: ['mailport'],
      defaultCredentials: { user: 'mailport', pass: 'mailport' },
      senderMustMatchLogin: false,
      oauth: { tokenUrl: `${url}/oauth2/token`, tokenLifetimeSeconds: 3600 },
    },
    limits: {
      maxMessageSize: MAX_MESSAGE_SIZE,
      maxRecipients: 100,
      maxConnections: 100,
      idleTimeoutSeconds: 300,
      maxSessions: 0,
      maxMessages: 0,
    },
    storage: { engine: 'sqlite', dataDir: null },
    release: null,
  };
}

export async function startApiHarness(
  options: {
    uiDir?: string | null;
    sseHeartbeatMs?: number;
    logger?: Logger;
    deliverability?: DeliverabilitySettings;
  } = {},
): Promise<ApiHarness> {
  const dir = await mkdtemp(join(tmpdir(), 'mailport-http-'));
  const store = new SqliteStore({ path: join(dir, 'mailport.db') });
  await store.init();
  const bus = new EventBus();
  const metrics = new MetricsRegistry();
  const ingest = new MessageIngest({
    store,
    bus,
    metrics,
    logger: createLogger('silent', 'text'),
    maxMessages: 0,
  });
  let port = 0;
  const app = await createHttpApp({
    store,
    bus,
    metrics,
    ingest,
    chaos: new ChaosRuleSet(),
    info: () => serverInfo(`http://127.0.0.1:${port}`, port),
    uiDir: options.uiDir ?? null,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.sseHeartbeatMs === undefined ? {} : { sseHeartbeatMs: options.sseHeartbeatMs }),
    ...(options.deliverability === undefined ? {} : { deliverability: options.deliverability }),
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  port = (app.server.address() as AddressInfo).port;
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    store,
    bus,
    metrics,
    async deliver(mail, overrides = {}) {
      const raw = await new MailComposer(mail).compile().build();
      const to = [mail.to, mail.cc, mail.bcc]
        .flat()
        .filter((value) => typeof value === 'string')
        .map(bareAddress);
      const { id } = await ingest.accept({
        raw,
        envelope: {
          mailFrom: { address: bareAddress(String(mail.from ?? '')), params: {} },
          rcptTo: to.map((address) => ({ address, params: {} })),
        },
        inbox: 'default',
        sessionId: newId(),
        listener: { profile: 'submission', port: 1587 },
        client: { address: '127.0.0.1', port: 50000 },
        heloName: 'client.test',
        tls: { mode: 'starttls', protocol: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', servername: null },
        auth: { user: 'mailport', mechanism: 'PLAIN' },
        receivedAt: new Date(),
        ...overrides,
      });
      return id;
    },
    async close() {
      await app.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** `Alice <alice@example.com>` → `alice@example.com`, as a client puts it in MAIL FROM / RCPT TO. */
function bareAddress(mailbox: string): string {
  return /<([^>]*)>/.exec(mailbox)?.[1] ?? mailbox;
}

/** A finished session with a diagnostic, as the SMTP server records one. */
export function failedSession(overrides: Partial<SessionRecord> = {}): SessionRecord {
  const startedAt = new Date();
  return {
    id: newId(),
    listener: { profile: 'submission', port: 1587 },
    client: { address: '127.0.0.1', port: 50001 },
    startedAt: startedAt.toISOString(),
    endedAt: new Date(startedAt.getTime() + 20).toISOString(),
    heloName: 'client.test',
    tls: null,
    auth: null,
    messageIds: [],
    outcome: 'failed',
    lastError: '530 5.7.0 Must issue a STARTTLS command first',
    diagnostics: [
      {
        code: 'mail-before-starttls',
        message: 'The client sent MAIL FROM on a port that requires STARTTLS first.',
        fix: 'Enable STARTTLS in the client.',
        t: 12,
      },
    ],
    transcript: [
      { t: 0, dir: 'S', text: '220 localhost ESMTP Mailport' },
      { t: 5, dir: 'C', text: 'EHLO client.test' },
      { t: 6, dir: 'S', text: '250-localhost' },
      { t: 11, dir: 'C', text: 'MAIL FROM:<a@example.com>' },
      { t: 12, dir: 'S', text: '530 5.7.0 Must issue a STARTTLS command first' },
    ],
    ...overrides,
  };
}

/**
 * Sends `request` as written on a new connection and returns the whole response as text: for what
 * fetch would correct or refuse to send (`..` segments, bad framing, oversized headers). The
 * request must end the connection: `Connection: close`, or a mistake the server closes it for.
 */
export async function rawHttp(url: string, request: string): Promise<string> {
  const { port } = new URL(url);
  const socket = connect({ host: '127.0.0.1', port: Number(port) });
  // Written, not ended: a half-closed connection may be dropped before the answer. The request
  // says `Connection: close`, or is one the server answers by closing.
  socket.write(request);
  socket.setTimeout(5000, () => socket.destroy(new Error('no answer within 5 s')));
  const chunks: Buffer[] = [];
  for await (const chunk of socket) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Asserts an RFC 9457 problem response and returns its body. */
export async function expectProblem(response: Response, status: number): Promise<Record<string, unknown>> {
  assert.equal(response.status, status);
  assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
  const problem = (await response.json()) as Record<string, unknown>;
  assert.equal(problem.status, status);
  assert.equal(typeof problem.title, 'string');
  assert.match(String(problem.type), /^urn:mailport:problem:/);
  assert.ok(String(problem.detail).length > 10, 'detail says what went wrong');
  assert.equal(problem.instance, new URL(response.url).pathname);
  return problem;
}
