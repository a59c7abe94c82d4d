/**
 * The byte-level reader: command line splitting, DATA termination (RFC 5321 §4.1.1.4), dot-unstuffing
 * (§4.5.2), bare LF / bare CR (§2.3.8, CVE-2023-51764) and the memory bounds.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type LineReaderLimits, type ReaderEvent, SmtpLineReader } from '../../src/protocol/line-reader.js';

const LIMITS: LineReaderLimits = {
  maxCommandLineLength: 512,
  maxDataLineLength: 1000,
  maxMessageSize: 10_000,
};

function drain(reader: SmtpLineReader): ReaderEvent[] {
  const events: ReaderEvent[] = [];
  for (let event = reader.next(); event !== null; event = reader.next()) events.push(event);
  return events;
}

/** Feeds `input` in pieces of `size` bytes and collects every event. */
function readAll(
  input: string | Buffer,
  options: { data?: boolean; size?: number; limits?: Partial<LineReaderLimits> } = {},
) {
  const reader = new SmtpLineReader({ ...LIMITS, ...options.limits });
  if (options.data) reader.startData();
  const bytes = typeof input === 'string' ? Buffer.from(input, 'latin1') : input;
  const size = options.size ?? bytes.length;
  const events: ReaderEvent[] = [];
  for (let start = 0; start < bytes.length; start += size) {
    reader.push(bytes.subarray(start, start + size));
    events.push(...drain(reader));
  }
  return { events, reader };
}

function dataEnd(events: ReaderEvent[]) {
  const end = events.find((event) => event.kind === 'data-end');
  assert.ok(end && end.kind === 'data-end', 'the message ended');
  return end;
}

describe('command lines', () => {
  it('splits CRLF lines, across any chunk boundary', () => {
    for (const size of [1, 2, 3, 7, 100]) {
      const { events } = readAll('EHLO a\r\nMAIL FROM:<x@y.z>\r\nQUIT\r\n', { size });
      assert.deepEqual(
        events.map((event) => (event.kind === 'line' ? event.line.toString() : event.kind)),
        ['EHLO a', 'MAIL FROM:<x@y.z>', 'QUIT'],
        `chunks of ${size}`,
      );
    }
  });

  it('marks a line ending in a bare LF, and a bare CR inside a line (RFC 5321 §2.3.8)', () => {
    const { events } = readAll('NOOP\nRSET\rQUIT\r\nNOOP\r\n');
    assert.deepEqual(
      events.map((event) =>
        event.kind === 'line' ? [event.line.toString('latin1'), event.terminator, event.bareCr] : [],
      ),
      [
        ['NOOP', 'bare-lf', false],
        ['RSET\rQUIT', 'crlf', true],
        ['NOOP', 'crlf', false],
      ],
    );
  });

  it('consumes an over-long line to its end, reports it once, and never buffers it (RFC 5321 §4.5.3.1.4)', () => {
    const reader = new SmtpLineReader(LIMITS);
    const block = Buffer.alloc(64 * 1024, 'A');
    for (let index = 0; index < 64; index += 1) {
      reader.push(block);
      assert.deepEqual(drain(reader), []);
      assert.equal(reader.bufferedOctets, 0, 'nothing kept');
    }
    reader.push(Buffer.from('\r\nNOOP\r\n'));
    const events = drain(reader);
    assert.deepEqual(
      events.map((event) => event.kind),
      ['line-too-long', 'line'],
    );
    assert.equal(events[0]?.kind === 'line-too-long' && events[0].octets, 64 * 64 * 1024 + 2);
  });

  it('keeps the first octets of an over-long line, so its verb is known', () => {
    for (const size of [3, 100, 100_000]) {
      const { events } = readAll(`AUTH PLAIN ${'A'.repeat(20_000)}\r\n`, { size });
      const [event] = events;
      assert.equal(
        event?.kind === 'line-too-long' && event.start.toString(),
        'AUTH PLAIN AAAAA',
        `chunks of ${size}`,
      );
    }
    const [short] = readAll(`NOOP${' '.repeat(600)}\r\n`).events;
    assert.equal(short?.kind === 'line-too-long' && short.start.toString(), `NOOP${' '.repeat(12)}`);
  });

  it('accepts a line of exactly the limit, refuses one octet more', () => {
    const exact = `${'X'.repeat(510)}\r\n`;
    assert.equal(readAll(exact).events[0]?.kind, 'line');
    assert.equal(readAll(`X${exact}`).events[0]?.kind, 'line-too-long');
    assert.equal(readAll(`X${exact}`, { size: 5 }).events[0]?.kind, 'line-too-long');
  });

  it('discardBuffered drops everything queued and returns the count (CVE-2011-0411)', () => {
    const reader = new SmtpLineReader(LIMITS);
    reader.push(Buffer.from('STARTTLS\r\nMAIL FROM:<evil@x.y>\r\nPART'));
    assert.equal(reader.next()?.kind, 'line');
    assert.equal(reader.discardBuffered(), 'MAIL FROM:<evil@x.y>\r\nPART'.length);
    reader.push(Buffer.from('EHLO b\r\n'));
    const [event] = drain(reader);
    assert.equal(event?.kind === 'line' && event.line.toString(), 'EHLO b');
  });
});

