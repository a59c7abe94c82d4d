/**
 * Byte-level SMTP input reader: splits command lines, reads DATA up to `<CRLF>.<CRLF>` and undoes
 * dot-stuffing, and reads BDAT chunks by their octet count (RFC 3030 §2). Pure: bytes go in with
 * `push`, parsed events come out of `next`, so the session can stop pulling while a hook is pending
 * (RFC 2920 pipelining) without losing or reordering input.
 *
 * Memory is bounded: a command line is buffered only up to `maxCommandLineLength`, a message text
 * line only up to `maxDataLineLength`, and a message body only up to `maxMessageSize`; beyond that the
 * input is counted and dropped until the line (or the message) ends, then reported once.
 */

import {
  type DataProblem,
  DataProblems,
  NO_PROBLEMS,
  type ProblemReport,
  type TextRefusal,
} from './data-problems.js';
import { MessageBody } from './message-body.js';

/** Octets kept of an over-long command line: its verb and then some. */
const LINE_START_OCTETS = 16;

const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;

export type ReaderEvent =
  /** A complete command line, terminator removed. */
  | {
      kind: 'line';
      line: Buffer;
      /** `bare-lf`: the line ended in LF without CR (RFC 5321 §2.3.8 forbids it). */
      terminator: 'crlf' | 'bare-lf';
      /** A CR not followed by LF inside the line. */
      bareCr: boolean;
      /** Octets including the terminator. */
      octets: number;
    }
  /**
   * A command line longer than the limit; it was consumed up to its LF and dropped but for its
   * first octets, enough to name its verb (an over-long AUTH line has a reply of its own, RFC 4954 §4).
   */
  | { kind: 'line-too-long'; octets: number; start: Buffer }
  /** `<CRLF>.<CRLF>` arrived: the body, or every reason the message has to be refused (its body was not kept). */
  | DataEnd
  /** Every octet of the BDAT chunk announced by `startChunk` was read and handed on. */
  | { kind: 'chunk-end'; octets: number };

/**
 * `size` counts the message octets after dot-unstuffing, kept or not; a refused message has its
 * problems, most important first, and the first line of its text that has each.
 */
export type DataEnd =
  | { kind: 'data-end'; size: number; body: Buffer; problems: readonly [] }
  | ({ kind: 'data-end'; size: number; body: null } & TextRefusal);

/** The DataEnd of a message text, refused for `report`'s problems or holding `body`. */
export function dataEnd(size: number, body: () => Buffer, report: ProblemReport): DataEnd {
  const [first, ...rest] = report.problems;
  return first === undefined
    ? { kind: 'data-end', size, body: body(), problems: [] }
    : { ...report, kind: 'data-end', size, body: null, problems: [first, ...rest] };
}

export interface LineReaderLimits {
  /** Longest command line buffered, in octets including CRLF. */
  maxCommandLineLength: number;
  /** Longest message text line, in octets including CRLF (RFC 5321 §4.5.3.1.6). */
  maxDataLineLength: number;
  /** Largest message body kept, in octets after dot-unstuffing. */
  maxMessageSize: number;
}

export class SmtpLineReader {
  private readonly limits: LineReaderLimits;
  private readonly queue: Buffer[] = [];
  /** Read position inside `queue[0]`. */
  private offset = 0;
  private queuedOctets = 0;
  private mode: 'command' | 'data' | 'chunk' = 'command';

  // Chunk mode: octets of the BDAT chunk still to read, and where they go.
  private chunkOctets = 0;
  private chunkRemaining = 0;
  private chunkTarget: ChunkTarget = ignoreChunkOctets;

  // Command mode: the start of a line whose LF has not arrived yet.
  private partial: Buffer[] = [];
  private partialOctets = 0;
  /** Octets of an over-long line dropped so far, or -1 when not inside one. */
  private skippedOctets = -1;
  /** The first octets of the over-long line being dropped. */
  private skippedStart: Buffer = Buffer.alloc(0);

