/**
 * Option parsing shared by the client-side commands (doctor, send, explain): ports, timeouts,
 * and passwords that never appear on the command line when `--pass-env` is used.
 */
import { type Command, InvalidArgumentError } from 'commander';
import { MailportError } from '../../errors.js';
import { explainText } from '../../explain/index.js';
import {
  fetchAccessToken,
  TokenEndpointError,
  type TokenFetch,
  tokenEndpointOf,
} from '../../oauth/token-client.js';
import { checkMailbox } from '../../protocol/envelope.js';
import type { Credentials } from '../../smtp-client/index.js';

export function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new InvalidArgumentError(`"${value}" is not a port: give a whole number from 1 to 65535.`);
  }
  return port;
}

/** `587,465,2525,25` → [587, 465, 2525, 25] (duplicates dropped, order kept). */
export function parsePortList(value: string): number[] {
  const ports = value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map(parsePort);
  if (ports.length === 0) throw new InvalidArgumentError('Give at least one port, e.g. --ports 587,465.');
  return [...new Set(ports)];
}

/** A server as users write it: the host, and what a pasted URL also says. */
export interface ServerAddress {
  host: string;
  port?: number;
  /** `smtps://`: TLS from the first byte. */
  implicitTls?: boolean;
  /** From a URL's `user:pass@`, percent-decoded. */
  user?: string;
  pass?: string;
}

/**
 * `host`, `host:port`, `[v6]:port`, a bare IPv6 address, or the URL form libraries take and
 * settings pages show (`smtp://user:pass@host:587`, `smtps://host`), pasted as it is.
 */
export function parseServer(server: string): ServerAddress {
  if (/^smtps?:\/\//i.test(server)) return parseServerUrl(server);
  const bracketed = /^\[([^\]]+)\](?::(.+))?$/.exec(server);
  if (bracketed?.[1])
    return { host: bracketed[1], ...(bracketed[2] ? { port: serverPort(server, bracketed[2]) } : {}) };
  const parts = server.split(':');
  if (parts.length === 2 && parts[0] && parts[1])
    return { host: parts[0], port: serverPort(server, parts[1]) };
  if (parts.length === 1 && parts[0]) return { host: parts[0] };
  if (parts.length > 2) return { host: server };
  throw new MailportError('MP_ERR_USAGE', `"${server}" is not a server.`, {
    hint: 'write HOST or HOST:PORT, e.g. smtp.example.com:587.',
  });
}

function parseServerUrl(server: string): ServerAddress {
  const url = URL.canParse(server) ? new URL(server) : null;
  const host = url?.hostname.replace(/^\[(.*)\]$/, '$1') ?? '';
  if (url === null || host === '') {
    throw new MailportError('MP_ERR_USAGE', `"${redactUrlPassword(server)}" is not a server URL.`, {
      hint: 'write smtp://HOST:PORT or smtps://HOST:PORT (user:pass@ before the host is optional).',
    });
  }
  return {
    host,
    ...(url.port ? { port: serverPort(redactUrlPassword(server), url.port) } : {}),
    ...(url.protocol.toLowerCase() === 'smtps:' ? { implicitTls: true } : {}),
    ...(url.username ? { user: percentDecoded(url.username) } : {}),
    ...(url.password ? { pass: percentDecoded(url.password) } : {}),
  };
}

/** A URL part percent-decoded; a `%` that starts no escape is kept as written, as a person meant it. */
function percentDecoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** A URL as it may be printed: its password, if any, replaced. */
function redactUrlPassword(server: string): string {
  return server.replace(/^(smtps?:\/\/[^:@/]*:)[^@/]*@/i, '$1***@');
}

/** The port of `HOST:PORT`, failing as a usage error that names the whole value (not a bare port). */
function serverPort(server: string, port: string): number {
  try {
    return parsePort(port);
  } catch (error) {
    throw new MailportError('MP_ERR_USAGE', `"${server}" is not a server: ${(error as Error).message}`, {
      hint: 'write HOST or HOST:PORT, e.g. smtp.example.com:587.',
    });
  }
}

/**
 * An EHLO name as clients send them: a domain, a bare machine name or an address literal
 * (`[192.0.2.1]`); anything with spaces or line breaks would be a second command.
 */
export function parseEhloName(value: string): string {
  if (
    !/^(?:[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?|\[[0-9A-Fa-f.:]+\]|\[IPv6:[0-9A-Fa-f.:]+\])$/.test(value)
  ) {
    throw new InvalidArgumentError(
      `"${value}" is not an EHLO name: give a host name (app01.example.com) or an address literal ([192.0.2.1]).`,
    );
  }
  return value;
}

/** An envelope address as SMTP takes it (`noreply@example.com`), never a name with it. */
export function parseMailbox(value: string): string {
  if (checkMailbox(value, true).verdict !== 'valid') {
    throw new InvalidArgumentError(
      `"${value}" is not an e-mail address: give the address alone, e.g. noreply@example.com (no name or angle brackets).`,
    );
  }
  return value;
}

/** Seconds (fractions allowed) → milliseconds. */
export function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < 0.1 || seconds > 600) {
    throw new InvalidArgumentError(`"${value}" is not a timeout: give seconds from 0.1 to 600.`);
  }
  return Math.round(seconds * 1000);
}

