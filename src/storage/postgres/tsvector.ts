/**
 * Builds tsvector and tsquery literals from words already split by src/search/words.ts, so
 * PostgreSQL indexes exactly the words SQLite does, with no text-search parser or dictionary in
 * between. Words are letters and digits only, so quoting them needs no escaping.
 */

// Limits of the tsvector type (PostgreSQL docs, "Text Search Types" and tsvector.h): positions go
// up to 16383, a lexeme keeps at most 256 positions and is shorter than 2 KiB, and the whole value
// must stay under 1 MiB. Past the lexeme budget new words are left out of the index, which only
// affects enormous bodies.
const MAX_POSITION = 16_383;
const MAX_POSITIONS_PER_LEXEME = 256;
const MAX_LEXEME_BYTES = 2_046;
const LEXEME_BUDGET_BYTES = 512 * 1024;

/** tsvector weight labels; `D` is the default and is not written out. */
export type TsWeight = 'A' | 'B' | 'C' | 'D';

export interface WeightedWords {
  words: readonly string[];
  weight: TsWeight;
}

/**
 * A tsvector literal over several columns, each position labelled with its column's weight. One
 * position is skipped between columns so that a phrase never matches across them (as in an FTS5
 * index with separate columns).
 */
export function tsvectorLiteral(columns: readonly WeightedWords[]): string {
  const positions = new Map<string, string[]>();
  let budget = LEXEME_BUDGET_BYTES;
  let position = 0;
  for (const { words, weight } of columns) {
    const label = weight === 'D' ? '' : weight;
    for (const word of words) {
      position = Math.min(position + 1, MAX_POSITION);
      let list = positions.get(word);
      if (list === undefined) {
        const bytes = Buffer.byteLength(word) + 8;
        if (bytes > MAX_LEXEME_BYTES || bytes > budget) continue;
        budget -= bytes;
        list = [];
        positions.set(word, list);
      }
      const entry = `${position}${label}`;
      if (list.length < MAX_POSITIONS_PER_LEXEME && list.at(-1) !== entry) list.push(entry);
    }
    position = Math.min(position + 1, MAX_POSITION);
  }
  return [...positions].map(([word, list]) => `'${word}':${list.join(',')}`).join(' ');
}

/**
 * A tsquery literal for a phrase whose last word matches as a prefix (`'a' <-> 'b':*`), limited to
 * positions of one weight when given (`'a':B <-> 'b':*B`).
 */
export function tsqueryPhrase(words: readonly string[], weight: TsWeight | null): string {
  const label = weight ?? '';
  return words
    .map(
      (word, index) =>
        `'${word}'${index === words.length - 1 ? `:*${label}` : label === '' ? '' : `:${label}`}`,
    )
    .join(' <-> ');
}
