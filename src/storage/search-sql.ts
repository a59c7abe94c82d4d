/**
 * Compiles a parsed `q` (src/search/query.ts) into a SQL WHERE clause over the columns every
 * adapter shares (see message-record.ts). Engine differences (placeholders, full-text matching,
 * booleans, time) come from a small dialect, so both engines give the same answers.
 */
import type { SearchQuery, SearchTerm, TextField } from '../search/query.js';
import { foldText, searchWords } from '../search/words.js';

/** Columns of the full-text index a field operator can be restricted to. */
export type FullTextColumn = 'subject' | 'sender' | 'recipients';

export interface SqlDialect {
  /** Adds a bound value and returns its placeholder (`?` or `$n`). */
  bind(value: unknown): string;
  /**
   * Clause true when the full-text index holds `words` as a phrase, the last word as a prefix,
   * in any column or only in `column`.
   */
  fullText(words: string[], column: FullTextColumn | null): string;
  /** Clause true when `column` (folded by foldText) contains `needle` (folded too). */
  contains(column: string, needle: string): string;
  /** A boolean literal or bound value for `is_read`. */
  boolean(value: boolean): string;
  /** A bound value comparable with `received_at`. */
  time(at: Date): string;
}

const FIELD_COLUMNS: Record<Exclude<TextField, 'inbox'>, { haystack: string; index: FullTextColumn }> = {
  from: { haystack: 'from_search', index: 'sender' },
  to: { haystack: 'to_search', index: 'recipients' },
  subject: { haystack: 'subject_search', index: 'subject' },
};

/** Returns `cond AND cond ...`, or null when the query restricts nothing. */
export function whereClause(query: SearchQuery, dialect: SqlDialect): string | null {
  const clauses = query.terms.map((term) => termClause(term, dialect)).filter((clause) => clause !== null);
  return clauses.length === 0 ? null : clauses.join(' AND ');
}

function termClause(term: SearchTerm, dialect: SqlDialect): string | null {
  switch (term.type) {
    case 'text': {
      const words = searchWords(term.value);
      return words.length === 0 ? null : negate(dialect.fullText(words, null), term.negated);
    }
    case 'field': {
      if (term.field === 'inbox') return negate(`inbox = ${dialect.bind(term.value)}`, term.negated);
      const { haystack, index } = FIELD_COLUMNS[term.field];
      const words = searchWords(term.value);
      // The index finds candidates without a scan (the value's words, from the start of a word);
      // the substring test then keeps its punctuation exact (`shop.example` is not `shop-example`).
      // Placeholders are bound in the order they appear in the SQL.
      const indexed = words.length === 0 ? null : dialect.fullText(words, index);
      const contains = dialect.contains(haystack, foldText(term.value));
      return negate(indexed === null ? contains : `${indexed} AND ${contains}`, term.negated);
    }
    case 'port':
      return negate(`listener_port = ${dialect.bind(term.port)}`, term.negated);
    case 'profile':
      return negate(`listener_profile = ${dialect.bind(term.profile)}`, term.negated);
    case 'hasAttachment':
      return negate('attachment_count > 0', term.negated);
    case 'read':
      return `is_read = ${dialect.boolean(term.read)}`;
    case 'date': {
      const operator = term.op === 'before' ? '<' : '>=';
      return negate(`received_at ${operator} ${dialect.time(term.at)}`, term.negated);
    }
  }
}

function negate(clause: string, negated: boolean): string {
  return negated ? `NOT (${clause})` : `(${clause})`;
}

/** `WHERE a AND b` over the conditions present, or '' when there are none. */
export function whereOf(conditions: (string | null)[]): string {
  const present = conditions.filter((condition) => condition !== null);
  return present.length === 0 ? '' : `WHERE ${present.join(' AND ')}`;
}
