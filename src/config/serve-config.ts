/**
 * Configuration of `mailport serve`: one schema, one place that reads flags and environment
 * variables, one validation pass. Every flag `--x-y` has the environment variable `MAILPORT_X_Y`.
 */

import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { type ChaosRule, validateChaosRules } from '../chaos/rules.js';
import { parseChaosRuleTexts, splitChaosRules } from '../chaos/syntax.js';
import { ConfigError } from '../errors.js';
import type { MailportEventName } from '../events/bus.js';
import { WEBHOOK_EVENTS } from '../events/webhooks.js';
import { PORT_PROFILES, PROFILE_NAMES, type ProfileName } from '../profiles/port-profiles.js';
import { formatHostPort, splitHostPort } from './host-port.js';
import { type RawReleaseOptions, type ReleaseSettings, resolveReleaseSettings } from './release-config.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
export type LogFormat = 'text' | 'json';

export interface ServeLimits {
  maxMessageSize: number;
  maxRecipients: number;
  maxConnections: number;
  idleTimeoutMs: number;
  /** Retention: keep at most this many messages (oldest pruned); 0 = unlimited. */
  maxMessages: number;
  /** Retention: keep at most this many SMTP sessions (oldest pruned); 0 = unlimited. */
  maxSessions: number;
}

export interface ServeConfig {
  host: string;
  /** Port per profile; 0 = ephemeral, null = off. */
  ports: Record<ProfileName, number | null>;
  httpPort: number | null;
  /** Data directory (SQLite file, TLS material); null together with `ephemeral` until a temp dir is made. */
  dataDir: string;
  ephemeral: boolean;
  /** Storage URL: a SQLite path (default `<data-dir>/mailport.db`) or `postgres://…`. */
  storage: string | null;
  auth: {
    mode: 'default' | 'configured' | 'any';
    users: ReadonlyMap<string, string>;
    /** After AUTH, MAIL FROM must be the login itself, as submission services insist. */
    senderMustMatchLogin: boolean;
    /** How long the access tokens of `POST /oauth2/token` last (`expires_in`). */
    oauthTokenLifetimeSeconds: number;
  };
  /**
   * Logins the HTTP API and web UI ask for (HTTP Basic, RFC 7617), from --http-auth and
   * --http-auth-file; null when the API is open to anyone who reaches it.
   */
  httpAuth: ReadonlyMap<string, string> | null;
  /** Serve the HTTP API and web UI over HTTPS, with the SMTP listeners' certificate. */
  httpTls: boolean;
  hostname: string;
  tlsCertFile: string | undefined;
  tlsKeyFile: string | undefined;
  limits: ServeLimits;
  logLevel: LogLevel;
  logFormat: LogFormat;
  /** Endpoints every event in `events` is POSTed to (src/events/webhooks.ts); none by default. */
  webhooks: { urls: URL[]; events: MailportEventName[]; secret: string | null };
  /** Rules that make SMTP stages fail on purpose (src/chaos); replaceable over the HTTP API. */
  chaos: ChaosRule[];
  /** Directory of the built web UI; null to serve the API only. */
  uiDir: string | null;
  /**
   * Deliverability checks: the production IP SPF is evaluated for, the DNS server (`HOST:PORT`;
   * null = system) and spamd (`HOST:PORT`; null = no SpamAssassin score).
   */
  deliverability: { sendingIp: string | null; dnsServer: string | null; spamAssassin: string | null };
  /** Where captured messages may be released to (src/release); null when release is off. */
  release: ReleaseSettings | null;
}

export const DEFAULT_CREDENTIALS = { user: 'mailport', pass: 'mailport' } as const;

