/**
 * The `q` search syntax of the API, CLI and UI, parsed into a typed AST that each storage adapter
 * compiles to its own SQL.
 *
 *   invoice from:alice@example.com subject:"password reset" -is:read port:1587 after:2d
 *
 * Terms are ANDed. `-` negates a term. Values may be quoted. An unknown `key:`, or a known key with
 * a value it cannot use (`port:abc`, `before:soon`), is searched as free text, so parsing never
 * fails; `notes` says which tokens fell back and why, for the API and CLI to show.
 */
import { PORT_PROFILES, type ProfileName } from '../profiles/port-profiles.js';

/**
 * `from:` (From header and MAIL FROM), `to:` (To, Cc, Bcc and RCPT TO) and `subject:` match like
 * free text limited to that field: the value's words as a phrase, the last one as a prefix,
 * ignoring case, accents and punctuation (`from:shop.example` and `from:billing@shop` match
 * `billing@shop.example`; `from:hop` does not). A value with no letters or digits (`subject:#`)
 * matches as a substring. `inbox:` matches exactly.
 */
export type TextField = 'from' | 'to' | 'subject' | 'inbox';

export type SearchTerm =
  /** Words matched by the full-text index; a quoted value is a phrase. The last word matches as a prefix. */
  | { type: 'text'; value: string; negated: boolean }
  | { type: 'field'; field: TextField; value: string; negated: boolean }
  /** `port:1587`: the listener port the message arrived on. */
  | { type: 'port'; port: number; negated: boolean }
  /** `profile:submission`: the listener profile the message arrived on. */
  | { type: 'profile'; profile: ProfileName; negated: boolean }
  /** `has:attachment`: at least one attachment, inline parts included. */
  | { type: 'hasAttachment'; negated: boolean }
  /** `is:read` / `is:unread`; a negation is folded in (`-is:read` is `is:unread`). */
  | { type: 'read'; read: boolean }
  /** `before:` (received strictly before `at`) and `after:` (received at or after `at`). */
  | { type: 'date'; op: 'before' | 'after'; at: Date; negated: boolean };

export interface SearchQuery {
  terms: SearchTerm[];
  /**
   * One sentence for each `key:value` searched as free text instead: why, and what to write.
   * @example ['after:zzz is not a date, so it was searched as text: use YYYY-MM-DD, an ISO 8601 date-time, or an age like 30m, 2h, 1d, 1w.']
   */
  notes: string[];
}

interface Token {
  negated: boolean;
  key: string | null;
  value: string;
  /** The token as typed (without `-`), used when a `key:value` falls back to free text. */
  source: string;
}

const RELATIVE_UNITS_MS: Record<string, number> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/**
 * Parses `q`. `now` anchors relative dates (`after:2h` is two hours before `now`).
 * Absolute dates without a time (`2026-01-31`) mean midnight UTC.
 */
export function parseSearchQuery(q: string, now: Date = new Date()): SearchQuery {
  const terms: SearchTerm[] = [];
  const notes: string[] = [];
  for (const token of tokenize(q)) {
    const term = token.key === null ? null : fieldTerm(token, now);
    if (term !== null) {
      terms.push(term);
      continue;
    }
    if (token.source !== '') terms.push({ type: 'text', value: token.source, negated: token.negated });
    const note = token.key === null ? null : fallbackNote(token);
    if (note !== null) notes.push(note);
  }
  return { terms, notes };
}

/** The keys `fieldTerm` understands (its switch covers exactly these), as a note lists them. */
const SEARCH_KEYS = [
  'from',
  'to',
  'subject',
  'inbox',
  'port',
  'profile',
  'has',
  'is',
  'before',
  'after',
] as const;
type SearchKey = (typeof SEARCH_KEYS)[number];

function isSearchKey(key: string | null): key is SearchKey {
  return (SEARCH_KEYS as readonly (string | null)[]).includes(key);
}
const DATE_FORMS = 'use YYYY-MM-DD, an ISO 8601 date-time, or an age like 30m, 2h, 1d, 1w';

/** Why a `key:value` token is searched as text, and what to write instead; null for a URL. */
function fallbackNote(token: Token): string | null {
  const typed = `${token.negated ? '-' : ''}${token.source}`;
  const key = token.key ?? '';
  const textInstead = (why: string, fix: string): string =>
    `${typed} ${why}, so it was searched as text: ${fix}.`;
  if (!isSearchKey(key)) {
    // `https://…` is a link searched for, not a mistyped key.
    if (token.value.startsWith('//')) return null;
    return textInstead(
      `uses no search key (${key}: is none)`,
      `the keys are ${SEARCH_KEYS.map((name) => `${name}:`).join(' ')}; quote it ("${token.source}") to search for it as text`,
    );
  }
  if (token.value === '') return textInstead('has no value', 'write the value right after the colon');
  switch (key) {
    case 'port':
      return textInstead('is not a port', 'use a number from 1 to 65535, e.g. port:1587');
    case 'profile':
      return textInstead(
        'is not a listener profile',
        `use one of ${Object.keys(PORT_PROFILES)
          .map((name) => `profile:${name}`)
          .join(', ')}`,
      );
    case 'has':
      return textInstead('is not something a message can have here', 'use has:attachment');
    case 'is':
      return textInstead('is not a state a message can be in', 'use is:read or is:unread');
    default:
      return textInstead('is not a date', DATE_FORMS);
  }
}

