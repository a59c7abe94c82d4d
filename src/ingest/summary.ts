/** The list view of a newly accepted message, as announced in `message.received`. */
import type { IncomingMessage, MessageSummary, ParsedMessage } from '../domain/types.js';
import { snippet } from '../mime/snippet.js';

export function summarize(id: string, incoming: IncomingMessage, parsed: ParsedMessage): MessageSummary {
  return {
    id,
    inbox: incoming.inbox,
    receivedAt: incoming.receivedAt.toISOString(),
    size: incoming.raw.length,
    subject: parsed.subject,
    from: parsed.from,
    to: parsed.to,
    envelopeFrom: incoming.envelope.mailFrom.address,
    envelopeTo: incoming.envelope.rcptTo.map((rcpt) => rcpt.address),
    listener: incoming.listener,
    attachmentCount: parsed.attachments.length,
    snippet: snippet(parsed),
    read: false,
  };
}
