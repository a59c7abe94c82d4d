/**
 * SASL pieces for SMTP AUTH (RFC 4954): strict base64, the PLAIN message (RFC 4616), the LOGIN
 * prompts, the OAuth 2.0 bearer-token messages of XOAUTH2 (Google's and Microsoft's) and
 * OAUTHBEARER (RFC 7628), and the exchange that turns client lines into credentials. Pure: no I/O,
 * no checking.
 */
import type { Credentials, PasswordCredentials, TokenCredentials } from './types.js';

export type TokenMechanism = TokenCredentials['mechanism'];
export type SaslMechanism = PasswordCredentials['mechanism'] | TokenMechanism;

/** In the order the EHLO reply lists them; Gmail and Microsoft 365 offer XOAUTH2 beside LOGIN/PLAIN. */
export const SUPPORTED_MECHANISMS: readonly SaslMechanism[] = ['PLAIN', 'LOGIN', 'XOAUTH2', 'OAUTHBEARER'];

/** The de-facto LOGIN prompts (draft-murchison-sasl-login): base64 of `Username:` and `Password:`. */
const LOGIN_USERNAME_PROMPT = Buffer.from('Username:').toString('base64');
const LOGIN_PASSWORD_PROMPT = Buffer.from('Password:').toString('base64');

/** A client line that cancels the exchange (RFC 4954 §4). */
export const SASL_CANCEL = '*';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function isSupportedMechanism(name: string): name is SaslMechanism {
  return (SUPPORTED_MECHANISMS as readonly string[]).includes(name);
}

export function isTokenMechanism(mechanism: SaslMechanism): mechanism is TokenMechanism {
  return mechanism === 'XOAUTH2' || mechanism === 'OAUTHBEARER';
}

/**
 * Decodes a client response. RFC 4954 §4: a lone `=` is an empty initial response, and an empty
 * line an empty response to a 334 challenge (§8: `*(CRLF [base64])`). Node's own decoder skips
 * invalid characters silently, so the alphabet and padding are checked first.
 */
export function decodeSaslResponse(text: string): Buffer | null {
  if (text === '=' || text === '') return Buffer.alloc(0);
  if (!BASE64.test(text)) return null;
  return Buffer.from(text, 'base64');
}

export interface PlainResponse {
  authzid: string | null;
  username: string;
  password: string;
}

/** RFC 4616 §2: `[authzid] NUL authcid NUL passwd`, UTF-8. */
export function parsePlainResponse(message: Buffer): PlainResponse | null {
  const first = message.indexOf(0);
  const second = first === -1 ? -1 : message.indexOf(0, first + 1);
  if (first === -1 || second === -1 || message.indexOf(0, second + 1) !== -1) return null;
  const authzid = message.subarray(0, first).toString('utf8');
  const username = message.subarray(first + 1, second).toString('utf8');
  const password = message.subarray(second + 1).toString('utf8');
  if (username.length === 0) return null;
  return { authzid: authzid.length > 0 ? authzid : null, username, password };
}

/**
 * What is wrong with a decoded PLAIN message that parsePlainResponse refused, in words that never
 * repeat it (it holds the password).
 */
export function plainResponseMistake(message: Buffer): string {
  const separators = message.filter((byte) => byte === 0).length;
  if (message.length === 0) return 'the AUTH PLAIN response is empty';
  if (separators === 0) {
    return 'the AUTH PLAIN response has no NUL separators, as when "user:password" or the password alone is encoded';
  }
  if (separators === 1) {
    return 'the AUTH PLAIN response has one NUL separator where two belong (NUL user NUL password)';
  }
  if (separators > 2) return `the AUTH PLAIN response has ${separators} NUL separators where two belong`;
  return 'the AUTH PLAIN response names no user (an unset variable?)';
}

/** The separator of XOAUTH2 and OAUTHBEARER fields (RFC 7628 §3.1 kvsep). */
const KVSEP = '\x01';
/** The separator written as text: `^A`, `\x01`, `\001`, `\u0001`, `%01`. */
const SEPARATOR_AS_TEXT = /\^A|\\x01|\\0?01|\\u0001|%01/i;
const BEARER = /^Bearer +/i;

type TokenParse = { username: string; token: string } | { mistake: string };

/**
 * XOAUTH2 (Google's and Microsoft's documentation): `user=USER ^A auth=Bearer TOKEN ^A ^A`, where ^A
 * is the byte 0x01.
 */
