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

function enforce(
  check: CheckResult,
  expected: unknown,
  operator: string,
  stackStart: (...args: never) => unknown,
): void {
  if (check.pass) return;
  throw new AssertionError({ message: check.failure, expected, operator, stackStartFn: stackStart });
}

export function assertSentTo(message: unknown, address: TextMatcher): void {
  enforce(checkSentTo(message, address), address, 'sentTo', assertSentTo);
}

export function assertSubject(message: unknown, subject: TextMatcher): void {
  enforce(checkSubject(message, subject), subject, 'subject', assertSubject);
}

export function assertContainsLink(message: unknown, link: TextMatcher): void {
  enforce(checkContainsLink(message, link), link, 'containsLink', assertContainsLink);
}

export function assertHasAttachment(message: unknown, attachment: TextMatcher | AttachmentExpectation): void {
  enforce(checkAttachment(message, attachment), attachment, 'hasAttachment', assertHasAttachment);
}

/** On a deliverability report (`await client.checks(id)`): see `toHavePassedDeliveryChecks`. */
export function assertPassedDeliveryChecks(report: unknown, options: DeliveryCheckOptions = {}): void {
  enforce(checkDeliveryReport(report, options), options, 'passedDeliveryChecks', assertPassedDeliveryChecks);
}
