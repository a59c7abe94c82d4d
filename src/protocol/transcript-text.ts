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
/** What separates the words of a hostile line: blanks, tabs, NULs and other control characters. */
const WORD_SEPARATORS = /[\s\p{Cc}]+/u;
/** AUTH as the first word, however the words are separated (`AUTH\tPLAIN`, ` AUTH PLAIN`). */
const AUTH_COMMAND = /^[\s\p{Cc}]*AUTH(?:[\s\p{Cc}]|$)/iu;
/** AUTH glued into the first word (`AUTHPLAIN dGVz…`, `NOOPAUTH PLAIN …`, `AUTHPLAINdGVz…`). */
const GLUED_AUTH_COMMAND = /^([\s\p{Cc}]*\S*?AUTH)(\S*)(.*)$/isu;
/** A glued first word shown whole: letters only and short, so no credential can hide in it. */
const DISPLAYABLE_VERB = /^[A-Z_-]{1,24}$/i;
/** Shortest base64 token worth decoding as a PLAIN response (`\0a\0b` is 8 characters). */
const SHORTEST_PLAIN_RESPONSE = 8;

/** A mechanism name safe to show; null when the token may be a misplaced credential. */
export function displayableMechanism(token: string): string | null {
  const upper = token.toUpperCase();
  if (isSupportedMechanism(upper)) return upper;
  return MECHANISM_NAME.test(token) ? token : null;
}

/** `AUTH PLAIN <redacted>`: the verb and mechanism stay, anything after them does not. */
export function describeAuthCommand(text: string): string {
  const [verb = 'AUTH', mechanism, ...rest] = text.split(WORD_SEPARATORS).filter((token) => token.length > 0);
  if (mechanism === undefined) return verb;
  const shown = displayableMechanism(mechanism);
  if (shown === null) return `${verb} ${REDACTED}`;
  return rest.length > 0 ? `${verb} ${shown} ${REDACTED}` : `${verb} ${shown}`;
}

/** True for a line whose first word is AUTH: what follows it may be a credential, valid command or not. */
export function isAuthCommandLine(text: string): boolean {
  return AUTH_COMMAND.test(text);
}

/**
 * A client line as recorded: AUTH payloads redacted, control characters escaped. Each part between
 * bare CRs is judged alone, as a client ending its lines in CR alone meant them as lines; after an
 * AUTH (or, with `afterRefusedAuth`, from the start) base64-looking parts may be SASL responses.
 */
export function describeClientLine(text: string, afterRefusedAuth: boolean): string {
  let afterAuth = afterRefusedAuth;
  return text
    .split('\r')
    .map((part) => {
      if (isAuthCommandLine(part)) {
        afterAuth = true;
        return describeAuthCommand(part);
      }
      if (afterAuth && looksLikeSaslResponse(part)) return REDACTED;
      return escapeControlCharacters(redactGluedAuth(part) ?? redactPlainResponses(part));
    })
    .join('\\x0d');
}

/**
 * A line whose first word holds AUTH without being it, as a broken client or a mistyped script
 * sends it: the word up to AUTH stays (whole, when it is plainly a verb), the rest is redacted.
 */
function redactGluedAuth(text: string): string | null {
  const match = GLUED_AUTH_COMMAND.exec(text);
  if (match === null) return null;
  const [, upToAuth = '', restOfWord = '', rest = ''] = match;
  const word = upToAuth + restOfWord;
  if (DISPLAYABLE_VERB.test(word.trim())) return rest.trim().length > 0 ? `${word} ${REDACTED}` : word;
  return `${upToAuth}${REDACTED}`;
}

/** Words anywhere in the line that decode to a PLAIN response (`\0user\0password`), redacted. */
function redactPlainResponses(text: string): string {
  return text.replace(/[A-Za-z0-9+/]+=*/g, (token) => (isPlainResponse(token) ? REDACTED : token));
}

function isPlainResponse(token: string): boolean {
  if (token.length < SHORTEST_PLAIN_RESPONSE || token.length % 4 !== 0) return false;
  return Buffer.from(token, 'base64').includes(0);
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
