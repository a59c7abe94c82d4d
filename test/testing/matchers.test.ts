/**
 * The Vitest/Jest matchers and the node:test assertions, as plain functions: each matcher returns
 * `{ pass, message }` the way `expect.extend` wants it, and each assertion throws AssertionError
 * with a sentence naming what was expected and what the message has.
 */
import assert, { AssertionError } from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { MessageDetail, MessageSummary } from '../../src/domain/types.js';
import {
  assertContainsLink,
  assertHasAttachment,
  assertSentTo,
  assertSubject,
  mailportMatchers,
  NotAMessageError,
  ReceivedMessage,
} from '../../src/index.js';

const summary: MessageSummary = {
  id: '01900000-0000-7000-8000-000000000001',
  inbox: 'mailport',
  receivedAt: '2026-01-31T10:00:00.000Z',
  size: 1234,
  subject: 'Reset your password',
  from: [{ name: 'App', address: 'app@example.com' }],
  to: [{ name: 'Alice', address: 'Alice@Example.com' }],
  envelopeFrom: 'bounce@example.com',
  envelopeTo: ['alice@example.com', 'audit@example.com'],
  listener: { profile: 'submission', port: 1587 },
  attachmentCount: 1,
  snippet: 'Open the link',
  read: false,
};

const detail: MessageDetail = {
  ...summary,
  sessionId: '01900000-0000-7000-8000-0000000000aa',
  envelope: { mailFrom: { address: 'bounce@example.com', params: {} }, rcptTo: [] },
  client: { address: '127.0.0.1', port: 50000 },
  heloName: 'client.example',
  releases: [],
  tls: null,
  auth: null,
  parsed: {
    messageId: '<1@example.com>',
    subject: 'Reset your password',
    from: summary.from,
    to: summary.to,
    cc: [{ name: '', address: 'manager@example.com' }],
    bcc: [],
    replyTo: [],
    date: null,
    text: 'Open https://app.example.com/reset?token=t0k3n now.',
    html: '<a href="https://app.example.com/reset?token=t0k3n">Reset</a>',
    headers: [{ name: 'Subject', value: 'Reset your password' }],
    attachments: [
      {
        index: 0,
        filename: 'terms.pdf',
        contentType: 'application/pdf',
        size: 10,
        contentId: null,
        inline: false,
      },
    ],
  },
};

const message = new ReceivedMessage(detail);

