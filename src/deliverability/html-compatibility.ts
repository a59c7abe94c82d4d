/**
 * The HTML compatibility section of the report: the caniemail features the HTML body uses, which
 * checked clients lack or limit each one (grouped by family), how much it matters, what to do,
 * and an overall score like Mailpit's "HTML Check".
 */
import {
  CANIEMAIL_DATA,
  type CaniemailFeature,
  type ClientSupport,
  clientSupport,
  EMAIL_CLIENTS,
  type EmailClient,
  FEATURES,
  familyName,
  platformName,
} from './caniemail.js';
import { type ImportantWriting, importantWriting } from './css-features.js';
import { detectFeatures, type FeatureUse } from './html-features.js';
import type {
  EmailClientFamily,
  FamilySupport,
  HtmlCompatibility,
  HtmlFeatureFinding,
  Severity,
} from './types.js';

/**
 * Only this much of the HTML body is checked. One MiB takes about 0.1 s; a body this large is
 * ten times what Gmail shows before clipping (html-too-large), so what lies beyond adds little.
 */
export const MAX_CHECKED_BYTES = 1024 * 1024;

/** The families that most mail is read in: a platform of theirs without support makes a warning. */
const MAJOR_FAMILIES: ReadonlySet<string> = new Set(['apple-mail', 'gmail', 'outlook', 'yahoo']);

/**
 * Outlook on Windows and Windows Mail: they render with Word and read MSO conditional comments
 * (caniemail's notes point both to VML for rounded corners), so an `[if !mso]` block is not theirs.
 */
const WORD_CLIENTS: ReadonlySet<string> = new Set(['outlook.windows', 'outlook.windows-mail']);

const LEVEL_VALUE = { full: 1, partial: 0.5, none: 0 } as const;

const FEATURES_BY_SLUG: ReadonlyMap<string, CaniemailFeature> = new Map(
  FEATURES.map((feature) => [feature.slug, feature]),
);

export function checkHtmlCompatibility(html: string, clients: readonly EmailClient[]): HtmlCompatibility {
  const htmlBytes = Buffer.byteLength(html, 'utf8');
  const checked =
    htmlBytes > MAX_CHECKED_BYTES ? Buffer.from(html).subarray(0, MAX_CHECKED_BYTES).toString() : html;
  const supports: number[] = [];
  const features: HtmlFeatureFinding[] = [];
  for (const use of detectFeatures(checked).values()) {
    const feature = FEATURES_BY_SLUG.get(use.slug);
    if (feature === undefined || feature.category === 'others') continue;
    const results = clients.flatMap((client): ClientResult[] => {
      if (use.hiddenFromOutlook && WORD_CLIENTS.has(client.id)) return [];
      const base = clientSupport(feature, client);
      const support = variantSupport(base, use.variant);
      return support === null || support.level === 'unknown'
        ? []
        : [
            {
              client,
              support,
              readByNote: support === base ? null : support.level === 'full' ? 'full' : 'none',
            },
          ];
    });
    if (results.length === 0) continue;
    const support = featureSupport(results);
    supports.push(support);
    if (results.every(({ support }) => support.level === 'full')) continue;
    features.push(finding(feature, use, results, support));
  }
  features.sort(
    (a, b) => Number(a.severity !== 'warning') - Number(b.severity !== 'warning') || a.support - b.support,
  );
  return {
    score:
      supports.length === 0
        ? 100
        : percent(supports.reduce((sum, value) => sum + value, 0) / supports.length),
    featuresUsed: supports.length,
    clients: clientFamilies(clients),
    allClients: clientFamilies(EMAIL_CLIENTS),
    features,
    summary: {
      warnings: features.filter((feature) => feature.severity === 'warning').length,
      infos: features.filter((feature) => feature.severity === 'info').length,
    },
    data: { ...CANIEMAIL_DATA },
    checkedBytes: Math.min(htmlBytes, MAX_CHECKED_BYTES),
    htmlBytes,
  };
}