export function parseXoauth2Response(message: Buffer): TokenParse {
  const text = message.toString('utf8');
  const framing = separatorMistake(text, 'XOAUTH2');
  if (framing !== null) return { mistake: framing };
  const fields = text.slice(0, -2).split(KVSEP);
  const user = fields.find((field) => field.startsWith('user='))?.slice('user='.length) ?? '';
  if (user === '') return { mistake: 'the XOAUTH2 response names no user (user= is missing or empty)' };
  return bearerField(fields, 'XOAUTH2', user);
}

/**
 * OAUTHBEARER (RFC 7628 §3.1): a GS2 header `n,a=USER,`, then `^A`-separated `key=value` pairs, one of
 * them `auth=Bearer TOKEN`, and a final `^A ^A`. The user is the header's authzid (`=2C` is a comma,
 * `=3D` an equals sign, RFC 5801 §4).
 */
export function parseOauthbearerResponse(message: Buffer): TokenParse {
  const text = message.toString('utf8');
  const header = /^([ny]|p=[^,]*),(a=[^,]*)?,/.exec(text);
  if (header === null) {
    return { mistake: 'the OAUTHBEARER response does not start with a GS2 header such as n,a=USER,' };
  }
  if (header[1]?.startsWith('p=')) {
    return {
      mistake: 'the OAUTHBEARER response asks for channel binding (p=), which this server does not offer',
    };
  }
  const user = (header[2] ?? 'a=').slice(2).replace(/=2C/gi, ',').replace(/=3D/gi, '=');
  if (user === '') {
    return { mistake: 'the OAUTHBEARER response names no user: its GS2 header must be n,a=USER,' };
  }
  const rest = text.slice(header[0].length);
  const framing = separatorMistake(rest, 'OAUTHBEARER');
  if (framing !== null) return { mistake: framing };
  if (!rest.startsWith(KVSEP)) {
    return { mistake: 'the OAUTHBEARER response needs a 0x01 byte between its GS2 header and its fields' };
  }
  return bearerField(rest.slice(1, -2).split(KVSEP), 'OAUTHBEARER', user);
}

/** Both messages end in two 0x01 bytes; a client that wrote them as text (`^A`) sent none. */
function separatorMistake(text: string, mechanism: TokenMechanism): string | null {
  if (!text.includes(KVSEP)) {
    return SEPARATOR_AS_TEXT.test(text)
      ? `the ${mechanism} response has the separator written as text (such as "^A" or "\\x01") where the byte 0x01 belongs`
      : `the ${mechanism} response has no 0x01 separators between its fields`;
  }
  return text.endsWith(KVSEP + KVSEP) ? null : `the ${mechanism} response does not end with two 0x01 bytes`;
}

function bearerField(fields: string[], mechanism: TokenMechanism, username: string): TokenParse {
  const auth = fields.find((field) => field.startsWith('auth='))?.slice('auth='.length);
  if (auth === undefined) return { mistake: `the ${mechanism} response has no auth= field` };
  const scheme = BEARER.exec(auth);
  if (scheme === null) {
    return { mistake: `the ${mechanism} response's auth= field must be "Bearer " and the token` };
  }
  return { username, token: auth.slice(scheme[0].length) };
}

/**
 * The error challenge a refused token gets, RFC 7628 §3.2.2 (OAUTHBEARER) and as Gmail sends it
 * for XOAUTH2: a base64 JSON status the client answers with a dummy response before the 535.
 */
function tokenErrorChallenge(mechanism: TokenMechanism): string {
  const status = mechanism === 'XOAUTH2' ? { status: '401', schemes: 'bearer' } : { status: 'invalid_token' };
  return Buffer.from(JSON.stringify(status)).toString('base64');
}

/** The dummy response to the error challenge: empty for XOAUTH2, ^A (`AQ==`) for OAUTHBEARER. */
export function isTokenErrorAcknowledgement(line: string): boolean {
  return line === '' || line === '=' || line === 'AQ==';
}

/** What is wrong with a response that is not base64, without repeating it. */
export function base64Mistake(text: string): string {
  return /[^A-Za-z0-9+/=]/.test(text)
    ? 'the AUTH response has characters base64 does not use, as when a user name or password is sent unencoded'
    : 'the AUTH response is not whole base64: its length or its = padding is wrong (cut short, or the padding stripped)';
}

/**
 * Slips that turn the right password into a wrong one, named without repeating either: a value
 * read from a file, a secret or an environment variable often keeps its line break.
 */
