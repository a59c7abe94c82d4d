/**
 * Plain assertions for node:test (or any runner): each throws `AssertionError` with a sentence
 * that says what was expected and what the message actually has.
 *
 * @example
 * ```ts
 * import { assertSentTo, assertContainsLink } from 'mailport';
 * assertSentTo(message, 'alice@example.com');
 * assertContainsLink(message, 'https://app.example.com/reset?token=');
 * ```
 */
import { AssertionError } from 'node:assert';
import type { TextMatcher } from '../client/message-filter.js';
import type { DeliverabilityReport } from '../deliverability/types.js';
import {
  type AttachmentExpectation,
  type CheckResult,
  checkAttachment,
  checkContainsLink,
  checkDeliveryReport,
  checkSentTo,
  checkSubject,
  type DeliveryCheckOptions,
} from './checks.js';
import type { MailportMessage, MessageWithBodies } from './message-view.js';

// Typed parameters catch a forgotten `await` (a Promise) at compile time; the checks still judge
// the value at run time, for JavaScript callers and `any`.
function enforce(
  check: CheckResult,
  expected: unknown,
  operator: string,
  stackStart: (...args: never) => unknown,
): void {
  if (check.pass) return;
  throw new AssertionError({ message: check.failure, expected, operator, stackStartFn: stackStart });
}

export function assertSentTo(message: MailportMessage, address: TextMatcher): void {
  enforce(checkSentTo(message, address), address, 'sentTo', assertSentTo);
}

export function assertSubject(message: MailportMessage, subject: TextMatcher): void {
  enforce(checkSubject(message, subject), subject, 'subject', assertSubject);
}

export function assertContainsLink(message: MessageWithBodies, link: TextMatcher): void {
  enforce(checkContainsLink(message, link), link, 'containsLink', assertContainsLink);
}

export function assertHasAttachment(
  message: MessageWithBodies,
  attachment: TextMatcher | AttachmentExpectation,
): void {
  enforce(checkAttachment(message, attachment), attachment, 'hasAttachment', assertHasAttachment);
}

/** On a deliverability report (`await client.checks(id)`): see `toHavePassedDeliveryChecks`. */
export function assertPassedDeliveryChecks(
  report: DeliverabilityReport,
  options: DeliveryCheckOptions = {},
): void {
  enforce(checkDeliveryReport(report, options), options, 'passedDeliveryChecks', assertPassedDeliveryChecks);
}