interface ClientResult {
  client: EmailClient;
  support: ClientSupport;
  /**
   * The level a note of the client's result gave a variant (variantSupport): none where the note
   * rules the variant out, full where every note is met as written; null where the data stands.
   */
  readByNote: 'none' | 'full' | null;
}

/** Each family counts once, whatever its number of platforms: the mean of its platforms' values. */
function featureSupport(results: readonly ClientResult[]): number {
  const families = [...byFamily(results, ({ client }) => client).values()].map(
    (platforms) =>
      platforms.reduce(
        (sum, { support }) => sum + LEVEL_VALUE[support.level as keyof typeof LEVEL_VALUE],
        0,
      ) / platforms.length,
  );
  return families.reduce((sum, value) => sum + value, 0) / families.length;
}

/**
 * A value variant (`display:inline-flex`) has no caniemail feature of its own: it takes the
 * client's result for the closest feature, except where that result's notes say the variant is
 * not supported (display:flex's note for Yahoo and AOL: "display:inline-flex is not supported").
 * A `!important` is read by how it is written (importantSupport).
 */
function variantSupport(support: ClientSupport | null, variant: string | null): ClientSupport | null {
  if (support === null || variant === null) return support;
  const writing = importantWriting(variant);
  if (writing !== undefined) return importantSupport(support, writing);
  // Variants are made of letters and dashes (css-features.ts), safe in a pattern as they are.
  const mentions = new RegExp(`(?<![\\w-])${variantValue(variant)}(?![\\w-])`, 'i');
  const against = support.notes.filter((note) => mentions.test(note) && /not supported/i.test(note));
  return against.length === 0 ? support : { level: 'none', notes: against };
}

/**
 * What caniemail's css-important notes require of the writing, found by their wording: whether a
 * writing meets it, and the requirement in words. The Gmail app's "only supported inline when
 * using a Non Gmail Account" depends on the reader's account, not the writing, so it is no rule.
 */
interface ImportantRule {
  wording: RegExp;
  met: (writing: ImportantWriting) => boolean;
  requirement: string;
}