export function credentialSlips({ username, password }: PasswordCredentials): string[] {
  const slips: string[] = [];
  if (password === '') slips.push('the password is empty (an unset variable?)');
  else if (/[\r\n]$/.test(password)) {
    slips.push(
      'the password ends with a line break, as `echo` without -n or a secret file read whole leaves it',
    );
  } else if (/^\s|\s$/.test(password)) slips.push('the password starts or ends with a space');
  if (/[\r\n]$/.test(username)) slips.push('the user name ends with a line break');
  else if (/^\s|\s$/.test(username)) slips.push('the user name starts or ends with a space');
  return slips;
}

/** What the server does next in an AUTH exchange. */
export type SaslStep =
  /** Send `334` with this base64 text and wait for the next line. */
  | { kind: 'challenge'; text: string }
  /** The exchange is complete: check these credentials. */
  | { kind: 'credentials'; credentials: Credentials }
  /** The client sent `*` (RFC 4954 §4). */
  | { kind: 'cancelled' }
  | { kind: 'invalid-base64'; mistake: string }
  /** Decoded, but not a valid message of the mechanism (RFC 4616 §2, RFC 7628 §3.1). */
  | { kind: 'malformed'; mechanism: 'PLAIN' | TokenMechanism; mistake: string }
  /** The client's answer to a refused token's error challenge: the exchange ends in 535. */
  | { kind: 'token-refused'; username: string; reasons: string[]; acknowledged: boolean };

/** One AUTH exchange, from the AUTH command to the credentials (and, for a refused token, its 535). */
export class SaslExchange {
  readonly mechanism: SaslMechanism;
  /** LOGIN: the username, once received. */
  private username: string | null = null;
  /** A refused token, once its error challenge is sent. */
  private refusal: { username: string; reasons: string[] } | null = null;

  constructor(mechanism: SaslMechanism) {
    this.mechanism = mechanism;
  }

  /** True once a refused token's error challenge is sent: the next line is the client's answer to it. */
  get awaitsTokenErrorAnswer(): boolean {
    return this.refusal !== null;
  }

  /**
   * Refuses the token of this XOAUTH2 or OAUTHBEARER exchange: returns the error challenge to send,
   * and the next client line ends the exchange as `token-refused`.
   */
  refuseToken(username: string, reasons: string[]): string {
    if (!isTokenMechanism(this.mechanism)) throw new Error(`${this.mechanism} carries no token`);
    this.refusal = { username, reasons };
    return tokenErrorChallenge(this.mechanism);
  }

  /** The AUTH command itself, with its optional initial response (RFC 4954 §4). */
  start(initialResponse: string | undefined): SaslStep {
    if (initialResponse !== undefined) return this.respond(initialResponse);
    // LOGIN asks for the username; the others send an empty challenge.
    return { kind: 'challenge', text: this.mechanism === 'LOGIN' ? LOGIN_USERNAME_PROMPT : '' };
  }

  /** A client line sent in answer to a 334 challenge (or as the initial response). */
  respond(line: string): SaslStep {
    if (this.refusal !== null) {
      return { kind: 'token-refused', ...this.refusal, acknowledged: isTokenErrorAcknowledgement(line) };
    }
    if (line === SASL_CANCEL) return { kind: 'cancelled' };
    const decoded = decodeSaslResponse(line);
    if (decoded === null) return { kind: 'invalid-base64', mistake: base64Mistake(line) };
    if (this.mechanism === 'PLAIN') {
      const plain = parsePlainResponse(decoded);
      return plain === null
        ? { kind: 'malformed', mechanism: 'PLAIN', mistake: plainResponseMistake(decoded) }
        : { kind: 'credentials', credentials: { mechanism: 'PLAIN', ...plain } };
    }
    if (isTokenMechanism(this.mechanism)) {
      const parsed =
        this.mechanism === 'XOAUTH2' ? parseXoauth2Response(decoded) : parseOauthbearerResponse(decoded);
      return 'mistake' in parsed
        ? { kind: 'malformed', mechanism: this.mechanism, mistake: parsed.mistake }
        : { kind: 'credentials', credentials: { mechanism: this.mechanism, authzid: null, ...parsed } };
    }
    if (this.username === null) {
      this.username = decoded.toString('utf8');
      return { kind: 'challenge', text: LOGIN_PASSWORD_PROMPT };
    }
    return {
      kind: 'credentials',
      credentials: {
        mechanism: 'LOGIN',
        authzid: null,
        username: this.username,
        password: decoded.toString('utf8'),
      },
    };
  }
}