  // Data mode.
  private readonly body: MessageBody;
  private size = 0;
  private readonly problems = new DataProblems();
  /** The line before the current one ended in CRLF; the DATA command line itself did. */
  private previousLineEndedCrlf = true;
  /** Start of a text line whose LF has not arrived yet (at most `maxDataLineLength` octets). */
  private carry: Buffer | null = null;
  /** Inside an over-long text line, dropping bytes until its LF. */
  private skippingTextLine = false;
  /** The last dropped byte of the over-long line was a CR (CRLF if an LF comes next). */
  private lastByteWasCr = false;
  /** Where the incomplete last line starts in the buffer `scanText` just read. */
  private tailStart = 0;

  constructor(limits: LineReaderLimits) {
    this.limits = limits;
    this.body = new MessageBody(limits.maxMessageSize);
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.queue.push(chunk);
    this.queuedOctets += chunk.length;
  }

  /** Input received but not yet turned into events. */
  get bufferedOctets(): number {
    return this.queuedOctets;
  }

  /** The reasons the message being read will be refused, as far as known. */
  get pendingDataProblems(): ProblemReport {
    return this.mode === 'data' ? this.problems.report() : NO_PROBLEMS;
  }

  /** Treat what follows as message text (after the 354 reply). */
  startData(): void {
    this.mode = 'data';
    this.body.clear();
    this.size = 0;
    this.problems.clear();
    this.previousLineEndedCrlf = true;
    this.carry = null;
    this.skippingTextLine = false;
    this.lastByteWasCr = false;
  }

  /**
   * Treat the next `octets` octets as one BDAT chunk: handed to `target` as they arrive, never
   * parsed (RFC 3030 §2: no dot-stuffing, any octet allowed), then a `chunk-end` event.
   */
  startChunk(octets: number, target: ChunkTarget): void {
    this.mode = 'chunk';
    this.chunkOctets = octets;
    this.chunkRemaining = octets;
    this.chunkTarget = target;
  }

  /** Inside a BDAT chunk: the octets announced and those still missing. */
  get unfinishedChunk(): { octets: number; missing: number } | null {
    return this.mode === 'chunk' ? { octets: this.chunkOctets, missing: this.chunkRemaining } : null;
  }

  /** Drops all buffered input and returns to command mode; returns the octets dropped (CVE-2011-0411). */
  discardBuffered(): number {
    const dropped = this.queuedOctets + this.partialOctets + (this.carry?.length ?? 0);
    this.queue.length = 0;
    this.offset = 0;
    this.queuedOctets = 0;
    this.partial = [];
    this.partialOctets = 0;
    this.skippedOctets = -1;
    this.mode = 'command';
    this.body.clear();
    this.carry = null;
    this.skippingTextLine = false;
    this.chunkTarget = ignoreChunkOctets;
    return dropped;
  }

  /** The next event, or null when more input is needed. */
  next(): ReaderEvent | null {
    switch (this.mode) {
      case 'command':
        return this.nextCommandLine();
      case 'data':
        return this.nextDataEnd();
      case 'chunk':
        return this.nextChunkEnd();
    }
  }

  private advance(to: number): void {
    const head = this.queue[0];
    if (head === undefined) return;
    this.queuedOctets -= to - this.offset;
    if (to >= head.length) {
      this.queue.shift();
      this.offset = 0;
    } else {
      this.offset = to;
    }
  }

  private nextCommandLine(): ReaderEvent | null {
    const limit = this.limits.maxCommandLineLength;
    for (let chunk = this.queue[0]; chunk !== undefined; chunk = this.queue[0]) {
      const start = this.offset;
      const lf = chunk.indexOf(LF, start);
      if (this.skippedOctets >= 0) {
        if (lf === -1) {
          this.skippedOctets += chunk.length - start;
          this.advance(chunk.length);
          continue;
        }
        const octets = this.skippedOctets + lf + 1 - start;
        this.skippedOctets = -1;
        this.advance(lf + 1);
        return { kind: 'line-too-long', octets, start: this.skippedStart };
      }
      if (lf === -1) {
        const total = this.partialOctets + chunk.length - start;
        if (total >= limit) {
          // No LF yet and already too long: stop buffering, count until the line ends.
          this.skippedStart = lineStart([...this.partial, chunk.subarray(start)]);
          this.partial = [];
          this.partialOctets = 0;
          this.skippedOctets = total;
        } else {
          this.partial.push(chunk.subarray(start));
          this.partialOctets = total;
        }
        this.advance(chunk.length);
        continue;
      }
      const piece = chunk.subarray(start, lf + 1);
      this.advance(lf + 1);
      const line =
        this.partialOctets === 0
          ? piece
          : Buffer.concat([...this.partial, piece], this.partialOctets + piece.length);
      this.partial = [];
      this.partialOctets = 0;
      if (line.length > limit)
        return { kind: 'line-too-long', octets: line.length, start: lineStart([line]) };
      return commandLine(line);
    }
    return null;
  }

