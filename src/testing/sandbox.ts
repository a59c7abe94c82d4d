/**
 * `startSandbox`: the whole sandbox (four SMTP listeners, storage, HTTP API) in-process for a test
 * suite, on ephemeral loopback ports with a temporary data dir, plus everything a test needs to
 * send to it and read back what arrived.
 *
 * @example
 * ```ts
 * import nodemailer from 'nodemailer';
 * import { startSandbox } from 'mailport';
 *
 * const sandbox = await startSandbox();
 * const transport = nodemailer.createTransport(sandbox.transportOptions('submission'));
 * await transport.sendMail({ from: 'app@example.com', to: 'alice@example.com', subject: 'Hi', text: 'Hello' });
 * const message = await sandbox.client.waitForMessage({ to: 'alice@example.com' });
 * transport.close();
 * await sandbox.stop();
 * ```
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startMailport } from '../app/mailport.js';
import type { ChaosRuleInput } from '../chaos/rules.js';
import { readChaosRules } from '../chaos/syntax.js';
import { MailportClient } from '../client/api-client.js';
import { connectableHost } from '../config/host-port.js';
import type { RawReleaseOptions } from '../config/release-config.js';
import { DEFAULT_CREDENTIALS, type LogLevel, resolveServeConfig } from '../config/serve-config.js';
import type { ServerInfo } from '../domain/types.js';
import type { MailportEventName } from '../events/bus.js';
import { createLogger } from '../logging/logger.js';
import { PORT_PROFILES, type ProfileName } from '../profiles/port-profiles.js';
import type { TlsChoice } from '../send/plan.js';
import { PACKAGE_ROOT } from '../version.js';

export interface SandboxOptions {
  /** Interface to bind. @defaultValue '127.0.0.1' */
  host?: string;
  /** Fixed ports; every port left out is ephemeral (0: a free port, read back into `ports`). */
  ports?: Partial<SandboxPorts>;
  /**
   * Accepted credentials (the AUTH user names the inbox), or `'any'` to accept any pair.
   * @defaultValue the public default pair `mailport` / `mailport`
   */
  auth?: ReadonlyArray<{ user: string; pass: string }> | 'any';
  /**
   * After AUTH, refuse a MAIL FROM other than the login itself (`553 5.7.1`), as Gmail, Microsoft
   * 365 and Postfix's reject_sender_login_mismatch do. @defaultValue false
   */
  senderMustMatchLogin?: boolean;
  /**
   * Seconds the access tokens of the OAuth token endpoint (`info.auth.oauth.tokenUrl`) last, as
   * `--oauth-token-lifetime`: a short one tests that the application renews its tokens.
   * @defaultValue 3600
   */
  oauthTokenLifetimeSeconds?: number;
  /**
   * Logins the HTTP API and web UI ask for (HTTP Basic), as `mailport serve --http-auth`; every
   * route but `/healthz` answers 401 without one. `client` logs in with the first.
   * @defaultValue none: the API is open
   */
  httpAuth?: ReadonlyArray<{ user: string; pass: string }>;
  /** Serve the HTTP API over HTTPS, as `mailport serve --http-tls`; `client` trusts the sandbox CA. */
  httpTls?: boolean;
  /** Name in the greeting and the certificate. @defaultValue 'localhost' */
  hostname?: string;
  /** Keep messages and TLS files here; by default a temporary dir that `stop()` removes. */
  dataDir?: string;
  /** A SQLite path or `postgres://…` URL instead of `<dataDir>/mailport.db`. */
  storage?: string;
  /** Largest message accepted in bytes. @defaultValue 25 MiB */
  maxMessageSize?: number;
  /** @defaultValue 100 */
  maxRecipients?: number;
  /** Retention: keep at most this many messages, oldest pruned; 0 = unlimited. @defaultValue 0 */
  maxMessages?: number;
  /** Retention: keep at most this many SMTP sessions, oldest pruned; 0 = unlimited. @defaultValue 0 */
  maxSessions?: number;
  /** Server log level, to stderr. @defaultValue 'silent' (or `MAILPORT_LOG_LEVEL`) */
  logLevel?: LogLevel;
  /**
   * POST events to these URLs, as `mailport serve --webhook` does (e.g. to test the app's own
   * webhook handler). @defaultValue none; `events` defaults to `['message.received']`
   */
  webhooks?: { urls: readonly string[]; events?: readonly MailportEventName[]; secret?: string };
  /**
   * Chaos rules: SMTP stages that fail on purpose, in the text form or the JSON form; change them
   * later with `client.setChaos()`. An invalid rule throws `ChaosRuleError`. @defaultValue none
   * @example ['rcpt:451,match=*@flaky.test,times=1', { stage: 'connect', action: { type: 'delay', delayMs: 5000 } }]
   */
  chaos?: readonly (string | ChaosRuleInput)[];
  /**
   * The production sending IP the deliverability checks evaluate SPF for, as `--sending-ip`.
   * @defaultValue the address each message reached the sandbox from (127.0.0.1)
   */
  sendingIp?: string;
  /**
   * The DNS server of the deliverability checks, `HOST[:PORT]`, as `--dns-server`.
   * @defaultValue the system resolver
   */
  dnsServer?: string;
  /**
   * spamd's address, `HOST[:PORT]`, as `--spamassassin`: the deliverability checks then carry its
   * score and the rules that hit, and a message it calls spam fails `toHavePassedDeliveryChecks()`.
   * @defaultValue none (no spam score)
   * @example '127.0.0.1:783'
   */
  spamassassin?: string;
  /**
   * Release captured messages to a real SMTP server, as `mailport serve --release-*` does
   * (`client.release()`, `POST /api/v1/messages/{id}/release`), checked by the same code: a wrong
   * option throws the `ConfigError` the flag would, naming the flag. @defaultValue release off
   * @example { server: `127.0.0.1:${upstream.ports.submission}`, user: 'relay', pass: 'secret', ca: caFile, allow: ['*@example.com'] }
   */
  release?: SandboxReleaseOptions;
}