/**
 * AUTH credentials: `--user` with the password from `--pass` or from the environment variable
 * named by `--pass-env` (preferred: it stays out of shell history and process listings), each
 * falling back to a pasted server URL's `user:pass@`; or `--user` with an OAuth 2.0 access token
 * from `--oauth-token` or `--oauth-token-env`, sent with XOAUTH2 or OAUTHBEARER. Never printed.
 */
export function resolveCredentials(
  options: { user?: string; pass?: string; passEnv?: string; oauthToken?: string; oauthTokenEnv?: string },
  fromUrl: Pick<ServerAddress, 'user' | 'pass'> = {},
): Credentials | undefined {
  const given = (['pass', 'passEnv', 'oauthToken', 'oauthTokenEnv'] as const).filter(
    (name) => options[name] !== undefined,
  );
  if (given.length > 1) {
    throw new MailportError('MP_ERR_USAGE', `Give only one of ${given.map(flagName).join(', ')}.`, {
      hint: '--pass-env VAR reads a password, --oauth-token-env VAR an OAuth 2.0 access token, from the environment variable VAR, and keep it out of shell history.',
    });
  }
  const token = secretOption(options.oauthToken, options.oauthTokenEnv, '--oauth-token-env');
  const user = options.user ?? fromUrl.user;
  if (token !== undefined) {
    if (user === undefined) {
      throw new MailportError('MP_ERR_USAGE', 'An OAuth token was given without --user.', {
        hint: 'add --user MAILBOX: the address the token was issued for.',
      });
    }
    return { user, token };
  }
  const pass = secretOption(options.pass, options.passEnv, '--pass-env') ?? fromUrl.pass;
  if (pass !== undefined && user === undefined) {
    throw new MailportError('MP_ERR_USAGE', 'A password was given without --user.', {
      hint: 'add --user USERNAME (often the full e-mail address).',
    });
  }
  if (user !== undefined && pass === undefined) {
    throw new MailportError('MP_ERR_USAGE', `--user ${user} was given without a password.`, {
      hint: 'add --pass-env VAR (or --pass PASSWORD), or --oauth-token-env VAR for an OAuth 2.0 access token.',
    });
  }
  return user !== undefined && pass !== undefined ? { user, pass } : undefined;
}

/** A secret given on the command line, or read from the environment variable an `…-env` flag names. */
function secretOption(
  value: string | undefined,
  variable: string | undefined,
  flag: string,
): string | undefined {
  if (variable === undefined) return value;
  const read = process.env[variable];
  if (read === undefined) {
    throw new MailportError(
      'MP_ERR_USAGE',
      `The environment variable ${variable} (from ${flag}) is not set.`,
      {
        hint: `export ${variable}=... before running the command.`,
      },
    );
  }
  return read;
}

