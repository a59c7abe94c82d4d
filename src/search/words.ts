/**
 * Text folding shared by indexing and querying, so both storage engines see the same words:
 * lower-cased, accents removed (`Jörg` and `jorg` match). searchWords() keeps letters and digits
 * only: an address such as `alice@example.com` becomes `alice example com`.
 */
export function foldText(text: string): string {
  // ASCII has nothing to decompose or strip: the common case skips two passes over the text.
  if (isAscii(text)) return text.toLowerCase();
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
}

export function searchWords(text: string): string[] {
  const folded = foldText(text);
  return (isAscii(folded) ? folded.match(/[a-z0-9]+/g) : folded.match(/[\p{L}\p{N}]+/gu)) ?? [];
}

export function isAscii(text: string): boolean {
  return /^\p{ASCII}*$/u.test(text);
}
