/** The list view of a newly accepted message, as announced in `message.received`. */
import type { IncomingMessage, MessageSummary } from '../domain/types.js';
import type { MessageFacts } from '../mime/message-facts.js';
import { snippet } from '../mime/snippet.js';

export function summarize(id: string, incoming: IncomingMessage, facts: MessageFacts): MessageSummary {
  return {
    id,
    inbox: incoming.inbox,
    receivedAt: incoming.receivedAt.toISOString(),
    size: incoming.raw.length,
    subject: facts.subject,
    from: facts.from,
    to: facts.to,
    envelopeFrom: incoming.envelope.mailFrom.address,
    envelopeTo: incoming.envelope.rcptTo.map((rcpt) => rcpt.address),
    listener: incoming.listener,
    attachmentCount: facts.attachmentCount,
    snippet: snippet(facts),
    read: false,
  };
}
