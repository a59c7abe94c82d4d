/**
 * The SQLite store's writer thread: one connection that performs every write (see writes.ts).
 */
import { workerData } from 'node:worker_threads';
import type { SessionRecord } from '../../domain/types.js';
import { serveRequests } from '../../workers/worker-client.js';
import type { NewMessage } from '../store.js';
import { openDatabase } from './connection.js';
import { SqliteWrites, type SqlWrite } from './writes.js';

export type WriterRequest =
  | { op: 'addMessages'; messages: NewMessage[] }
  | { op: 'saveSessions'; sessions: SessionRecord[] }
  | { op: 'run'; write: SqlWrite }
  | { op: 'close' };

const writes = new SqliteWrites(openDatabase((workerData as { path: string }).path));

serveRequests<WriterRequest & { id: number }>((request) => {
  switch (request.op) {
    case 'addMessages':
      // Buffers arrive as plain Uint8Arrays after the thread hop; better-sqlite3 binds Buffers.
      for (const { incoming } of request.messages) {
        incoming.raw = Buffer.from(incoming.raw.buffer, incoming.raw.byteOffset, incoming.raw.byteLength);
      }
      return writes.addMessages(request.messages);
    case 'saveSessions':
      return writes.saveSessions(request.sessions);
    case 'run':
      return writes.run(request.write);
    case 'close':
      return writes.close();
  }
});
