/** URLs written out in a plain-text body: what a reader of the text part can click. */

/** http(s) and mailto URLs in order of appearance, duplicates included. */
export function findTextUrls(text: string): string[] {
  return [...text.matchAll(/\b(?:https?:\/\/|mailto:)[^\s<>"'`]+/gi)].map((match) =>
    // Sentence punctuation right after a URL belongs to the sentence, not the URL.
    match[0].replace(/[.,;:!?)\]]+$/, ''),
  );
}
