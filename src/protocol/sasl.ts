/**
 * SASL pieces for SMTP AUTH (RFC 4954): strict base64, the PLAIN message (RFC 4616) and the LOGIN
 * prompts, and the exchange that turns client lines into credentials. Pure: no I/O, no checking.
 */
import type { Credentials } from './types.js';

export type SaslMechanism = 'PLAIN' | 'LOGIN';

export const SUPPORTED_MECHANISMS: readonly SaslMechanism[] = ['PLAIN', 'LOGIN'];

/** The de-facto LOGIN prompts (draft-murchison-sasl-login): base64 of `Username:` and `Password:`. */
const LOGIN_USERNAME_PROMPT = Buffer.from('Username:').toString('base64');
const LOGIN_PASSWORD_PROMPT = Buffer.from('Password:').toString('base64');

/** A client line that cancels the exchange (RFC 4954 §4). */
export const SASL_CANCEL = '*';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function isSupportedMechanism(name: string): name is SaslMechanism {
  return (SUPPORTED_MECHANISMS as readonly string[]).includes(name);
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
export function credentialSlips({ username, password }: Credentials): string[] {
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
  /** Decoded, but not a valid PLAIN message (RFC 4616 §2). */
  | { kind: 'malformed'; mistake: string };

/** One AUTH PLAIN or AUTH LOGIN exchange, from the AUTH command to the credentials. */
export class SaslExchange {
  private readonly mechanism: SaslMechanism;
  /** LOGIN: the username, once received. */
  private username: string | null = null;

  constructor(mechanism: SaslMechanism) {
    this.mechanism = mechanism;
  }

  /** The AUTH command itself, with its optional initial response (RFC 4954 §4). */
  start(initialResponse: string | undefined): SaslStep {
    if (initialResponse !== undefined) return this.respond(initialResponse);
    // PLAIN sends an empty challenge; LOGIN asks for the username.
    return { kind: 'challenge', text: this.mechanism === 'PLAIN' ? '' : LOGIN_USERNAME_PROMPT };
  }

  /** A client line sent in answer to a 334 challenge (or as the initial response). */
  respond(line: string): SaslStep {
    if (line === SASL_CANCEL) return { kind: 'cancelled' };
    const decoded = decodeSaslResponse(line);
    if (decoded === null) return { kind: 'invalid-base64', mistake: base64Mistake(line) };
    if (this.mechanism === 'PLAIN') {
      const plain = parsePlainResponse(decoded);
      return plain === null
        ? { kind: 'malformed', mistake: plainResponseMistake(decoded) }
        : { kind: 'credentials', credentials: { mechanism: 'PLAIN', ...plain } };
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