export const SERVE_DEFAULTS = {
  host: '127.0.0.1',
  httpPort: 8025,
  dataDir: './.mailport',
  hostname: 'localhost',
  maxMessageSize: 25 * 1024 * 1024,
  maxRecipients: 100,
  maxConnections: 1000,
  idleTimeoutSeconds: 300,
  /** As long as Google's and Microsoft's access tokens last. */
  oauthTokenLifetimeSeconds: 3600,
  maxMessages: 0,
  maxSessions: 0,
} as const;

/** Raw option values as commander hands them over (strings), after env defaults were applied. */
export interface RawServeOptions extends RawReleaseOptions {
  host?: string;
  relayPort?: string;
  submissionsPort?: string;
  submissionPort?: string;
  altPort?: string;
  httpPort?: string;
  standardPorts?: boolean;
  dataDir?: string;
  ephemeral?: boolean;
  storage?: string;
  auth?: string[];
  authAny?: boolean;
  senderMustMatchLogin?: boolean;
  oauthTokenLifetime?: string;
  httpAuth?: string[];
  httpAuthFile?: string;
  httpTls?: boolean;
  hostname?: string;
  tlsCert?: string;
  tlsKey?: string;
  maxMessageSize?: string;
  maxRecipients?: string;
  maxConnections?: string;
  idleTimeout?: string;
  maxMessages?: string;
  maxSessions?: string;
  logLevel?: string;
  logFormat?: string;
  webhook?: string[];
  webhookEvents?: string;
  webhookSecret?: string;
  /** Chaos rules in the text form; each value may hold several, separated by `;`. */
  chaos?: string[];
  sendingIp?: string;
  dnsServer?: string;
  spamassassin?: string;
}

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
};

export function parseSize(flag: string, value: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(value.trim());
  const unit = match ? SIZE_UNITS[(match[2] ?? '').toLowerCase()] : undefined;
  if (!match || unit === undefined) {
    throw new ConfigError(`${flag} must be a size such as 25MiB, 512KiB or 1048576, not "${value}".`);
  }
  return Math.floor(Number(match[1]) * unit);
}

export function parseCount(flag: string, value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new ConfigError(`${flag} must be a whole number, not "${value}".`);
  return Number(value);
}

/** Durations: `300`, `300s`, `5m`, `1500ms`. */
export function parseDurationMs(flag: string, value: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/i.exec(value.trim());
  if (!match)
    throw new ConfigError(`${flag} must be a duration such as 300, 300s, 5m or 1500ms, not "${value}".`);
  const factor = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[
    (match[2] ?? 's').toLowerCase() as 'ms' | 's' | 'm' | 'h'
  ];
  return Math.round(Number(match[1]) * factor);
}

export function parsePort(flag: string, value: string): number | null {
  if (value.trim().toLowerCase() === 'off') return null;
  const port = Number(value);
  if (!/^\d+$/.test(value.trim()) || port > 65535) {
    throw new ConfigError(
      `${flag} must be a port number from 0 to 65535 (0 = any free port) or "off", not "${value}".`,
    );
  }
  return port;
}

/** `USER:PASS` values of `flag`; each value may hold several, separated by `,` (as the env variable holds them). */
function parseAuthPairs(flag: string, pairs: readonly string[]): Map<string, string> {
  const users = new Map<string, string>();
  for (const pair of pairs) {
    for (const entry of pair.split(',').filter(Boolean)) {
      const login = splitLogin(entry);
      if (login === null) {
        throw new ConfigError(
          `${flag} takes USER:PASS (e.g. ${flag} team-a:secret), got "${withoutPassword(entry)}".`,
        );
      }
      users.set(login.user, login.pass);
    }
  }
  return users;
}

/** `USER:PASS` split at the first colon (a password may hold colons), or null when either is empty. */
function splitLogin(entry: string): { user: string; pass: string } | null {
  const colon = entry.indexOf(':');
  if (colon <= 0 || colon === entry.length - 1) return null;
  return { user: entry.slice(0, colon), pass: entry.slice(colon + 1) };
}

