/** Builds NewMessage values from the .eml fixtures, the way the SMTP server would hand them to a store. */
import { readFileSync } from 'node:fs';
import { newId } from '../../src/domain/ids.js';
import type { AuthFacts, Envelope, TlsFacts } from '../../src/domain/types.js';
import { messageFacts } from '../../src/mime/message-facts.js';
import type { ProfileName } from '../../src/profiles/port-profiles.js';
import type { NewMessage } from '../../src/storage/store.js';
import { repoPath } from '../helpers/repo-paths.js';

export type FixtureName = 'alternative' | 'attachments' | 'inline-image' | 'rfc2047' | 'bcc' | 'malformed';

export function readFixture(name: FixtureName): Buffer {
  return readFileSync(repoPath('test', 'fixtures', `${name}.eml`));
}

export interface MessageOptions {
  mailFrom?: string;
  rcptTo?: string[];
  inbox?: string;
  profile?: ProfileName;
  port?: number;
  receivedAt?: Date;
  tls?: TlsFacts | null;
  auth?: AuthFacts | null;
}

export function envelopeOf(mailFrom: string, rcptTo: string[]): Envelope {
  return {
    mailFrom: { address: mailFrom, params: { SIZE: '1000', BODY: '8BITMIME' } },
    rcptTo: rcptTo.map((address) => ({ address, params: {} })),
  };
}

export async function fixtureMessage(name: FixtureName, options: MessageOptions = {}): Promise<NewMessage> {
  return messageOf(readFixture(name), options);
}

/** A message as received with these bytes. */
export function messageOf(raw: Buffer, options: MessageOptions = {}): NewMessage {
  const receivedAt = options.receivedAt ?? new Date();
  const envelope = envelopeOf(
    options.mailFrom ?? 'sender@example.test',
    options.rcptTo ?? ['rcpt@example.test'],
  );
  return {
    id: newId(receivedAt.getTime()),
    incoming: {
      raw,
      envelope,
      inbox: options.inbox ?? 'default',
      sessionId: newId(receivedAt.getTime()),
      listener: { profile: options.profile ?? 'relay', port: options.port ?? 1025 },
      client: { address: '127.0.0.1', port: 50_123 },
      heloName: 'client.example.test',
      tls: options.tls ?? null,
      auth: options.auth ?? null,
      receivedAt,
    },
    facts: messageFacts(raw, envelope),
  };
}
