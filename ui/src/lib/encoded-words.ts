/**
 * Decodes RFC 2047 encoded-words (`=?UTF-8?Q?caf=C3=A9?=`, `=?ISO-8859-1?B?...?=`) in header
 * values for display. The API keeps headers exactly as received; the Headers tab shows them
 * readable, with the raw value one hover away.
 */
const ENCODED_WORD = /=\?([^?*\s]+)(?:\*[^?\s]*)?\?([bq])\?([^?\s]*)\?=/gi;
/** RFC 2047 §6.2: white space between two adjacent encoded-words is not displayed. */
const GAP_BETWEEN_WORDS = /(=\?[^?\s]+\?[bq]\?[^?\s]*\?=)\s+(?==\?[^?\s]+\?[bq]\?[^?\s]*\?=)/gi;

/** RFC 2047 §4.2: `_` is a space, `=XX` a byte in hex. */
function qBytes(text: string): Uint8Array {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const hex = text.slice(i + 1, i + 3);
    if (text[i] === '_') bytes.push(0x20);
    else if (text[i] === '=' && /^[0-9a-f]{2}$/i.test(hex)) {
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else bytes.push(text.charCodeAt(i));
  }
  return new Uint8Array(bytes);
}

function base64Bytes(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (char) => char.charCodeAt(0));
}

export function decodeEncodedWords(value: string): string {
  return value
    .replace(GAP_BETWEEN_WORDS, '$1')
    .replace(ENCODED_WORD, (word, charset: string, encoding: string, text: string) => {
      try {
        const bytes = encoding.toLowerCase() === 'b' ? base64Bytes(text) : qBytes(text);
        return new TextDecoder(charset).decode(bytes);
      } catch {
        // Unknown charset or broken base64: show the word as received.
        return word;
      }
    });
}
