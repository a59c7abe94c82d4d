/**
 * Nothing acknowledged is ever lost: every message answered with 250 survives a SIGKILL that
 * arrives right after the last 250, and (traced with strace) every 250 goes out only after an
 * fdatasync of the WAL that began once the message's commit was written, so it would survive an
 * OS crash or power loss too.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import nodemailer from 'nodemailer';
import { SqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import { startServeProcess, waitForExit } from '../helpers/cli-process.js';
import {
  parseTrace,
  STRACE_UNAVAILABLE,
  type Syscall,
  straceCommand,
  tracedProcess,
} from '../helpers/strace.js';

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** A relay-only `mailport serve` on a new data dir, optionally under a command such as strace. */
async function startRelay(prefix: string[] = []) {
  const dataDir = await mkdtemp(join(tmpdir(), 'mailport-durability-'));
  dirs.push(dataDir);
  const serve = await startServeProcess(
    [
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
    ],
    {},
    prefix,
  );
  const port = serve.ports.relay;
  assert.ok(port, serve.output());
  return { dataDir, serve, port };
}

/**
 * Sends `count` messages over 5 pooled connections, each with `padding` more bytes of body;
 * returns the ids their 250 replies gave.
 */
async function sendMany(port: number, count: number, padding = 0): Promise<string[]> {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port,
    ignoreTLS: true,
    pool: true,
    maxConnections: 5,
  });
  const acknowledged: string[] = [];
  try {
    await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const info = await transport.sendMail({
          from: 'durable@example.com',
          to: 'rcpt@example.com',
          subject: `durable ${i}`,
          text: `body ${i}\n${'padding line\n'.repeat(padding / 13)}`,
        });
        const id = /queued as (\S+)/.exec(info.response)?.[1];
        assert.ok(id, info.response);
        acknowledged.push(id);
      }),
    );
  } finally {
    transport.close();
  }
  return acknowledged;
}

it('every message acknowledged with 250 is on disk after SIGKILL', async () => {
  const { dataDir, serve, port } = await startRelay();
  const acknowledged = await sendMany(port, 200);
  serve.child.kill('SIGKILL');
  await waitForExit(serve.child);

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

// Small groups are synced on the writer thread, large ones on the thread pool (writer-thread.ts).
for (const [size, padding] of [
  ['small', 0],
  ['large', 300 * 1024],
] as const)
  it(`sends each 250 after DATA only after an fdatasync of the WAL that began after the message was committed (${size} messages)`, {
    skip: STRACE_UNAVAILABLE,
  }, async () => {
    const traceDir = await mkdtemp(join(tmpdir(), 'mailport-strace-'));
    dirs.push(traceDir);
    const tracePath = join(traceDir, 'trace');
    const { dataDir, serve, port } = await startRelay(
      straceCommand(tracePath, ['pwrite64', 'fdatasync', 'fsync', 'write', 'writev']),
    );
    const acknowledged = await sendMany(port, 30, padding);
    process.kill(tracedProcess(serve.child.pid ?? 0), 'SIGTERM');
    await waitForExit(serve.child);

    const calls = parseTrace(await readFile(tracePath, 'utf8'));
    const wal = join(dataDir, 'mailport.db-wal');
    const walWrites = calls.filter((call) => call.name === 'pwrite64' && call.path === wal);
    const walSyncs = calls.filter((call) => /^f(data)?sync$/.test(call.name) && call.path === wal);
    for (const id of acknowledged) {
      const reply = calls.find(
        (call) =>
          /^writev?$/.test(call.name) &&
          call.path?.startsWith('socket:') &&
          call.data.includes(`queued as ${id}`),
      );
      assert.ok(reply, `no 250 for ${id} in the trace`);
      const committed = commitEnd(walWrites, id);
      const synced = walSyncs.find((sync) => sync.start >= committed && sync.end <= reply.start);
      assert.ok(synced, `the 250 for ${id} went out without an fdatasync of the WAL after its commit`);
    }
  });

/**
 * When the commit that first wrote message `id` to the WAL was written whole: the end of its commit
 * frame, the first frame after that write whose header (24 bytes, written before the page) gives a
 * database size, which only a transaction's last frame does.
 */
function commitEnd(walWrites: Syscall[], id: string): number {
  const first = walWrites.findIndex((write) => write.data.includes(id));
  assert.notEqual(first, -1, `message ${id} was never written to the WAL`);
  const writer = walWrites[first]?.pid;
  const sameThread = walWrites.slice(first).filter((write) => write.pid === writer);
  const header = sameThread.findIndex(
    (write) => write.data.length === 24 && write.data.readUInt32BE(4) !== 0,
  );
  assert.notEqual(header, -1, `no commit frame follows message ${id} in the WAL`);
  const page = sameThread[header + 1] ?? sameThread[header];
  assert.ok(page);
  return page.end;
}
