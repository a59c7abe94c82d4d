/**
 * Client-side transcript: `C:` lines sent, `S:` lines received, `*` events. Credentials never
 * enter it: AUTH payloads are replaced before they are recorded.
 */

export type TranscriptDirection = 'C' | 'S' | '*';

export interface TranscriptEntry {
  /** Milliseconds since the connection attempt started. */
  t: number;
  dir: TranscriptDirection;
  text: string;
}

export const REDACTED = '[redacted]';

/** One entry as a `C: ...`, `S: ...` or `* ...` line. */
export function formatTranscriptEntry(entry: TranscriptEntry): string {
  return entry.dir === '*' ? `* ${entry.text}` : `${entry.dir}: ${entry.text}`;
}

export class Transcript {
  readonly entries: TranscriptEntry[] = [];
  private readonly startedAt = Date.now();

  client(text: string): void {
    this.add('C', text);
  }

  server(text: string): void {
    this.add('S', text);
  }

  event(text: string): void {
    this.add('*', text);
  }

  /** The transcript as `C: ...` / `S: ...` / `* ...` lines. */
  format(): string {
    return this.entries.map(formatTranscriptEntry).join('\n');
  }

  private add(dir: TranscriptDirection, text: string): void {
    this.entries.push({ t: Date.now() - this.startedAt, dir, text });
  }
}
