import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseMessage } from '../../src/mime/parse-message.js';
import { migrate } from '../../src/storage/sqlite/migrate.js';
import { SQLITE_MIGRATIONS } from '../../src/storage/sqlite/migrations.js';
import { SqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import { messageRow, RAW_PART_BYTES } from '../../src/storage/sqlite/writes.js';
import type { Store } from '../../src/storage/store.js';
import { fixtureMessage } from './message-factory.js';
import { session, storeContract } from './store-contract.js';

const dir = await mkdtemp(join(tmpdir(), 'mailport-sqlite-'));
let counter = 0;

storeContract('sqlite', {
  async create(): Promise<Store> {
    counter += 1;
    const store = new SqliteStore({ path: join(dir, `contract-${counter}.db`) });
    await store.init();
    return store;
  },
  async destroy(store: Store): Promise<void> {
    await store.close();
  },
  async finish(): Promise<void> {
    await rm(dir, { recursive: true, force: true });
  },
});

describe('SqliteStore specifics', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'mailport-sqlite-file-'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('creates the parent directory and keeps messages across reopening', async () => {
    const path = join(root, 'nested', 'data', 'mailport.db');
    const first = new SqliteStore({ path });
    await first.init();
    const message = await fixtureMessage('alternative');
    await first.addMessages([message]);
    await first.close();
    assert.ok((await stat(path)).size > 0);

    const second = new SqliteStore({ path });
    await second.init();
    assert.equal((await second.getMessage(message.id))?.subject, 'Your invoice #1042 is ready');
    assert.equal((await second.listMessages({ q: 'invoice' })).total, 1);
    assert.equal((await second.stats()).messages, 1);
    await second.close();
  });

  it('writes a session saved just before close', async () => {
    const path = join(root, 'closing.db');
    const store = new SqliteStore({ path });
    await store.init();
    const saved = store.saveSession(session({ id: '01936f0e-0000-7000-8000-0000000000c1' }));
    await store.close();
    await saved;
    const reopened = new SqliteStore({ path });
    await reopened.init();
    try {
      assert.equal((await reopened.listSessions({})).total, 1);
    } finally {
      await reopened.close();
    }
  });

  it('uses WAL and records each applied migration once', async () => {
    const path = join(root, 'pragmas.db');
    const store = new SqliteStore({ path });
    await store.init();
    await store.close();
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(path, { readonly: true });
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    const versions = db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all();
    assert.deepEqual(versions, [1, 2, 3, 4, 5, 6]);
    db.close();
  });

  it('takes large message bytes over without copying them, and stores them whole', async () => {
    const store = new SqliteStore({ path: join(root, 'transfer.db') });
    await store.init();
    try {
      const message = await fixtureMessage('attachments');
      // Built the way the SMTP reader builds a body: Buffer.concat, memory of its own past 4 KiB.
      const padding = Buffer.alloc(256 * 1024, 'x');
      const raw = Buffer.concat([message.incoming.raw, Buffer.from('\r\n'), padding]);
      const expected = Buffer.from(raw);
      const summary = await store.ingestRaw({ id: message.id, incoming: { ...message.incoming, raw } });
      assert.equal(raw.length, 0, 'the bytes moved to the writer thread instead of being copied');
      assert.equal(summary.size, expected.length);
      assert.deepEqual(await store.getRawMessage(message.id), expected);

      // A small message lives in Buffer's shared pool: it is copied, and the caller's view stays intact.
      const small = Buffer.from('Subject: small\r\n\r\nhi\r\n');
      const smallId = (await fixtureMessage('bcc')).id;
      await store.ingestRaw({ id: smallId, incoming: { ...message.incoming, raw: small } });
      assert.equal(small.toString(), 'Subject: small\r\n\r\nhi\r\n');
      assert.equal((await store.getMessage(smallId))?.subject, 'small');
    } finally {
      await store.close();
    }
  });

  it('writes a large message as parts, no value over RAW_PART_BYTES, and deletes them with it', async () => {
    const path = join(root, 'parts.db');
    const store = new SqliteStore({ path });
    await store.init();
    const message = await fixtureMessage('attachments');
    const raw = Buffer.concat([message.incoming.raw, Buffer.alloc(2 * RAW_PART_BYTES + 5, 'y')]);
    const expected = Buffer.from(raw);
    await store.ingestRaw({ id: message.id, incoming: { ...message.incoming, raw } });
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(path, { readonly: true });
    const partSizes = () =>
      db.prepare('SELECT length(bytes) FROM message_raw_parts ORDER BY seq, part').pluck().all();
    try {
      assert.deepEqual(partSizes(), [RAW_PART_BYTES, RAW_PART_BYTES, expected.length - 2 * RAW_PART_BYTES]);
      assert.equal(db.prepare('SELECT length(raw) FROM message_content').pluck().get(), 0);
      assert.deepEqual(await store.getRawMessage(message.id), expected);
      assert.equal(await store.deleteMessage(message.id), true);
      assert.deepEqual(partSizes(), []);
    } finally {
      db.close();
      await store.close();
    }
  });

  it('deletes the release rows of each message it deletes, which the contract cannot see', async () => {
    const path = join(root, 'releases.db');
    const store = new SqliteStore({ path });
    await store.init();
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(path, { readonly: true });
    const releaseRows = () => db.prepare('SELECT count(*) FROM message_releases').pluck().get();
    try {
      const messages = await Promise.all(
        (['bcc', 'alternative', 'attachments'] as const).map((name) => fixtureMessage(name)),
      );
      await store.addMessages(messages);
      const release = {
        at: new Date().toISOString(),
        to: ['qa@example.com'],
        server: 'smtp.example:587',
        reply: '250 Ok',
      };
      for (const message of messages) {
        await store.addRelease(message.id, release);
        await store.addRelease(message.id, release);
      }
      assert.equal(releaseRows(), 6);
      const [first] = messages;
      assert.ok(first);
      await store.deleteMessage(first.id);
      assert.equal(releaseRows(), 4);
      await store.deleteMessages();
      assert.equal(releaseRows(), 0);
    } finally {
      db.close();
      await store.close();
    }
  });

  it('upgrades a store written by version 1 of the schema, which kept the parsed body', async () => {
    const path = join(root, 'v1.db');
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(path);
    migrate(db, SQLITE_MIGRATIONS.slice(0, 1));
    const message = await fixtureMessage('attachments');
    const row = messageRow(message);
    const { lastInsertRowid: seq } = db
      .prepare(`INSERT INTO messages (id, inbox, received_at, size, listener_profile, listener_port, attachment_count,
        has_attachment, subject, subject_search, from_search, to_search, envelope_from, envelope_to, from_json,
        to_json, snippet) VALUES (${Array(17).fill('?').join(', ')})`)
      .run(row.id, ...row.message);
    db.prepare('INSERT INTO message_content (seq, extras_json, parsed_json, raw) VALUES (?, ?, ?, ?)').run(
      seq,
      row.content[0],
      '{"stale":true}',
      row.content[1],
    );
    db.close();

    const store = new SqliteStore({ path });
    await store.init();
    try {
      const detail = await store.getMessage(message.id);
      assert.equal(detail?.subject, message.facts.subject);
      assert.deepEqual(detail?.parsed, await parseMessage(message.incoming.raw, message.incoming.envelope));
      assert.equal(detail?.parsed.attachments.length, message.facts.attachmentCount);
      assert.deepEqual(detail?.releases, []);
      // The delete trigger, replaced by migrations 4 and 6, still removes an inline message whole.
      assert.equal(await store.deleteMessage(message.id), true);
      assert.equal(await store.getRawMessage(message.id), null);
      assert.equal((await store.stats()).messageBytes, 0);
    } finally {
      await store.close();
    }
  });
  it('marks the sessions chaos rules fired in when it upgrades a store written before the chaos filter', async () => {
    const path = join(root, 'v4.db');
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(path);
    migrate(db, SQLITE_MIGRATIONS.slice(0, 4));
    const insert = db.prepare(
      'INSERT INTO sessions (id, has_problems, summary_json, transcript_json) VALUES (?, 0, ?, ?)',
    );
    // Summaries cut down to what the filter reads.
    const quiet = { id: '01936f0e-0000-7000-8000-000000000001', outcome: 'quit' };
    const delayed = {
      id: '01936f0e-0000-7000-8000-000000000002',
      outcome: 'delivered',
      chaos: { rules: ['slow'], failedOnPurpose: false },
    };
    for (const summary of [quiet, delayed]) insert.run(summary.id, JSON.stringify(summary), '[]');
    db.close();

    const store = new SqliteStore({ path });
    await store.init();
    try {
      const fired = await store.listSessions({ chaos: true });
      assert.deepEqual(
        fired.items.map((session) => session.id),
        [delayed.id],
      );
    } finally {
      await store.close();
    }
  });
});
