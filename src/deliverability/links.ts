/**
 * Every link and image of a message, from the HTML anchors, areas, images and background images
 * and the URLs written in the text part, each with the content checks it fails.
 */
import { findTextUrls } from '../mime/text-links.js';
import { displayedHost, localHostReason, organizationalDomain } from './hosts.js';
import { type HtmlScan, MAX_COLLECTED } from './html-scan.js';
import type { ContentCheckId, LinkCheck } from './types.js';

/** The URL, when it parses as an absolute http(s) URL. */
export function webUrl(url: string): URL | null {
  if (!URL.canParse(url)) return null;
  const parsed = new URL(url);
  return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed : null;
}

export function collectLinks(scan: HtmlScan | null, text: string | null): LinkCheck[] {
  const links: LinkCheck[] = [];
  for (const anchor of scan?.anchors ?? []) {
    links.push(link(anchor.href, anchor.text, 'html', anchor.element));
  }
  for (const image of scan?.images ?? []) {
    links.push(link(image.src, image.alt ?? '', 'html', 'img', image.alt === null));
  }
  for (const url of scan?.backgrounds ?? []) links.push(link(url, '', 'html', 'background'));
  for (const url of findTextUrls(text ?? '')) links.push(link(url, '', 'text', 'text'));
  return links.slice(0, MAX_COLLECTED * 2);
}

function link(
  url: string,
  text: string,
  part: LinkCheck['part'],
  element: LinkCheck['element'],
  missingAlt = false,
): LinkCheck {
  const problems: ContentCheckId[] = [];
  if (missingAlt) problems.push('image-without-alt');
  const web = webUrl(url);
  if (web !== null) {
    const image = element === 'img' || element === 'background';
    if (web.protocol === 'http:') problems.push(image ? 'insecure-image' : 'insecure-link');
    if (localHostReason(web.hostname) !== null) problems.push('development-url');
    if (!image && textShowsOtherDomain(text, web)) problems.push('link-text-mismatch');
  }
  return { url, text, part, element, problems, probe: null };
}

/** The text reads as a URL or domain whose organizational domain is not the href's. */
function textShowsOtherDomain(text: string, href: URL): boolean {
  const shown = displayedHost(text);
  return shown !== null && organizationalDomain(shown) !== organizationalDomain(href.hostname);
}
