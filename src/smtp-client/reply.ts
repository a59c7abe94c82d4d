/**
 * SMTP reply parsing (RFC 5321 §4.2): `ddd-text` continuation lines, a final `ddd text` line, and
 * the RFC 3463 enhanced status code at the start of the text when the server sends one.
 */

export interface ServerReply {
  code: number;
  /** RFC 3463 enhanced code (`5.7.8`), or null when the server sends none. */
  enhanced: string | null;
  /** Text of each line, without the code (and without the enhanced code). */
  lines: string[];
  /** The reply as the server sent it, lines joined with `\n`. */
  raw: string;
}

const REPLY_LINE = /^(\d{3})(?:([ -])(.*))?$/;
/** RFC 5321 §4.2: the first digit is 2 to 5, the second 0 to 5. */
const VALID_CODE = /^[2-5][0-5]\d$/;
/** An EHLO reply has a few dozen lines; a server that never ends a reply must not grow memory. */
const MAX_REPLY_LINES = 1000;
const ENHANCED_CODE = /^([245]\.\d{1,3}\.\d{1,3})(?:\s+|$)/;

/** A line that ends a reply: its code followed by a space, or by nothing (RFC 5321 §4.2.1). */
export function isFinalReplyLine(line: string): boolean {
  const match = REPLY_LINE.exec(line);
  return match !== null && match[2] !== '-';
}

export function formatReply(reply: ServerReply): string {
  return reply.raw.replace(/\n/g, ' | ');
}

/** Accumulates reply lines until a final line arrives; throws on a line that is not an SMTP reply. */
export class ReplyAssembler {
  private lines: string[] = [];
  private code: number | null = null;

  /** Returns the finished reply, or null if more lines are needed. Throws `SyntaxError` on a malformed line. */
  push(line: string): ServerReply | null {
    const match = REPLY_LINE.exec(line);
    if (!match) throw new SyntaxError(`Not an SMTP reply line: ${JSON.stringify(line.slice(0, 200))}`);
    if (!VALID_CODE.test(match[1] ?? '')) {
      throw new SyntaxError(
        `Reply code ${match[1]} is not an SMTP reply code (2xx to 5xx, RFC 5321 section 4.2)`,
      );
    }
    const code = Number(match[1]);
    if (this.code !== null && code !== this.code) {
      throw new SyntaxError(`Reply code changed inside a multi-line reply: ${this.code} then ${code}`);
    }
    this.code = code;
    this.lines.push(line);
    if (match[2] === '-') {
      if (this.lines.length >= MAX_REPLY_LINES) {
        throw new SyntaxError(`A multi-line reply went on for more than ${MAX_REPLY_LINES} lines`);
      }
      return null;
    }
    const reply = buildReply(code, this.lines);
    this.lines = [];
    this.code = null;
    return reply;
  }
}

function buildReply(code: number, rawLines: string[]): ServerReply {
  const texts = rawLines.map((line) => line.slice(4));
  const enhanced = ENHANCED_CODE.exec(texts[0] ?? '')?.[1] ?? null;
  const lines = enhanced === null ? texts : texts.map((text) => text.replace(ENHANCED_CODE, ''));
  return { code, enhanced, lines, raw: rawLines.join('\n') };
}
