/**
 * Nothing acknowledged is ever lost: every message answered with 250 survives a SIGKILL that
 * arrives right after the last 250.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import nodemailer from 'nodemailer';
import { SqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import { startServeProcess, waitForExit } from '../helpers/cli-process.js';

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

it('every message acknowledged with 250 is on disk after SIGKILL', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'mailport-durability-'));
  dirs.push(dataDir);
  const serve = await startServeProcess([
    '--data-dir',
    dataDir,
    '--relay-port',
    '0',
    '--submissions-port',
    'off',
    '--submission-port',
    'off',
    '--alt-port',
    'off',
    '--http-port',
    'off',
    '--log-level',
    'warn',
  ]);
  const port = serve.ports.relay;
  assert.ok(port, serve.output());
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port,
    ignoreTLS: true,
    pool: true,
    maxConnections: 5,
  });
  const acknowledged: string[] = [];
  await Promise.all(
    Array.from({ length: 200 }, async (_, i) => {
      const info = await transport.sendMail({
        from: 'durable@example.com',
        to: 'rcpt@example.com',
        subject: `durable ${i}`,
        text: `body ${i}`,
      });
      const id = /queued as (\S+)/.exec(info.response)?.[1];
      assert.ok(id, info.response);
      acknowledged.push(id);
    }),
  );
  serve.child.kill('SIGKILL');
  await waitForExit(serve.child);
  transport.close();

  const store = new SqliteStore({ path: join(dataDir, 'mailport.db') });
  await store.init();
  try {
    for (const id of acknowledged) {
      const message = await store.getMessage(id);
      assert.ok(message, `message ${id} was acknowledged but is missing after SIGKILL`);
      assert.match(message.parsed.subject ?? '', /^durable \d+$/);
    }
    assert.equal(acknowledged.length, 200);
  } finally {
    await store.close();
  }
});
