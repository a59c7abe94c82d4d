/**
 * Client-side transcript: `C:` lines sent, `S:` lines received, `*` events. Credentials never
 * enter it: AUTH payloads are replaced before they are recorded.
 */

import { isFinalReplyLine } from './reply.js';

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

/** A server line that came after a complete reply and before the next command. */
export interface SurplusLine {
  /** The command whose reply was already complete; null for the greeting. */
  after: string | null;
  /** The line that ended that reply. */
  final: string;
  /** The first line that came after it, before the next command. */
  line: string;
}

/** The first server line that arrived after a complete reply and before the next command. */
export function surplusLine(entries: readonly TranscriptEntry[]): SurplusLine | null {
  let after: string | null = null;
  let final: string | null = null;
  for (const entry of entries) {
    if (entry.dir === 'C') {
      after = entry.text;
      final = null;
    } else if (entry.dir === 'S') {
      if (final !== null) return { after, final, line: entry.text };
      if (isFinalReplyLine(entry.text)) final = entry.text;
    }
  }
  return null;
}

/** `MAIL FROM:<>` as it is; `EHLO name` and `AUTH PLAIN [redacted]` as their verbs. */
export function commandName(line: string): string {
  return line.replace(/^(EHLO|HELO) .*/i, '$1').replace(/^(AUTH \S+) .*/i, '$1');
}

/** The command and the lines of its reply when every line so far said more was to come. */
export function unfinishedReply(
  entries: readonly TranscriptEntry[],
): { command: string; lines: string[] } | null {
  const last = entries.findLastIndex((entry) => entry.dir === 'C');
  const command = entries[last];
  if (!command) return null;
  const lines = entries
    .slice(last + 1)
    .filter((entry) => entry.dir === 'S')
    .map((entry) => entry.text);
  if (lines.length === 0 || lines.some(isFinalReplyLine)) return null;
  return { command: command.text, lines };
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