/** An entry as an error may quote it: whatever follows the first colon is left out. */
function withoutPassword(entry: string): string {
  return entry.replace(/:.*/, ':…');
}

/**
 * `--http-auth-file`: one `USER:PASS` per line (the password is the rest of the line); blank lines
 * and lines starting with `#` are skipped. Keeps passwords out of `ps` and shell history.
 */
export function readHttpAuthFile(file: string): Map<string, string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `--http-auth-file cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`,
      'Give the path of a readable file holding one USER:PASS per line.',
    );
  }
  const users = new Map<string, string>();
  for (const [index, rawLine] of text.split(/\r?\n/).entries()) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const login = splitLogin(line);
    if (login === null) {
      throw new ConfigError(
        `--http-auth-file ${file} line ${index + 1} is not USER:PASS: "${withoutPassword(line)}".`,
        'Write one USER:PASS per line (the password is the rest of the line); lines starting with # are comments.',
      );
    }
    users.set(login.user, login.pass);
  }
  if (users.size === 0) {
    throw new ConfigError(
      `--http-auth-file ${file} holds no USER:PASS line, so no one could log in.`,
      'Write one USER:PASS per line, e.g. qa:a-long-password.',
    );
  }
  return users;
}

/** The logins of --http-auth and --http-auth-file together, or null when neither is given. */
function resolveHttpAuth(raw: RawServeOptions): Map<string, string> | null {
  const users = parseAuthPairs('--http-auth', raw.httpAuth ?? []);
  if (raw.httpAuthFile !== undefined) {
    for (const [user, pass] of readHttpAuthFile(raw.httpAuthFile)) users.set(user, pass);
  }
  return users.size > 0 ? users : null;
}

function parseWebhookUrls(values: readonly string[]): URL[] {
  return values
    .flatMap((value) => value.split(','))
    .filter(Boolean)
    .map((value) => {
      const url = URL.canParse(value) ? new URL(value) : null;
      if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
        throw new ConfigError(
          `--webhook takes an http:// or https:// URL, not "${value}".`,
          'e.g. --webhook http://127.0.0.1:3000/mail-received',
        );
      }
      return url;
    });
}

function parseWebhookEvents(value: string): MailportEventName[] {
  const names = value.split(',').map((name) => name.trim());
  return names.map((name) => oneOf('--webhook-events', name, WEBHOOK_EVENTS));
}

/** `--chaos` values: one rule each, or several separated by `;` (as `MAILPORT_CHAOS` holds them). */
function parseChaosFlags(values: readonly string[]): ChaosRule[] {
  const rules = parseChaosRuleTexts(splitChaosRules(values), {
    flag: '--chaos',
    reference: '`mailport serve --help`',
  });
  return validateChaosRules(rules);
}

export function parseSendingIp(value: string): string {
  const ip = value.trim();
  if (isIP(ip) === 0) {
    throw new ConfigError(
      `--sending-ip takes an IPv4 or IPv6 address, not "${value}".`,
      'Pass the address your production mail leaves from, e.g. --sending-ip 203.0.113.5.',
    );
  }
  return ip;
}

/** `HOST[:PORT]` with HOST an IP address (IPv6 in brackets when a port follows), as `HOST:PORT`. */
export function parseDnsServer(value: string): string {
  const server = parseHostPort(value, 53, false);
  if (server === null) {
    throw new ConfigError(
      `--dns-server takes an IP address with an optional port (HOST[:PORT]), not "${value}".`,
      'e.g. --dns-server 127.0.0.1:5353, --dns-server 1.1.1.1 or --dns-server [::1]:53.',
    );
  }
  return server;
}

/** spamd's `HOST[:PORT]` (a name or an IP address; port 783 by default), as `HOST:PORT`. */
export function parseSpamAssassin(value: string): string {
  const server = parseHostPort(value, 783, true);
  if (server === null) {
    throw new ConfigError(
      `--spamassassin takes spamd's address as HOST[:PORT], not "${value}".`,
      'e.g. --spamassassin 127.0.0.1:783 after `spamd -L --listen=127.0.0.1:783`, or --spamassassin spamassassin:783 for a container.',
    );
  }
  return server;
}

