/**
 * Parsing of MAIL FROM / RCPT TO arguments: the path in angle brackets (RFC 5321 §4.1.2) and the
 * ESMTP parameters after it (RFC 5321 §4.1.1.11; SIZE RFC 1870, BODY RFC 6152, SMTPUTF8 RFC 6531,
 * AUTH RFC 4954 §5).
 */

import { isIPv6 } from 'node:net';

export type PathParse = { ok: true; address: string; parameterTokens: string[] } | { ok: false };

/** `FROM:<path> params` or `TO:<path> params`; a space after the colon is tolerated, brackets are not optional. */
export function parsePathArgument(argument: string, keyword: 'FROM' | 'TO'): PathParse {
  const prefix = `${keyword}:`;
  if (argument.slice(0, prefix.length).toUpperCase() !== prefix) return { ok: false };
  const rest = argument.slice(prefix.length).trimStart();
  if (!rest.startsWith('<')) return { ok: false };
  const close = closingBracket(rest);
  if (close === -1) return { ok: false };
  const after = rest.slice(close + 1);
  if (after.length > 0 && after[0] !== ' ') return { ok: false };
  return {
    ok: true,
    address: stripSourceRoute(rest.slice(1, close)),
    parameterTokens: after.split(' ').filter((token) => token.length > 0),
  };
}

/**
 * Why `FROM:<path>` / `TO:<path>` could not be read, with the command to send instead where the
 * address is plain to see: the generic "Syntax: MAIL FROM:<address>" leaves hand-written sessions
 * and scripts guessing which character is missing.
 */
export function pathSyntaxProblem(argument: string, keyword: 'FROM' | 'TO'): string {
  const command = keyword === 'FROM' ? 'MAIL FROM' : 'RCPT TO';
  const match = /^(FROM|TO)?\s*(:?)\s*(.*)$/i.exec(argument);
  const [, given = '', colon = '', rest = ''] = match ?? [];
  if (given.toUpperCase() !== keyword)
    return `the command is ${command}:<address>, with "${keyword}:" before the address`;
  const bare = /^<?([^\s<>]+@[^\s<>]+?)>?(?:\s|$)/.exec(rest)?.[1];
  const instead = bare === undefined ? '' : `: send ${command}:<${bare}>`;
  if (colon === '') return `a colon goes between ${command} and the address${instead}`;
  if (rest === '')
    return keyword === 'FROM'
      ? 'there is no address after the colon; the null sender of a bounce is written <>'
      : 'there is no address after the colon';
  if (!rest.startsWith('<')) return `the address goes in angle brackets${instead}`;
  if (!rest.includes('>')) return `the angle bracket around the address is not closed${instead}`;
  return 'a space goes between the closing angle bracket and the first parameter';
}

/**
 * Two envelope mistakes worth naming in the reply, with what to send instead: a display name
 * around the address (`Bob <bob@example.com>`, the form of a From: header, given as the envelope
 * address) and several addresses in one command (`<a@example.com, b@example.com>`, or
 * `<a@example.com> <b@example.com>`: a list joined into one string). Only looked for once the
 * command failed its checks.
 */
export type EnvelopeMistake =
  | { kind: 'display-name'; address: string }
  | { kind: 'several-addresses'; addresses: string[] };

