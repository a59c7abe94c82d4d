import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { WalFile, WalSync } from '../../src/storage/sqlite/wal-sync.js';

/** A sync the test finishes by hand, recording when each one started. */
function manualSync() {
  const started: Array<{ finish: () => void; fail: (error: Error) => void }> = [];
  const sync = (): Promise<void> =>
    new Promise((finish, fail) => {
      started.push({ finish, fail });
    });
  return { started, sync };
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function track(promise: Promise<void>): { state: () => 'pending' | 'durable' | 'failed' } {
  let state: 'pending' | 'durable' | 'failed' = 'pending';
  promise.then(
    () => {
      state = 'durable';
    },
    () => {
      state = 'failed';
    },
  );
  return { state: () => state };
}

describe('WalSync', () => {
  it('answers a caller only after a sync that began after its call', async () => {
    const { started, sync } = manualSync();
    const wal = new WalSync(sync);
    const first = track(wal.durable());
    assert.equal(started.length, 1);
    // Committed while the first sync runs: that sync may not cover it.
    const second = track(wal.durable());
    const third = track(wal.durable());
    assert.equal(started.length, 1, 'one sync in flight at a time');

    started[0]?.finish();
    await settle();
    assert.equal(first.state(), 'durable');
    assert.equal(second.state(), 'pending');
    assert.equal(third.state(), 'pending');
    assert.equal(started.length, 2, 'the waiting callers share the next sync');

    started[1]?.finish();
    await settle();
    assert.equal(second.state(), 'durable');
    assert.equal(third.state(), 'durable');
    assert.equal(started.length, 2);
  });

  it('fails the callers a sync covered when it fails, and syncs again for the next', async () => {
    const { started, sync } = manualSync();
    const wal = new WalSync(sync);
    const lost = track(wal.durable());
    started[0]?.fail(new Error('EIO: i/o error, fdatasync'));
    await settle();
    assert.equal(lost.state(), 'failed');

    const next = track(wal.durable());
    assert.equal(started.length, 2);
    started[1]?.finish();
    await settle();
    assert.equal(next.state(), 'durable');
    await wal.settled();
  });

  it('tells when the sync in flight is done, whether it succeeded or failed', async () => {
    const { started, sync } = manualSync();
    const wal = new WalSync(sync);
    let idle = false;
    await wal.idle();
    void wal.durable().catch(() => undefined);
    void wal.idle().then(() => {
      idle = true;
    });
    await settle();
    assert.equal(idle, false);
    started[0]?.fail(new Error('EIO: i/o error, fdatasync'));
    await settle();
    assert.equal(idle, true);
  });

  it('fdatasyncs the WAL file of a database committing with synchronous = NORMAL', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mailport-wal-sync-'));
    const path = join(dir, 'store.db');
    const db = new Database(path);
    const file = new WalFile(path);
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.exec('CREATE TABLE t (v TEXT)');
      db.prepare('INSERT INTO t VALUES (?)').run('durable');
      const wal = new WalSync(() => file.syncOnThreadPool());
      await wal.durable();
      db.prepare('INSERT INTO t VALUES (?)').run('durable on this thread');
      file.sync();
      await wal.durable();
    } finally {
      file.close();
      db.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reports a WAL file that cannot be opened, and opens it once it exists', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mailport-wal-sync-'));
    const path = join(dir, 'later.db');
    const file = new WalFile(path);
    try {
      assert.throws(() => file.sync(), { code: 'ENOENT' });
      await assert.rejects(file.syncOnThreadPool(), { code: 'ENOENT' });
      const db = new Database(path);
      db.pragma('journal_mode = WAL');
      db.exec('CREATE TABLE t (v TEXT)');
      file.sync();
      await file.syncOnThreadPool();
      db.close();
    } finally {
      file.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
