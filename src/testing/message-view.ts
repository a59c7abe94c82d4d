/**
 * The one shape matchers and assertions read, whatever they were handed: a `ReceivedMessage`
 * (from the waits), a `MessageDetail` (from `client.getMessage`) or a `MessageSummary` (from a
 * listing or an event; it has no bodies, so link and attachment checks need one of the others).
 */
import { ReceivedMessage } from '../client/received-message.js';
import type { AttachmentInfo, MessageDetail, MessageSummary } from '../domain/types.js';

/** What the assertions take: a message from the waits, `getMessage` or a listing. */
export type MailportMessage = ReceivedMessage | MessageDetail | MessageSummary;
/** A message with its bodies; a listing's summary has none, so its links and attachments are unknown. */
export type MessageWithBodies = ReceivedMessage | MessageDetail;

export interface MessageView {
  label: string;
  subject: string | null;
  /** Envelope recipients and To/Cc/Bcc header addresses. */
  recipients: string[];
  /** null when only a summary was given. */
  links: string[] | null;
  attachments: AttachmentInfo[] | null;
}

export class NotAMessageError extends TypeError {
  override readonly name = 'NotAMessageError';
}

function isSummary(value: unknown): value is MessageSummary {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as MessageSummary).id === 'string' &&
    Array.isArray((value as MessageSummary).envelopeTo)
  );
}

function isDetail(value: unknown): value is MessageDetail {
  return isSummary(value) && typeof (value as MessageDetail).parsed === 'object';
}

export function viewOf(received: unknown): MessageView {
  const message =
    received instanceof ReceivedMessage
      ? received
      : isDetail(received)
        ? new ReceivedMessage(received)
        : null;
  const summary = message?.detail ?? (isSummary(received) ? received : null);
  if (summary === null) {
    throw new NotAMessageError(
      `Expected a Mailport message (from waitForMessage, getMessage or listMessages), got ${describeValue(received)}.`,
    );
  }
  const parsed = message?.detail.parsed;
  const headerAddresses = [...summary.to, ...(parsed ? [...parsed.to, ...parsed.cc, ...parsed.bcc] : [])].map(
    (value) => value.address,
  );
  return {
    label: `message "${summary.subject ?? '(no subject)'}" (${summary.id})`,
    subject: summary.subject,
    recipients: [...new Set([...summary.envelopeTo, ...headerAddresses])],
    links: message ? message.links() : null,
    attachments: parsed ? parsed.attachments : null,
  };
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  // The usual cause in JavaScript is a forgotten `await`, and a Promise has no keys to list.
  if (typeof (value as { then?: unknown }).then === 'function')
    return 'a Promise: add `await` before the call that returned it';
  if (typeof value === 'object')
    return `an object with keys ${Object.keys(value).slice(0, 6).join(', ') || '(none)'}`;
  return `${typeof value} ${JSON.stringify(value)}`;
}
