/**
 * How client lines appear in the session transcript: AUTH payloads redacted (RFC 4954 §4 carries
 * credentials, which are never stored), control characters escaped so a line stays one line.
 */
import { isSupportedMechanism } from './sasl.js';

export const REDACTED = '<redacted>';

/** RFC 4422 §3.1 mechanism name: upper-case letters, digits, `-` and `_`, at most 20. */
const MECHANISM_NAME = /^[A-Z0-9_-]{1,20}$/;
/** A line that could be a base64 SASL response. */
const BASE64_TOKEN = /^[A-Za-z0-9+/]+=*$/;
const CONTROL_CHARACTERS = /\p{Cc}/gu;

/** A mechanism name safe to show; null when the token may be a misplaced credential. */
export function displayableMechanism(token: string): string | null {
  const upper = token.toUpperCase();
  if (isSupportedMechanism(upper)) return upper;
  return MECHANISM_NAME.test(token) ? token : null;
}

/** `AUTH PLAIN <redacted>`: the verb and mechanism stay, anything after them does not. */
export function describeAuthCommand(text: string): string {
  const [verb = 'AUTH', mechanism, ...rest] = text.split(' ').filter((token) => token.length > 0);
  if (mechanism === undefined) return verb;
  const shown = displayableMechanism(mechanism);
  if (shown === null) return `${verb} ${REDACTED}`;
  return rest.length > 0 ? `${verb} ${shown} ${REDACTED}` : `${verb} ${shown}`;
}

/** True for a line that looks like a base64 SASL response sent outside an exchange. */
export function looksLikeSaslResponse(text: string): boolean {
  return BASE64_TOKEN.test(text);
}

/** Control characters as `\xNN`, so garbage cannot break the transcript into fake lines. */
export function escapeControlCharacters(text: string): string {
  return text.replace(
    CONTROL_CHARACTERS,
    (character) => `\\x${character.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}
