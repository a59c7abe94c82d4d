/**
 * Which caniemail features an HTML body uses, and where: one htmlparser2 pass over the markup
 * (elements, attributes, the doctype, comments, links, images and their formats) that hands
 * `<style>` sheets and `style` attributes to css-scan with the CSS feature visitor.
 */
import { Parser } from 'htmlparser2';
import { FEATURES } from './caniemail.js';
import { cssFeatureVisitor, excerpt, type RecordUse } from './css-features.js';
import { scanStyleAttribute, scanStylesheet } from './css-scan.js';

export interface FeatureUse {
  slug: string;
  /** The value as used when it stands in for `slug` (`display:inline-flex`); null for the feature itself. */
  variant: string | null;
  /**
   * Every use sits in an `<!--[if !mso]><!-->…<!--<![endif]-->` block, the markup that templates
   * hide from Outlook on Windows and Windows Mail (the clients that read MSO conditional comments)
   * behind a fallback of their own, such as a VML button.
   */
  hiddenFromOutlook: boolean;
  /** How many times the message uses it. */
  occurrences: number;
  /** Distinct places it is used, in order, at most MAX_PLACES. */
  where: string[];
}

const MAX_PLACES = 5;

const HTML = FEATURES.filter((feature) => feature.category === 'html');

/** Features that stand for a group of elements, as their descriptions list them. */
const ELEMENT_GROUPS: Readonly<Record<string, readonly string[]>> = {
  'html-h1-h6': ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'],
  'html-lists': ['ul', 'ol', 'li', 'dl', 'dt', 'dd'],
  'html-semantics': [
    'article',
    'aside',
    'details',
    'figcaption',
    'figure',
    'footer',
    'header',
    'main',
    'mark',
    'nav',
    'section',
    'summary',
    'time',
  ],
  'html-address': ['address'],
  'html-image-maps': ['map'],
  'html-svg': ['svg'],
};

/** Element → features, from titles such as `<abbr> element` and `<base>`, plus the groups. */
const ELEMENT_FEATURES: ReadonlyMap<string, string[]> = (() => {
  const map = new Map<string, string[]>();
  const add = (element: string, slug: string): void => {
    map.set(element, [...(map.get(element) ?? []), slug]);
  };
  for (const feature of HTML) {
    const element = /^<([a-z0-9]+)>( element)?$/.exec(feature.title)?.[1];
    if (element !== undefined) add(element, feature.slug);
  }
  for (const [slug, elements] of Object.entries(ELEMENT_GROUPS))
    for (const element of elements) add(element, slug);
  return map;
})();

/** `<input type="checkbox"> element` and the like: element and type. */
const TYPED_ELEMENT_FEATURES = HTML.flatMap((feature) => {
  const match = /^<([a-z]+) type="([a-z]+)"> element$/.exec(feature.title);
  return match === null ? [] : [{ slug: feature.slug, element: match[1] ?? '', type: match[2] ?? '' }];
});

/** Attribute → feature, from titles such as `align attribute`; `srcset and sizes attributes` names two. */
const ATTRIBUTE_FEATURES: ReadonlyMap<string, string> = new Map(
  HTML.flatMap((feature) => {
    const names = /^([a-z-]+(?: and [a-z-]+)?) attributes?$/.exec(feature.title)?.[1];
    return names === undefined ? [] : names.split(' and ').map((name) => [name, feature.slug] as const);
  }),
);

/** File extension → image format feature; `image-jpg` also covers `.jpeg`. */
const IMAGE_FORMATS: ReadonlyMap<string, string> = new Map(
  FEATURES.filter((feature) => feature.category === 'image').flatMap((feature) => {
    const format = feature.slug.slice('image-'.length);
    const aliases: Record<string, string[]> = {
      jpg: ['jpg', 'jpeg'],
      tiff: ['tif', 'tiff'],
      heif: ['heif', 'heic'],
    };
    return (aliases[format] ?? [format]).map((extension) => [extension, feature.slug] as const);
  }),
);

/** `data:` MIME subtypes that differ from the extension. */
const DATA_SUBTYPES: Readonly<Record<string, string>> = { jpeg: 'jpg', 'svg+xml': 'svg', 'x-icon': 'ico' };

/** `<!--[if !mso]><!-->` (also `<!--[if !mso | IE]><!-- -->`), whose markup only Word-based Outlook skips. */
const NOT_MSO_START = /^\[if\s+!\s*mso\b[^\]]*\]><!(?:--)?\s*$/i;
/** `<!--<![endif]-->`, which ends it. */
const NOT_MSO_END = /^<!\[endif\]\s*$/i;