/** The upstream SMTP server releases go to, each field as its `mailport serve` option. */
export interface SandboxReleaseOptions {
  /** `HOST[:PORT]`, as `--release-server`; without a port, 587, 465 then 2525 are tried. */
  server: string;
  /** As `--release-tls`. @defaultValue 'auto' (implicit TLS on 465, STARTTLS elsewhere) */
  tls?: TlsChoice;
  /** AUTH user, as `--release-user`; give `pass` with it. */
  user?: string;
  /** AUTH password, given here instead of through `--release-pass-env`; never shown by the API or logs. */
  pass?: string;
  /** Path of a PEM file of the CA that signed the upstream's certificate, as `--release-ca` (e.g. another sandbox's `caPem`, written to a file). */
  ca?: string;
  /** Envelope sender of every release, as `--release-from`. @defaultValue each message's own MAIL FROM */
  from?: string;
  /** Recipient globs a release may go to, as `--release-allow`. @defaultValue none: only the recipients each release names */
  allow?: readonly string[];
}

export interface SandboxPorts {
  /** 25-style: plaintext, STARTTLS offered, no AUTH needed. */
  relay: number;
  /** 465-style: implicit TLS, AUTH required. */
  submissions: number;
  /** 587-style: STARTTLS then AUTH required. */
  submission: number;
  /** 2525-style: as submission. */
  alternate: number;
  /** HTTP API and web UI. */
  http: number;
}

/**
 * Options for `nodemailer.createTransport`, set the way each port profile needs: TLS trusted
 * through the sandbox CA (`tls.ca`), never by turning certificate checks off.
 */
export interface SandboxTransportOptions {
  host: string;
  port: number;
  /** nodemailer's name for implicit TLS from the first byte (RFC 8314): only the submissions port. */
  secure: boolean;
  /** Refuse to send unless STARTTLS succeeds (RFC 3207): the submission and alternate ports. */
  requireTLS: boolean;
  /** Credentials; left out on the relay port, which needs none. */
  auth?: { user: string; pass: string };
  tls: { ca: string; servername: string; minVersion: 'TLSv1.2' };
}