/** `HOST[:PORT]` normalized to `HOST:PORT` (IPv6 in brackets), or null when it is not one. */
function parseHostPort(value: string, defaultPort: number, namesAllowed: boolean): string | null {
  const parsed = splitHostPort(value, namesAllowed);
  return parsed === null ? null : formatHostPort(parsed.host, parsed.port ?? defaultPort);
}

function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(`${flag} must be one of ${allowed.join(', ')}, not "${value}".`);
  }
  return value as T;
}

const PORT_FLAGS: Record<ProfileName, { flag: string; key: keyof RawServeOptions }> = {
  relay: { flag: '--relay-port', key: 'relayPort' },
  submissions: { flag: '--submissions-port', key: 'submissionsPort' },
  submission: { flag: '--submission-port', key: 'submissionPort' },
  alternate: { flag: '--alt-port', key: 'altPort' },
};

/** `env` holds the variable `--release-pass-env` names (the release password is never a flag). */
export function resolveServeConfig(
  raw: RawServeOptions,
  uiDir: string | null,
  env: NodeJS.ProcessEnv = process.env,
): ServeConfig {
  const ports = {} as Record<ProfileName, number | null>;
  for (const name of PROFILE_NAMES) {
    const { flag, key } = PORT_FLAGS[name];
    const given = raw[key] as string | undefined;
    if (raw.standardPorts && given !== undefined) {
      throw new ConfigError(`--standard-ports and ${flag} cannot be combined.`, 'Use one or the other.');
    }
    const profile = PORT_PROFILES[name];
    ports[name] = raw.standardPorts
      ? profile.standardPort
      : given === undefined
        ? profile.defaultPort
        : parsePort(flag, given);
  }
  const configuredUsers = parseAuthPairs('--auth', raw.auth ?? []);
  if (raw.authAny && configuredUsers.size > 0) {
    throw new ConfigError(
      '--auth-any and --auth cannot be combined.',
      'Use --auth-any to accept any credentials, or --auth USER:PASS to accept only those.',
    );
  }
  const authMode = raw.authAny ? 'any' : configuredUsers.size > 0 ? 'configured' : 'default';
  const users =
    authMode === 'default'
      ? new Map([[DEFAULT_CREDENTIALS.user, DEFAULT_CREDENTIALS.pass]])
      : configuredUsers;
  const config: ServeConfig = {
    host: raw.host ?? SERVE_DEFAULTS.host,
    ports,
    httpPort: raw.httpPort === undefined ? SERVE_DEFAULTS.httpPort : parsePort('--http-port', raw.httpPort),
    dataDir: raw.dataDir ?? SERVE_DEFAULTS.dataDir,
    ephemeral: raw.ephemeral ?? false,
    storage: raw.storage ?? null,
    auth: {
      mode: authMode,
      users,
      senderMustMatchLogin: raw.senderMustMatchLogin ?? false,
      oauthTokenLifetimeSeconds:
        parseDurationMs(
          '--oauth-token-lifetime',
          raw.oauthTokenLifetime ?? String(SERVE_DEFAULTS.oauthTokenLifetimeSeconds),
        ) / 1000,
    },
    httpAuth: resolveHttpAuth(raw),
    httpTls: raw.httpTls ?? false,
    hostname: raw.hostname ?? SERVE_DEFAULTS.hostname,
    tlsCertFile: raw.tlsCert,
    tlsKeyFile: raw.tlsKey,
    limits: {
      maxMessageSize:
        raw.maxMessageSize === undefined
          ? SERVE_DEFAULTS.maxMessageSize
          : parseSize('--max-message-size', raw.maxMessageSize),
      maxRecipients:
        raw.maxRecipients === undefined
          ? SERVE_DEFAULTS.maxRecipients
          : parseCount('--max-recipients', raw.maxRecipients),
      maxConnections:
        raw.maxConnections === undefined
          ? SERVE_DEFAULTS.maxConnections
          : parseCount('--max-connections', raw.maxConnections),
      idleTimeoutMs: parseDurationMs(
        '--idle-timeout',
        raw.idleTimeout ?? String(SERVE_DEFAULTS.idleTimeoutSeconds),
      ),
      maxMessages:
        raw.maxMessages === undefined
          ? SERVE_DEFAULTS.maxMessages
          : parseCount('--max-messages', raw.maxMessages),
      maxSessions:
        raw.maxSessions === undefined
          ? SERVE_DEFAULTS.maxSessions
          : parseCount('--max-sessions', raw.maxSessions),
    },
    logLevel: oneOf('--log-level', raw.logLevel ?? 'info', [
      'debug',
      'info',
      'warn',
      'error',
      'silent',
    ] as const),
    logFormat: oneOf('--log-format', raw.logFormat ?? 'text', ['text', 'json'] as const),
    webhooks: {
      urls: parseWebhookUrls(raw.webhook ?? []),
      events: parseWebhookEvents(raw.webhookEvents ?? 'message.received'),
      secret: raw.webhookSecret ?? null,
    },
    chaos: parseChaosFlags(raw.chaos ?? []),
    uiDir,
    deliverability: {
      sendingIp: raw.sendingIp === undefined ? null : parseSendingIp(raw.sendingIp),
      dnsServer: raw.dnsServer === undefined ? null : parseDnsServer(raw.dnsServer),
      spamAssassin: raw.spamassassin === undefined ? null : parseSpamAssassin(raw.spamassassin),
    },
    release: resolveReleaseSettings(raw, env),
  };
  validate(config);
  return config;
}

