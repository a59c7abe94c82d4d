/**
 * Compiles a parsed `q` (src/search/query.ts) for the columns every adapter shares (see
 * message-record.ts). Full-text phrases come back separately so each engine can answer all of
 * them with one index lookup; the rest is a SQL condition. Engine differences (placeholders,
 * full-text syntax, booleans, time) come from a small dialect, so both engines give the same
 * answers.
 */
import type { SearchQuery, SearchTerm, TextField } from '../search/query.js';
import { foldText, searchWords } from '../search/words.js';

/** Columns of the full-text index a field operator can be restricted to. */
export type FullTextColumn = 'subject' | 'sender' | 'recipients';

/** Words that must appear as a phrase, the last one as a prefix, in any column or in `column`. */
export interface FullTextPhrase {
  words: string[];
  column: FullTextColumn | null;
}

export interface SqlDialect {
  /** Adds a bound value and returns its placeholder (`?` or `$n`). */
  bind(value: unknown): string;
  /** Condition true when `column` (folded by foldText) contains `needle` (folded too). */
  contains(column: string, needle: string): string;
  /** A boolean literal for the engine (`1`/`0` or `true`/`false`). */
  boolean(value: boolean): string;
  /** A bound value comparable with `received_at`. */
  time(at: Date): string;
}

export interface CompiledSearch {
  /** Phrases every match must contain. */
  required: FullTextPhrase[];
  /** Phrases no match may contain. */
  excluded: FullTextPhrase[];
  /** Every other condition, ANDed; null when there is none. Its placeholders are already bound. */
  where: string | null;
}

const FIELD_COLUMNS: Record<Exclude<TextField, 'inbox'>, { haystack: string; index: FullTextColumn }> = {
  from: { haystack: 'from_search', index: 'sender' },
  to: { haystack: 'to_search', index: 'recipients' },
  subject: { haystack: 'subject_search', index: 'subject' },
};

export function compileSearch(query: SearchQuery, dialect: SqlDialect): CompiledSearch {
  const compiled: CompiledSearch = { required: [], excluded: [], where: null };
  const conditions: string[] = [];
  for (const term of query.terms) {
    const condition = termCondition(term, dialect, compiled);
    if (condition !== null) conditions.push(condition);
  }
  compiled.where = conditions.length === 0 ? null : conditions.join(' AND ');
  return compiled;
}

/** True when the query restricts nothing. */
export function isUnfiltered(search: CompiledSearch): boolean {
  return search.required.length === 0 && search.excluded.length === 0 && search.where === null;
}

function termCondition(term: SearchTerm, dialect: SqlDialect, compiled: CompiledSearch): string | null {
  switch (term.type) {
    case 'text': {
      const words = searchWords(term.value);
      if (words.length > 0)
        (term.negated ? compiled.excluded : compiled.required).push({ words, column: null });
      return null;
    }
    case 'field': {
      if (term.field === 'inbox') return negate(`inbox = ${dialect.bind(term.value)}`, term.negated);
      const { haystack, index } = FIELD_COLUMNS[term.field];
      const words = searchWords(term.value);
      if (words.length > 0) {
        (term.negated ? compiled.excluded : compiled.required).push({ words, column: index });
        return null;
      }
      // A value without letters or digits (`subject:#`) has no words to look up: match it as text.
      return negate(dialect.contains(haystack, foldText(term.value)), term.negated);
    }
    case 'port':
      return negate(`listener_port = ${dialect.bind(term.port)}`, term.negated);
    case 'profile':
      return negate(`listener_profile = ${dialect.bind(term.profile)}`, term.negated);
    case 'hasAttachment':
      return `has_attachment = ${dialect.boolean(!term.negated)}`;
    case 'read':
      return `is_read = ${dialect.boolean(term.read)}`;
    case 'date': {
      const operator = term.op === 'before' ? '<' : '>=';
      return negate(`received_at ${operator} ${dialect.time(term.at)}`, term.negated);
    }
  }
}

function negate(condition: string, negated: boolean): string {
  return negated ? `NOT (${condition})` : `(${condition})`;
}

/** `WHERE a AND b` over the conditions present, or '' when there are none. */
export function whereOf(conditions: (string | null)[]): string {
  const present = conditions.filter((condition) => condition !== null);
  return present.length === 0 ? '' : `WHERE ${present.join(' AND ')}`;
}
