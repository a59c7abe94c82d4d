/**
 * A firewall that inspects SMTP on the way (Cisco ASA or PIX, `inspect esmtp`) masks the greeting
 * with asterisks, a few digits left, and turns the EHLO keywords it does not allow (STARTTLS, AUTH)
 * into X's: clients then see no STARTTLS, though the server offers it.
 */
import type { EhloCapabilities } from '../smtp-client/ehlo.js';

const MASKED_GREETING = /^220[ -]\*[*0-9 ]{15,}$/;
const MASKED_KEYWORD = /^X{6,}[A-Z]?$/;

/** What in the session shows the inspection, in words; null when nothing does. */
export function esmtpInspectionSigns(banner: string | null, capabilities: EhloCapabilities): string | null {
  const signs: string[] = [];
  if (banner !== null && MASKED_GREETING.test(banner.trim()))
    signs.push('the greeting masked with asterisks');
  const masked = Object.keys(capabilities.extensions).filter((keyword) => MASKED_KEYWORD.test(keyword));
  if (masked.length > 0) signs.push(`EHLO keywords turned into ${masked.join(', ')}`);
  return signs.length > 0 ? signs.join(', ') : null;
}