describe('DATA', () => {
  const message = 'Subject: hi\r\n\r\nline one\r\n..leading dot\r\n.\r\n';

  it('ends only at <CRLF>.<CRLF> and un-dots lines, whatever the chunking (RFC 5321 §4.1.1.4, §4.5.2)', () => {
    for (const size of [1, 2, 3, 5, 8, 13, 1000]) {
      const end = dataEnd(readAll(`${message}NOOP\r\n`, { data: true, size }).events);
      assert.deepEqual(end.problems, []);
      assert.equal(
        end.body?.toString(),
        'Subject: hi\r\n\r\nline one\r\n.leading dot\r\n',
        `chunks of ${size}`,
      );
      assert.equal(end.size, end.body?.length);
    }
  });

  it('returns to command mode right after the terminating line', () => {
    const { events } = readAll(`${message}QUIT\r\n`, { data: true });
    assert.deepEqual(
      events.map((event) => event.kind),
      ['data-end', 'line'],
    );
  });

  it('handles an empty message', () => {
    const end = dataEnd(readAll('.\r\n', { data: true }).events);
    assert.equal(end.body?.length, 0);
  });

  // The smuggling family (CVE-2023-51764): none of these may end the data. The line is the first
  // of the text (from 1, the Subject line) that has the bare LF or CR.
  const fakeEnds: [fake: string, line: number][] = [
    ['\n.\n', 2],
    ['\r\n.\n', 3],
    ['\n.\r\n', 2],
    ['\r.\r\n', 2],
    ['\r\n.\r', 3],
  ];
  for (const [fake, line] of fakeEnds) {
    it(`does not end on ${JSON.stringify(fake)} and refuses the message as bare-lf on line ${line}`, () => {
      const input = `Subject: x\r\nbody${fake}MAIL FROM:<spoof@x.y>\r\n`;
      const { events, reader } = readAll(input, { data: true });
      assert.deepEqual(events, [], 'still inside the message');
      const { problems, lines } = reader.pendingDataProblems;
      assert.deepEqual({ problems, lines }, { problems: ['bare-lf'], lines: { 'bare-lf': line } });
      for (const size of [1, 3, 1000]) {
        const end = dataEnd(readAll(`${input}\r\n.\r\n`, { data: true, size }).events);
        assert.deepEqual(end.problems, ['bare-lf']);
        assert.equal(end.body, null);
        assert.deepEqual(end.lines, { 'bare-lf': line }, `chunks of ${size}`);
      }
    });
  }

  it('flags a line over maxDataLineLength without buffering it (RFC 5321 §4.5.3.1.6)', () => {
    const long = 'Y'.repeat(5000);
    for (const size of [1, 100, 999, 6000]) {
      const end = dataEnd(readAll(`ok\r\n${long}\r\n.\r\n`, { data: true, size }).events);
      assert.deepEqual(end.problems, ['line-too-long'], `chunks of ${size}`);
      assert.deepEqual(end.body === null && end.lines, { 'line-too-long': 2 }, `chunks of ${size}`);
      assert.equal(end.size, 4 + long.length + 2);
    }
    assert.deepEqual(dataEnd(readAll(`${'Z'.repeat(998)}\r\n.\r\n`, { data: true }).events).problems, []);
    assert.deepEqual(dataEnd(readAll(`${'Z'.repeat(999)}\r\n.\r\n`, { data: true }).events).problems, [
      'line-too-long',
    ]);
  });

  it('does not count the transparency dot against the line limit (RFC 5321 §4.5.3.1.6)', () => {
    for (const size of [7, 5000]) {
      const stuffed = dataEnd(readAll(`.${'.'.repeat(998)}\r\n.\r\n`, { data: true, size }).events);
      assert.deepEqual(stuffed.problems, [], `chunks of ${size}`);
      assert.equal(stuffed.body?.length, 1000);
      const over = dataEnd(readAll(`.${'.'.repeat(999)}\r\n.\r\n`, { data: true, size }).events);
      assert.deepEqual(over.problems, ['line-too-long'], `chunks of ${size}`);
    }
  });

  it('stops keeping the body past maxMessageSize and reports too-large at the end (RFC 1870 §6)', () => {
    const line = `${'x'.repeat(98)}\r\n`;
    const reader = new SmtpLineReader(LIMITS);
    reader.startData();
    for (let index = 0; index < 1000; index += 1) reader.push(Buffer.from(line));
    assert.deepEqual(drain(reader), []);
    reader.push(Buffer.from('.\r\n'));
    const end = dataEnd(drain(reader));
    assert.deepEqual(end.problems, ['too-large']);
    assert.equal(end.body, null);
    assert.equal(end.size, 100_000);
  });

  it('a line over the limit that ends in a bare LF does not allow an early end', () => {
    const input = `${'Q'.repeat(3000)}\n.\r\nstill data\r\n.\r\n`;
    for (const size of [1, 7, 1024, 5000]) {
      const end = dataEnd(readAll(input, { data: true, size }).events);
      assert.deepEqual(end.problems, ['bare-lf', 'line-too-long'], `chunks of ${size}`);
      assert.deepEqual(end.body === null && end.lines, { 'bare-lf': 1, 'line-too-long': 1 });
      assert.equal(end.size, 3001 + 2 + 12, 'the `.` line was un-dotted, not taken as the end');
    }
  });

  it('reads a message of several MiB byte for byte, un-dotted, in one buffer of its own', () => {
    // Lines of every length up to the limit, some starting with a dot, in TLS-record-sized chunks.
    const lines: string[] = [];
    for (let index = 0, size = 0; size < 3 * 1024 * 1024; index += 1) {
      const line = `${index % 7 === 0 ? '.' : ''}${String(index).repeat(1 + (index % 90))}`.slice(0, 998);
      lines.push(line);
      size += line.length + 2;
    }
    const wire = lines.map((line) => (line.startsWith('.') ? `.${line}` : line)).join('\r\n');
    const text = `${lines.join('\r\n')}\r\n`;
    const { events } = readAll(`${wire}\r\n.\r\n`, {
      data: true,
      size: 16 * 1024,
      limits: { maxMessageSize: 25 * 1024 * 1024 },
    });
    const end = dataEnd(events);
    assert.deepEqual(end.problems, []);
    assert.equal(end.size, Buffer.byteLength(text));
    assert.ok(end.body?.equals(Buffer.from(text, 'latin1')), 'the body is the un-dotted text');
    assert.equal(end.body?.buffer.byteLength, end.body?.length, 'nothing else shares its memory');
  });

  it('keeps binary bytes (8BITMIME) and NULs intact', () => {
    const body = Buffer.concat([Buffer.from([0, 1, 2, 0xff, 0xfe]), Buffer.from('\r\n')]);
    const end = dataEnd(readAll(Buffer.concat([body, Buffer.from('.\r\n')]), { data: true, size: 2 }).events);
    assert.deepEqual(end.body, body);
  });
});

