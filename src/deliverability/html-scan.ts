/**
 * One pass of a real HTML parser (htmlparser2, the one mailparser already uses through
 * html-to-text) over the HTML body, collecting what the content and link checks read: anchors
 * with their text, images with their `alt`, background images, and elements mail clients strip or
 * block.
 */
import { Parser } from 'htmlparser2';

export interface HtmlAnchor {
  element: 'a' | 'area';
  href: string;
  /** The visible text, whitespace collapsed; an image inside counts with its `alt`. */
  text: string;
}

export interface HtmlImage {
  src: string;
  /** null when the attribute is missing; `''` marks a decorative image, which is correct. */
  alt: string | null;
}

/** Elements mail clients remove or refuse to run. */
export type BlockedElement = 'script' | 'form' | 'iframe' | 'object' | 'embed';

const BLOCKED: ReadonlySet<string> = new Set<BlockedElement>(['script', 'form', 'iframe', 'object', 'embed']);

export interface HtmlScan {
  anchors: HtmlAnchor[];
  images: HtmlImage[];
  /**
   * Background images: `background` attributes (tables and cells in mail templates) and CSS
   * `url(...)` in `style` attributes and `<style>` elements. `data:` URLs are left out: they are
   * in the message already.
   */
  backgrounds: string[];
  /** How often each blocked element occurs. */
  blocked: Map<BlockedElement, number>;
}

/** Hostile HTML can hold any number of tags: past this many, anchors and images are not collected. */
export const MAX_COLLECTED = 1000;

/** Link texts are kept to this many characters. */
const MAX_TEXT = 300;

export function scanHtml(html: string): HtmlScan {
  const scan: HtmlScan = { anchors: [], images: [], backgrounds: [], blocked: new Map() };
  let open: { element: 'a'; href: string; text: string } | null = null;
  let inStyle = false;
  const background = (url: string): void => {
    const trimmed = url.trim();
    if (trimmed !== '' && !/^data:/i.test(trimmed)) collect(scan.backgrounds, trimmed);
  };

  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (attributes.background !== undefined) background(attributes.background);
        if (attributes.style !== undefined) for (const url of cssUrls(attributes.style)) background(url);
        if (name === 'style') inStyle = true;
        if (BLOCKED.has(name)) {
          const element = name as BlockedElement;
          scan.blocked.set(element, (scan.blocked.get(element) ?? 0) + 1);
        } else if (name === 'a' && attributes.href !== undefined) {
          open = { element: 'a', href: attributes.href.trim(), text: '' };
        } else if (name === 'area' && attributes.href !== undefined) {
          collect(scan.anchors, {
            element: 'area',
            href: attributes.href.trim(),
            text: attributes.alt ?? '',
          });
        } else if (name === 'img' && attributes.src !== undefined) {
          const alt = attributes.alt ?? null;
          collect(scan.images, { src: attributes.src.trim(), alt });
          if (open !== null && alt !== null) open.text += ` ${alt} `;
        }
      },
      ontext(text) {
        if (inStyle) for (const url of cssUrls(text)) background(url);
        else if (open !== null && open.text.length < MAX_TEXT * 2) open.text += text;
      },
      onclosetag(name) {
        if (name === 'style') inStyle = false;
        if (name !== 'a' || open === null) return;
        collect(scan.anchors, { ...open, text: collapse(open.text) });
        open = null;
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.write(html);
  parser.end();
  return scan;
}

/**
 * The URLs of CSS `url(...)` values (CSS Syntax §4.3.6: quoted or not). Text chunks of a `<style>`
 * element can split a value; the parser hands the text of a short element over whole.
 */
export function cssUrls(css: string): string[] {
  return Array.from(css.matchAll(/url\(\s*(["']?)([^"')]*)\1\s*\)/gi), (match) => match[2] ?? '');
}

function collect<T>(list: T[], item: T): void {
  if (list.length < MAX_COLLECTED) list.push(item);
}

function collapse(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, MAX_TEXT);
}
