/**
 * Fetches an access token from an OAuth 2.0 token endpoint (RFC 6749 §6 refresh, §4.4 client
 * credentials), as an application sending mail with XOAUTH2 does before it logs in. `mailport send`
 * and `doctor` use it so that one command checks the whole chain: client ID and secret, refresh
 * token, scope, then the SMTP login with the token they give.
 */
import { fetchTrusting } from '../client/trusting-fetch.js';

/** Token URLs by provider name, so `--oauth-token-url google` or `microsoft:TENANT` is enough. */
const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';
const microsoftTokenUrl = (tenant: string): string =>
  `https://login.microsoftonline.com/${encodeURIComponent(tenant)}/oauth2/v2.0/token`;

/** Exchange Online's scopes (a delegated refresh, an application's client credentials). */
const MICROSOFT_SCOPES = {
  refresh_token: 'https://outlook.office.com/SMTP.Send offline_access',
  client_credentials: 'https://outlook.office365.com/.default',
} as const;

export type TokenGrantType = 'refresh_token' | 'client_credentials';

export interface TokenEndpoint {
  url: string;
  /** Microsoft's token endpoint asks for a scope on every request; Google's keeps the first one. */
  defaultScopes: Partial<Record<TokenGrantType, string>>;
}

/** `google`, `microsoft`, `microsoft:TENANT`, or an http(s) URL; null when it is none of them. */
export function tokenEndpointOf(value: string): TokenEndpoint | null {
  const [name = '', tenant] = value.split(':', 2);
  if (value.toLowerCase() === 'google') return { url: GOOGLE_TOKEN_URL, defaultScopes: {} };
  if (name.toLowerCase() === 'microsoft' && !value.includes('//')) {
    return { url: microsoftTokenUrl(tenant || 'common'), defaultScopes: MICROSOFT_SCOPES };
  }
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) return null;
  return { url: value, defaultScopes: {} };
}

export interface TokenFetch {
  endpoint: TokenEndpoint;
  clientId: string;
  clientSecret?: string;
  /** With it, the refresh token grant; without it, client credentials. */
  refreshToken?: string;
  scope?: string;
  timeoutMs: number;
  /** Extra CA certificates (PEM) to trust, for a sandbox endpoint over HTTPS. */
  ca?: readonly string[];
}

export interface FetchedToken {
  accessToken: string;
  grantType: TokenGrantType;
  /** Seconds, as the endpoint said; null when it did not. */
  expiresIn: number | null;
}

/** The token endpoint refused or could not be reached; `oauthError` is RFC 6749 §5.2's, if it sent one. */
export class TokenEndpointError extends Error {
  override readonly name = 'TokenEndpointError';
  constructor(
    message: string,
    readonly oauthError: string | null,
  ) {
    super(message);
  }
}

export async function fetchAccessToken(request: TokenFetch): Promise<FetchedToken> {
  const grantType: TokenGrantType =
    request.refreshToken === undefined ? 'client_credentials' : 'refresh_token';
  const scope = request.scope ?? request.endpoint.defaultScopes[grantType];
  const form = new URLSearchParams({ grant_type: grantType, client_id: request.clientId });
  if (request.refreshToken !== undefined) form.set('refresh_token', request.refreshToken);
  if (request.clientSecret !== undefined) form.set('client_secret', request.clientSecret);
  if (scope !== undefined) form.set('scope', scope);
  const { url } = request.endpoint;
  const send = request.ca && request.ca.length > 0 ? fetchTrusting(request.ca) : fetch;
  let response: Response;
  let text: string;
  try {
    response = await send(url, {
      method: 'POST',
      headers: { accept: 'application/json' },
      body: form,
      signal: AbortSignal.timeout(request.timeoutMs),
    });
    text = await response.text();
  } catch (error) {
    throw new TokenEndpointError(`Could not reach the token endpoint ${url}: ${reason(error)}.`, null);
  }
  const body = parseObject(text);
  const oauthError = typeof body?.error === 'string' ? body.error : null;
  if (oauthError !== null || !response.ok) {
    const description = typeof body?.error_description === 'string' ? `: ${body.error_description}` : '';
    const said = oauthError === null ? clip(text) : `${oauthError}${description}`;
    throw new TokenEndpointError(
      `The token endpoint ${url} refused the ${grantType} grant (HTTP ${response.status}): ${said}`,
      oauthError,
    );
  }
  if (typeof body?.access_token !== 'string' || body.access_token === '') {
    throw new TokenEndpointError(
      `The token endpoint ${url} answered HTTP ${response.status} without an access_token: ${clip(text)}`,
      null,
    );
  }
  return {
    accessToken: body.access_token,
    grantType,
    expiresIn: typeof body.expires_in === 'number' ? body.expires_in : null,
  };
}

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** What a non-JSON answer starts with, on one line: enough to tell an HTML page from a proxy error. */
function clip(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line === '' ? '(an empty body)' : line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

function reason(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return 'no answer in time';
  const cause =
    error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}
