/**
 * Prepares a message's HTML for the preview iframe. The iframe is sandboxed without
 * `allow-scripts` (scripts never run); on top of that a Content-Security-Policy `<meta>` blocks
 * every remote fetch (tracking pixels included) until the user allows remote images, and `cid:`
 * references (RFC 2392) are pointed at the API's attachment URLs so inline images render.
 * Until then remote URLs are also disarmed in the markup itself, so no fetch can happen even
 * where a browser looks at the markup before the policy applies (e.g. a speculative preload).
 */
import type { AttachmentInfo } from '../api/types.js';

/**
 * `src=`, `background=` and CSS `url()` values that load over the network, and the `href=` of a
 * `<link>` (a web-font stylesheet, as MJML templates carry): never the `href=` of a link to follow.
 */
const REMOTE_PATTERN =
  /(?:\b(?:src|background|poster)\s*=\s*["']?\s*|url\(\s*["']?\s*|<link\b[^>]*?\shref\s*=\s*["']?\s*)(?:https?:)?\/\//gi;

/** `srcset` lists several URLs, each of which may be remote. */
const SRCSET_PATTERN = /\bsrcset\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+)/gi;
const SRCSET_REMOTE_URL = /(^|[\s,"'=])(?:https?:)?\/\//gi;
/**
 * An empty data: URL, which fetches nothing and which the policy allows (a scheme it did not allow
 * would be reported as a violation in the browser's console for every image), followed by the
 * address it replaces, so that it stays readable in the source.
 */
const DISARMED = 'data:,blocked-remote/';

export function countRemoteResources(html: string): number {
  return html.match(REMOTE_PATTERN)?.length ?? 0;
}

function disarmRemoteUrls(html: string): string {
  return html
    .replace(REMOTE_PATTERN, (match) => match.replace(/(?:https?:)?\/\/$/i, DISARMED))
    .replace(SRCSET_PATTERN, (attribute) => attribute.replace(SRCSET_REMOTE_URL, `$1${DISARMED}`));
}

export interface PrepareOptions {
  allowRemote: boolean;
  attachments: AttachmentInfo[];
  attachmentUrl: (index: number) => string;
  /** The UI's own origin, allowed as an image source for the rewritten `cid:` URLs. */
  origin: string;
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
}

export function prepareEmailHtml(html: string, options: PrepareOptions): string {
  const byContentId = new Map<string, string>();
  for (const attachment of options.attachments) {
    if (attachment.contentId === null) continue;
    const id = attachment.contentId.replace(/^<|>$/g, '').toLowerCase();
    byContentId.set(id, `${options.origin}${options.attachmentUrl(attachment.index)}`);
  }
  const markup = options.allowRemote ? html : disarmRemoteUrls(html);
  const body = markup.replace(/cid:([^"'()\s>]+)/gi, (match, id: string) => {
    let key = id.toLowerCase();
    try {
      key = decodeURIComponent(key);
    } catch {
      // Not percent-encoded; use as is.
    }
    return byContentId.get(key) ?? match;
  });
  const remote = options.allowRemote ? ' https: http:' : '';
  const policy = [
    "default-src 'none'",
    `img-src data: ${options.origin}${remote}`,
    // data: for the disarmed stylesheets, which hold nothing: inline styles are allowed anyway.
    `style-src 'unsafe-inline' data:${remote}`,
    `font-src data:${remote}`,
    `media-src data:${remote}`,
  ].join('; ');
  // A <meta> before any markup lands first in <head>, so it applies to every resource below it.
  const head = [
    `<meta http-equiv="Content-Security-Policy" content="${escapeAttribute(policy)}">`,
    '<meta name="color-scheme" content="light">',
    '<meta name="referrer" content="no-referrer">',
    '<base target="_blank">',
  ].join('');
  // Keep a leading doctype first so the email renders in the mode its author chose.
  const doctype = /^\s*<!doctype[^>]*>/i.exec(body)?.[0] ?? '';
  return doctype + head + body.slice(doctype.length);
}
