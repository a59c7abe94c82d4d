import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { makeDirectory } from '../../make-directory.js';

/** Opens the database file with the settings every connection of the store uses. */
export function openDatabase(path: string): Database.Database {
  makeDirectory(dirname(path));
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // A message is acknowledged with 250 only after its commit, and the promise is that nothing
  // acknowledged is lost. In WAL mode `synchronous = NORMAL` survives a process kill but can drop
  // the last commits on an OS crash or power loss, because the WAL is fsynced only at checkpoints;
  // `FULL` fsyncs the WAL on every commit. The writer thread, which makes every write of a running
  // store, switches to NORMAL and fsyncs the WAL itself beside its commits (wal-sync.ts); FULL is
  // for what else writes, such as the migrations.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  return db;
}

/** Prepared statements by SQL text; dynamic WHERE clauses repeat (the same `q` shapes), so they are kept too. */
export class StatementCache {
  readonly #db: Database.Database;
  readonly #statements = new Map<string, Database.Statement>();
  readonly #size: number;

  constructor(db: Database.Database, size = 200) {
    this.#db = db;
    this.#size = size;
  }

  get(sql: string): Database.Statement {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      if (this.#statements.size >= this.#size) {
        const oldest = this.#statements.keys().next().value;
        if (oldest !== undefined) this.#statements.delete(oldest);
      }
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  clear(): void {
    this.#statements.clear();
  }
}