  private nextDataEnd(): ReaderEvent | null {
    for (let chunk = this.queue[0]; chunk !== undefined; chunk = this.queue[0]) {
      const start = this.offset;
      if (this.skippingTextLine) {
        const lf = chunk.indexOf(LF, start);
        this.checkDropped(chunk, start, lf);
        const end = lf === -1 ? chunk.length : lf + 1;
        this.count(end - start);
        this.skippingTextLine = lf === -1;
        this.advance(end);
        continue;
      }
      const carried = this.carry;
      if (carried !== null) {
        const lf = chunk.indexOf(LF, start);
        if (lf === -1) {
          this.extendCarry(carried, chunk, start);
          this.advance(chunk.length);
          continue;
        }
        // Complete the carried line; it is short, so joining it costs little.
        const line = Buffer.concat([carried, chunk.subarray(start, lf + 1)]);
        this.carry = null;
        this.advance(lf + 1);
        if (this.scanText(line, 0) !== -1) return this.finishData();
        continue;
      }
      const end = this.scanText(chunk, start);
      if (end !== -1) {
        this.advance(end);
        return this.finishData();
      }
      this.startCarry(chunk, this.tailStart);
      this.advance(chunk.length);
    }
    return null;
  }

  private nextChunkEnd(): ReaderEvent | null {
    for (let chunk = this.queue[0]; chunk !== undefined && this.chunkRemaining > 0; chunk = this.queue[0]) {
      const end = Math.min(chunk.length, this.offset + this.chunkRemaining);
      const piece = chunk.subarray(this.offset, end);
      this.chunkRemaining -= piece.length;
      this.advance(end);
      this.chunkTarget(piece);
    }
    if (this.chunkRemaining > 0) return null;
    this.mode = 'command';
    this.chunkTarget = ignoreChunkOctets;
    return { kind: 'chunk-end', octets: this.chunkOctets };
  }

  /**
   * Reads the complete text lines of `buffer` from `start`. Returns the offset just past the
   * terminating `.CRLF`, or -1 with `tailStart` at the incomplete last line.
   */
  private scanText(buffer: Buffer, start: number): number {
    let position = start;
    let spanStart = start;
    let nextCr = buffer.indexOf(CR, start);
    for (let lf = buffer.indexOf(LF, position); lf !== -1; lf = buffer.indexOf(LF, position)) {
      const endsCrlf = lf > position && buffer[lf - 1] === CR;
      const lineEnd = endsCrlf ? lf - 1 : lf;
      // RFC 5321 §2.3.8: CR and LF only ever appear together; anything else is the smuggling family.
      if (!endsCrlf || (nextCr !== -1 && nextCr < lineEnd)) this.flag('bare-lf');
      if (lf + 1 - position > this.textLineLimit(buffer[position])) this.flag('line-too-long');
      if (buffer[position] === DOT) {
        // RFC 5321 §4.1.1.4: only CRLF "." CRLF ends the data; a bare LF on either side does not.
        if (this.previousLineEndedCrlf && endsCrlf && lf - position === 2) {
          this.collect(buffer, spanStart, position);
          return lf + 1;
        }
        // RFC 5321 §4.5.2: drop the first dot of a line that starts with one.
        this.collect(buffer, spanStart, position);
        spanStart = position + 1;
      }
      this.previousLineEndedCrlf = endsCrlf;
      this.problems.lineEnded(endsCrlf);
      position = lf + 1;
      if (nextCr !== -1 && nextCr < position) nextCr = buffer.indexOf(CR, position);
    }
    this.collect(buffer, spanStart, position);
    this.tailStart = position;
    return -1;
  }

  /** RFC 5321 §4.5.3.1.6: the limit does not count the dot added for transparency. */
  private textLineLimit(firstByte: number | undefined): number {
    return firstByte === DOT ? this.limits.maxDataLineLength + 1 : this.limits.maxDataLineLength;
  }

