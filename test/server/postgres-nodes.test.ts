/**
 * Two sandbox nodes sharing one PostgreSQL store: mail captured by one is listed, searchable and
 * readable through the other's HTTP API, and announced live on the other's event stream; a
 * webhook both nodes share hears of it once. A release on one node is announced on the other,
 * also when its record is too large for a NOTIFY payload.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, it } from 'node:test';
import nodemailer from 'nodemailer';
import pg from 'pg';
import type { MailportEvents } from '../../src/events/bus.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { RawSmtp } from '../helpers/smtp-dialogue.js';
import { nextClosedSession } from '../helpers/wait.js';
import { startWebhookEndpoint } from '../helpers/webhook-endpoint.js';

const POSTGRES = 'postgres://postgres@127.0.0.1:5432/test';
const schema = `mailport_nodes_${randomUUID().replaceAll('-', '')}`;
const nodes: TestSandbox[] = [];
const webhook = await startWebhookEndpoint();
/** Where the nodes release mail to: a plain sandbox of its own. */
let upstream: TestSandbox;

before(async () => {
  upstream = await startTestSandbox();
  const storage = `${POSTGRES}?schema=${schema}`;
  const options = {
    storage,
    webhook: [webhook.url.href],
    releaseServer: `127.0.0.1:${upstream.port('relay')}`,
    releaseTls: 'none',
  };
  nodes.push(await startTestSandbox(options), await startTestSandbox(options));
});
after(async () => {
  for (const node of nodes) await node.stop();
  await upstream?.stop();
  await webhook.close();
  const client = new pg.Client({ connectionString: POSTGRES });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
});

it('a message sent to node A over 587-style STARTTLS+AUTH is served and announced by node B', async () => {
  const [a, b] = nodes as [TestSandbox, TestSandbox];
  const announcedOnB = new Promise<string>((resolve) => {
    const unsubscribe = b.bus.subscribe('message.received', ({ message }) => {
      unsubscribe();
      resolve(message.id);
    });
  });
  const announcedOnA: string[] = [];
  const stopCountingA = a.bus.subscribe('message.received', ({ message }) => announcedOnA.push(message.id));
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port: a.port('submission'),
    requireTLS: true,
    auth: a.auth,
    tls: { ca: a.caPem, servername: 'localhost' },
  });
  const info = await transport.sendMail({
    from: 'node-a@example.com',
    to: 'shared@example.com',
    subject: 'shared store',
    text: 'seen everywhere',
  });
  transport.close();
  const id = /queued as (\S+)/.exec(info.response)?.[1];
  assert.ok(id);
  assert.equal(await announcedOnB, id, 'node B announces the message node A captured');
  // Notifications arrive in order: once A hears of a later session on B, any echo of the message
  // from B would already have arrived. A must have announced its own message exactly once.
  const laterSessionOnB = nextClosedSession(a.bus, (s) => s.listener.port === b.port('relay'));
  const probe = await RawSmtp.connect(b.port('relay'));
  await probe.reply();
  await probe.command('QUIT');
  probe.close();
  await laterSessionOnB;
  stopCountingA();
  assert.deepEqual(announcedOnA, [id]);
  assert.equal(b.info().storage.engine, 'postgres');
  const list = (await (
    await fetch(`${b.apiUrl}/api/v1/messages?q=${encodeURIComponent('subject:"shared store"')}`)
  ).json()) as {
    items: { id: string }[];
  };
  assert.deepEqual(
    list.items.map((m) => m.id),
    [id],
  );
  const text = await (await fetch(`${b.apiUrl}/api/v1/messages/${id}/text`)).text();
  assert.match(text, /seen everywhere/);
  const [posted] = await webhook.waitFor(1);
  assert.ok(posted);
  assert.equal((posted.delivery.data as { message: { id: string } }).message.id, id);
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(webhook.received.length, 1, 'the webhook heard of the message from both nodes');
});

it('a release on node A is announced on node B with its record, one too large for NOTIFY as well', async () => {
  const [a, b] = nodes as [TestSandbox, TestSandbox];
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port: a.port('relay'),
    secure: false,
    ignoreTLS: true,
  });
  const info = await transport.sendMail({
    from: 'node-a@example.com',
    to: 'release@example.com',
    subject: 'released on A',
    text: 'x',
  });
  transport.close();
  const id = /queued as (\S+)/.exec(info.response)?.[1];
  assert.ok(id);

  const heardOnB: MailportEvents['message.released'][] = [];
  const origins = new Set<string>();
  const bothHeard = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`node B heard ${heardOnB.length} of 2 releases`)),
      10_000,
    );
    const unsubscribe = b.bus.subscribe('message.released', (event, origin) => {
      heardOnB.push(event);
      origins.add(origin);
      if (heardOnB.length === 2) {
        clearTimeout(timer);
        unsubscribe();
        resolve();
      }
    });
  });
  // 100 recipients of 64-character local parts: the record is well over NOTIFY's 8000 bytes.
  const many = Array.from(
    { length: 100 },
    (_, n) => `${String(n).padStart(3, '0')}${'x'.repeat(61)}@example.com`,
  );
  for (const to of [['release@example.com'], many]) {
    const response = await fetch(`${a.apiUrl}/api/v1/messages/${id}/release`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ to }),
    });
    assert.equal(response.status, 200, await response.text());
  }
  await bothHeard;
  assert.deepEqual([...origins], ['relayed']);

  const detail = (await (await fetch(`${b.apiUrl}/api/v1/messages/${id}`)).json()) as {
    releases: MailportEvents['message.released']['release'][];
  };
  assert.deepEqual(
    heardOnB,
    detail.releases.map((release) => ({ id, release })),
  );
  assert.equal(heardOnB[1]?.release.to.length, 100);
  assert.ok(JSON.stringify(heardOnB[1]).length > 8000, 'the second went by reference and was re-read');
  // Webhooks keep their default (message.received): a release is not sent unless asked for.
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.ok(!webhook.received.some(({ delivery }) => delivery.type === 'message.released'));
});
