/**
 * `POST /api/v1/messages` turns an uploaded message into the same IncomingMessage an SMTP session
 * would produce, so imported mail goes through the one ingest path. Envelope addresses not given
 * explicitly are taken from the headers (From; To, Cc and Bcc), as a submission client would.
 */
import { newId } from '../domain/ids.js';
import type { Envelope, EnvelopeAddress, IncomingMessage } from '../domain/types.js';
import { messageFacts } from '../mime/message-facts.js';

export interface ImportOptions {
  inbox?: string | undefined;
  mailFrom?: string | undefined;
  rcptTo?: string[] | undefined;
}

export const DEFAULT_INBOX = 'default';

export async function buildImportedMessage(
  raw: Buffer,
  options: ImportOptions,
  client: { address: string; port: number },
): Promise<IncomingMessage> {
  return {
    raw,
    envelope: await envelopeFor(raw, options),
    inbox: options.inbox ?? DEFAULT_INBOX,
    sessionId: newId(),
    // Imported mail did not arrive on a listener: it is filed as relay mail on port 0.
    listener: { profile: 'relay', port: 0 },
    client,
    heloName: null,
    tls: null,
    auth: null,
    receivedAt: new Date(),
  };
}

async function envelopeFor(raw: Buffer, options: ImportOptions): Promise<Envelope> {
  let { mailFrom, rcptTo } = options;
  if (mailFrom === undefined || rcptTo === undefined || rcptTo.length === 0) {
    const parsed = messageFacts(raw, { mailFrom: envelopeAddress(''), rcptTo: [] });
    mailFrom ??= parsed.from[0]?.address ?? '';
    if (rcptTo === undefined || rcptTo.length === 0) {
      rcptTo = unique([...parsed.to, ...parsed.cc, ...parsed.bcc].map((value) => value.address));
    }
  }
  return { mailFrom: envelopeAddress(mailFrom), rcptTo: rcptTo.map(envelopeAddress) };
}

function envelopeAddress(address: string): EnvelopeAddress {
  return { address, params: {} };
}

function unique(addresses: string[]): string[] {
  return [...new Set(addresses.filter((address) => address !== ''))];
}
