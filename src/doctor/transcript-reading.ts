/**
 * Reads the SMTP client's transcript for what its errors do not say: reply lines beyond the one
 * reply each command gets, a multi-line reply left unfinished, and EHLO refused in favour of HELO.
 */
import { isFinalReplyLine, type TranscriptEntry } from '../smtp-client/index.js';

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

/** The server's answer to EHLO when the client had to fall back to HELO; null when EHLO worked. */
export function refusedEhlo(entries: readonly TranscriptEntry[]): string | null {
  const helo = entries.findLastIndex((entry) => entry.dir === 'C' && /^HELO /i.test(entry.text));
  if (helo === -1) return null;
  const ehlo = entries.findLastIndex((entry, index) => index < helo && entry.dir === 'C');
  return entries
    .slice(ehlo + 1, helo)
    .filter((entry) => entry.dir === 'S')
    .map((entry) => entry.text)
    .join(' | ');
}

/**
 * True when the server accepted AUTH LOGIN after the username alone: its 235 came before it asked
 * for the password (a second 334), so Mailport never sent one.
 */
export function loginWithoutPassword(entries: readonly TranscriptEntry[]): boolean {
  const auth = entries.findLastIndex((entry) => entry.dir === 'C' && /^AUTH LOGIN$/i.test(entry.text));
  if (auth === -1) return false;
  const responses = entries.slice(auth + 1).filter((entry) => entry.dir === 'C');
  return responses.length === 1;
}
