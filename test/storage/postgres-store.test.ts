import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { MailportError } from '../../src/errors.js';
import { messageFacts } from '../../src/mime/message-facts.js';
import { PostgresStore } from '../../src/storage/postgres/postgres-store.js';
import type { Store } from '../../src/storage/store.js';
import { fixtureMessage } from './message-factory.js';
import { storeContract } from './store-contract.js';

const CONNECTION = process.env.MAILPORT_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';
/** Each run works in its own schemas, all dropped at the end. */
const RUN = `mailport_test_${process.pid}_${Date.now().toString(36)}`;
const schemas: string[] = [];

function newSchema(): string {
  const schema = `${RUN}_${schemas.length + 1}`;
  schemas.push(schema);
  return schema;
}

async function dropSchemas(): Promise<void> {
  const client = new pg.Client({ connectionString: CONNECTION });
  await client.connect();
  try {
    for (const schema of schemas.splice(0)) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}

storeContract('postgres', {
  async create(): Promise<Store> {
    const store = new PostgresStore({ connectionString: CONNECTION, schema: newSchema() });
    await store.init();
    return store;
  },
  async destroy(store: Store): Promise<void> {
    await store.close();
  },
  finish: dropSchemas,
});

describe('PostgresStore specifics', () => {
  after(dropSchemas);

  it('keeps messages across a new store on the same schema, and migrates only once', async () => {
    const schema = newSchema();
    const first = new PostgresStore({ connectionString: CONNECTION, schema });
    await first.init();
    const message = await fixtureMessage('rfc2047');
    await first.addMessages([message]);
    await first.close();

    const second = new PostgresStore({ connectionString: CONNECTION, schema });
    await second.init();
    assert.equal((await second.getMessage(message.id))?.subject, 'Grüße aus Köln – Passwort zurücksetzen');
    assert.equal((await second.listMessages({ q: 'koln' })).total, 1);
    await second.close();

    const client = new pg.Client({ connectionString: CONNECTION });
    await client.connect();
    const { rows } = await client.query(`SELECT version FROM ${schema}.schema_migrations ORDER BY version`);
    await client.end();
    assert.deepEqual(
      rows.map((row) => row.version),
      [1, 2, 3, 4],
    );
  });

  it('stores text with NUL characters, which PostgreSQL text columns refuse', async () => {
    const store = new PostgresStore({ connectionString: CONNECTION, schema: newSchema() });
    await store.init();
    try {
      const message = await fixtureMessage('bcc');
      message.incoming.raw = Buffer.from(
        'Subject: nul\u0000inside\r\nFrom: a@example.test\r\n\r\nbody\u0000text\r\n',
      );
      message.facts = messageFacts(message.incoming.raw, message.incoming.envelope);
      await store.addMessages([message]);
      const detail = await store.getMessage(message.id);
      assert.equal(detail?.subject, 'nulinside');
      assert.equal(detail?.snippet, 'bodytext');
      assert.equal(await store.getRawMessage(message.id).then((raw) => raw?.includes(0)), true);
    } finally {
      await store.close();
    }
  });

  it('refuses a schema name it would have to quote', () => {
    assert.throws(
      () => new PostgresStore({ connectionString: CONNECTION, schema: 'bad"; DROP TABLE x; --' }),
      (error: unknown) => error instanceof MailportError && error.code === 'MP_ERR_CONFIG',
    );
  });
});
