/**
 * The BDAT message collector on its own: the DATA path's content checks, wherever the chunk
 * boundaries fall, and the stored bytes DATA would store.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChunkedMessage } from '../../src/protocol/chunked-message.js';

const LIMITS = { maxDataLineLength: 20, maxMessageSize: 200 };

/** Feeds `text` in pieces of `size` octets and finishes. */
function collect(text: string, size: number) {
  const message = new ChunkedMessage(LIMITS);
  const bytes = Buffer.from(text, 'latin1');
  for (let at = 0; at < bytes.length; at += size) message.append(bytes.subarray(at, at + size));
  return message.finish();
}

describe('ChunkedMessage', () => {
  // `lines`: the first line of the text, from 1, with each line problem.
  const cases: {
    text: string;
    stored?: string;
    problems?: string[];
    lines?: Record<string, number>;
    endings?: { lfOnly: number; total: number };
  }[] = [
    { text: 'a\r\n.\r\n..b\r\n', stored: 'a\r\n.\r\n..b\r\n' },
    { text: 'no final crlf', stored: 'no final crlf\r\n' },
    { text: '', stored: '' },
    { text: `${'x'.repeat(18)}\r\n`, stored: `${'x'.repeat(18)}\r\n` },
    { text: `${'x'.repeat(19)}\r\n`, problems: ['line-too-long'], lines: { 'line-too-long': 1 } },
    // 18 octets without CRLF are 20 once DATA carried them; 19 are 21.
    { text: 'x'.repeat(18), stored: `${'x'.repeat(18)}\r\n` },
    { text: 'x'.repeat(19), problems: ['line-too-long'], lines: { 'line-too-long': 1 } },
    { text: `a\r\nb\r\n${'x'.repeat(19)}\r\n`, problems: ['line-too-long'], lines: { 'line-too-long': 3 } },
    { text: 'a\nb\r\n', problems: ['bare-lf'], lines: { 'bare-lf': 1 }, endings: { lfOnly: 1, total: 2 } },
    { text: 'a\rb\r\n', problems: ['bare-lf'], lines: { 'bare-lf': 1 } },
    { text: 'a\r\n\r', problems: ['bare-lf'], lines: { 'bare-lf': 2 } },
    { text: 'a\r\r\n', problems: ['bare-lf'], lines: { 'bare-lf': 1 } },
    {
      text: 'a\r\nb\r\nc\nd\ne\r\n',
      problems: ['bare-lf'],
      lines: { 'bare-lf': 3 },
      endings: { lfOnly: 2, total: 5 },
    },
    // A last line without CRLF gets one, as DATA carries it.
    { text: 'a\nb\nc', problems: ['bare-lf'], lines: { 'bare-lf': 1 }, endings: { lfOnly: 2, total: 3 } },
    { text: `${'y\r\n'.repeat(70)}`, problems: ['too-large'], lines: {} },
    {
      text: `${'y'.repeat(30)}\n${'z\r\n'.repeat(70)}`,
      problems: ['too-large', 'bare-lf', 'line-too-long'],
      lines: { 'bare-lf': 1, 'line-too-long': 1 },
    },
  ];
  for (const { text, stored, problems, lines, endings } of cases) {
    it(`${JSON.stringify(text.slice(0, 24))}: ${stored === undefined ? problems?.join(', ') : 'kept'} in pieces of any size`, () => {
      for (const size of [1, 2, 3, 7, 1000]) {
        const end = collect(text, size);
        if (stored === undefined) {
          assert.equal(end.body, null, `pieces of ${size}`);
          assert.deepEqual(end.problems, problems, `pieces of ${size}`);
          assert.deepEqual(end.lines, lines, `pieces of ${size}`);
          if (endings !== undefined) assert.deepEqual(end.endings, endings, `pieces of ${size}`);
        } else {
          assert.deepEqual(end.problems, [], `pieces of ${size}`);
          assert.equal(end.body?.toString('latin1'), stored, `pieces of ${size}`);
        }
      }
    });
  }
});