const IMPORTANT_RULES: readonly ImportantRule[] = [
  {
    wording: /no space before when used with a `?background-image/i,
    met: (w) => w.spaced || !w.backgroundImage,
    requirement: 'a space before it on background-image',
  },
  { wording: /no space before/i, met: (w) => w.spaced, requirement: 'a space before it' },
  { wording: /only supported with a space before/i, met: (w) => w.spaced, requirement: 'a space before it' },
  {
    wording: /only supported if not written in lowercase/i,
    met: (w) => !w.lowercase,
    requirement: 'it not in lowercase',
  },
  { wording: /only supported in lowercase/i, met: (w) => w.lowercase, requirement: 'it in lowercase' },
  { wording: /not supported inline/i, met: (w) => !w.inline, requirement: 'it in a <style> sheet' },
  { wording: /only supported inline due to/i, met: (w) => w.inline, requirement: 'it in a style attribute' },
];

function importantRule(note: string): ImportantRule | undefined {
  return IMPORTANT_RULES.find(({ wording }) => wording.test(note));
}

/**
 * A `!important` as written: unsupported where a note's requirement is not met (Outlook on
 * Windows drops one with no space before it, or in a style attribute); fully supported where the
 * result is partial only by notes that this writing all meets. Otherwise caniemail's result.
 */
function importantSupport(support: ClientSupport, writing: ImportantWriting): ClientSupport {
  const rules = support.notes.map(importantRule);
  const unmet = support.notes.filter((_note, index) => rules[index]?.met(writing) === false);
  if (unmet.length > 0) return { level: 'none', notes: unmet };
  if (support.level === 'partial' && rules.length > 0 && rules.every((rule) => rule !== undefined))
    return { level: 'full', notes: [] };
  return support;
}

/** The note of a css-important writing: who drops it and what they need, and who it fully suits. */
function importantNote(results: readonly ClientResult[]): string {
  const needs = new Map<string, EmailClient[]>();
  for (const { client, support, readByNote } of results) {
    if (readByNote !== 'none') continue;
    const requirements = support.notes.flatMap((note) => importantRule(note)?.requirement ?? []);
    const key = [...new Set(requirements)].join(' and ');
    needs.set(key, [...(needs.get(key) ?? []), client]);
  }
  const checked = results.map(({ client }) => client);
  const met = results.filter((result) => result.readByNote === 'full').map(({ client }) => client);
  return [
    "caniemail's !important results, read by how it is written here.",
    ...[...needs].map(
      ([requirement, clients]) =>
        `${clientList(clients, checked)} ${clients.length === 1 ? 'needs' : 'need'} ${requirement}.`,
    ),
    met.length === 0 ? null : `Written this way it meets every note of ${clientList(met, checked)}.`,
  ]
    .filter((part) => part !== null)
    .join(' ');
}

/** `Orange, Outlook (Windows, Windows Mail)`: a family alone where every platform checked is listed. */
function clientList(clients: readonly EmailClient[], checked: readonly EmailClient[]): string {
  return [...byFamily(clients, (client) => client)]
    .map(([family, platforms]) =>
      platforms.length === checked.filter((client) => client.family === family).length
        ? familyName(family)
        : `${familyName(family)} (${platforms.map((client) => platformName(client.platform)).join(', ')})`,
    )
    .join(', ');
}

/** `inline-flex` of `display:inline-flex`. */
function variantValue(variant: string): string {
  return variant.slice(variant.indexOf(':') + 1);
}

function finding(
  feature: CaniemailFeature,
  use: FeatureUse,
  results: readonly ClientResult[],
  support: number,
): HtmlFeatureFinding {
  const unsupported = familySupport(results.filter(({ support }) => support.level === 'none'));
  const partial = familySupport(results.filter(({ support }) => support.level === 'partial'));
  const severity: Severity = unsupported.some(({ family }) => MAJOR_FAMILIES.has(family))
    ? 'warning'
    : 'info';
  return {
    slug: feature.slug,
    title: use.variant ?? feature.title,
    note: noteFor(feature, use, results),
    url: feature.url,
    category: feature.category as HtmlFeatureFinding['category'],
    severity,
    support: percent(support),
    unsupported,
    partial,
    occurrences: use.occurrences,
    where: use.where,
    fix: fixFor(feature, unsupported.length > 0 ? unsupported : partial),
  };
}

/** How the data was read for this use, when not simply as caniemail's feature for every checked client. */
function noteFor(
  feature: CaniemailFeature,
  use: FeatureUse,
  results: readonly ClientResult[],
): string | null {
  const ruledOut = [
    ...new Set(
      results.filter((result) => result.readByNote === 'none').map(({ client }) => familyName(client.family)),
    ),
  ];
  const notes = [
    use.variant === null
      ? null
      : importantWriting(use.variant) !== undefined
        ? importantNote(results)
        : `caniemail has no feature of its own for ${use.variant}: these are its ${feature.title} results${
            ruledOut.length === 0
              ? '.'
              : `, except that ${ruledOut.join(', ')} ${ruledOut.length === 1 ? 'counts' : 'count'} as unsupported: caniemail's notes there say ${variantValue(use.variant)} is not supported.`
          }`,
    use.hiddenFromOutlook
      ? 'Outlook on Windows and Windows Mail are left out: every use is inside <!--[if !mso]><!--> … <!--<![endif]-->, which they do not render.'
      : null,
  ].filter((note) => note !== null);
  return notes.length === 0 ? null : notes.join(' ');
}

function familySupport(results: readonly ClientResult[]): FamilySupport[] {
  return [...byFamily(results, ({ client }) => client)].map(([family, platforms]) => ({
    family,
    name: familyName(family),
    platforms: platforms.map(({ client, support }) => ({
      client: client.id,
      platform: client.platform,
      name: platformName(client.platform),
      notes: support.notes,
    })),
  }));
}

function clientFamilies(clients: readonly EmailClient[]): EmailClientFamily[] {
  return [...byFamily(clients, (client) => client)].map(([family, platforms]) => ({
    family,
    name: familyName(family),
    platforms: platforms.map((client) => ({
      client: client.id,
      platform: client.platform,
      name: platformName(client.platform),
    })),
  }));
}

/** Known ways around the features that break most often; the rest get the generic advice. */
const ADVICE: ReadonlyArray<readonly [readonly string[], string]> = [
  [
    [
      'css-display-flex',
      'css-display-grid',
      'css-flex-direction',
      'css-flex-wrap',
      'css-justify-content',
      'css-align-items',
      'css-gap',
      'css-grid-template',
    ],
    'Lay out columns with tables (`<table role="presentation">`) and keep flexbox or grid as an enhancement: Outlook on Windows renders with Word, which has neither.',
  ],
  [
    ['css-border-radius'],
    'Let the corners be square where it is ignored, or draw the button with VML in an MSO conditional comment for Outlook on Windows (a "bulletproof button").',
  ],
  [
    ['css-background-image', 'css-background', 'html-background'],
    'Give the element a background-color that keeps the text readable without the image; for Outlook on Windows, add the image with VML (`v:rect` with `v:fill`) in an MSO conditional comment.',
  ],
  [
    ['css-important'],
    'Write it `color: red !important`: a space before it, in lowercase. Outlook on Windows ignores it in a style attribute, and clients without <style> support ignore it in a sheet: where it must win everywhere, write it in both.',
  ],
  [
    ['css-at-media', 'css-at-media-orientation', 'css-at-media-device-pixel-ratio', 'css-at-media-hover'],
    'Make the layout work without the media query (fluid tables, widths in %) and treat @media as an enhancement for the clients that apply it.',
  ],
  [
    [
      'css-at-media-prefers-color-scheme',
      'css-color-scheme',
      'html-meta-color-scheme',
      'css-function-light-dark',
    ],
    'Choose colors that read well when this is ignored: clients that force a dark mode recolor the message themselves.',
  ],
  [['html-svg', 'image-svg'], 'Use a PNG or JPEG image instead of SVG.'],
  [
    [
      'image-webp',
      'image-avif',
      'image-heif',
      'image-tiff',
      'image-bmp',
      'image-ico',
      'image-hdr',
      'image-mp4',
    ],
    'Serve PNG, JPEG or GIF images, which every client displays.',
  ],
  [
    ['css-position', 'css-left-right-top-bottom', 'css-inset', 'css-z-index', 'css-float'],
    'Place content with tables and the align and valign attributes rather than CSS positioning.',
  ],
  [
    ['css-max-width', 'css-min-width'],
    'Give Outlook on Windows a fixed-width table in an MSO conditional comment (a "ghost table") and keep max-width for the others.',
  ],
  [
    ['css-at-font-face', 'css-at-import', 'html-link'],
    'End every font-family list with a web-safe font (Arial, Georgia…) for the clients that load no web fonts, and inline the CSS instead of linking it.',
  ],
  [
    ['css-variables'],
    'Write the values out: a client without custom properties drops every declaration that uses var().',
  ],
];

function fixFor(feature: CaniemailFeature, failing: readonly FamilySupport[]): string {
  const advice = ADVICE.find(([slugs]) => slugs.includes(feature.slug))?.[1];
  if (advice !== undefined) return advice;
  const names = failing.map(({ name }) => name).join(', ');
  return `Make sure the message still reads well where ${feature.title} is not fully supported (${names}); the caniemail page lists known workarounds.`;
}

/** Items by their client's family, in the order families first appear (Map.groupBy is Node 21+). */
function byFamily<T>(items: readonly T[], clientOf: (item: T) => EmailClient): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const family = clientOf(item).family;
    groups.set(family, [...(groups.get(family) ?? []), item]);
  }
  return groups;
}

function percent(share: number): number {
  return Math.round(share * 100);
}