function flagName(option: string): string {
  return `--${option.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}

/** Where `send` and `doctor` fetch the OAuth 2.0 access token themselves, before the login. */
export interface TokenFetchOptions {
  oauthTokenUrl?: string;
  oauthClientId?: string;
  oauthClientSecretEnv?: string;
  oauthRefreshTokenEnv?: string;
  oauthScope?: string;
}

type LoginOptions = Parameters<typeof resolveCredentials>[0] & TokenFetchOptions;

/** How the login's token was fetched, for the line that says so (never the token). */
export interface FetchedTokenNote {
  url: string;
  grantType: string;
  expiresIn: number | null;
}

/**
 * The AUTH credentials, as resolveCredentials reads them, or, with `--oauth-token-url`, an access
 * token fetched from that endpoint with the client ID, the refresh token or client secret (from
 * the environment only) and the scope. A refusal is an MP_ERR_OAUTH_TOKEN error whose hint is the
 * `explain` answer to it.
 */
export async function resolveLogin(
  options: LoginOptions,
  fromUrl: Pick<ServerAddress, 'user' | 'pass'>,
  timeoutMs: number,
  ca: readonly string[] = [],
): Promise<{ credentials: Credentials | undefined; fetched: FetchedTokenNote | null }> {
  const fetchFlags = (
    ['oauthClientId', 'oauthClientSecretEnv', 'oauthRefreshTokenEnv', 'oauthScope'] as const
  ).filter((name) => options[name] !== undefined);
  if (options.oauthTokenUrl === undefined) {
    if (fetchFlags.length > 0) {
      throw new MailportError(
        'MP_ERR_USAGE',
        `${fetchFlags.map(flagName).join(', ')} needs --oauth-token-url.`,
        {
          hint: 'add --oauth-token-url google, microsoft:TENANT or the token endpoint URL your provider gives.',
        },
      );
    }
    return { credentials: resolveCredentials(options, fromUrl), fetched: null };
  }
  const request = tokenFetchOf(options, fromUrl, timeoutMs, ca);
  try {
    const token = await fetchAccessToken(request.fetch);
    return {
      credentials: { user: request.user, token: token.accessToken },
      fetched: { url: request.fetch.endpoint.url, grantType: token.grantType, expiresIn: token.expiresIn },
    };
  } catch (error) {
    if (!(error instanceof TokenEndpointError)) throw error;
    const hint =
      error.oauthError === null
        ? 'check --oauth-token-url (google, microsoft:TENANT, or the URL your provider documents) and that this machine reaches it.'
        : explainText(error.message).fix;
    throw new MailportError('MP_ERR_OAUTH_TOKEN', error.message, { hint });
  }
}

function tokenFetchOf(
  options: LoginOptions,
  fromUrl: Pick<ServerAddress, 'user' | 'pass'>,
  timeoutMs: number,
  ca: readonly string[],
): { user: string; fetch: TokenFetch } {
  const other = (['pass', 'passEnv', 'oauthToken', 'oauthTokenEnv'] as const).find(
    (name) => options[name] !== undefined,
  );
  if (other !== undefined) {
    throw new MailportError('MP_ERR_USAGE', `Give only one of ${flagName(other)}, --oauth-token-url.`, {
      hint: '--oauth-token-url fetches the access token to log in with; --pass-env and --oauth-token-env give a password or a token you already have.',
    });
  }
  const endpoint = tokenEndpointOf(options.oauthTokenUrl ?? '');
  if (endpoint === null) {
    throw new MailportError(
      'MP_ERR_USAGE',
      `--oauth-token-url ${options.oauthTokenUrl} is no token endpoint.`,
      {
        hint: "give google, microsoft, microsoft:TENANT, or the https:// URL of your provider's token endpoint.",
      },
    );
  }
  const user = options.user ?? fromUrl.user;
  if (user === undefined) {
    throw new MailportError('MP_ERR_USAGE', '--oauth-token-url was given without --user.', {
      hint: 'add --user MAILBOX: the address to send as, which the token must be issued for.',
    });
  }
  if (options.oauthClientId === undefined) {
    throw new MailportError('MP_ERR_USAGE', '--oauth-token-url needs --oauth-client-id.', {
      hint: "add --oauth-client-id ID: the application's client ID from the provider's console.",
    });
  }
  const refreshToken = secretOption(undefined, options.oauthRefreshTokenEnv, '--oauth-refresh-token-env');
  const clientSecret = secretOption(undefined, options.oauthClientSecretEnv, '--oauth-client-secret-env');
  if (refreshToken === undefined && clientSecret === undefined) {
    throw new MailportError('MP_ERR_USAGE', '--oauth-token-url needs a refresh token or a client secret.', {
      hint: "add --oauth-refresh-token-env VAR (a user's refresh token), or --oauth-client-secret-env VAR alone for an application's client credentials.",
    });
  }
  return {
    user,
    fetch: {
      endpoint,
      clientId: options.oauthClientId,
      ...(clientSecret === undefined ? {} : { clientSecret }),
      ...(refreshToken === undefined ? {} : { refreshToken }),
      ...(options.oauthScope === undefined ? {} : { scope: options.oauthScope }),
      timeoutMs,
      ca,
    },
  };
}

/** The `--oauth-token-url` options, shared by `send` and `doctor`. */
export function addTokenFetchOptions(command: Command): Command {
  return command
    .option(
      '--oauth-token-url <url>',
      'fetch the OAuth 2.0 access token to log in with from this token endpoint: google, microsoft, microsoft:TENANT or a URL',
    )
    .option('--oauth-client-id <id>', "the application's client ID at the token endpoint")
    .option(
      '--oauth-refresh-token-env <var>',
      "read the user's refresh token from this environment variable (refresh_token grant)",
    )
    .option(
      '--oauth-client-secret-env <var>',
      'read the client secret from this environment variable (alone: client_credentials grant)',
    )
    .option(
      '--oauth-scope <scopes>',
      'scopes to ask for, space-separated (microsoft: SMTP.Send offline_access, or .default for an application)',
    );
}

/** The line saying where the login's token came from. */
export function formatFetchedToken(fetched: FetchedTokenNote): string {
  const lasts = fetched.expiresIn === null ? '' : `, valid for ${fetched.expiresIn} s`;
  return `Fetched an OAuth access token from ${fetched.url} (${fetched.grantType} grant${lasts})\n`;
}
