/**
 * The sandbox's OAuth 2.0 token endpoint, as domain logic (RFC 6749 §4.4, §4.3 and §6): an
 * application that fetches or refreshes its access tokens itself (nodemailer's `accessUrl`, a
 * `requests.post` to the token URL, Go's `oauth2.Config`) can run that code against the sandbox,
 * expiry and renewal included. No client is registered here, so the sandbox's secret is a login's
 * password: the refresh token, the client secret or the resource owner's password.
 */
import { DEFAULT_CREDENTIALS } from '../config/serve-config.js';
import { secretEquals } from '../secret-equals.js';
import { signAccessToken } from './access-token.js';

/** RFC 6749 §5.2 error codes the endpoint answers with. */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unsupported_grant_type';

/** A refused token request: RFC 6749 §5.2's `error` and `error_description`. */
export class OAuthError extends Error {
  override readonly name = 'OAuthError';
  constructor(
    readonly code: OAuthErrorCode,
    readonly description: string,
  ) {
    super(`${code}: ${description}`);
  }
}

/** The token request's parameters, from the body and from an HTTP Basic client login. */
export interface TokenRequest {
  grant_type?: string | undefined;
  refresh_token?: string | undefined;
  client_id?: string | undefined;
  client_secret?: string | undefined;
  username?: string | undefined;
  password?: string | undefined;
  scope?: string | undefined;
}

/** RFC 6749 §5.1's successful response. */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope?: string;
}

export const GRANT_TYPES = ['refresh_token', 'client_credentials', 'password'] as const;

/** Who the token is for: a login, or any login (null) under `--auth-any`. */
interface Holder {
  subject: string | null;
  key: string;
}

const ANY_LOGIN: Holder = { subject: null, key: '' };

export class TokenIssuer {
  readonly #logins: ReadonlyMap<string, string> | null;
  readonly #lifetimeSeconds: number;

  /** `logins` maps user to password; null takes any secret (`--auth-any`). */
  constructor(options: { logins: ReadonlyMap<string, string> | null; lifetimeSeconds: number }) {
    this.#logins = options.logins;
    this.#lifetimeSeconds = options.lifetimeSeconds;
  }

  get lifetimeSeconds(): number {
    return this.#lifetimeSeconds;
  }

  /** Issues a token, or throws OAuthError with what the request lacks. */
  grant(request: TokenRequest, nowMs = Date.now()): TokenResponse & { subject: string | null } {
    const holder = this.#holder(request);
    const scope = present(request.scope) ? request.scope : null;
    const token = signAccessToken({ ...holder, scope, lifetimeSeconds: this.#lifetimeSeconds, nowMs });
    return {
      access_token: token,
      token_type: 'Bearer',
      expires_in: this.#lifetimeSeconds,
      ...(scope === null ? {} : { scope }),
      subject: holder.subject,
    };
  }

  #holder(request: TokenRequest): Holder {
    const grantType = request.grant_type;
    if (!present(grantType)) {
      throw new OAuthError(
        'invalid_request',
        `grant_type is missing: send one of ${GRANT_TYPES.join(', ')}, form-encoded in the POST body.`,
      );
    }
    switch (grantType) {
      case 'refresh_token':
        return this.#refreshTokenHolder(request);
      case 'client_credentials':
        return this.#clientCredentialsHolder(request);
      case 'password':
        return this.#passwordHolder(request);
      default:
        throw new OAuthError(
          'unsupported_grant_type',
          `This sandbox's token endpoint takes grant_type ${GRANT_TYPES.join(', ')}, not ${grantType}. It has no sign-in page to give an authorization code, and cannot check a service account's signed assertion without the provider's keys: have your application use the refresh token grant against it.`,
        );
    }
  }

  #refreshTokenHolder(request: TokenRequest): Holder {
    requireClientId(request);
    const refreshToken = request.refresh_token;
    if (!present(refreshToken)) {
      throw new OAuthError('invalid_request', 'refresh_token is missing: send the refresh token to renew.');
    }
    const holder = this.#holderOfSecret(refreshToken);
    if (holder === null) {
      throw new OAuthError(
        'invalid_grant',
        `The refresh token is not valid here. In this sandbox a refresh token is the password of a login (${this.#loginHint()}).`,
      );
    }
    return holder;
  }

  #clientCredentialsHolder(request: TokenRequest): Holder {
    requireClientId(request);
    const secret = request.client_secret;
    if (!present(secret)) {
      throw new OAuthError(
        'invalid_client',
        'client_secret is missing: the client credentials grant needs the client secret (the secret value, not its ID).',
      );
    }
    const holder = this.#holderOfSecret(secret);
    if (holder === null) {
      throw new OAuthError(
        'invalid_client',
        `The client secret is wrong. In this sandbox the client secret is the password of a login (${this.#loginHint()}).`,
      );
    }
    return holder;
  }

  #passwordHolder(request: TokenRequest): Holder {
    const { username, password } = request;
    if (!present(username) || !present(password)) {
      throw new OAuthError('invalid_request', 'The password grant needs both username and password.');
    }
    if (this.#logins === null) return { subject: username, key: '' };
    const expected = this.#logins.get(username);
    if (expected === undefined || !secretEquals(password, expected)) {
      throw new OAuthError('invalid_grant', `The username or password is wrong (${this.#loginHint()}).`);
    }
    return { subject: username, key: expected };
  }

  /**
   * The login whose password `secret` is. Logins sharing that password share the token, which is
   * then for any of them (no subject): knowing the password lets one log in as each anyway.
   */
  #holderOfSecret(secret: string): Holder | null {
    if (this.#logins === null) return ANY_LOGIN;
    // Every login is compared, so the time taken says nothing about which one matched.
    const matches = [...this.#logins].filter(([, password]) => secretEquals(secret, password));
    const [first] = matches;
    if (first === undefined) return null;
    return { subject: matches.length === 1 ? first[0] : null, key: first[1] };
  }

  /** Which logins there are, for a refusal: their names, never their passwords (but the default's). */
  #loginHint(): string {
    const logins = [...(this.#logins ?? [])];
    const [only] = logins;
    const { user, pass } = DEFAULT_CREDENTIALS;
    return logins.length === 1 && only?.[0] === user && only[1] === pass
      ? `${pass} for the default login ${user}:${pass}`
      : `one of the --auth logins: ${logins.map(([user]) => user).join(', ')}`;
  }
}

function requireClientId(request: TokenRequest): void {
  if (!present(request.client_id)) {
    throw new OAuthError(
      'invalid_client',
      "client_id is missing: send your application's client ID (any value is taken here), in the body or as the user of an HTTP Basic login.",
    );
  }
}

function present(value: string | undefined): value is string {
  return value !== undefined && value !== '';
}