  private startCarry(chunk: Buffer, from: number): void {
    if (from === chunk.length) return;
    if (chunk.length - from >= this.textLineLimit(chunk[from])) {
      this.enterLongTextLine([chunk.subarray(from)]);
    } else {
      this.carry = chunk.subarray(from);
    }
  }

  private extendCarry(carried: Buffer, chunk: Buffer, from: number): void {
    const total = carried.length + chunk.length - from;
    if (total >= this.textLineLimit(carried[0])) {
      this.carry = null;
      this.enterLongTextLine([carried, chunk.subarray(from)]);
    } else {
      this.carry = Buffer.concat([carried, chunk.subarray(from)], total);
    }
  }

  /** The start of a line already longer than the limit: check and count it, keep nothing. */
  private enterLongTextLine(pieces: readonly Buffer[]): void {
    this.flag('line-too-long');
    this.skippingTextLine = true;
    this.lastByteWasCr = false;
    // Sizes count the unstuffed text (RFC 5321 §4.5.2), so a leading transparency dot is not counted.
    if (pieces[0]?.[0] === DOT) this.size -= 1;
    for (const piece of pieces) {
      this.checkDropped(piece, 0, -1);
      this.count(piece.length);
    }
  }

  /**
   * The line-ending checks of `scanText`, for a piece of an over-long line that is dropped rather
   * than kept: `lf` is where the line ends in `bytes`, or -1 when it goes on.
   */
  private checkDropped(bytes: Buffer, from: number, lf: number): void {
    const to = lf === -1 ? bytes.length : lf;
    // A CR that ended the previous piece must be followed by the LF that ends the line.
    if (this.lastByteWasCr && from < to) this.flag('bare-lf');
    // Any CR before the last byte of the piece is bare: only LF may follow a CR.
    const firstCr = bytes.subarray(from, to).indexOf(CR);
    if (firstCr !== -1 && from + firstCr < to - 1) this.flag('bare-lf');
    if (lf !== -1) {
      const endsCrlf = lf > from ? bytes[lf - 1] === CR : this.lastByteWasCr;
      if (!endsCrlf) this.flag('bare-lf');
      this.previousLineEndedCrlf = endsCrlf;
      this.lastByteWasCr = false;
      this.problems.lineEnded(endsCrlf);
    } else if (to > from) {
      this.lastByteWasCr = bytes[to - 1] === CR;
    }
  }

  private collect(buffer: Buffer, from: number, to: number): void {
    if (to <= from) return;
    this.count(to - from);
    if (this.problems.none) this.body.append(buffer.subarray(from, to));
  }

  private count(octets: number): void {
    this.size += octets;
    if (this.size > this.limits.maxMessageSize) this.flag('too-large');
  }

  /** Once the message is known to be refused, its body is no longer kept. */
  private flag(problem: DataProblem): void {
    this.problems.add(problem);
    this.body.clear();
  }

  private finishData(): ReaderEvent {
    const event = dataEnd(this.size, () => this.body.take(), this.problems.report());
    this.mode = 'command';
    this.size = 0;
    this.problems.clear();
    return event;
  }
}

/**
 * Receives the octets of a BDAT chunk in order, as views of the socket chunks they arrived in:
 * they must not be changed, and may be kept.
 */
export type ChunkTarget = (octets: Buffer) => void;

/** Where the octets of a refused BDAT chunk go: RFC 3030 §2 has them read all the same. */
export function ignoreChunkOctets(_octets: Buffer): void {}

/** A copy of the first octets of a line, so that the pieces it came in are not kept alive. */
function lineStart(pieces: readonly Buffer[]): Buffer {
  const octets = pieces.reduce((sum, piece) => sum + piece.length, 0);
  return Buffer.concat(pieces, Math.min(octets, LINE_START_OCTETS));
}

function commandLine(line: Buffer): ReaderEvent {
  const endsCrlf = line.length >= 2 && line[line.length - 2] === CR;
  const content = line.subarray(0, line.length - (endsCrlf ? 2 : 1));
  return {
    kind: 'line',
    line: content,
    terminator: endsCrlf ? 'crlf' : 'bare-lf',
    bareCr: content.indexOf(CR) !== -1,
    octets: line.length,
  };
}
