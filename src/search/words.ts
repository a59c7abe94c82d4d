/**
 * Word splitting shared by indexing and querying, so both storage engines see the same words:
 * letters and digits only, lower-cased, accents removed (`Café` and `cafe` match). An address
 * such as `alice@example.com` becomes `alice example com`.
 */
export function searchWords(text: string): string[] {
  return (
    text
      .normalize('NFKD')
      .replace(/\p{M}+/gu, '')
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? []
  );
}
