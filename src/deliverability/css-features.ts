/**
 * Which caniemail CSS features a stylesheet or a `style` attribute uses: properties, property
 * values (`display:flex`), functions, units, keywords, at-rules and media features, pseudo-classes
 * and pseudo-elements, selector kinds, comments and nesting. The lookup tables come from the
 * caniemail data itself (titles and slugs follow fixed patterns), so a data update brings its new
 * properties along.
 */
import { FEATURES } from './caniemail.js';
import { type CssVisitor, collapse } from './css-scan.js';
import { cssUrls } from './html-scan.js';

/**
 * Records that the message uses a feature, and where (a short excerpt of the markup or CSS).
 * `variant` is the value as used when caniemail has no feature of its own for it, such as
 * `display:inline-flex` for `css-display-flex`; null for the feature itself.
 */
export type RecordUse = (slug: string, where: string, variant?: string | null) => void;

const CSS = FEATURES.filter((feature) => feature.category === 'css');

/** Features named after a list of properties (in `keywords`) rather than one property. */
const PROPERTY_LIST_FEATURES = [
  'css-border-inline-block-individual',
  'css-border-inline-block-longhand',
  'css-border-radius-logical',
  'css-column-layout-properties',
  'css-grid-template',
];

/** Features whose title names a family of properties that their data lists nowhere. */
const PROPERTY_FAMILIES: Readonly<Record<string, readonly string[]>> = {
  'css-scroll-snap': ['scroll-snap-type', 'scroll-snap-align', 'scroll-snap-stop'],
  'css-text-emphasis': ['text-emphasis-style', 'text-emphasis-color'],
};

/** Titles that list values, not properties. */
const VALUE_LIST_FEATURES = new Set(['css-intrinsic-size', 'css-sytem-ui']);

const PROPERTY_FEATURES: ReadonlyMap<string, string[]> = (() => {
  const map = new Map<string, string[]>();
  const add = (property: string, slug: string): void => {
    map.set(property, [...(map.get(property) ?? []), slug]);
  };
  for (const feature of CSS) {
    if (VALUE_LIST_FEATURES.has(feature.slug)) continue;
    const names = PROPERTY_LIST_FEATURES.includes(feature.slug)
      ? (feature.keywords?.split(',') ?? [])
      : feature.title.replace(/ (shorthand|property|CSS property)$/, '').split(/\s*(?:,|&)\s*/);
    const properties = names.map((name) => name.trim());
    if (properties.every((name) => /^[a-z]+(-[a-z]+)*$/.test(name))) {
      for (const property of properties) add(property, feature.slug);
    }
  }
  for (const [slug, properties] of Object.entries(PROPERTY_FAMILIES)) {
    for (const property of properties) add(property, slug);
  }
  return map;
})();

/** `display:flex` and the like: the property and the keyword, from the title. */
const VALUE_FEATURES = CSS.flatMap((feature) => {
  const match = /^([a-z-]+):\s*([a-z-]+)$/.exec(feature.title);
  return match === null ? [] : [{ slug: feature.slug, property: match[1] ?? '', keyword: match[2] ?? '' }];
});

/** Function name → feature: `clamp()`, `CSS calc() function`, `lch(), oklch(), lab(), oklab()`. */
const FUNCTION_FEATURES: ReadonlyMap<string, string> = new Map([
  ...CSS.filter((feature) => !feature.slug.startsWith('css-pseudo-')).flatMap((feature) =>
    Array.from(feature.title.matchAll(/([a-z-]+)\(\)/g), (match) => [match[1] ?? '', feature.slug] as const),
  ),
  ['var', 'css-variables'],
]);

const UNIT_FEATURES: ReadonlyMap<string, string> = new Map(
  CSS.flatMap((feature) => {
    const unit = /^css-unit-([a-z]+)$/.exec(feature.slug)?.[1];
    if (unit === undefined || unit === 'calc' || unit === 'initial') return [];
    return [[unit === 'percent' ? '%' : unit, feature.slug] as const];
  }),
);

/** Keywords in a value, by feature: font families, sizing keywords, `initial`. */
const KEYWORD_FEATURES: ReadonlyArray<readonly [string, ReadonlySet<string>]> = [
  ['css-sytem-ui', new Set(['system-ui', 'ui-serif', 'ui-sans-serif', 'ui-rounded', 'ui-monospace'])],
  ['css-intrinsic-size', new Set(['fit-content', 'min-content', 'max-content'])],
  ['css-unit-initial', new Set(['initial'])],
];

const AT_RULE_FEATURES: ReadonlyMap<string, string> = new Map(
  CSS.flatMap((feature) => {
    const name = /^@([a-z-]+)$/.exec(feature.title)?.[1];
    return name === undefined ? [] : [[name, feature.slug] as const];
  }),
);

/** Media feature → feature: `@media (hover), @media (any-hover)` names two. */
const MEDIA_FEATURES: ReadonlyMap<string, string> = new Map(
  CSS.filter((feature) => feature.slug.startsWith('css-at-media-')).flatMap((feature) =>
    Array.from(feature.title.matchAll(/\(([a-z-]+)\)/g), (match) => [match[1] ?? '', feature.slug] as const),
  ),
);

