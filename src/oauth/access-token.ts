/**
 * The access tokens the sandbox's OAuth token endpoint issues: JWTs signed with HMAC-SHA256 under
 * the password of the login they are for. No signing key is kept anywhere, so a restart keeps
 * every token valid, every node started with the same `--auth` logins takes the others' tokens,
 * and only someone who knows a login's password can make a token for it, as with the password.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

/** The `iss` claim of every token the sandbox issues. */
export const TOKEN_ISSUER = 'mailport';

export interface AccessTokenGrant {
  /** The login the token is for; null when any login may use it (`--auth-any`, shared passwords). */
  subject: string | null;
  /** The HMAC key: the password of the login(s) the token is for ('' under `--auth-any`). */
  key: string;
  scope: string | null;
  lifetimeSeconds: number;
  nowMs: number;
}

const HEADER = base64UrlJson({ alg: 'HS256', typ: 'JWT' });

export function signAccessToken(grant: AccessTokenGrant): string {
  const iat = Math.floor(grant.nowMs / 1000);
  const claims = {
    iss: TOKEN_ISSUER,
    ...(grant.subject === null ? {} : { sub: grant.subject }),
    ...(grant.scope === null ? {} : { scope: grant.scope }),
    iat,
    // Rounded up, so a token lasts at least its lifetime (claims are whole seconds).
    exp: Math.ceil(grant.nowMs / 1000) + grant.lifetimeSeconds,
    jti: randomUUID(),
  };
  const signingInput = `${HEADER}.${base64UrlJson(claims)}`;
  return `${signingInput}.${signature(signingInput, grant.key)}`;
}

/**
 * Whether `token` is one the sandbox issued for `username` under `key` (the user's password) and
 * has not expired. A token with no subject is for any login whose password signed it.
 */
export function isIssuedAccessToken(token: string, username: string, key: string, nowMs: number): boolean {
  const parts = token.split('.');
  if (parts.length !== 3) return false;
  const [header = '', payload = '', sent = ''] = parts;
  const expected = Buffer.from(signature(`${header}.${payload}`, key));
  const given = Buffer.from(sent);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
  const claims = parseJson(payload);
  if (claims === null || header !== HEADER || claims.iss !== TOKEN_ISSUER) return false;
  if (claims.sub !== undefined && claims.sub !== username) return false;
  return typeof claims.exp === 'number' && claims.exp * 1000 > nowMs;
}

function signature(signingInput: string, key: string): string {
  return createHmac('sha256', key).update(signingInput).digest('base64url');
}

function base64UrlJson(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function parseJson(part: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
