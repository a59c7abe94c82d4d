/** Short plain-text previews and the plain text that search indexes. */
import type { ParsedMessage } from '../domain/types.js';

const SNIPPET_LENGTH = 160;

/** Phrasing elements (HTML § 3.2.5.2.5) that wrap words without separating them. */
const INLINE_ELEMENTS: ReadonlySet<string> = new Set(
  'a abbr b bdi bdo cite code data dfn em font i kbd mark q s samp small span strike strong sub sup time tt u var'.split(
    ' ',
  ),
);

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** The message's readable text: the text part, or the HTML part with its markup removed. */
export function plainText(parsed: Pick<ParsedMessage, 'text' | 'html'>): string {
  if (parsed.text !== null && parsed.text.trim() !== '') return parsed.text;
  if (parsed.html === null) return '';
  return (
    parsed.html
      .replace(/<(script|style|head)\b[\s\S]*?<\/\1\s*>/gi, ' ')
      // An inline element's tags sit inside the text ("Hello <b>there</b>, welcome"): they go without
      // a trace; any other tag (a paragraph, a cell, a line break) separates words.
      .replace(/<\/?([a-z][a-z0-9]*)\b[^>]*>/gi, (_tag, name: string) =>
        INLINE_ELEMENTS.has(name.toLowerCase()) ? '' : ' ',
      )
      .replace(/<[^>]*>/g, ' ')
      .replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (entity, name: string) => decodeEntity(name) ?? entity)
  );
}

/** First ~160 characters of the readable text, whitespace collapsed, for message lists. */
export function snippet(parsed: Pick<ParsedMessage, 'text' | 'html'>): string {
  const text = collapsedStart(plainText(parsed));
  if (text.length <= SNIPPET_LENGTH) return text;
  const cut = text.slice(0, SNIPPET_LENGTH);
  const lastSpace = cut.lastIndexOf(' ');
  return `${(lastSpace > SNIPPET_LENGTH / 2 ? cut.slice(0, lastSpace) : cut).trimEnd()}…`;
}

/**
 * The text with whitespace runs collapsed and trimmed, or its start once that decides the
 * snippet: one more character than the snippet, so that a word cut at its end shows. Ingest calls
 * this for every message, so it reads only that far rather than collapsing the whole body.
 */
function collapsedStart(text: string): string {
  let collapsed = '';
  let spaceBefore = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i] as string;
    if (isWhitespace(char)) {
      spaceBefore = collapsed.length > 0;
      continue;
    }
    // A NUL or another control character has no glyph: a list would show a box for it.
    if (isControl(char)) continue;
    if (spaceBefore) collapsed += ' ';
    spaceBefore = false;
    collapsed += char;
    if (collapsed.length > SNIPPET_LENGTH + 1) return collapsed;
  }
  return collapsed;
}

/** What `\s` matches, without running a regular expression for ASCII. */
function isWhitespace(char: string): boolean {
  const code = char.charCodeAt(0);
  if (code < 0x80) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  return /\s/.test(char);
}

/** C0 controls (whitespace is handled before), DEL and C1 controls. */
function isControl(char: string): boolean {
  const code = char.charCodeAt(0);
  return code < 0x20 || (code >= 0x7f && code <= 0x9f);
}

function decodeEntity(name: string): string | undefined {
  if (name.startsWith('#')) {
    const code =
      name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
    return Number.isInteger(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : undefined;
  }
  return ENTITIES[name.toLowerCase()];
}