const PSEUDO_CLASSES = pseudoFeatures('css-pseudo-class-');
const PSEUDO_ELEMENTS = pseudoFeatures('css-pseudo-element-');
/** CSS 2 wrote these pseudo-elements with one colon; templates still do. */
const LEGACY_PSEUDO_ELEMENTS = new Set(['before', 'after', 'first-letter', 'first-line']);

function pseudoFeatures(prefix: string): ReadonlyMap<string, string> {
  return new Map(
    CSS.filter((feature) => feature.slug.startsWith(prefix)).map(
      (feature) => [feature.slug.slice(prefix.length), feature.slug] as const,
    ),
  );
}

/** Longest excerpt kept to say where a feature is used. */
const MAX_WHERE = 120;

export function excerpt(text: string): string {
  const collapsed = collapse(text);
  return collapsed.length > MAX_WHERE ? `${collapsed.slice(0, MAX_WHERE - 1)}…` : collapsed;
}

/**
 * A visitor for css-scan that records the features used. `element` names the element of a `style`
 * attribute (its declarations read `<div style="…">`); null for a `<style>` sheet. `onUrl` gets
 * every `url(...)` of a value, for the image formats.
 */
export function cssFeatureVisitor(
  record: RecordUse,
  element: string | null,
  onUrl: (url: string, where: string) => void,
): CssVisitor {
  return {
    atRule(name, prelude) {
      const where = excerpt(`@${name} ${prelude}`);
      const slug = AT_RULE_FEATURES.get(name.replace(/^-webkit-/, ''));
      if (slug !== undefined) record(slug, where);
      if (name !== 'media') return;
      for (const match of prelude.toLowerCase().matchAll(/\(\s*([a-z-]+)\s*[:)]/g)) {
        const feature = (match[1] ?? '').replace(/^(-webkit-)?(?:min-|max-)/, '$1');
        const media = MEDIA_FEATURES.get(feature);
        if (media !== undefined) record(media, where);
      }
    },
    rule(selectors, nested) {
      const where = excerpt(`${selectors} { … }`);
      if (nested) record('css-nesting', where);
      for (const slug of selectorFeatures(selectors)) record(slug, where);
    },
    declaration(property, value, context) {
      // `mso-*` properties are instructions for Outlook on Windows that every other client
      // ignores by design: their values' units and keywords are no use of a CSS feature.
      if (property.startsWith('mso-')) return;
      const where = excerpt(
        element === null
          ? `${context} { ${property}: ${value} }`
          : `<${element} style="${property}: ${value}">`,
      );
      for (const [slug, variant] of declarationFeatures(property, value, element !== null))
        record(slug, where, variant);
      for (const url of cssUrls(value)) onUrl(url, where);
    },
    comment(text) {
      record('css-comments', excerpt(`/* ${text} */`));
    },
  };
}

