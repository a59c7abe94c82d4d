/**
 * The matchers inside Jest's real `expect` (the `expect` package Jest itself uses), through
 * `expect.extend`: passing, failing with the kit's sentence, and `.not`. Vitest's `expect.extend`
 * takes the same matcher shape.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { expect } from 'expect';
import type { MessageDetail } from '../../src/domain/types.js';
import { type MailportMatchers, mailportMatchers, ReceivedMessage } from '../../src/index.js';

declare module 'expect' {
  interface Matchers<R> extends MailportMatchers<R> {}
}

expect.extend(mailportMatchers);

const message = new ReceivedMessage({
  id: '01900000-0000-7000-8000-000000000002',
  inbox: 'default',
  receivedAt: '2026-01-31T10:00:00.000Z',
  size: 100,
  subject: 'Your invoice',
  from: [{ name: '', address: 'billing@example.com' }],
  to: [{ name: '', address: 'carol@example.com' }],
  envelopeFrom: 'billing@example.com',
  envelopeTo: ['carol@example.com'],
  listener: { profile: 'submissions', port: 1465 },
  attachmentCount: 1,
  snippet: '',
  read: false,
  sessionId: '01900000-0000-7000-8000-0000000000bb',
  envelope: { mailFrom: { address: 'billing@example.com', params: {} }, rcptTo: [] },
  client: { address: '127.0.0.1', port: 50001 },
  heloName: null,
  tls: null,
  auth: null,
  parsed: {
    messageId: null,
    subject: 'Your invoice',
    from: [{ name: '', address: 'billing@example.com' }],
    to: [{ name: '', address: 'carol@example.com' }],
    cc: [],
    bcc: [],
    replyTo: [],
    date: null,
    text: 'Pay at https://pay.example.com/i/42',
    html: null,
    headers: [],
    attachments: [
      {
        index: 0,
        filename: 'invoice-42.pdf',
        contentType: 'application/pdf',
        size: 9,
        contentId: null,
        inline: false,
      },
    ],
  },
  releases: [],
} satisfies MessageDetail);

describe('matchers in Jest expect', () => {
  test('pass and .not pass', () => {
    expect(message).toHaveBeenSentTo('carol@example.com');
    expect(message).not.toHaveBeenSentTo('dave@example.com');
    expect(message).toHaveSubject(/invoice/i);
    expect(message).toContainLink('https://pay.example.com/i/');
    expect(message).toHaveAttachment({ filename: /^invoice-\d+\.pdf$/, contentType: 'application/pdf' });
    expect(message).not.toHaveAttachment('terms.pdf');
  });

  test('failures carry the kit sentence, for both directions', () => {
    assert.throws(
      () => expect(message).toHaveSubject('Your receipt'),
      /to have subject "Your receipt", but its subject is "Your invoice"\./,
    );
    assert.throws(
      () => expect(message).not.toContainLink('pay.example.com'),
      /not to contain a link matching "pay\.example\.com", but its links are:\n {2}https:\/\/pay\.example\.com\/i\/42/,
    );
  });
});
