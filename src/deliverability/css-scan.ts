/**
 * A forgiving walk over CSS as mail templates write it (CSS Syntax Level 3, loosely): at-rules,
 * style rules, declarations and comments, reported to a visitor. Email CSS is often broken or
 * wrapped in `<!-- -->` for old clients, so nothing here throws: an unclosed block ends at the end
 * of the text, and a stray token is skipped like a browser skips it.
 */

export interface CssVisitor {
  /** `@media (max-width: 600px)`: the name lowercased, without `@`, and the prelude as written. */
  atRule(name: string, prelude: string): void;
  /** A style rule's selector list, as written; `nested` for a rule inside another rule (CSS Nesting). */
  rule(selectors: string, nested: boolean): void;
  /** A declaration; `context` is the selector list or at-rule it belongs to, `''` in a style attribute. */
  declaration(property: string, value: string, context: string): void;
  comment(text: string): void;
}

/** At-rules whose block holds style rules; the others hold declarations (`@font-face`, `@page`). */
const RULE_BLOCKS: ReadonlySet<string> = new Set([
  'media',
  'supports',
  'document',
  'container',
  'layer',
  'scope',
]);

export function scanStylesheet(css: string, visitor: CssVisitor): void {
  const text = withoutComments(css, visitor);
  scanRules(text, 0, text.length, visitor);
}

/** A `style` attribute: declarations only. */
export function scanStyleAttribute(style: string, visitor: CssVisitor): void {
  const text = withoutComments(style, visitor);
  scanDeclarations(text, 0, text.length, '', visitor);
}

/**
 * Comments are reported, then blanked (so offsets stay put), and so are the `<!--` and `-->`
 * tokens that hide a stylesheet from pre-CSS clients (CSS Syntax §5.4.1 ignores them).
 */
function withoutComments(css: string, visitor: CssVisitor): string {
  return css.replace(/\/\*([\s\S]*?)(?:\*\/|$)|<!--|-->/g, (match, comment: string | undefined) => {
    if (comment !== undefined) visitor.comment(comment.trim());
    return ' '.repeat(match.length);
  });
}

function scanRules(css: string, start: number, end: number, visitor: CssVisitor): void {
  let index = start;
  while (index < end) {
    const stop = nextOf(css, index, end, '{;}');
    const prelude = css.slice(index, stop).trim();
    if (stop >= end || css[stop] !== '{') {
      // `@import url(x);`, `@charset "utf-8";`, or a stray token or brace to skip.
      if (prelude.startsWith('@')) atRule(prelude, visitor);
      index = stop + 1;
      continue;
    }
    const close = closingBrace(css, stop, end);
    if (prelude.startsWith('@')) {
      const name = atRule(prelude, visitor);
      if (RULE_BLOCKS.has(name)) scanRules(css, stop + 1, close, visitor);
      else if (name.endsWith('keyframes')) scanKeyframes(css, stop + 1, close, prelude, visitor);
      else scanDeclarations(css, stop + 1, close, prelude, visitor);
    } else if (prelude !== '') {
      visitor.rule(prelude, false);
      scanDeclarations(css, stop + 1, close, prelude, visitor);
    }
    index = close + 1;
  }
}

/** `from { … } 50% { … }`: the steps' declarations count, their selectors are not CSS selectors. */
function scanKeyframes(css: string, start: number, end: number, context: string, visitor: CssVisitor): void {
  let index = start;
  while (index < end) {
    const open = nextOf(css, index, end, '{');
    if (open >= end) return;
    const close = closingBrace(css, open, end);
    scanDeclarations(css, open + 1, close, context, visitor);
    index = close + 1;
  }
}

function scanDeclarations(
  css: string,
  start: number,
  end: number,
  context: string,
  visitor: CssVisitor,
): void {
  let index = start;
  while (index < end) {
    const stop = nextOf(css, index, end, ';{');
    const text = css.slice(index, Math.min(stop, end)).trim();
    if (stop < end && css[stop] === '{') {
      // A rule inside a rule: CSS Nesting (or an at-rule nested the same way).
      const close = closingBrace(css, stop, end);
      if (text.startsWith('@')) {
        atRule(text, visitor);
        scanDeclarations(css, stop + 1, close, context, visitor);
      } else {
        visitor.rule(text, true);
        scanDeclarations(css, stop + 1, close, text, visitor);
      }
      index = close + 1;
      continue;
    }
    const colon = text.indexOf(':');
    if (colon > 0) {
      const property = text.slice(0, colon).trim().toLowerCase();
      const value = text.slice(colon + 1).trim();
      if (/^-?-?[a-z_][a-z0-9_-]*$/i.test(property) && value !== '')
        visitor.declaration(property, value, context);
    }
    index = stop + 1;
  }
}

function atRule(prelude: string, visitor: CssVisitor): string {
  const match = /^@([a-z0-9_-]+)\s*([\s\S]*)$/i.exec(prelude);
  const name = (match?.[1] ?? '').toLowerCase();
  if (name !== '') visitor.atRule(name, collapse(match?.[2] ?? ''));
  return name;
}

/** The index of the first of `chars` at nesting depth 0 (outside strings, parentheses and brackets), else `end`. */
function nextOf(css: string, start: number, end: number, chars: string): number {
  let depth = 0;
  for (let index = start; index < end; index++) {
    const char = css[index] as string;
    if (char === '"' || char === "'") index = stringEnd(css, index, end);
    else if (char === '(' || char === '[') depth++;
    else if ((char === ')' || char === ']') && depth > 0) depth--;
    else if (depth === 0 && chars.includes(char)) return index;
  }
  return end;
}

/** The index of the `}` closing the `{` at `open`; `end` when it is never closed. */
function closingBrace(css: string, open: number, end: number): number {
  let depth = 0;
  for (let index = open; index < end; index++) {
    const char = css[index];
    if (char === '"' || char === "'") index = stringEnd(css, index, end);
    else if (char === '{') depth++;
    else if (char === '}' && --depth === 0) return index;
  }
  return end;
}

/** The closing quote of the string opening at `start` (a newline ends a bad string, CSS Syntax §4.3.5). */
function stringEnd(css: string, start: number, end: number): number {
  const quote = css[start];
  for (let index = start + 1; index < end; index++) {
    const char = css[index];
    if (char === '\\') index++;
    else if (char === quote || char === '\n') return index;
  }
  return end;
}

export function collapse(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
