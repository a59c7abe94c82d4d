/**
 * Makes the writer's commits durable, without making it wait for a long fsync.
 *
 * With `synchronous = FULL`, SQLite fsyncs the WAL inside every COMMIT, and the writer thread can
 * do nothing else meanwhile: committing groups of 1 KiB messages in-process, that wait was 60% of
 * the writer's time. The writer therefore commits with `synchronous = NORMAL`. Each COMMIT still
 * write()s its frames to the WAL, and readers see them at once, but it does not fsync them. The
 * writer then fdatasyncs the WAL itself (WalFile) before it answers anyone: on its own thread for a
 * small group, whose sync is short, or on libuv's thread pool for a large one, so that it goes on
 * reading the messages of its next group meanwhile (writer-thread.ts). Each caller of durable() is
 * answered only after an fdatasync that began after its call returned, so an acknowledged commit
 * is on disk exactly as with FULL.
 *
 * Recovery needs nothing more. SQLite replays the WAL up to its last valid commit frame, and
 * NORMAL still syncs around checkpoints: the WAL before pages are copied out of it, the database
 * after, and the WAL header when the WAL is reused. fdatasync applies to the file, whatever
 * descriptor wrote it.
 *
 * One fdatasync is in flight on the thread pool at a time. Everything committed meanwhile waits
 * for the next one, so the busier the writer, the more commits each fsync covers.
 */
import { closeSync, fdatasync, fdatasyncSync, openSync } from 'node:fs';

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class WalSync {
  readonly #sync: () => Promise<void>;
  #waiting: Waiter[] = [];
  #inFlight: Promise<void> | null = null;

  /** `sync` makes everything written so far durable: WalFile.syncOnThreadPool() for a store. */
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
 * fdatasync of a database's WAL file, on the calling thread or on libuv's thread pool. The
 * descriptor is opened on first use, once the writer's first commit has created the file, and
 * kept: SQLite deletes the WAL only when the last connection closes, and the store's reading
 * connection outlives the writer.
 */
export class WalFile {
  readonly #path: string;
  #fd: number | null = null;

  constructor(databasePath: string) {
    this.#path = `${databasePath}-wal`;
  }

  /** Everything written so far is on stable storage when this returns. */
  sync(): void {
    fdatasyncSync(this.#open());
  }

  /** The same on the thread pool, leaving the calling thread free meanwhile. */
  syncOnThreadPool(): Promise<void> {
    return new Promise((resolve, reject) => {
      try {
        fdatasync(this.#open(), (error) => (error ? reject(error) : resolve()));
      } catch (error) {
        reject(error);
      }
    });
  }

  close(): void {
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
  }

  #open(): number {
    this.#fd ??= openSync(this.#path, 'r');
    return this.#fd;
  }
}
