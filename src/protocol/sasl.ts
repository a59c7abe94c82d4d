/**
 * SASL pieces for SMTP AUTH (RFC 4954): strict base64, the PLAIN message (RFC 4616) and the LOGIN
 * prompts. Pure functions; the exchange itself is driven by the session.
 */

export type SaslMechanism = 'PLAIN' | 'LOGIN';

export const SUPPORTED_MECHANISMS: readonly SaslMechanism[] = ['PLAIN', 'LOGIN'];

/** The de-facto LOGIN prompts (draft-murchison-sasl-login): base64 of `Username:` and `Password:`. */
export const LOGIN_USERNAME_PROMPT = Buffer.from('Username:').toString('base64');
export const LOGIN_PASSWORD_PROMPT = Buffer.from('Password:').toString('base64');

/** A client line that cancels the exchange (RFC 4954 §4). */
export const SASL_CANCEL = '*';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function isSupportedMechanism(name: string): name is SaslMechanism {
  return (SUPPORTED_MECHANISMS as readonly string[]).includes(name);
}

/**
 * Decodes a client response. RFC 4954 §4: a lone `=` is an empty response. Node's own decoder
 * skips invalid characters silently, so the alphabet and padding are checked first.
 */
export function decodeSaslResponse(text: string): Buffer | null {
  if (text === '=') return Buffer.alloc(0);
  if (text.length === 0 || !BASE64.test(text)) return null;
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