/**
 * A deliberately naive model of RFC 5321 §4.1.1.4 / §4.5.2 / §2.3.8 for DATA, one whole line at a
 * time, to check the optimised reader against on random input split at random places.
 */
function referenceData(input: Buffer, limits: LineReaderLimits) {
  const problems = new Set<string>();
  // The first line, from 1, with a bare LF or CR and with a line over the limit.
  const lines: Record<string, number> = {};
  const flag = (problem: string, line: number) => {
    problems.add(problem);
    lines[problem] ??= line;
  };
  const body: Buffer[] = [];
  let size = 0;
  let lfOnly = 0;
  let previousEndedCrlf = true;
  for (let start = 0, lineNumber = 1; ; lineNumber += 1) {
    const lf = input.indexOf(LF_BYTE, start);
    if (lf === -1) return null;
    const line = input.subarray(start, lf + 1);
    start = lf + 1;
    const endsCrlf = line.length >= 2 && line[line.length - 2] === CR_BYTE;
    const content = line.subarray(0, line.length - (endsCrlf ? 2 : 1));
    if (!endsCrlf || content.includes(CR_BYTE)) flag('bare-lf', lineNumber);
    const dotted = line[0] === DOT_BYTE;
    if (line.length > limits.maxDataLineLength + (dotted ? 1 : 0)) flag('line-too-long', lineNumber);
    if (dotted && previousEndedCrlf && line.equals(Buffer.from('.\r\n'))) {
      const ordered = ['too-large', 'bare-lf', 'line-too-long'].filter((problem) => problems.has(problem));
      return {
        size,
        problems: ordered,
        lines,
        endings: { lfOnly, total: lineNumber - 1 },
        body: ordered.length === 0 ? Buffer.concat(body) : null,
        rest: start,
      };
    }
    const text = dotted ? line.subarray(1) : line;
    size += text.length;
    if (size > limits.maxMessageSize) problems.add('too-large');
    body.push(text);
    if (!endsCrlf) lfOnly += 1;
    previousEndedCrlf = endsCrlf;
  }
}

