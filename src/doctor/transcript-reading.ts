/**
 * Reads the SMTP client's transcript for what its errors do not say: EHLO refused in favour of
 * HELO, and AUTH LOGIN accepted without a password. (A reply left unfinished: the client's own
 * `unfinishedReply`.)
 */
import type { TranscriptEntry } from '../smtp-client/index.js';

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
