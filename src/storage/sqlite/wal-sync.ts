/**
 * Makes the writer's commits durable without making it wait for each fsync.
 *
 * With `synchronous = FULL`, SQLite fsyncs the WAL inside every COMMIT, and the writer thread can
 * do nothing else meanwhile: committing groups of 1 KiB messages in-process, that wait was 60% of
 * the writer's time. The writer therefore commits with `synchronous = NORMAL`. Each COMMIT still
 * write()s its frames to the WAL, and readers see them at once, but it does not fsync them. This
 * class fsyncs the WAL file on libuv's thread pool while the writer goes on reading the messages
 * of its next group (writer-thread.ts), and writes of many messages at once go on. Each caller of
 * durable() is answered only after an fdatasync that began after its call returned, so an
 * acknowledged commit is on disk exactly as with FULL.
 *
 * Recovery needs nothing more. SQLite replays the WAL up to its last valid commit frame, and
 * NORMAL still syncs around checkpoints: the WAL before pages are copied out of it, the database
 * after, and the WAL header when the WAL is reused. fdatasync applies to the file, whatever
 * descriptor wrote it.
 *
 * One fdatasync is in flight at a time. Everything committed meanwhile waits for the next one, so
 * the busier the writer, the more commits each fsync covers.
 */
import { type FileHandle, open } from 'node:fs/promises';

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class WalSync {
  readonly #sync: () => Promise<void>;
  #waiting: Waiter[] = [];
  #inFlight: Promise<void> | null = null;

  /** `sync` makes everything written so far durable: walFileSync() for a store. */
  constructor(sync: () => Promise<void>) {
    this.#sync = sync;
  }

  /** Resolves once everything committed before this call is on stable storage. */
  durable(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ resolve, reject });
      this.#next();
    });
  }

  /** Resolves when the sync in flight, if any, has finished (its callers are answered either way). */
  async idle(): Promise<void> {
    await this.#inFlight;
  }

  /** Resolves when no sync is in flight or waiting. */
  async settled(): Promise<void> {
    while (this.#inFlight) await this.#inFlight;
  }

  #next(): void {
    if (this.#inFlight || this.#waiting.length === 0) return;
    const covered = this.#waiting;
    this.#waiting = [];
    this.#inFlight = this.#sync().then(
      () => {
        for (const waiter of covered) waiter.resolve();
      },
      (error: unknown) => {
        for (const waiter of covered) waiter.reject(error);
      },
    );
    void this.#inFlight.finally(() => {
      this.#inFlight = null;
      this.#next();
    });
  }
}

/**
 * fdatasync of a database's WAL file. The descriptor is opened on first use, once the writer's
 * first commit has created the file, and kept: SQLite deletes the WAL only when the last connection
 * closes, and the store's reading connection outlives the writer.
 */
export function walFileSync(databasePath: string): { sync: () => Promise<void>; close: () => Promise<void> } {
  let handle: Promise<FileHandle> | null = null;
  return {
    async sync() {
      handle ??= open(`${databasePath}-wal`, 'r').catch((error: unknown) => {
        handle = null;
        throw error;
      });
      await (await handle).datasync();
    },
    async close() {
      await (await handle?.catch(() => null))?.close();
      handle = null;
    },
  };
}
