/**
 * Case-insensitive globs for `match`: `*` is any run of characters (none included), `?` exactly
 * one, everything else itself. Matched by walking both strings with one backtrack point per `*`,
 * so a pattern with many stars costs at most pattern × text steps (a regex could backtrack far more).
 */
export class Glob {
  readonly pattern: string;
  readonly #chars: readonly string[];

  constructor(pattern: string) {
    this.pattern = pattern;
    this.#chars = Array.from(pattern.toLowerCase());
  }

  matches(text: string): boolean {
    const pattern = this.#chars;
    const chars = Array.from(text.toLowerCase());
    let p = 0;
    let t = 0;
    // Where the last `*` was, and the text position it currently swallows up to.
    let star = -1;
    let starText = 0;
    while (t < chars.length) {
      const wanted = pattern[p];
      if (wanted === '*') {
        star = p;
        starText = t;
        p += 1;
      } else if (wanted !== undefined && (wanted === '?' || wanted === chars[t])) {
        p += 1;
        t += 1;
      } else if (star !== -1) {
        // Let the last `*` swallow one more character and try again from there.
        p = star + 1;
        starText += 1;
        t = starText;
      } else {
        return false;
      }
    }
    while (pattern[p] === '*') p += 1;
    return p === pattern.length;
  }
}
