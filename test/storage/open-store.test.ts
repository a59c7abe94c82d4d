import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { MailportError } from '../../src/errors.js';
import { openStore } from '../../src/storage/open-store.js';
import { PostgresStore } from '../../src/storage/postgres/postgres-store.js';
import { SqliteStore } from '../../src/storage/sqlite/sqlite-store.js';

const CONNECTION = process.env.MAILPORT_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';

describe('openStore', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mailport-open-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('opens sqlite:PATH and a plain path as an initialised SqliteStore', async () => {
    for (const url of [`sqlite:${join(dir, 'a', 'one.db')}`, join(dir, 'two.db')]) {
      const store = await openStore(url);
      assert.ok(store instanceof SqliteStore);
      assert.deepEqual((await store.listMessages({})).items, []);
      await store.close();
    }
  });

  it('opens postgres:// URLs with an optional ?schema= as an initialised PostgresStore', async () => {
    const schema = `mailport_test_open_${process.pid}`;
    const store = await openStore(`${CONNECTION}?schema=${schema}`);
    try {
      assert.ok(store instanceof PostgresStore);
      assert.equal(store.schema, schema);
      assert.equal((await store.stats()).messages, 0);
    } finally {
      await store.close();
      const client = new pg.Client({ connectionString: CONNECTION });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    }
  });

  it('refuses URLs of engines it does not know, and an empty path', async () => {
    for (const url of ['mysql://root@localhost/mail', 'sqlite:', '']) {
      await assert.rejects(
        openStore(url),
        (error: unknown) => error instanceof MailportError && error.code === 'MP_ERR_CONFIG',
      );
    }
  });

  it('reports an unreachable PostgreSQL as MP_ERR_STORAGE', async () => {
    await assert.rejects(
      openStore('postgres://postgres@127.0.0.1:1/test'),
      (error: unknown) => error instanceof MailportError && error.code === 'MP_ERR_STORAGE',
    );
  });
});