export function detectFeatures(html: string): Map<string, FeatureUse> {
  const uses = new Map<string, FeatureUse>();
  // Inside `<!--[if !mso]><!-->`: the comments around it end themselves, so the parser reads the
  // markup in between like any other, and only the comments say where the block starts and ends.
  let hiddenFromOutlook = false;
  const record: RecordUse = (slug, where, variant = null) => {
    const key = variant === null ? slug : `${slug} ${variant}`;
    const use = uses.get(key) ?? { slug, variant, hiddenFromOutlook, occurrences: 0, where: [] };
    use.hiddenFromOutlook &&= hiddenFromOutlook;
    use.occurrences++;
    if (use.where.length < MAX_PLACES && !use.where.includes(where)) use.where.push(where);
    uses.set(key, use);
  };
  const image = (url: string, where: string): void => {
    for (const slug of imageFormats(url)) record(slug, where);
  };
  let stylesheet: string | null = null;
  // Where a <style> sits matters: Gmail and ProtonMail drop one in the <body> (caniemail's notes).
  let section: 'head' | 'body' | null = null;

  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (name === 'head' || name === 'body') section = name;
        const tag = excerpt(name === 'style' && section !== null ? `<style> in <${section}>` : `<${name}>`);
        for (const slug of ELEMENT_FEATURES.get(name) ?? []) record(slug, tag);
        for (const { slug, element, type } of TYPED_ELEMENT_FEATURES) {
          if (element === name && attributes.type?.toLowerCase() === type)
            record(slug, `<${name} type="${type}">`);
        }
        for (const [attribute, value] of Object.entries(attributes)) {
          const slug = ATTRIBUTE_FEATURES.get(attribute);
          if (slug !== undefined) record(slug, excerpt(`<${name} ${attribute}="${value}">`));
        }
        if (name === 'img' && attributes.usemap !== undefined)
          record('html-image-maps', excerpt(`<img usemap="${attributes.usemap}">`));
        if (name === 'img' && attributes.src !== undefined)
          image(attributes.src, excerpt(`<img src="${attributes.src}">`));
        if (attributes.background !== undefined) {
          image(attributes.background, excerpt(`<${name} background="${attributes.background}">`));
        }
        if (name === 'a' && attributes.href !== undefined) {
          const href = attributes.href.trim();
          const where = excerpt(`<a href="${href}">`);
          if (href.startsWith('#')) record('html-anchor-links', where);
          if (/^mailto:/i.test(href)) record('html-mailto-links', where);
        }
        if (name === 'meta' && attributes.name?.toLowerCase() === 'color-scheme') {
          record(
            'html-meta-color-scheme',
            excerpt(`<meta name="color-scheme" content="${attributes.content ?? ''}">`),
          );
        }
        if (name === 'style') stylesheet = '';
        if (attributes.style !== undefined) {
          scanStyleAttribute(attributes.style, cssFeatureVisitor(record, name, image));
        }
      },
      ontext(text) {
        if (stylesheet !== null) stylesheet += text;
      },
      onclosetag(name) {
        if (name === 'head' || name === 'body') section = null;
        if (name !== 'style' || stylesheet === null) return;
        scanStylesheet(stylesheet, cssFeatureVisitor(record, null, image));
        stylesheet = null;
      },
      oncomment(comment) {
        record('html-comments', excerpt(`<!--${comment}-->`));
        if (NOT_MSO_START.test(comment)) hiddenFromOutlook = true;
        else if (NOT_MSO_END.test(comment)) hiddenFromOutlook = false;
      },
      onprocessinginstruction(name, data) {
        if (name.toLowerCase() === '!doctype' && /^!doctype\s+html\s*$/i.test(data))
          record('html-doctype', data);
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.write(html);
  parser.end();
  return uses;
}

/** The image format features of a URL: by its extension, or a `data:` URL's type (and base64). */
function imageFormats(url: string): string[] {
  const trimmed = url.trim();
  const data = /^data:image\/([a-z0-9.+-]+)(;base64)?/i.exec(trimmed);
  if (data !== null) {
    const subtype = (data[1] ?? '').toLowerCase();
    const format = IMAGE_FORMATS.get(DATA_SUBTYPES[subtype] ?? subtype);
    return [...(data[2] === undefined ? [] : ['image-base64']), ...(format === undefined ? [] : [format])];
  }
  const extension = /\.([a-z0-9]+)$/i.exec(trimmed.replace(/[?#].*$/, ''))?.[1]?.toLowerCase();
  const format = extension === undefined ? undefined : IMAGE_FORMATS.get(extension);
  return format === undefined ? [] : [format];
}
