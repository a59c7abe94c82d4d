import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
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

  // Each failure as the engine really reports it, and the next step the CLI prints under it.
  const failures: { name: string; url: () => string; hint: RegExp }[] = [
    {
      name: 'an unreachable PostgreSQL',
      url: () => 'postgres://postgres@127.0.0.1:1/test',
      hint: /start PostgreSQL.*pg_isready/,
    },
    {
      name: 'a PostgreSQL database that does not exist',
      url: () => CONNECTION.replace(/\/[^/?]*$/, '/mailport_no_such_database'),
      hint: /createdb/,
    },
    {
      name: 'a PostgreSQL role that does not exist',
      url: () => CONNECTION.replace(/\/\/[^@/]*@/, '//mailport_no_such_role@'),
      hint: /no such role/,
    },
    {
      name: 'a data dir that is a file',
      url: () => join(dir, 'a-file', 'mailport.db'),
      hint: /is a file, not a directory.*--data-dir/,
    },
    {
      name: 'a data dir below a file',
      url: () => join(dir, 'a-file', 'below', 'mailport.db'),
      hint: /is a file, not a directory.*--data-dir/,
    },
    {
      // Node's own recursive mkdir spins forever on /proc's ENOENT.
      name: 'a data dir in /proc, where no directory can be made',
      url: () => '/proc/mailport-data/mailport.db',
      hint: /No directory can be created there.*--data-dir/,
    },
    {
      name: 'a data dir two levels into /sys',
      url: () => '/sys/mailport-data/below/mailport.db',
      hint: /may not write there.*--data-dir/,
    },
    {
      name: 'a file that is not a SQLite database',
      url: () => join(dir, 'not-a-database.db'),
      hint: /not a SQLite database/,
    },
  ];
  for (const failure of failures) {
    it(`reports ${failure.name} as MP_ERR_STORAGE with what to do`, async () => {
      await writeFile(join(dir, 'a-file'), 'x');
      await writeFile(join(dir, 'not-a-database.db'), 'This is text, not a database. '.repeat(200));
      await assert.rejects(openStore(failure.url()), (error: unknown) => {
        assert.ok(error instanceof MailportError, String(error));
        assert.equal(error.code, 'MP_ERR_STORAGE');
        assert.match(error.hint ?? '', failure.hint, error.message);
        return true;
      });
    });
  }
});
