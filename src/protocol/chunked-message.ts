/**
 * The message text of one BDAT transaction (RFC 3030 CHUNKING), put together from its chunks.
 *
 * BDAT carries the octets as they are: no dot-stuffing and no end-of-data line. Without
 * BINARYMIME (not offered here) the text is still a 7bit or 8bitmime message (RFC 3030 §3 leaves
 * the body type rules as they are; only BINARYMIME lifts them), so the checks DATA applies to the
 * content apply here too, across chunk boundaries: lines end in CRLF and never hold a bare CR or
 * LF (RFC 5321 §2.3.8), a line is at most `maxDataLineLength` octets with its CRLF (§4.5.3.1.6,
 * with no transparency dot to allow for), and the whole at most `maxMessageSize` octets.
 *
 * Stored bytes are what DATA stores for the same message: DATA's text always ends in CRLF (RFC 5321
 * §4.1.1.4: the client adds one before the final dot), so a last line without it gets one here.
 */
import { type DataProblem, DataProblems, type ProblemReport } from './data-problems.js';
import { type DataEnd, dataEnd } from './line-reader.js';
import { MessageBody } from './message-body.js';

const CR = 0x0d;
const LF = 0x0a;
const CRLF = Buffer.from('\r\n', 'latin1');

export interface ChunkedMessageLimits {
  /** Longest text line, in octets including CRLF. */
  maxDataLineLength: number;
  /** Largest message kept, in octets. */
  maxMessageSize: number;
}

export class ChunkedMessage {
  readonly #limits: ChunkedMessageLimits;
  readonly #body: MessageBody;
  readonly #problems = new DataProblems();
  #size = 0;
  /** Octets of the line not yet ended by an LF, its CR included. */
  #lineOctets = 0;
  /** The last octet seen was a CR: only an LF may come next. */
  #lastWasCr = false;

  constructor(limits: ChunkedMessageLimits) {
    this.#limits = limits;
    this.#body = new MessageBody(limits.maxMessageSize);
  }

  /** Octets received so far. */
  get size(): number {
    return this.#size;
  }

  /** Why the message will be refused, and where; no problems while it is fine. */
  get problems(): ProblemReport {
    return this.#problems.report();
  }

  /** Takes the next octets of a chunk (views that must not change; they are kept). */
  append(octets: Buffer): void {
    this.#size += octets.length;
    if (this.#size > this.#limits.maxMessageSize) this.#flag('too-large');
    this.#checkLines(octets);
    if (this.#problems.none) this.#body.append(octets);
  }

  /** After BDAT … LAST: the message, or why it is refused. The collector is empty afterwards. */
  finish(): DataEnd {
    // The last line as DATA would have carried it; checked like any other (a lone CR before it is bare).
    if (this.#lineOctets > 0) this.append(CRLF);
    // A refused message's text was dropped when its first problem was found.
    return dataEnd(this.#size, () => this.#body.take(), this.#problems.report());
  }

  /** Drops the text (RSET, a refused chunk, a dropped connection): a large body's memory goes back at once. */
  discard(): void {
    this.#body.clear();
  }

  /** The line checks of the DATA path, on a stream whose lines may span chunks. */
  #checkLines(octets: Buffer): void {
    const maxLine = this.#limits.maxDataLineLength;
    let from = 0;
    let nextCr = octets.indexOf(CR);
    while (from < octets.length) {
      const lf = octets.indexOf(LF, from);
      const end = lf === -1 ? octets.length : lf;
      // A CR ending the previous piece must be followed by the LF that ends its line.
      if (this.#lastWasCr && end > from) this.#flag('bare-lf');
      // Inside a line a CR may only be its last octet before the LF.
      if (nextCr !== -1 && nextCr < end - 1) this.#flag('bare-lf');
      this.#lineOctets += end - from;
      if (lf === -1) {
        this.#lastWasCr = octets[end - 1] === CR;
        // Too long already: the LF still to come only adds to it.
        if (this.#lineOctets >= maxLine) this.#flag('line-too-long');
        return;
      }
      const endsCrlf = end > from ? octets[end - 1] === CR : this.#lastWasCr;
      if (!endsCrlf) this.#flag('bare-lf');
      if (this.#lineOctets + 1 > maxLine) this.#flag('line-too-long');
      this.#lineOctets = 0;
      this.#lastWasCr = false;
      this.#problems.lineEnded(endsCrlf);
      from = lf + 1;
      if (nextCr !== -1 && nextCr < from) nextCr = octets.indexOf(CR, from);
    }
  }

  /** Once the message is known to be refused, its text is no longer kept. */
  #flag(problem: DataProblem): void {
    this.#problems.add(problem);
    this.#body.clear();
  }
}
