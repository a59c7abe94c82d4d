/**
 * The event loop's end of the SQLite ingest pipeline: raw bytes go to the writer thread, which
 * parses them, commits them in groups and acknowledges each commit here with the summaries. One
 * round trip per message, and nothing big crosses back: the bytes are transferred, not cloned.
 */
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import type { MessageSummary } from '../../domain/types.js';
import type { RawMessage } from '../../ingest/raw-ingest.js';
import type { WorkerClient } from '../../workers/worker-client.js';
import type { RawIngestRequest } from './prepare-message.js';
import type { WriterRequest } from './writer-thread.js';

/** The writer's answer for one commit (or one message it could not prepare). */
export type IngestAck = { ids: string[]; summaries: MessageSummary[] } | { ids: string[]; error: string };

interface Pending {
  resolve: (summary: MessageSummary) => void;
  reject: (error: Error) => void;
}

export class IngestPipelineStoppedError extends Error {
  override readonly name = 'IngestPipelineStoppedError';
}

export class SqliteIngestPipeline {
  readonly #input: MessagePort;
  readonly #acks: MessagePort;
  readonly #pending = new Map<string, Pending>();
  #stopped: Error | null = null;

  private constructor(input: MessagePort, acks: MessagePort) {
    this.#input = input;
    this.#acks = acks;
    acks.on('message', (ack: IngestAck) => {
      ack.ids.forEach((id, index) => {
        this.#settle(id, 'error' in ack ? new Error(ack.error) : ack.summaries[index]);
      });
    });
    acks.unref();
  }

  /** Connects a pair of message ports to the writer thread. */
  static async start(writer: WorkerClient): Promise<SqliteIngestPipeline> {
    const toWriter = new MessageChannel();
    const fromWriter = new MessageChannel();
    await writer.call<void>(
      { op: 'connectIngest', input: toWriter.port1, acks: fromWriter.port1 } satisfies WriterRequest,
      [toWriter.port1, fromWriter.port1],
    );
    const pipeline = new SqliteIngestPipeline(toWriter.port2, fromWriter.port2);
    writer.worker.once('exit', () =>
      pipeline.#stop(new IngestPipelineStoppedError('the writer thread exited')),
    );
    return pipeline;
  }

  /** False once the writer has stopped. */
  get available(): boolean {
    return this.#stopped === null;
  }

  ingest({ id, incoming }: RawMessage): Promise<MessageSummary> {
    if (this.#stopped) return Promise.reject(this.#stopped);
    // The bytes are transferred, not cloned. A message over 4 KiB was assembled in memory of its
    // own (Buffer.concat, or past 1 MiB a resizable buffer: message-body.ts), which is handed over
    // whole, no copy, and left empty here; a smaller one is a view into Buffer's shared pool,
    // which cannot move, so it is copied first.
    const { buffer, byteOffset, byteLength } = incoming.raw;
    const owned = buffer instanceof ArrayBuffer && byteOffset === 0 && byteLength === buffer.byteLength;
    const raw = owned ? new Uint8Array(buffer) : new Uint8Array(incoming.raw);
    return new Promise<MessageSummary>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      const request: RawIngestRequest = { id, incoming: { ...incoming, raw } };
      this.#input.postMessage(request, [raw.buffer as ArrayBuffer]);
    });
  }

  close(): void {
    this.#stop(new IngestPipelineStoppedError('the store is closing'));
    this.#input.close();
    this.#acks.close();
  }

  #settle(id: string, outcome: MessageSummary | Error | undefined): void {
    const pending = this.#pending.get(id);
    if (!pending) return;
    this.#pending.delete(id);
    if (outcome === undefined)
      pending.reject(new Error('The writer acknowledged a message without its summary.'));
    else if (outcome instanceof Error) pending.reject(outcome);
    else pending.resolve(outcome);
  }

  /** Every message in flight is refused (a transient 451 for SMTP clients), none is left waiting. */
  #stop(error: Error): void {
    this.#stopped ??= error;
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
  }
}
