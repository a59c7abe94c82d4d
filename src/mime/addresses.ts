/** Address lists as the parsed views hold them: groups flattened, Bcc taken from the envelope. */
import type { AddressValue, Envelope } from '../domain/types.js';

/** An address as addressparser (and mailparser, which uses it) returns it. */
export interface AddressEntry {
  name?: string;
  address?: string;
  group?: AddressEntry[];
}

/** Flattens RFC 5322 §3.4 groups (`Team: a@x, b@x;`) into plain addresses; entries without an address are dropped. */
export function flattenAddresses(entries: readonly AddressEntry[], out: AddressValue[] = []): AddressValue[] {
  for (const entry of entries) {
    if (entry.group !== undefined) flattenAddresses(entry.group, out);
    else if (entry.address) out.push({ name: entry.name ?? '', address: entry.address });
  }
  return out;
}

/**
 * Bcc recipients never appear in the delivered headers (RFC 5322 §3.6.3), so they are the envelope
 * recipients (RFC 5321 RCPT TO) that no To/Cc header names. A Bcc header, when a client left one
 * in, only lends its display names.
 */
export function blindRecipients(
  envelope: Envelope,
  visible: AddressValue[],
  bccHeader: AddressValue[],
): AddressValue[] {
  const seen = new Set(visible.map((entry) => entry.address.toLowerCase()));
  const names = new Map(bccHeader.map((entry) => [entry.address.toLowerCase(), entry.name]));
  const out: AddressValue[] = [];
  for (const rcpt of envelope.rcptTo) {
    const key = rcpt.address.toLowerCase();
    if (key === '' || seen.has(key)) continue;
    seen.add(key);
    out.push({ name: names.get(key) ?? '', address: rcpt.address });
  }
  return out;
}
