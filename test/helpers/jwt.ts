/**
 * Unsigned-in-effect JWTs for tests: a real header and claims with a dummy signature, which is all
 * a server without the issuer's keys can read anyway.
 */
function part(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function jwt(claims: Record<string, unknown>): string {
  return `${part({ alg: 'RS256', typ: 'JWT' })}.${part(claims)}.c2lnbmF0dXJl`;
}

const TENANT = 'https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/';

/** A delegated Exchange Online token for `user`, valid for an hour from `nowMs` unless `claims` say otherwise. */
export function microsoftSmtpToken(
  user: string,
  claims: Record<string, unknown> = {},
  nowMs = Date.now(),
): string {
  const now = Math.floor(nowMs / 1000);
  return jwt({
    aud: 'https://outlook.office.com',
    iss: TENANT,
    iat: now - 60,
    nbf: now - 60,
    exp: now + 3600,
    scp: 'SMTP.Send offline_access',
    upn: user,
    ...claims,
  });
}