/** The features of a declaration, each with its value variant (see RecordUse) or null. */
function declarationFeatures(property: string, value: string, inline: boolean): Map<string, string | null> {
  const slugs = new Map<string, string | null>();
  const add = (slug: string): void => {
    if (!slugs.has(slug)) slugs.set(slug, null);
  };
  if (property.startsWith('--')) add('css-variables');
  const important = /(\s?)!\s*(important)\s*$/i.exec(value);
  if (important !== null) {
    slugs.set(
      'css-important',
      importantVariant({
        inline,
        spaced: important[1] !== '' || important.index === 0,
        lowercase: important[2] === 'important',
        backgroundImage:
          property === 'background-image' || (property === 'background' && /url\(/i.test(value)),
      }),
    );
  }
  // Units and keywords are read outside strings, url(...) and hex colors, where digits are no lengths.
  const plain = value
    .toLowerCase()
    .replace(/"[^"]*"|'[^']*'|url\([^)]*\)|#[0-9a-f]+\b/g, ' ')
    .replace(/!\s*important\s*$/, '');
  const words = new Set(plain.split(/[\s,/()]+/).filter((word) => word !== ''));
  const values = valueFeatures(property, words);
  // `display:none` is its own feature: the generic `display` one, whose notes list the values
  // each client lacks ("only supports display:none"), would count the same use twice.
  if (values.size === 0) for (const slug of PROPERTY_FEATURES.get(property) ?? []) add(slug);
  for (const [slug, variant] of values) slugs.set(slug, variant);
  for (const match of plain.matchAll(/(?<![a-z0-9-])([a-z][a-z0-9-]*)\(/g)) {
    const slug = FUNCTION_FEATURES.get(match[1] ?? '');
    if (slug !== undefined) add(slug);
  }
  for (const match of plain.matchAll(/(?<![a-z0-9.-])[+-]?(?:\d+\.?\d*|\.\d+)(%|[a-z]+)/g)) {
    const slug = UNIT_FEATURES.get(match[1] ?? '');
    if (slug !== undefined) add(slug);
  }
  for (const [slug, keywords] of KEYWORD_FEATURES) {
    if ([...keywords].some((keyword) => words.has(keyword))) add(slug);
  }
  return slugs;
}

/**
 * How a `!important` is written: where, with or without a space before it, in which case, and on
 * which property. caniemail's notes for css-important tell clients apart by exactly these
 * ("only supported with a space before", "not supported inline"), so each writing is a variant.
 */
export interface ImportantWriting {
  /** In a `style` attribute rather than a `<style>` sheet. */
  inline: boolean;
  /** Whitespace between the value and `!important`. */
  spaced: boolean;
  /** Written `important`, all lowercase. */
  lowercase: boolean;
  /** On `background-image`, or a `background` with an image. */
  backgroundImage: boolean;
}

/** The variant that names a writing, as the report shows it: `!important in a style attribute, …`. */
function importantVariant(writing: ImportantWriting): string {
  return [
    `!important in a ${writing.inline ? 'style attribute' : '<style> sheet'}`,
    writing.spaced ? null : 'with no space before it',
    writing.lowercase ? null : 'not in lowercase',
    writing.backgroundImage && !writing.spaced ? 'on background-image' : null,
  ]
    .filter((part) => part !== null)
    .join(', ');
}

/** Every writing by its variant, so that the report can read a variant back. */
const IMPORTANT_WRITINGS: ReadonlyMap<string, ImportantWriting> = (() => {
  const writings = new Map<string, ImportantWriting>();
  for (const inline of [true, false])
    for (const spaced of [true, false])
      for (const lowercase of [true, false])
        for (const backgroundImage of [true, false]) {
          const writing = { inline, spaced, lowercase, backgroundImage };
          writings.set(importantVariant(writing), writing);
        }
  return writings;
})();

/** The writing a css-important variant names; undefined for any other variant. */
export function importantWriting(variant: string): ImportantWriting | undefined {
  return IMPORTANT_WRITINGS.get(variant);
}

/**
 * The value features of a declaration (`display:flex`). caniemail has no feature for the inline
 * and reversed forms of these values (`inline-flex`, the two-value `inline flex`, `inline-grid`,
 * `column-reverse`, `wrap-reverse`): they map to the closest feature as variants, which the
 * report reads from that feature's data and notes rather than as the feature itself.
 */
function valueFeatures(property: string, words: ReadonlySet<string>): Map<string, string | null> {
  const found = new Map<string, string | null>();
  for (const { slug, property: name, keyword } of VALUE_FEATURES) {
    if (name !== property) continue;
    if (words.has(keyword)) found.set(slug, words.has('inline') ? `${property}:inline-${keyword}` : null);
    else if (words.has(`inline-${keyword}`)) found.set(slug, `${property}:inline-${keyword}`);
    else if (words.has(`${keyword}-reverse`)) found.set(slug, `${property}:${keyword}-reverse`);
  }
  return found;
}

/** The selector kinds, combinators and pseudo-classes of a selector list. */
export function selectorFeatures(selectorList: string): Set<string> {
  const slugs = new Set<string>();
  // Strings go first, then attribute selectors (whose values may hold anything) and pseudo-class
  // arguments (`:nth-child(2n+1)` is no sibling combinator).
  let plain = selectorList.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""');
  plain = plain.replace(/\[\s*([^\]=~|^$*\s]+)[^\]]*\]/g, (_match, name: string) => {
    if (!['id', 'class'].includes(name.toLowerCase())) slugs.add('css-selector-attribute');
    return '[]';
  });
  for (const match of plain.matchAll(/(::?)([a-z-]+)/gi)) {
    const name = (match[2] ?? '').toLowerCase();
    const element = match[1] === '::' || LEGACY_PSEUDO_ELEMENTS.has(name);
    const slug = element ? PSEUDO_ELEMENTS.get(name) : PSEUDO_CLASSES.get(name);
    if (slug !== undefined) slugs.add(slug);
  }
  plain = stripParentheses(plain);
  const selectors = plain.split(',').map((selector) => selector.trim());
  if (selectors.filter((selector) => selector !== '').length > 1) slugs.add('css-selector-grouping');
  for (const selector of selectors) {
    if (selector.includes('>')) slugs.add('css-selector-child');
    if (selector.includes('+')) slugs.add('css-selector-adjacent-sibling');
    if (selector.includes('~')) slugs.add('css-selector-general-sibling');
    if (/[^\s>+~]\s+[^\s>+~]/.test(selector)) slugs.add('css-selector-descendant');
    for (const compound of selector.split(/\s*[>+~]\s*|\s+/)) {
      const classes = compound.match(/\.-?[a-z_][\w-]*/gi)?.length ?? 0;
      if (classes > 0) slugs.add('css-selector-class');
      if (classes > 1) slugs.add('css-selector-chaining');
      if (/#-?[a-z_][\w-]*/i.test(compound)) slugs.add('css-selector-id');
      if (/^[a-z][a-z0-9-]*/i.test(compound)) slugs.add('css-selector-type');
      if (compound.startsWith('*')) slugs.add('css-selector-universal');
    }
  }
  return slugs;
}

function stripParentheses(text: string): string {
  let previous: string;
  let current = text;
  do {
    previous = current;
    current = current.replace(/\([^()]*\)/g, '');
  } while (current !== previous);
  return current;
}
