/**
 * Says why bytes that begin like an SMTP greeting never made one: the line never ended (RFC 5321
 * §2.3.8: lines end with CR LF), or a multi-line greeting never reached its final line (§4.2.1).
 */
import { isFinalReplyLine } from '../smtp-client/index.js';

const SHOWN_CHARACTERS = 100;

/** The reason in words, or null when the bytes hold a whole greeting (it came, only too late). */
export function unfinishedGreeting(bytes: Buffer): string | null {
  const lines = bytes.toString('latin1').split('\n');
  const partial = lines.pop() ?? '';
  const complete = lines.map((line) => line.replace(/\r$/, ''));
  const [first] = complete;
  if (first === undefined) {
    const bareCr = partial.indexOf('\r');
    return bareCr === -1
      ? `it never ended the line ${quote(partial)} (no CR LF after it)`
      : `it ended the line ${quote(partial.slice(0, bareCr))} with a bare CR, without the LF (lines end with CR LF, RFC 5321 §2.3.8), so clients never see the line end`;
  }
  if (complete.some(isFinalReplyLine)) return null;
  const count = complete.length === 1 ? 'one line' : `${complete.length} lines`;
  return `it sent ${count} of a multi-line greeting (${quote(first)}${complete.length > 1 ? ', …' : ''}) but never the final line (a space after the code, not a dash)`;
}

function quote(text: string): string {
  const printable = text.replace(/[^\x20-\x7e]/g, '.');
  return `"${printable.length > SHOWN_CHARACTERS ? `${printable.slice(0, SHOWN_CHARACTERS)}…` : printable}"`;
}
