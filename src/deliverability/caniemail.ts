/**
 * The caniemail.com data as the `caniemail` package ships it: the features, the email clients
 * (family and platform) and what each client's latest test found. Only the data file is used: the
 * package's own checker stops on the first stylesheet its CSS parser rejects (MSO conditional
 * comments in `<style>`), throws on a feature that lacks a result for one client, knows neither
 * Outlook.com nor a dozen newer clients, and reads "unknown" as partial support.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** How a client supports a feature in its latest test: caniemail's `y`, `a`, `n` and `u`. */
export type SupportLevel = 'full' | 'partial' | 'none' | 'unknown';

export type FeatureCategory = 'html' | 'css' | 'image' | 'others';

export interface CaniemailFeature {
  slug: string;
  title: string;
  url: string;
  category: FeatureCategory;
  /** Comma-separated search words; for some features, the properties they cover. */
  keywords: string | null;
  /** Per family, per platform, per tested version (oldest first): `y`, `a`, `n` or `u`, with `#n` note numbers. */
  stats: Record<string, Record<string, Record<string, string>>>;
  notes_by_num: Record<string, string> | null;
}

interface CaniemailData {
  last_update_date: string;
  nicenames: { family: Record<string, string>; platform: Record<string, string> };
  data: CaniemailFeature[];
}

export interface EmailClient {
  /** `family.platform`, e.g. `outlook.windows`, as caniemail names it. */
  id: string;
  family: string;
  platform: string;
}

export interface ClientSupport {
  level: SupportLevel;
  /** caniemail's notes for this client's result (why support is partial, or what breaks). */
  notes: string[];
}

const require = createRequire(import.meta.url);
const { version } = require('caniemail/package.json') as { version: string };
/**
 * caniemail lists each client's tested versions oldest first, and the latest one is the answer.
 * JSON.parse would move integer-like keys ("16", "2019") ahead of the others ("12.4"), so such
 * version keys are read with a prefix that keeps the file's order.
 */
const data = JSON.parse(
  readFileSync(require.resolve('caniemail/caniemail.json'), 'utf8').replace(
    /"(\d+)":"(?=[yanu][ "#])/g,
    '"v$1":"',
  ),
) as CaniemailData;

/** Where the data comes from, for the report: the package version and the data's own date. */
export const CANIEMAIL_DATA = {
  package: `caniemail@${version}`,
  updated: data.last_update_date.slice(0, 10),
} as const;

export const FEATURES: readonly CaniemailFeature[] = data.data;

/** Every client that has a result for at least one feature, in caniemail's order. */
export const EMAIL_CLIENTS: readonly EmailClient[] = (() => {
  const ids = new Map<string, EmailClient>();
  for (const feature of FEATURES) {
    for (const [family, platforms] of Object.entries(feature.stats)) {
      for (const platform of Object.keys(platforms)) {
        const id = `${family}.${platform}`;
        if (!ids.has(id)) ids.set(id, { id, family, platform });
      }
    }
  }
  return [...ids.values()];
})();

export function familyName(family: string): string {
  return data.nicenames.family[family] ?? family;
}

export function platformName(platform: string): string {
  return data.nicenames.platform[platform] ?? platform;
}

const LEVELS: Record<string, SupportLevel> = { y: 'full', a: 'partial', n: 'none', u: 'unknown' };

/** The client's latest result for the feature; null when caniemail never tested it there. */
export function clientSupport(feature: CaniemailFeature, client: EmailClient): ClientSupport | null {
  const versions = feature.stats[client.family]?.[client.platform];
  if (versions === undefined) return null;
  const latest = Object.values(versions).at(-1);
  if (latest === undefined) return null;
  const level = LEVELS[latest.trim().charAt(0)] ?? 'unknown';
  const notes = Array.from(latest.matchAll(/#(\d+)/g), (match) => feature.notes_by_num?.[match[1] ?? ''])
    .filter((note) => note !== undefined)
    .map(plainNote);
  return { level, notes };
}

/** caniemail's notes are Markdown: keep the words, drop the link syntax and code ticks. */
function plainNote(note: string): string {
  return note
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/`/g, '')
    .trim();
}

/** Thrown for a `clients` pattern that names no caniemail client. */
export class UnknownEmailClientError extends Error {
  constructor(readonly pattern: string) {
    super(
      `clients=${JSON.stringify(pattern)} matches no email client; use family.platform names such as gmail.android or outlook.*, from: ${[...new Set(EMAIL_CLIENTS.map((client) => client.family))].join(', ')}.`,
    );
    this.name = 'UnknownEmailClientError';
  }
}

/**
 * The clients matched by `patterns` (`gmail.*`, `*.ios`, `outlook.windows`, or a bare family such
 * as `yahoo`); every client when there is none. Each pattern must match a client, so a typo is an
 * error rather than a silently smaller report.
 */
export function selectClients(patterns: readonly string[] = []): EmailClient[] {
  if (patterns.length === 0) return [...EMAIL_CLIENTS];
  const matchers = patterns.map((pattern) => {
    const normalized = pattern.trim().toLowerCase();
    const full = normalized.includes('.') ? normalized : `${normalized}.*`;
    const regex = new RegExp(`^${full.split('*').map(escapeRegExp).join('[^.]*')}$`);
    const matches = EMAIL_CLIENTS.filter((client) => regex.test(client.id));
    if (matches.length === 0) throw new UnknownEmailClientError(pattern);
    return matches;
  });
  const selected = new Set(matchers.flat());
  return EMAIL_CLIENTS.filter((client) => selected.has(client));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}
