/**
 * The SQLite store's writer thread: one connection that performs every write (see writes.ts).
 */
import { type MessagePort, workerData } from 'node:worker_threads';
import type { SessionRecord } from '../../domain/types.js';
import { discardMessageBytes } from '../../workers/dead-buffers.js';
import { serveRequests } from '../../workers/worker-client.js';
import type { NewMessage } from '../store.js';
import { openDatabase } from './connection.js';
import type { IngestAck } from './ingest-pipeline.js';
import { type PreparedMessage, prepareMessage, type RawIngestRequest } from './prepare-message.js';
import { WalFile, WalSync } from './wal-sync.js';
import { SqliteWrites, type SqlWrite } from './writes.js';

export type WriterRequest =
  | { op: 'addMessages'; messages: NewMessage[] }
  | { op: 'saveSessions'; sessions: SessionRecord[] }
  | { op: 'run'; write: SqlWrite }
  /** Raw messages arrive on `input`; each commit is acknowledged on `acks` (see ingest-pipeline.ts). */
  | { op: 'connectIngest'; input: MessagePort; acks: MessagePort }
  | { op: 'close' };

const { path } = workerData as { path: string };
const db = openDatabase(path);
// Commits do not fsync; the writer fdatasyncs the WAL after them, and nothing is answered before
// that (see wal-sync.ts).
db.pragma('synchronous = NORMAL');
const walFile = new WalFile(path);
const wal = new WalSync(() => walFile.syncOnThreadPool());
/**
 * A group of messages smaller than this is synced on the writer thread itself, a larger one on the
 * thread pool (see #commit). Groups of 1 KiB messages stay under it even from 50 connections; one
 * 100 KiB message is over it.
 */
const OVERLAPPED_SYNC_BYTES = 64 * 1024;
// Every page a transaction writes stays in the page cache until commit: at the default 16 MB, a
// 10 MiB message cost the writer as much again in cache. Inserts append at the right edge of each
// B-tree, so 2 MB holds their working set; reads run on the main thread's connection.
db.pragma('cache_size = -2048');
const writes = new SqliteWrites(db);

interface SessionSave {
  records: SessionRecord[];
  saved: () => void;
  failed: (error: unknown) => void;
}

/**
 * Group commit. Everything that arrives together (a port delivers all it has queued in one turn)
 * goes into one transaction: raw messages from the ingest port, read here as they arrive
 * (prepareMessage), and session records. Each message is acknowledged, and each session save
 * answered, only once that commit is durable (WalSync). What arrives meanwhile forms the next group,
 * committed when that sync is done.
 */
class GroupCommit {
  #messages: PreparedMessage[] = [];
  #sessions: SessionSave[] = [];
  #scheduled = false;
  #acks: MessagePort | null = null;

  /** Reads raw messages from `input`; acknowledges each commit of them on `acks` (see ingest-pipeline.ts). */
  connectIngest(input: MessagePort, acks: MessagePort): void {
    this.#acks = acks;
    input.on('message', (request: RawIngestRequest) => {
      try {
        this.#messages.push(prepareMessage(request));
      } catch (error) {
        acks.postMessage({ ids: [request.id], error: errorText(error) } satisfies IngestAck);
        return;
      }
      this.#schedule();
    });
  }

  saveSessions(records: SessionRecord[]): Promise<void> {
    return new Promise((saved, failed) => {
      this.#sessions.push({ records, saved, failed });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    // While a sync is in flight, what arrives is read (prepareMessage) but committed only once it
    // is done: the next sync could not start sooner anyway, and fewer, larger transactions mean
    // fewer FTS5 segments to merge. Committing at once made groups smaller, and on a store of 1M
    // messages the merges cost the writer about 30 MiB more at peak.
    void wal.idle().then(() => setImmediate(() => this.#commit()));
  }

  #commit(): void {
    const messages = this.#messages;
    const sessions = this.#sessions;
    this.#messages = [];
    this.#sessions = [];
    this.#scheduled = false;
    let failure: unknown = null;
    try {
      writes.commit(
        messages.map(({ row }) => row),
        sessions.flatMap(({ records }) => records),
      );
    } catch (error) {
      failure = error;
    }
    const groupBytes = messages.reduce((sum, { raw }) => sum + raw.byteLength, 0);
    // Only what the answers need waits for the sync, not the message bytes.
    const ids = messages.map(({ row }) => row.id);
    const summaries = messages.map(({ summary }) => summary);
    const answers = sessions.map(({ saved, failed }) => ({ saved, failed }));
    // SQLite has copied the bytes; they are not needed here any more.
    for (const { raw } of messages) discardMessageBytes(raw);
    const answer = (error: unknown): void => {
      if (ids.length > 0)
        this.#acks?.postMessage(
          (error === null ? { ids, summaries } : { ids, error: errorText(error) }) satisfies IngestAck,
        );
      for (const { saved, failed } of answers) {
        if (error === null) saved();
        else failed(error);
      }
    };
    if (failure !== null) answer(failure);
    else if (groupBytes < OVERLAPPED_SYNC_BYTES) {
      // A small group's sync is short, and the next group's parsing would be too: the two hops to
      // the thread pool and back cost more than the overlap saves (587 1 KiB x10: 4,363 msg/s
      // against 3,898, medians of 4 interleaved runs; faster in 20 of 23 pairs). Large messages
      // take long to parse, and that overlaps their sync: syncing them here too made 587 100 KiB
      // x10 slower (671 msg/s against 714).
      try {
        walFile.sync();
        answer(null);
      } catch (error) {
        answer(error);
      }
    } else wal.durable().then(() => answer(null), answer);
  }
}

const group = new GroupCommit();

serveRequests<WriterRequest & { id: number }>((request) => {
  switch (request.op) {
    case 'addMessages':
      // Buffers arrive as plain Uint8Arrays after the thread hop; better-sqlite3 binds Buffers.
      for (const { incoming } of request.messages) incoming.raw = asBuffer(incoming.raw);
      writes.addMessages(request.messages);
      return wal.durable();
    case 'saveSessions':
      return group.saveSessions(request.sessions);
    case 'run':
      return durably(writes.run(request.write));
    case 'connectIngest':
      return group.connectIngest(request.input, request.acks);
    case 'close':
      return close();
  }
});

async function durably<T>(result: T): Promise<T> {
  await wal.durable();
  return result;
}

async function close(): Promise<void> {
  await wal.settled();
  walFile.close();
  writes.close();
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
