/**
 * Matchers for Vitest and Jest: pass the object to `expect.extend`.
 *
 * @example
 * ```ts
 * // vitest.setup.ts (or a Jest setupFilesAfterEnv file)
 * import { expect } from 'vitest';
 * import { mailportMatchers, type MailportMatchers } from 'mailport';
 * expect.extend(mailportMatchers);
 * declare module 'vitest' {
 *   interface Assertion<T = any> extends MailportMatchers<T> {}
 * }
 *
 * // in a test
 * expect(message).toHaveBeenSentTo('alice@example.com');
 * expect(message).toContainLink(/\/reset\?token=/);
 * expect(await sandbox.client.checks(message.id, { ip: '203.0.113.5' })).toHavePassedDeliveryChecks();
 * ```
 */
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

/** The result shape Jest and Vitest expect from a custom matcher. */
export interface MatcherResult {
  pass: boolean;
  message: () => string;
}

/** The matchers, for type augmentation of `expect(...)` in Vitest (`Assertion`) or Jest (`Matchers`). */
export interface MailportMatchers<R = unknown> {
  /** An envelope recipient or a To/Cc/Bcc address equals `address` (ignoring case) or matches the RegExp. */
  toHaveBeenSentTo(address: TextMatcher): R;
  /** The subject equals the string or matches the RegExp. */
  toHaveSubject(subject: TextMatcher): R;
  /** A link (HTML href or URL in the text) contains the string or matches the RegExp. */
  toContainLink(link: TextMatcher): R;
  /** An attachment has this file name, or fits the given name and content type. */
  toHaveAttachment(attachment: TextMatcher | AttachmentExpectation): R;
  /**
   * On a deliverability report (`await client.checks(id)`): no check has an error (or a warning,
   * with `failOnWarnings`), apart from those in `ignore`. A failure lists each check with its fix.
   */
  toHavePassedDeliveryChecks(options?: DeliveryCheckOptions): R;
}

function asMatcher(check: CheckResult): MatcherResult {
  // Jest and Vitest call message() only when the assertion fails: a pass means `.not` failed.
  return { pass: check.pass, message: () => (check.pass ? check.negatedFailure : check.failure) };
}

export const mailportMatchers = {
  toHaveBeenSentTo: (received: unknown, address: TextMatcher): MatcherResult =>
    asMatcher(checkSentTo(received, address)),
  toHaveSubject: (received: unknown, subject: TextMatcher): MatcherResult =>
    asMatcher(checkSubject(received, subject)),
  toContainLink: (received: unknown, link: TextMatcher): MatcherResult =>
    asMatcher(checkContainsLink(received, link)),
  toHaveAttachment: (received: unknown, attachment: TextMatcher | AttachmentExpectation): MatcherResult =>
    asMatcher(checkAttachment(received, attachment)),
  toHavePassedDeliveryChecks: (received: unknown, options?: DeliveryCheckOptions): MatcherResult =>
    asMatcher(checkDeliveryReport(received, options)),
} satisfies Record<keyof MailportMatchers, (received: unknown, expected: never) => MatcherResult>;