export interface Sandbox {
  /** The bound port of each listener and of the HTTP API. */
  ports: SandboxPorts;
  /** Base URL of the HTTP API, e.g. `http://127.0.0.1:53121`. */
  apiUrl: string;
  /** Credentials the submission ports accept. */
  auth: { user: string; pass: string };
  /** The sandbox CA certificate (PEM): trust it and TLS verifies normally. */
  caPem: string;
  /** Everything the server reports about itself (`GET /api/v1/info`). */
  info: ServerInfo;
  /** nodemailer settings for one listener. */
  transportOptions(profile: ProfileName): SandboxTransportOptions;
  /** A client for the HTTP API (waits, listings, clear), logged in with the first `httpAuth` login. */
  client: MailportClient;
  /**
   * Back to how `startSandbox` left it, for a `beforeEach`: no messages, no sessions, and the
   * `chaos` rules it started with, counters at zero. A connection still open is recorded when it closes.
   */
  reset(): Promise<void>;
  /** Closes listeners, live streams and storage, and removes a temporary data dir; idempotent. */
  stop(): Promise<void>;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const ports = options.ports ?? {};
  const portOption = (port: number | undefined): string => String(port ?? 0);
  const authPairs = options.auth === 'any' ? [] : (options.auth ?? []);
  const uiDir = join(PACKAGE_ROOT, 'dist', 'ui');
  const config = resolveServeConfig(
    {
      relayPort: portOption(ports.relay),
      submissionsPort: portOption(ports.submissions),
      submissionPort: portOption(ports.submission),
      altPort: portOption(ports.alternate),
      httpPort: portOption(ports.http),
      ephemeral: options.dataDir === undefined,
      authAny: options.auth === 'any',
      senderMustMatchLogin: options.senderMustMatchLogin === true,
      ...(options.oauthTokenLifetimeSeconds === undefined
        ? {}
        : { oauthTokenLifetime: `${options.oauthTokenLifetimeSeconds}s` }),
      auth: authPairs.map(({ user, pass }) => `${user}:${pass}`),
      httpAuth: (options.httpAuth ?? []).map(({ user, pass }) => `${user}:${pass}`),
      httpTls: options.httpTls === true,
      ...(options.host === undefined ? {} : { host: options.host }),
      ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
      ...(options.storage === undefined ? {} : { storage: options.storage }),
      ...(options.hostname === undefined ? {} : { hostname: options.hostname }),
      ...(options.maxMessageSize === undefined ? {} : { maxMessageSize: String(options.maxMessageSize) }),
      ...(options.maxRecipients === undefined ? {} : { maxRecipients: String(options.maxRecipients) }),
      ...(options.maxMessages === undefined ? {} : { maxMessages: String(options.maxMessages) }),
      ...(options.maxSessions === undefined ? {} : { maxSessions: String(options.maxSessions) }),
      ...(options.sendingIp === undefined ? {} : { sendingIp: options.sendingIp }),
      ...(options.dnsServer === undefined ? {} : { dnsServer: options.dnsServer }),
      ...(options.spamassassin === undefined ? {} : { spamassassin: options.spamassassin }),
      ...releaseOptions(options.release),
      logLevel: options.logLevel ?? process.env.MAILPORT_LOG_LEVEL ?? 'silent',
      ...(options.webhooks === undefined
        ? {}
        : {
            webhook: [...options.webhooks.urls],
            ...(options.webhooks.events ? { webhookEvents: options.webhooks.events.join(',') } : {}),
            ...(options.webhooks.secret === undefined ? {} : { webhookSecret: options.webhooks.secret }),
          }),
    },
    existsSync(uiDir) ? uiDir : null,
    releasePassEnv(options.release),
  );
  const running = await startMailport(
    { ...config, chaos: readChaosRules(options.chaos ?? []) },
    createLogger(config.logLevel, 'text'),
  );
  const info = running.info();
  const portOf = (profile: ProfileName): number => {
    const listener = info.listeners.find((candidate) => candidate.profile === profile);
    // Every listener was configured with a port above, so each one is bound.
    return listener?.port ?? 0;
  };
  const [firstPair] = authPairs;
  const [httpLogin] = options.httpAuth ?? [];
  const auth = firstPair ? { ...firstPair } : { ...DEFAULT_CREDENTIALS };
  const host = connectableHost(info.listeners[0]?.host ?? config.host);
  const client = new MailportClient(info.http.url, {
    ...(httpLogin === undefined ? {} : { auth: { ...httpLogin } }),
    ...(config.httpTls ? { ca: info.tls.caPem } : {}),
  });

  return {
    ports: {
      relay: portOf('relay'),
      submissions: portOf('submissions'),
      submission: portOf('submission'),
      alternate: portOf('alternate'),
      http: info.http.port,
    },
    apiUrl: info.http.url,
    auth,
    caPem: info.tls.caPem,
    info,
    transportOptions: (profile) => {
      const policy = PORT_PROFILES[profile];
      return {
        host,
        port: portOf(profile),
        secure: policy.tls === 'implicit',
        requireTLS: policy.tls === 'starttls-required',
        ...(policy.auth === 'required' ? { auth: { ...auth } } : {}),
        tls: { ca: info.tls.caPem, servername: config.hostname, minVersion: 'TLSv1.2' },
      };
    },
    client,
    reset: async () => {
      await Promise.all([client.clear(), client.clearSessions(), client.setChaos(options.chaos ?? [])]);
    },
    stop: () => running.stop(),
  };
}

/** `--release-pass-env` names a variable of the environment given to the config; the password lives only there. */
const RELEASE_PASS_VARIABLE = 'MAILPORT_SANDBOX_RELEASE_PASS';

/** `options.release` as the `--release-*` options, so they are checked as `mailport serve` checks them. */
function releaseOptions(release: SandboxReleaseOptions | undefined): RawReleaseOptions {
  if (release === undefined) return {};
  return {
    releaseServer: release.server,
    ...(release.tls === undefined ? {} : { releaseTls: release.tls }),
    ...(release.user === undefined ? {} : { releaseUser: release.user }),
    ...(release.pass === undefined ? {} : { releasePassEnv: RELEASE_PASS_VARIABLE }),
    ...(release.ca === undefined ? {} : { releaseCa: release.ca }),
    ...(release.from === undefined ? {} : { releaseFrom: release.from }),
    ...(release.allow === undefined ? {} : { releaseAllow: [...release.allow] }),
  };
}

function releasePassEnv(release: SandboxReleaseOptions | undefined): NodeJS.ProcessEnv {
  return release?.pass === undefined
    ? process.env
    : { ...process.env, [RELEASE_PASS_VARIABLE]: release.pass };
}
