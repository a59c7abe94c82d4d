/**
 * What is wrong with an OAuth 2.0 bearer token sent with AUTH XOAUTH2 or OAUTHBEARER, as far as it
 * can be told without the token's issuer: slips in the value itself, and for a JWT (Microsoft's
 * access tokens, any ID token) its claims: the expiry, Exchange Online's audience and SMTP
 * permissions, and the user it was issued to. Pure, and never repeats the token.
 */

/** Exchange Online, the audience of a token SMTP AUTH accepts (by URL or by its application id). */
const EXCHANGE_AUDIENCES: ReadonlySet<string> = new Set([
  'https://outlook.office.com',
  'https://outlook.office365.com',
  '00000002-0000-0ff1-ce00-000000000000',
]);

/** Audiences a Microsoft token is often mistakenly requested for, by name. */
const KNOWN_AUDIENCES: ReadonlyMap<string, string> = new Map([
  ['https://graph.microsoft.com', 'Microsoft Graph'],
  ['00000003-0000-0000-c000-000000000000', 'Microsoft Graph'],
  ['https://management.azure.com', 'Azure Resource Manager'],
]);

const MICROSOFT_ISSUER = /^https:\/\/(?:sts\.windows\.net|login\.microsoftonline\.com)\//;
const GOOGLE_ISSUER = /^(?:https:\/\/)?accounts\.google\.com$/;
/** Google's refresh tokens start `1//`; its access tokens `ya29.`. */
const GOOGLE_REFRESH_TOKEN = /^1\/\/[\w-]/;
/** Clocks drift: a token is "not yet valid" only when its nbf is further ahead than this. */
const CLOCK_SKEW_SECONDS = 300;
/** The latest time a JavaScript Date holds (ECMA-262 §21.4.1.22), in seconds. */
const MAX_DATE_SECONDS = 8.64e12;

type Claims = Record<string, unknown>;

/** Problems with the token for `user` at `nowMs`, each a clause a person understands; [] if none is seen. */
export function bearerTokenProblems(token: string, user: string, nowMs: number): string[] {
  const slip = tokenSlip(token);
  if (slip !== null) return [slip];
  if (GOOGLE_REFRESH_TOKEN.test(token)) {
    return [
      'the token is a Google refresh token (it starts with 1//): exchange it at the token endpoint for an access token (one that starts with ya29.) and send that',
    ];
  }
  const claims = jwtClaims(token);
  if (claims === null) return [];
  const issuer = typeof claims.iss === 'string' ? claims.iss : '';
  if (GOOGLE_ISSUER.test(issuer)) {
    return [
      'the token is a Google ID token (a JWT from accounts.google.com), not an access token: send the access_token of the token response (it starts with ya29.)',
    ];
  }
  const problems = timeProblems(claims, nowMs);
  if (MICROSOFT_ISSUER.test(issuer)) problems.push(...microsoftProblems(claims, user));
  return problems;
}

function tokenSlip(token: string): string | null {
  if (token === '') return 'the token is empty (an unset variable?)';
  if (/^bearer\s/i.test(token)) {
    return 'the token starts with "Bearer " again: the scheme was added to a value that already had it';
  }
  if (/[\r\n]$/.test(token)) {
    return 'the token ends with a line break, as a token file or secret read whole leaves it';
  }
  if (/^\s|\s$/.test(token)) return 'the token starts or ends with a space';
  if (/^(["']).*\1$/.test(token)) return 'the token is wrapped in quotes';
  if (/\s/.test(token)) return 'the token contains a space or line break: it was cut or joined wrongly';
  return null;
}

/** The claims of a signed JWT (three base64url parts, a JSON header with `alg`); null for any other token. */
function jwtClaims(token: string): Claims | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const [header, payload] = parts.map(base64UrlJson);
  if (header === null || header === undefined || typeof header.alg !== 'string') return null;
  return payload ?? null;
}

function base64UrlJson(part: string): Claims | null {
  if (!/^[A-Za-z0-9_-]+$/.test(part)) return null;
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Claims) : null;
  } catch {
    return null;
  }
}

/** A NumericDate (RFC 7519 §2) a Date can hold; anything else in a hostile token is no claim. */
function numericDate(value: unknown): number | null {
  return typeof value === 'number' && Math.abs(value) <= MAX_DATE_SECONDS ? value : null;
}

function timeProblems(claims: Claims, nowMs: number): string[] {
  const now = nowMs / 1000;
  const exp = numericDate(claims.exp);
  const nbf = numericDate(claims.nbf);
  if (exp !== null && exp <= now) {
    return [
      `the token expired at ${isoSeconds(exp)}, ${elapsed(now - exp)} ago: access tokens last about an hour, so fetch a fresh one (or refresh it) before sending`,
    ];
  }
  if (nbf !== null && nbf > now + CLOCK_SKEW_SECONDS) {
    return [
      `the token is not valid before ${isoSeconds(nbf)}: this machine's clock or the issuer's is wrong`,
    ];
  }
  return [];
}

/**
 * Exchange Online takes a token for its own audience with the delegated scope SMTP.Send, or, for
 * an application sending as a mailbox, the application permission SMTP.SendAsApp.
 */
function microsoftProblems(claims: Claims, user: string): string[] {
  // RFC 7519 §4.1.3: one audience, or an array of them.
  const audiences = (Array.isArray(claims.aud) ? claims.aud : [claims.aud])
    .filter((value): value is string => typeof value === 'string')
    .map((value) => value.replace(/\/$/, ''));
  const scopes = typeof claims.scp === 'string' ? claims.scp.split(' ').filter(Boolean) : null;
  const roles = Array.isArray(claims.roles) ? claims.roles.filter((role) => typeof role === 'string') : null;
  if (scopes === null && roles === null) {
    return [
      'the token has neither scp nor roles: it is an ID token, not an access token; send the access_token of the token response',
    ];
  }
  if (!audiences.some((audience) => EXCHANGE_AUDIENCES.has(audience.toLowerCase()))) {
    const audience = audiences[0];
    const name = KNOWN_AUDIENCES.get(audience?.toLowerCase() ?? '');
    const meant =
      audience === undefined
        ? 'no audience'
        : name === undefined
          ? `the audience ${JSON.stringify(audience)}`
          : `${name} (${audience})`;
    return [
      `the token is for ${meant}, not Exchange Online: request the scope https://outlook.office.com/SMTP.Send (delegated) or https://outlook.office365.com/.default (application)`,
    ];
  }
  if (scopes !== null) {
    const problems: string[] = [];
    if (!scopes.includes('SMTP.Send')) {
      problems.push(
        `the token's scopes (${scopes.join(' ') || 'none'}) lack SMTP.Send: add the delegated permission SMTP.Send and request https://outlook.office.com/SMTP.Send`,
      );
    }
    const issuedTo = [claims.upn, claims.unique_name, claims.preferred_username, claims.email].find(
      (value): value is string => typeof value === 'string' && value !== '',
    );
    if (issuedTo !== undefined && issuedTo.toLowerCase() !== user.toLowerCase()) {
      problems.push(
        `the token was issued to ${JSON.stringify(issuedTo)}, but the AUTH user is ${JSON.stringify(user)}: they must be the same mailbox`,
      );
    }
    return problems;
  }
  return roles?.includes('SMTP.SendAsApp')
    ? []
    : [
        'the application token lacks the SMTP.SendAsApp permission: grant it (with admin consent) and register the application in Exchange Online',
      ];
}

function isoSeconds(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** "40 s", "12 min", "3 h 5 min", "2 days". */
function elapsed(seconds: number): string {
  if (seconds < 60) return `${Math.floor(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} days`;
}
