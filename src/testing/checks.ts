/**
 * The checks behind both the Vitest/Jest matchers and the node:test assertions: each returns
 * whether it passed and the two sentences that explain either outcome.
 */
import { formatMatcher, matchesText, type TextMatcher } from '../client/message-filter.js';
import type {
  CheckVerdict,
  ContentCheckId,
  DeliverabilityReport,
  Severity,
} from '../deliverability/types.js';
import type { AttachmentInfo } from '../domain/types.js';
import { viewOf } from './message-view.js';

export interface CheckResult {
  pass: boolean;
  /** Explains a failed positive check (`expect(x).toY()`). */
  failure: string;
  /** Explains a failed negated check (`expect(x).not.toY()`). */
  negatedFailure: string;
}

export interface AttachmentExpectation {
  /** The file name: a string must equal it, a RegExp must match it. */
  filename?: TextMatcher;
  /** The MIME type, e.g. `application/pdf`: a string must equal it (ignoring case). */
  contentType?: TextMatcher;
}

export function checkSentTo(received: unknown, address: TextMatcher): CheckResult {
  const view = viewOf(received);
  const pass = view.recipients.some((recipient) => matchesText(recipient, address, true));
  const list = view.recipients.join(', ') || '(no recipients)';
  return {
    pass,
    failure: `Expected ${view.label} to have been sent to ${formatMatcher(address)}, but it was sent to ${list}.`,
    negatedFailure: `Expected ${view.label} not to have been sent to ${formatMatcher(address)}, but it was (recipients: ${list}).`,
  };
}

export function checkSubject(received: unknown, subject: TextMatcher): CheckResult {
  const view = viewOf(received);
  const actual = view.subject ?? '';
  const pass = matchesText(actual, subject);
  return {
    pass,
    failure: `Expected ${view.label} to have subject ${formatMatcher(subject)}, but its subject is ${JSON.stringify(actual)}.`,
    negatedFailure: `Expected ${view.label} not to have subject ${formatMatcher(subject)}, but it does.`,
  };
}

/** A string matches a link that contains it (links carry per-message tokens); a RegExp is searched. */
export function checkContainsLink(received: unknown, link: TextMatcher): CheckResult {
  const view = viewOf(received);
  if (view.links === null) return bodiesNeeded(view.label, 'links');
  const pass = view.links.some((href) =>
    typeof link === 'string' ? href.includes(link) : matchesText(href, link),
  );
  const list = view.links.length === 0 ? 'it has no links' : `its links are:\n  ${view.links.join('\n  ')}`;
  return {
    pass,
    failure: `Expected ${view.label} to contain a link matching ${formatMatcher(link)}, but ${list}`,
    negatedFailure: `Expected ${view.label} not to contain a link matching ${formatMatcher(link)}, but ${list}`,
  };
}

export function checkAttachment(
  received: unknown,
  expected: TextMatcher | AttachmentExpectation,
): CheckResult {
  const view = viewOf(received);
  if (view.attachments === null) return bodiesNeeded(view.label, 'attachments');
  const wanted: AttachmentExpectation =
    typeof expected === 'string' || expected instanceof RegExp ? { filename: expected } : expected;
  const fits = (attachment: AttachmentInfo): boolean =>
    (wanted.filename === undefined || matchesText(attachment.filename ?? '', wanted.filename)) &&
    (wanted.contentType === undefined || matchesText(attachment.contentType, wanted.contentType, true));
  const pass = view.attachments.some(fits);
  const description = [
    wanted.filename === undefined ? null : `named ${formatMatcher(wanted.filename)}`,
    wanted.contentType === undefined ? null : `of type ${formatMatcher(wanted.contentType)}`,
  ]
    .filter((part) => part !== null)
    .join(' ');
  const list =
    view.attachments.length === 0
      ? 'it has no attachments'
      : `its attachments are: ${view.attachments.map((a) => `${a.filename ?? '(unnamed)'} (${a.contentType})`).join(', ')}`;
  return {
    pass,
    failure: `Expected ${view.label} to have an attachment ${description || '(any)'}, but ${list}.`,
    negatedFailure: `Expected ${view.label} not to have an attachment ${description || '(any)'}, but ${list}.`,
  };
}

export interface DeliveryCheckOptions {
  /**
   * Checks not to hold against the message: `spf`, `dkim`, `dmarc`, `arc`, `spam` (SpamAssassin)
   * or a content check id.
   */
  ignore?: ReadonlyArray<'spf' | 'dkim' | 'dmarc' | 'arc' | 'spam' | ContentCheckId>;
  /** Fail on warnings as well as errors. @defaultValue false */
  failOnWarnings?: boolean;
}

/** The report passes when no check it holds against the message has an error (or a warning, if asked). */
export function checkDeliveryReport(received: unknown, options: DeliveryCheckOptions = {}): CheckResult {
  if (!isReport(received)) {
    const sentence =
      'Expected a deliverability report: pass the result of `await client.checks(message.id)`, not the message itself.';
    return { pass: false, failure: sentence, negatedFailure: sentence };
  }
  const failing: Severity[] = options.failOnWarnings ? ['error', 'warning'] : ['error'];
  const ignored = new Set<string>(options.ignore ?? []);
  const { spf, dkim, dmarc, arc } = received.authentication;
  const authentication: [string, CheckVerdict][] = [
    ['spf', spf],
    ['dkim', dkim],
    ['dmarc', dmarc],
    ['arc', arc],
  ];
  const failed = [
    ...authentication.map(([id, check]) => ({
      id,
      severity: check.severity,
      sentence: check.reason,
      fix: check.fix,
      evidence: [] as string[],
    })),
    ...received.content.map((finding) => ({
      id: finding.id,
      severity: finding.severity,
      sentence: finding.message,
      fix: finding.fix,
      evidence: finding.evidence,
    })),
    {
      id: 'spam',
      severity: received.spamAssassin.severity,
      sentence: received.spamAssassin.reason,
      fix: received.spamAssassin.fix,
      evidence: (received.spam?.rules ?? []).map((rule) => `${rule.score} ${rule.name}: ${rule.description}`),
    },
  ].filter((check) => check.severity !== null && failing.includes(check.severity) && !ignored.has(check.id));
  const label = `message ${received.messageId}`;
  const lines = failed.flatMap((check) => [
    `  ✗ ${check.id} (${check.severity}): ${check.sentence}`,
    ...(check.fix === null ? [] : [`    Fix: ${check.fix}`]),
    ...check.evidence.map((item) => `    - ${item}`),
  ]);
  return {
    pass: failed.length === 0,
    failure: `Expected ${label} to pass the delivery checks, but ${failed.length === 1 ? '1 check fails' : `${failed.length} checks fail`} (SPF evaluated for ${received.sendingIp.address}):\n${lines.join('\n')}`,
    negatedFailure: `Expected ${label} not to pass the delivery checks, but it does (${received.summary.errors} errors, ${received.summary.warnings} warnings).`,
  };
}

function isReport(value: unknown): value is DeliverabilityReport {
  const report = value as Partial<DeliverabilityReport> | null;
  return (
    typeof report === 'object' &&
    report !== null &&
    typeof report.messageId === 'string' &&
    typeof report.authentication === 'object' &&
    Array.isArray(report.content)
  );
}

function bodiesNeeded(label: string, what: string): CheckResult {
  const sentence = `Cannot check the ${what} of ${label}: it is a summary without bodies. Pass the result of waitForMessage or client.getMessage(id) instead.`;
  return { pass: false, failure: sentence, negatedFailure: sentence };
}
