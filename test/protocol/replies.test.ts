/** The reply catalogue and its wire format (RFC 5321 §4.2, RFC 2034 §3, RFC 3463). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  authChallengeReply,
  ehloReply,
  formatReply,
  greetingReply,
  heloReply,
  messageQueuedReply,
  parameterUnknownReply,
  REPLIES,
  replyToText,
  SmtpReplyError,
  sizeExceededReply,
} from '../../src/protocol/replies.js';

describe('reply catalogue', () => {
  for (const [name, reply] of Object.entries(REPLIES)) {
    it(`${name}: ${reply.code} ${reply.enhanced ?? ''} has a matching enhanced class and a sentence`, () => {
      const codeClass = Math.floor(reply.code / 100);
      if (codeClass === 3) {
        // RFC 3463 §2: enhanced codes exist only for classes 2, 4 and 5.
        assert.equal(reply.enhanced, null);
      } else {
        assert.match(reply.enhanced ?? '', /^[245]\.\d{1,3}\.\d{1,3}$/);
        assert.equal(reply.enhanced?.[0], String(codeClass), 'RFC 3463 §3.1: class matches the reply code');
      }
      const text = typeof reply.text === 'string' ? reply.text : reply.text.join(' ');
      assert.ok(text.length >= 2, 'a sentence');
      // RFC 5321 §4.2: reply text is US-ASCII (UTF-8 only once SMTPUTF8 is in use, RFC 6531 §3.7.4).
      assert.match(text, /^[\x20-\x7e]+$/);
    });
  }

  it('uses the codes the spec names', () => {
    const expected: [keyof typeof REPLIES, string][] = [
      ['STARTTLS_FIRST', '530 5.7.0 Must issue a STARTTLS command first'],
      ['AUTH_REQUIRED', '530 5.7.0 Authentication required'],
      ['AUTH_OK', '235 2.7.0'],
      ['AUTH_FAILED', '535 5.7.8'],
      ['AUTH_MECH_UNSUPPORTED', '504 5.5.4'],
      ['AUTH_CANCELLED', '501 5.7.0'],
      ['BASE64_INVALID', '501 5.5.2'],
      ['TOO_MANY_RECIPIENTS', '452 4.5.3'],
      ['IDLE_TIMEOUT', '421 4.4.2'],
      ['TOO_MANY_CONNECTIONS', '421 4.7.0'],
      ['TOO_MANY_ERRORS', '421 4.7.0'],
      ['SHUTTING_DOWN', '421 4.3.2'],
      ['QUIT', '221 2.0.0'],
      ['VRFY', '252 2.5.0'],
      ['LOCAL_ERROR', '451 4.3.0'],
    ];
    for (const [name, prefix] of expected) assert.ok(replyToText(REPLIES[name]).startsWith(prefix), name);
    assert.ok(replyToText(sizeExceededReply(10)).startsWith('552 5.3.4'));
  });
});

describe('formatReply', () => {
  it('formats a single line with its enhanced code', () => {
    assert.equal(formatReply(REPLIES.OK), '250 2.0.0 OK\r\n');
    assert.equal(formatReply(messageQueuedReply('abc')), '250 2.0.0 OK: queued as abc\r\n');
  });

  it('formats multi-line replies with `-` continuation and the enhanced code on every line (RFC 2034 §3)', () => {
    assert.equal(formatReply(REPLIES.HELP).split('\r\n')[0]?.slice(0, 10), '214-2.0.0 ');
    assert.equal(
      formatReply(ehloReply('mx', 'client', ['PIPELINING', 'SIZE 10'])),
      '250-mx greets client\r\n250-PIPELINING\r\n250 SIZE 10\r\n',
    );
  });

  it('has no enhanced code on the greeting and on 334 challenges', () => {
    assert.equal(formatReply(greetingReply('mx')), '220 mx ESMTP Mailport ready\r\n');
    assert.equal(formatReply(authChallengeReply('')), '334 \r\n');
  });

  it('repeats client text only as printable US-ASCII', () => {
    assert.equal(formatReply(heloReply('mx', 'bücher.example')), '250 mx greets b?cher.example\r\n');
    assert.equal(
      formatReply(parameterUnknownReply('X\u00ff', 'MAIL')),
      '555 5.5.4 Unsupported parameter X?: it was not advertised in the EHLO reply (RFC 5321 section 4.1.1.11)\r\n',
    );
  });

  it('never lets reply text inject extra lines', () => {
    const wire = formatReply({ code: 550, enhanced: '5.7.1', text: 'no\r\n250 OK' });
    assert.equal(wire, '550-5.7.1 no\r\n550 5.7.1 250 OK\r\n');
    // A lone CR or LF breaks the line too.
    assert.equal(formatReply({ code: 550, enhanced: null, text: 'a\rb' }), '550-a\r\n550 b\r\n');
    assert.equal(formatReply({ code: 550, enhanced: null, text: 'a\nb' }), '550-a\r\n550 b\r\n');
  });

  it('cuts a line to the 512 octets RFC 5321 allows with its CRLF (section 4.5.3.1.5)', () => {
    const long = formatReply({ code: 501, enhanced: '5.5.2', text: `x${'y'.repeat(600)}` });
    assert.equal(Buffer.byteLength(long), 512);
    assert.match(long, /^501 5\.5\.2 xy+\.\.\.\r\n$/);
    // Each line of a multi-line reply, and never half of a UTF-8 character.
    const lines = formatReply({ code: 550, enhanced: null, text: ['é'.repeat(300), 'short'] }).split('\r\n');
    assert.ok(Buffer.byteLength(lines[0] ?? '') <= 510);
    assert.match(lines[0] ?? '', /^550-é+\.\.\.$/);
    assert.equal(lines[1], '550 short');
    const fits = `250 ${'z'.repeat(506)}`;
    assert.equal(formatReply({ code: 250, enhanced: null, text: 'z'.repeat(506) }), `${fits}\r\n`);
  });
});

describe('SmtpReplyError', () => {
  it('carries its reply and reads as the reply line', () => {
    const error = new SmtpReplyError(
      { code: 550, enhanced: '5.7.1', text: 'Rejected by test' },
      { cause: 'x' },
    );
    assert.equal(error.reply.code, 550);
    assert.equal(error.message, '550 5.7.1 Rejected by test');
    assert.equal(error.name, 'SmtpReplyError');
    assert.equal(error.cause, 'x');
    assert.ok(error instanceof Error);
  });
});
