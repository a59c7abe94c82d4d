/**
 * What a `334` AUTH challenge says, decoded for people reading a transcript: `334 VXNlcm5hbWU6` is
 * LOGIN's `Username:`, `334 eyJzdGF0dXMiOiI0MDEi…` a refused OAuth token's JSON status (RFC 7628
 * §3.2.2). Browser-safe (atob, TextDecoder): the web UI shows it too.
 */
const CHALLENGE = /^334 ([A-Za-z0-9+/]+={0,2})$/;
const PRINTABLE = /^[\x20-\x7e]+$/;

/** The decoded text of a 334 challenge line; null when the line is none or its text is not printable. */
export function decodedChallenge(line: string): string | null {
  const encoded = CHALLENGE.exec(line)?.[1];
  if (encoded === undefined || encoded.length % 4 !== 0) return null;
  try {
    const bytes = Uint8Array.from(atob(encoded), (character) => character.charCodeAt(0));
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return PRINTABLE.test(text) ? text : null;
  } catch {
    return null;
  }
}

/** A server line as a terminal shows it: a 334 challenge followed by `   (decoded: …)`. */
export function withDecodedChallenge(line: string): string {
  const decoded = decodedChallenge(line);
  return decoded === null ? line : `${line}   (decoded: ${decoded})`;
}
