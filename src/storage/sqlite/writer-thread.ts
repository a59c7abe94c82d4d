/**
 * The SQLite store's writer thread: one connection that performs every write (see writes.ts).
 */
import { type MessagePort, workerData } from 'node:worker_threads';
import type { SessionRecord } from '../../domain/types.js';
import { serveRequests } from '../../workers/worker-client.js';
import type { NewMessage } from '../store.js';
import { openDatabase } from './connection.js';
import type { IngestAck } from './ingest-pipeline.js';
import { type PreparedMessage, prepareMessage, type RawIngestRequest } from './prepare-message.js';
import { SqliteWrites, type SqlWrite } from './writes.js';

export type WriterRequest =
  | { op: 'addMessages'; messages: NewMessage[] }
  | { op: 'saveSessions'; sessions: SessionRecord[] }
  | { op: 'run'; write: SqlWrite }
  /** Raw messages arrive on `input`; each commit is acknowledged on `acks` (see ingest-pipeline.ts). */
  | { op: 'connectIngest'; input: MessagePort; acks: MessagePort }
  | { op: 'close' };

const db = openDatabase((workerData as { path: string }).path);
// Every page a transaction writes stays in the page cache until commit: at the default 16 MB, a
// 10 MiB message cost the writer as much again in cache. Inserts append at the right edge of each
// B-tree, so 2 MB holds their working set; reads run on the main thread's connection.
db.pragma('cache_size = -2048');
const writes = new SqliteWrites(db);

serveRequests<WriterRequest & { id: number }>((request) => {
  switch (request.op) {
    case 'addMessages':
      // Buffers arrive as plain Uint8Arrays after the thread hop; better-sqlite3 binds Buffers.
      for (const { incoming } of request.messages) incoming.raw = asBuffer(incoming.raw);
      return writes.addMessages(request.messages);
    case 'saveSessions':
      return writes.saveSessions(request.sessions);
    case 'run':
      return writes.run(request.write);
    case 'connectIngest':
      return commitPrepared(request.input, request.acks);
    case 'close':
      return writes.close();
  }
});

/**
 * Raw messages are read here as they arrive (prepareMessage). Group commit: the messages that
 * arrived together (the port delivers everything queued in one turn) go into one transaction, one
 * fsync, and each is acknowledged only after that commit. Messages that arrive during a commit
 * queue on the port and form the next group.
 */
function commitPrepared(input: MessagePort, acks: MessagePort): void {
  let batch: PreparedMessage[] = [];
  input.on('message', (request: RawIngestRequest) => {
    try {
      batch.push(prepareMessage(request));
    } catch (error) {
      acks.postMessage({ ids: [request.id], error: error instanceof Error ? error.message : String(error) });
      return;
    }
    if (batch.length === 1) setImmediate(commit);
  });
  const commit = (): void => {
    const committing = batch;
    batch = [];
    const ids = committing.map(({ row }) => row.id);
    let ack: IngestAck;
    try {
      writes.insertMessages(committing.map(({ row }) => row));
      ack = { ids, summaries: committing.map(({ summary }) => summary) };
    } catch (error) {
      ack = { ids, error: error instanceof Error ? error.message : String(error) };
    }
    acks.postMessage(ack);
  };
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