const CR_BYTE = 0x0d;
const LF_BYTE = 0x0a;
const DOT_BYTE = 0x2e;

describe('DATA against a naive reference model', () => {
  function random(seed: number): () => number {
    let state = seed;
    return () => {
      state = (state + 0x6d2b79f5) | 0;
      let value = Math.imul(state ^ (state >>> 15), 1 | state);
      value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
      return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
    };
  }
  const pieces = [
    'a',
    'bc',
    '.',
    '..',
    '\r',
    '\n',
    '\r\n',
    '\r\n',
    '\r\n',
    '\r\n.',
    'x'.repeat(15),
    '\r\n.\r\n',
  ];
  const limits: LineReaderLimits = { maxCommandLineLength: 64, maxDataLineLength: 12, maxMessageSize: 150 };

  it('agrees on end, body, size, problems, their lines and the line endings for 3,000 random messages and splits', () => {
    for (let seed = 1; seed <= 3000; seed += 1) {
      const next = random(seed);
      const parts: string[] = [];
      const length = 1 + Math.floor(next() * 60);
      for (let index = 0; index < length; index += 1)
        parts.push(pieces[Math.floor(next() * pieces.length)] ?? '');
      parts.push('\r\n.\r\n');
      const input = Buffer.from(`${parts.join('')}NOOP\r\n`, 'latin1');
      const expected = referenceData(input, limits);
      assert.ok(expected, 'the input always ends');
      const reader = new SmtpLineReader(limits);
      reader.startData();
      let end: ReaderEvent | undefined;
      const following: ReaderEvent[] = [];
      let offset = 0;
      while (offset < input.length && end === undefined) {
        const size = 1 + Math.floor(next() * 40);
        reader.push(input.subarray(offset, offset + size));
        offset += size;
        const events = drain(reader);
        const endIndex = events.findIndex((event) => event.kind === 'data-end');
        if (endIndex !== -1) {
          end = events[endIndex];
          following.push(...events.slice(endIndex + 1));
        }
      }
      assert.ok(end && end.kind === 'data-end', `seed ${seed}: ended`);
      const context = `seed ${seed}: ${JSON.stringify(input.toString('latin1'))}`;
      assert.deepEqual(end.problems, expected.problems, context);
      if (end.body === null) {
        assert.deepEqual(end.lines, expected.lines, context);
        assert.deepEqual(end.endings, expected.endings, context);
      }
      assert.equal(end.size, expected.size, context);
      assert.deepEqual(end.body, expected.body, context);
      // What follows the end is read as commands again, from exactly the right byte.
      reader.push(input.subarray(offset));
      const commands = [...following, ...drain(reader)].map((event) =>
        event.kind === 'line' ? event.line.toString('latin1') : event.kind,
      );
      const expectedCommands = input
        .subarray(expected.rest)
        .toString('latin1')
        .split('\n')
        .slice(0, -1)
        .map((line) => {
          if (line.length + 1 > limits.maxCommandLineLength) return 'line-too-long';
          return line.endsWith('\r') ? line.slice(0, -1) : line;
        });
      assert.deepEqual(commands, expectedCommands, context);
    }
  });
});
