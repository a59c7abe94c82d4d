/**
 * Two sandbox nodes sharing one PostgreSQL store: mail captured by one is listed, searchable and
 * readable through the other's HTTP API.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, it } from 'node:test';
import nodemailer from 'nodemailer';
import pg from 'pg';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

const POSTGRES = 'postgres://postgres@127.0.0.1:5432/test';
const schema = `mailport_nodes_${randomUUID().replaceAll('-', '')}`;
const nodes: TestSandbox[] = [];

before(async () => {
  const storage = `${POSTGRES}?schema=${schema}`;
  nodes.push(await startTestSandbox({ storage }), await startTestSandbox({ storage }));
});
after(async () => {
  for (const node of nodes) await node.stop();
  const client = new pg.Client({ connectionString: POSTGRES });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
});

it('a message sent to node A over 587-style STARTTLS+AUTH is served by node B', async () => {
  const [a, b] = nodes as [TestSandbox, TestSandbox];
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
});