function validate(config: ServeConfig): void {
  const bound = new Map<number, string>();
  const entries: [string, number | null][] = [
    ...PROFILE_NAMES.map((name) => [PORT_FLAGS[name].flag, config.ports[name]] as [string, number | null]),
    ['--http-port', config.httpPort],
  ];
  for (const [flag, port] of entries) {
    if (port === null || port === 0) continue;
    const other = bound.get(port);
    if (other)
      throw new ConfigError(
        `${flag} and ${other} both ask for port ${port}.`,
        'Give each listener its own port, or 0 for any free port.',
      );
    bound.set(port, flag);
  }
  if ((config.tlsCertFile === undefined) !== (config.tlsKeyFile === undefined)) {
    throw new ConfigError(
      '--tls-cert and --tls-key must be given together.',
      'Pass both, or neither to use the sandbox’s own local CA.',
    );
  }
  if (PROFILE_NAMES.every((name) => config.ports[name] === null)) {
    throw new ConfigError(
      'Every SMTP listener is off.',
      'Leave at least one of --relay-port, --submissions-port, --submission-port, --alt-port on.',
    );
  }
  if (config.limits.maxMessageSize < 1024) throw new ConfigError('--max-message-size must be at least 1KiB.');
  if (config.limits.maxRecipients < 1) throw new ConfigError('--max-recipients must be at least 1.');
  if (config.limits.maxConnections < 1) throw new ConfigError('--max-connections must be at least 1.');
  if (config.limits.idleTimeoutMs < 1000) throw new ConfigError('--idle-timeout must be at least 1s.');
  const lifetime = config.auth.oauthTokenLifetimeSeconds;
  if (!Number.isInteger(lifetime) || lifetime < 1 || lifetime > 86_400) {
    throw new ConfigError(
      '--oauth-token-lifetime must be whole seconds from 1s to 24h.',
      'Real providers issue tokens for about an hour (the default, 1h); a short one, such as 30s, tests that your application renews them.',
    );
  }
}
