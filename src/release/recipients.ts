/**
 * The recipients of one release: those the request names, else the default the allow-list gives,
 * each checked as an RFC 5321 mailbox and against `--release-allow`. All or nothing: a request
 * with one recipient that may not be used sends to nobody.
 */
import { checkMailbox } from '../protocol/envelope.js';
import type { ReleaseAllowList } from './allow-list.js';
import { ReleaseRecipientsError } from './errors.js';

export function chooseRecipients(
  requested: readonly string[] | undefined,
  envelopeTo: readonly string[],
  allow: ReleaseAllowList,
): string[] {
  const candidates = unique(requested ?? allow.defaultRecipients(envelopeTo));
  const details = { allow: allow.patterns };
  if (candidates.length === 0) {
    throw new ReleaseRecipientsError(
      'required',
      'This release names no recipient, and without --release-allow Mailport does not send to the message’s own recipients.',
      {
        ...details,
        recipients: [],
        fix: 'Name the addresses to release to (`"to": ["you@example.com"]`, `--to` on the command line), or start mailport serve with --release-allow \'*@example.com\' to release to the message’s recipients that match.',
      },
    );
  }
  const invalid = candidates.filter((address) => checkMailbox(address, true).verdict !== 'valid');
  if (invalid.length > 0) {
    throw new ReleaseRecipientsError('invalid', `Not an e-mail address: ${invalid.join(', ')}.`, {
      ...details,
      recipients: invalid,
      fix: 'Give each recipient as local@domain, e.g. qa@example.com, without a display name or angle brackets.',
    });
  }
  const refused = allow.configured ? candidates.filter((address) => !allow.permits(address)) : [];
  if (refused.length > 0) {
    throw new ReleaseRecipientsError(
      'not-allowed',
      `Not allowed by --release-allow ${allow.patterns.join(', ')}: ${refused.join(', ')}. Nothing was sent.`,
      {
        ...details,
        recipients: refused,
        fix:
          requested === undefined
            ? 'Name the allowed recipients explicitly (`"to": [...]`, `--to`), or widen --release-allow on the server.'
            : 'Release to addresses that match --release-allow, or widen --release-allow on the server.',
      },
    );
  }
  return candidates;
}

/** Each address once, the first spelling kept: the domain is case-insensitive, the local part not (RFC 5321 §2.4). */
function unique(addresses: readonly string[]): string[] {
  const seen = new Set<string>();
  return addresses
    .map((address) => address.trim())
    .filter((address) => {
      const at = address.lastIndexOf('@');
      const key = `${address.slice(0, at + 1)}${address.slice(at + 1).toLowerCase()}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}
