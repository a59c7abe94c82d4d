/**
 * Text folding shared by indexing and querying, so both storage engines see the same words:
 * lower-cased, accents removed (`Jörg` and `jorg` match). searchWords() keeps letters and digits
 * only: an address such as `alice@example.com` becomes `alice example com`.
 */
export function foldText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
}

export function searchWords(text: string): string[] {
  return foldText(text).match(/[\p{L}\p{N}]+/gu) ?? [];
}