describe('mailportMatchers', () => {
  test('toHaveBeenSentTo checks envelope and header recipients, ignoring case', () => {
    for (const address of ['alice@example.com', 'AUDIT@example.com', 'manager@example.com', /audit@/]) {
      assert.equal(mailportMatchers.toHaveBeenSentTo(message, address).pass, true, String(address));
    }
    const miss = mailportMatchers.toHaveBeenSentTo(message, 'bob@example.com');
    assert.equal(miss.pass, false);
    assert.equal(
      miss.message(),
      `Expected message "Reset your password" (${summary.id}) to have been sent to "bob@example.com", but it was sent to alice@example.com, audit@example.com, Alice@Example.com, manager@example.com.`,
    );
    // A pass explains the failure of `.not`.
    assert.match(
      mailportMatchers.toHaveBeenSentTo(message, 'alice@example.com').message(),
      /not to have been sent to "alice@example\.com", but it was/,
    );
    assert.equal(mailportMatchers.toHaveBeenSentTo(summary, 'alice@example.com').pass, true);
  });

  test('toHaveSubject: a string must equal the subject, a RegExp must match it', () => {
    assert.equal(mailportMatchers.toHaveSubject(message, 'Reset your password').pass, true);
    assert.equal(mailportMatchers.toHaveSubject(message, 'Reset').pass, false);
    assert.equal(mailportMatchers.toHaveSubject(detail, /^reset/i).pass, true);
    assert.match(
      mailportMatchers.toHaveSubject(message, 'Welcome').message(),
      /to have subject "Welcome", but its subject is "Reset your password"\./,
    );
  });

  test('toContainLink: a string is contained in a link, a RegExp matches one', () => {
    assert.equal(mailportMatchers.toContainLink(message, 'https://app.example.com/reset?token=').pass, true);
    assert.equal(mailportMatchers.toContainLink(detail, /token=\w+$/).pass, true);
    const miss = mailportMatchers.toContainLink(message, '/unsubscribe');
    assert.equal(miss.pass, false);
    assert.match(miss.message(), /its links are:\n {2}https:\/\/app\.example\.com\/reset\?token=t0k3n/);
    const noBodies = mailportMatchers.toContainLink(summary, '/reset');
    assert.equal(noBodies.pass, false);
    assert.match(noBodies.message(), /it is a summary without bodies\. Pass the result of waitForMessage/);
  });

  test('toHaveAttachment by name, RegExp, or name and content type', () => {
    assert.equal(mailportMatchers.toHaveAttachment(message, 'terms.pdf').pass, true);
    assert.equal(mailportMatchers.toHaveAttachment(message, /\.pdf$/).pass, true);
    assert.equal(
      mailportMatchers.toHaveAttachment(message, { filename: 'terms.pdf', contentType: 'APPLICATION/PDF' })
        .pass,
      true,
    );
    const wrongType = mailportMatchers.toHaveAttachment(message, { contentType: 'text/csv' });
    assert.equal(wrongType.pass, false);
    assert.match(
      wrongType.message(),
      /to have an attachment of type "text\/csv", but its attachments are: terms\.pdf \(application\/pdf\)\./,
    );
  });

  test('anything that is not a message is refused with a clear error', () => {
    assert.throws(() => mailportMatchers.toHaveSubject({ subject: 'x' }, 'x'), NotAMessageError);
    assert.throws(() => mailportMatchers.toHaveSubject(undefined, 'x'), /got undefined/);
  });
});

describe('assertion helpers for node:test', () => {
  test('pass silently when the message fits', () => {
    assertSentTo(message, 'alice@example.com');
    assertSubject(message, /password/);
    assertContainsLink(message, 'token=t0k3n');
    assertHasAttachment(message, 'terms.pdf');
  });

  test('a forgotten await, or a summary where bodies are needed, fails to compile and still fails at run time', () => {
    const pending = Promise.resolve(message);
    // @ts-expect-error A Promise is not a message: tsc --noEmit over the tests fails if this compiles.
    assert.throws(() => assertSentTo(pending, 'alice@example.com'), NotAMessageError);
    // @ts-expect-error The error names the likely mistake, not "an object with keys (none)".
    assert.throws(() => assertSentTo(pending, 'alice@example.com'), /got a Promise: add `await`/);
    // @ts-expect-error A listing's summary has no bodies, so no links to look in.
    assert.throws(() => assertContainsLink(summary, '/reset'), /a summary without bodies/);
    // @ts-expect-error Nor attachments.
    assert.throws(() => assertHasAttachment(summary, 'terms.pdf'), /a summary without bodies/);
    assertSubject(summary, /password/);
  });

  test('throw AssertionError with the reason when it does not', () => {
    const cases: Array<[() => void, RegExp]> = [
      [
        () => assertSentTo(message, 'bob@example.com'),
        /to have been sent to "bob@example\.com", but it was sent to/,
      ],
      [() => assertSubject(message, 'Welcome'), /its subject is "Reset your password"/],
      [() => assertContainsLink(message, '/unsubscribe'), /to contain a link matching "\/unsubscribe"/],
      [() => assertHasAttachment(message, 'invoice.pdf'), /named "invoice\.pdf", but its attachments are/],
    ];
    for (const [run, reason] of cases) {
      assert.throws(run, (error: unknown) => {
        assert.ok(error instanceof AssertionError);
        assert.match(error.message, reason);
        // The stack starts at the caller, not inside the kit.
        assert.doesNotMatch(error.stack?.split('\n')[1] ?? '', /src\/testing\/assertions/);
        return true;
      });
    }
  });
});