const NAMED_ADDRESS = /^<?\s*(?:"[^"]*"|[^<>"]*[^<>"\s])\s*<([^<>\s@]+@[^<>\s@]+)>\s*>?(?:\s|$)/;
const BARE_ADDRESS = /^[^\s<>,;@]+@[^\s<>,;@]+$/;

export function findEnvelopeMistake(argument: string, keyword: 'FROM' | 'TO'): EnvelopeMistake | null {
  const prefix = `${keyword}:`;
  if (argument.slice(0, prefix.length).toUpperCase() !== prefix) return null;
  const rest = argument.slice(prefix.length).trim();
  const named = NAMED_ADDRESS.exec(rest);
  if (named?.[1] !== undefined) return { kind: 'display-name', address: named[1] };
  const parts = rest
    .replace(/[<>]/g, ' ')
    .split(/[\s,;]+/)
    .filter((part) => part !== '');
  if (parts.length > 1 && parts.every((part) => BARE_ADDRESS.test(part)))
    return { kind: 'several-addresses', addresses: parts };
  return null;
}

/** The `>` that closes the path opened at 0: one inside a quoted local part does not (§4.1.2). */
function closingBracket(text: string): number {
  let quoted = false;
  for (let index = 1; index < text.length; index += 1) {
    const char = text[index];
    if (quoted && char === '\\') index += 1;
    else if (char === '"') quoted = !quoted;
    else if (char === '>' && !quoted) return index;
  }
  return -1;
}

/** RFC 5321 §4.1.2 / Appendix C: `@a,@b:user@c` — servers must accept and ignore the route. */
function stripSourceRoute(path: string): string {
  if (!path.startsWith('@')) return path;
  const colon = path.indexOf(':');
  return colon === -1 ? path : path.slice(colon + 1);
}

const ATOM = "[A-Za-z0-9!#$%&'*+\\-/=?^_`{|}~\\u{80}-\\u{10FFFF}]+";
const QUOTED = '"(?:[\\x20\\x21\\x23-\\x5b\\x5d-\\x7e\\u{80}-\\u{10FFFF}]|\\\\[\\x20-\\x7e])*"';
// A DNS label is at most 63 octets (RFC 1035 §2.3.4).
const LABEL =
  '[A-Za-z0-9\\u{80}-\\u{10FFFF}](?:[A-Za-z0-9\\-\\u{80}-\\u{10FFFF}]{0,61}[A-Za-z0-9\\u{80}-\\u{10FFFF}])?';
const MAILBOX = new RegExp(
  `^(?:${ATOM}(?:\\.${ATOM})*|${QUOTED})@(?:${LABEL}(?:\\.${LABEL})*|\\[(?<literal>[^\\]]*)\\])$`,
  'u',
);
/** RFC 5321 §4.1.3: a dotted IPv4 address, `IPv6:` and an IPv6 address, or `tag:content`. */
const IPV4_LITERAL = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const GENERAL_LITERAL = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?:[\x21-\x5a\x5e-\x7e]+$/;
const NON_ASCII = /[^\p{ASCII}]/u;

/** RFC 5321 §4.5.3.1.1-3 size limits, in octets. */
const MAX_LOCAL_PART = 64;
const MAX_DOMAIN = 255;
const MAX_PATH = 256;

export type MailboxCheck =
  | { verdict: 'valid' | 'needs-smtputf8' }
  | { verdict: 'invalid' | 'too-long'; problem: string };

/** Checks a mailbox (`local@domain`); non-ASCII is valid only with SMTPUTF8 (RFC 6531 §3.3). */
export function checkMailbox(address: string, smtpUtf8: boolean): MailboxCheck {
  const match = MAILBOX.exec(address);
  const literal = match?.groups?.literal;
  if (match === null || (literal !== undefined && !isAddressLiteral(literal)))
    return { verdict: 'invalid', problem: syntaxProblem(address) };
  const problem = lengthProblem(address);
  if (problem !== null) return { verdict: 'too-long', problem };
  if (!smtpUtf8 && NON_ASCII.test(address)) return { verdict: 'needs-smtputf8' };
  return { verdict: 'valid' };
}

/** The inside of `[...]` after `@` (RFC 5321 §4.1.3). */
export function isAddressLiteral(literal: string): boolean {
  if (IPV4_LITERAL.test(literal)) return true;
  if (/^IPv6:/i.test(literal)) return isIPv6(literal.slice(5));
  return GENERAL_LITERAL.test(literal);
}

const ATEXT = new RegExp(`^${ATOM}$`, 'u');
const DOMAIN_LABEL = new RegExp(`^${LABEL}$`, 'u');
const LOCAL_PART_RULE = '(RFC 5321 section 4.1.2)';

/**
 * What is wrong with an address the mailbox grammar refused, in words a person can act on: the
 * bare "Bad sender address syntax" leaves them comparing the address with RFC 5321 by eye.
 */
function syntaxProblem(address: string): string {
  const at = localPartEnd(address);
  if (at === -1)
    return address.startsWith('"')
      ? `the quoted local part has no closing quote, or no @domain follows it ${LOCAL_PART_RULE}`
      : 'there is no @ and domain: the envelope takes a full address, such as user@example.com';
  const localPart = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (localPart === '') return 'there is nothing before the @';
  if (domain === '') return 'there is no domain after the @';
  if (domain.includes('@'))
    return `there is more than one @; only a quoted local part may hold one ${LOCAL_PART_RULE}`;
  return (
    domainProblem(domain) ??
    localPartProblem(localPart) ??
    `it is not a mailbox, local-part@domain ${LOCAL_PART_RULE}`
  );
}

/** The index of the `@` after the local part, past a quoted local part's own `@`s; -1 if none. */
function localPartEnd(address: string): number {
  if (!address.startsWith('"')) return address.indexOf('@');
  for (let index = 1; index < address.length; index += 1) {
    if (address[index] === '\\') index += 1;
    else if (address[index] === '"') return address[index + 1] === '@' ? index + 1 : -1;
  }
  return -1;
}

function domainProblem(domain: string): string | null {
  if (domain.startsWith('[')) {
    const literal = domain.endsWith(']') ? domain.slice(1, -1) : null;
    if (literal !== null && isAddressLiteral(literal)) return null;
    return 'the domain in brackets is no address literal: write [192.0.2.1] or [IPv6:2001:db8::1] (RFC 5321 section 4.1.3)';
  }
  const labels = domain.split('.');
  if (labels.includes(''))
    return 'the domain has an empty label: a dot at its start or end, or two dots in a row';
  for (const label of labels) {
    if (DOMAIN_LABEL.test(label)) continue;
    if (Buffer.byteLength(label) > 63)
      return 'a label of the domain is over 63 octets (RFC 1035 section 2.3.4)';
    const bad = [...label].find((char) => !/[A-Za-z0-9-]|[^\p{ASCII}]/u.test(char));
    return bad === undefined
      ? `the domain label "${label}" starts or ends with a hyphen, which a host name cannot`
      : `the domain holds ${characterName(bad)}: a host name has only letters, digits, hyphens and dots`;
  }
  return null;
}

function localPartProblem(localPart: string): string | null {
  if (localPart.startsWith('"'))
    return `the quoted local part has a backslash before a character that is not printable US-ASCII ${LOCAL_PART_RULE}`;
  if (localPart.split('.').includes(''))
    return `the local part has a dot at its start or end, or two dots in a row, which only a quoted local part may have ${LOCAL_PART_RULE}`;
  const unquotable = [...localPart].find((char) => char !== '.' && !ATEXT.test(char));
  if (unquotable === undefined) return null;
  return `the local part holds ${characterName(unquotable)}, which only a quoted local part may hold ${LOCAL_PART_RULE}`;
}

/** A character of a refused name or address, as a reply can show it. Control characters never get
 * this far: the command line refuses them first. */
export function characterName(char: string): string {
  if (char === ' ') return 'a space';
  return char === '"' ? 'a double quote' : `"${char}"`;
}

/** Which RFC 5321 §4.5.3.1 limit a well-formed address exceeds, in words, or null. */
function lengthProblem(address: string): string | null {
  const at = address.lastIndexOf('@');
  const localPart = Buffer.byteLength(address.slice(0, at));
  const domain = Buffer.byteLength(address.slice(at + 1));
  const path = Buffer.byteLength(address) + 2;
  if (localPart > MAX_LOCAL_PART)
    return `the local part is ${localPart} octets; the limit is ${MAX_LOCAL_PART}`;
  if (domain > MAX_DOMAIN) return `the domain is ${domain} octets; the limit is ${MAX_DOMAIN}`;
  if (path > MAX_PATH) return `the path is ${path} octets with its brackets; the limit is ${MAX_PATH}`;
  return null;
}

/** RFC 5321 §4.1.1.3: `<Postmaster>` without a domain must be accepted as a recipient. */
export function isBarePostmaster(address: string): boolean {
  return address.toLowerCase() === 'postmaster';
}

export type Parameters = Record<string, string | true>;

export type ParameterParse =
  | { ok: true; parameters: Parameters }
  | { ok: false; error: 'unknown' | 'invalid' | 'duplicate'; name: string };

const KEYWORD = /^[A-Za-z0-9][A-Za-z0-9-]*$/;
// esmtp-value: any printable except `=` and SP (RFC 5321 §4.1.2), plus UTF-8 (RFC 6531 §3.3).
const VALUE = /^[\u0021-\u003c\u003e-\u007e\u{80}-\u{10FFFF}]+$/u;
const SIZE_VALUE = /^[0-9]{1,20}$/;
/** RFC 3461 §4: printable US-ASCII but `+` and `=`, which are written `+2B` and `+3D`. */
const XTEXT = /^(?:[\x21-\x2a\x2c-\x3c\x3e-\x7e]|\+[0-9A-F]{2})+$/;

/** The MAIL FROM parameters this server advertises in EHLO; AUTH= only where AUTH is offered. */
export function parseMailParameters(tokens: readonly string[], authOffered: boolean): ParameterParse {
  const parsed = splitParameters(tokens);
  if (!parsed.ok) return parsed;
  for (const [name, value] of Object.entries(parsed.parameters)) {
    // RFC 3030 §3: BINARYMIME is an extension of its own, not offered here: unsupported, not malformed.
    if (name === 'BODY' && value === 'BINARYMIME')
      return { ok: false, error: 'unknown', name: 'BODY=BINARYMIME' };
    const error = name === 'AUTH' && !authOffered ? 'unknown' : checkMailParameter(name, value);
    if (error !== null) return { ok: false, error, name };
  }
  return parsed;
}

function checkMailParameter(name: string, value: string | true): 'unknown' | 'invalid' | null {
  switch (name) {
    case 'SIZE':
      return typeof value === 'string' && SIZE_VALUE.test(value) ? null : 'invalid';
    case 'BODY':
      return value === '7BIT' || value === '8BITMIME' ? null : 'invalid';
    case 'SMTPUTF8':
      return value === true ? null : 'invalid';
    case 'AUTH':
      // RFC 4954 §5: accepted and ignored; the value is an xtext mailbox or `<>`.
      return typeof value === 'string' && (value === '<>' || XTEXT.test(value)) ? null : 'invalid';
    default:
      return 'unknown';
  }
}

/** RCPT TO takes no parameters here (no DSN, RFC 3461), so any parameter is unknown. */
export function parseRcptParameters(tokens: readonly string[]): ParameterParse {
  const parsed = splitParameters(tokens);
  if (!parsed.ok) return parsed;
  const [first] = Object.keys(parsed.parameters);
  return first === undefined ? parsed : { ok: false, error: 'unknown', name: first };
}

function splitParameters(tokens: readonly string[]): ParameterParse {
  const parameters: Parameters = {};
  for (const token of tokens) {
    const equals = token.indexOf('=');
    const name = (equals === -1 ? token : token.slice(0, equals)).toUpperCase();
    if (!KEYWORD.test(name)) return { ok: false, error: 'invalid', name: token };
    if (Object.hasOwn(parameters, name)) return { ok: false, error: 'duplicate', name };
    if (equals === -1) {
      parameters[name] = true;
      continue;
    }
    const value = token.slice(equals + 1);
    if (!VALUE.test(value)) return { ok: false, error: 'invalid', name };
    parameters[name] = name === 'BODY' ? value.toUpperCase() : value;
  }
  return { ok: true, parameters };
}
