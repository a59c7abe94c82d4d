/**
 * Serving captured HTML safely. The HTML is whatever a client sent, so it is served under a CSP
 * with `sandbox` (opaque origin, no scripts, no forms, no top navigation) and no script source at
 * all; images and inline styles stay allowed so the message still looks like it will in a mail app.
 */
import type { AttachmentInfo } from '../domain/types.js';

export const HTML_CSP = [
  'sandbox',
  "default-src 'none'",
  "img-src 'self' data: http: https:",
  "style-src 'unsafe-inline' http: https:",
  'font-src data: http: https:',
  "form-action 'none'",
  "frame-ancestors 'self'",
].join('; ');

/** Headers for any attacker-controlled body served from the API origin (HTML, attachments). */
export const UNTRUSTED_CONTENT_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': HTML_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/**
 * Points `cid:` references (RFC 2392) at the attachment route, so inline images render without
 * being inlined into the stored HTML.
 */
export function resolveCidLinks(
  html: string,
  messageId: string,
  attachments: readonly AttachmentInfo[],
): string {
  const byContentId = new Map<string, number>();
  for (const attachment of attachments) {
    if (attachment.contentId !== null)
      byContentId.set(stripAngles(attachment.contentId).toLowerCase(), attachment.index);
  }
  if (byContentId.size === 0) return html;
  return html.replace(/cid:([^"'\s)>]+)/gi, (whole, contentId: string) => {
    const index = byContentId.get(decodeCid(contentId).toLowerCase());
    return index === undefined
      ? whole
      : `/api/v1/messages/${encodeURIComponent(messageId)}/attachments/${index}`;
  });
}

function stripAngles(contentId: string): string {
  return contentId.replace(/^<|>$/g, '');
}

function decodeCid(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