/**
 * The API's `queryNotes` member for a response to `q`: present only when some of its terms were
 * searched as text instead, so responses to well-formed queries keep their shape.
 */
export function queryNotesOf(q: string | undefined): { queryNotes?: string[] } {
  const { notes } = parseSearchQuery(q ?? '');
  return notes.length === 0 ? {} : { queryNotes: notes };
}

/** True when the query restricts nothing (an empty or blank `q`). */
export function isEmptyQuery(query: SearchQuery): boolean {
  return query.terms.length === 0;
}

function fieldTerm(token: Token, now: Date): SearchTerm | null {
  const { negated, value, key } = token;
  if (value === '' || !isSearchKey(key)) return null;
  switch (key) {
    case 'from':
    case 'to':
    case 'subject':
    case 'inbox':
      return { type: 'field', field: key, value, negated };
    case 'port': {
      if (!/^\d{1,5}$/.test(value)) return null;
      const port = Number(value);
      return port >= 1 && port <= 65_535 ? { type: 'port', port, negated } : null;
    }
    case 'profile': {
      const profile = value.toLowerCase();
      return Object.hasOwn(PORT_PROFILES, profile)
        ? { type: 'profile', profile: profile as ProfileName, negated }
        : null;
    }
    case 'has':
      return value.toLowerCase() === 'attachment' || value.toLowerCase() === 'attachments'
        ? { type: 'hasAttachment', negated }
        : null;
    case 'is': {
      const state = value.toLowerCase();
      if (state !== 'read' && state !== 'unread') return null;
      return { type: 'read', read: (state === 'read') !== negated };
    }
    case 'before':
    case 'after': {
      const at = parseDate(value, now);
      return at === null ? null : { type: 'date', op: key, at, negated };
    }
  }
}

/** `YYYY-MM-DD`, an ISO 8601 date-time, or a relative age such as `30m`, `1h`, `2d`, `1w`. */
export function parseDate(value: string, now: Date): Date | null {
  const relative = /^(\d+)([smhdw])$/i.exec(value);
  if (relative !== null) {
    const unit = RELATIVE_UNITS_MS[(relative[2] ?? '').toLowerCase()] ?? 0;
    return new Date(now.getTime() - Number(relative[1]) * unit);
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const date = new Date(`${value}T00:00:00.000Z`);
    return Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value ? null : date;
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) {
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? null : date;
  }
  return null;
}

/** Splits `q` into tokens: `[-]word`, `[-]"a phrase"`, `[-]key:value`, `[-]key:"quoted value"`. */
function tokenize(q: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < q.length) {
    if (/\s/.test(q[i] ?? '')) {
      i += 1;
      continue;
    }
    let negated = false;
    if (q[i] === '-' && i + 1 < q.length && !/\s/.test(q[i + 1] ?? '')) {
      negated = true;
      i += 1;
    }
    const start = i;
    if (q[i] === '"') {
      const quoted = readQuoted(q, i);
      i = quoted.end;
      tokens.push({ negated, key: null, value: quoted.value, source: quoted.value });
      continue;
    }
    const keyMatch = /^([a-zA-Z]+):/.exec(q.slice(i));
    if (keyMatch !== null && keyMatch[1] !== undefined) {
      const key = keyMatch[1].toLowerCase();
      i += keyMatch[0].length;
      if (q[i] === '"') {
        const quoted = readQuoted(q, i);
        i = quoted.end;
        tokens.push({ negated, key, value: quoted.value, source: `${keyMatch[1]}:${quoted.value}` });
      } else {
        const end = wordEnd(q, i);
        tokens.push({ negated, key, value: q.slice(i, end), source: q.slice(start, end) });
        i = end;
      }
      continue;
    }
    const end = wordEnd(q, i);
    const word = q.slice(start, end);
    tokens.push({ negated, key: null, value: word, source: word });
    i = end;
  }
  return tokens;
}

function wordEnd(q: string, from: number): number {
  let end = from;
  while (end < q.length && !/\s/.test(q[end] ?? '')) end += 1;
  return end;
}

/** Reads `"..."` starting at the opening quote; `\"` and `\\` escape. An unclosed quote runs to the end. */
function readQuoted(q: string, open: number): { value: string; end: number } {
  let value = '';
  let i = open + 1;
  while (i < q.length) {
    const char = q[i];
    if (char === '\\' && (q[i + 1] === '"' || q[i + 1] === '\\')) {
      value += q[i + 1];
      i += 2;
    } else if (char === '"') {
      return { value, end: i + 1 };
    } else {
      value += char;
      i += 1;
    }
  }
  return { value, end: i };
}
