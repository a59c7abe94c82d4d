/**
 * Binds one TCP listener per enabled port profile and hands each connection to an SmtpConnection.
 * Owns the cross-listener concerns: the connection limit, session persistence and shutdown.
 */
import net from 'node:net';
import type tls from 'node:tls';
import type { ChaosRuleSet } from '../chaos/rule-set.js';
import { newId } from '../domain/ids.js';
import type { IncomingMessage, ListenerInfo, SessionRecord } from '../domain/types.js';
import { MailportError, portInUseError } from '../errors.js';
import type { EventBus } from '../events/bus.js';
import type { Logger } from '../logging/logger.js';
import type { MetricsRegistry } from '../metrics/registry.js';
import { isIssuedAccessToken } from '../oauth/access-token.js';
import { PORT_PROFILES, PROFILE_NAMES, type ProfileName } from '../profiles/port-profiles.js';
import type { Credentials, ProtocolLimits } from '../protocol/types.js';
import { secretEquals } from '../secret-equals.js';
import { Retention } from '../storage/retention.js';
import type { Store } from '../storage/store.js';
import { SmtpConnection } from './connection.js';

/**
 * How long the implicit-TLS port waits for a ClientHello before it tells a plaintext client, in
 * plaintext, what it did wrong. A cold JVM spends ~200 ms between connecting and its ClientHello,
 * several times that on a loaded CI machine: the hint must never reach a client that is right.
 */
const IMPLICIT_TLS_SILENCE_MS = 3000;

export interface SmtpListenersOptions {
  host: string;
  /** Port per profile; 0 = ephemeral, null = off. */
  ports: Record<ProfileName, number | null>;
  hostname: string;
  limits: ProtocolLimits;
  maxConnections: number;
  /** Keep at most this many sessions; 0 = unlimited. */
  maxSessions: number;
  idleTimeoutMs: number;
  implicitTlsSilenceMs?: number;
  secureContext: tls.SecureContext;
  /** `null` accepts any credentials (`--auth-any`); AUTH is still required where the profile says so. */
  users: ReadonlyMap<string, string> | null;
  /** After AUTH, MAIL FROM must be the login itself (`--sender-must-match-login`). */
  senderMustMatchLogin: boolean;
  /** Rules that make SMTP stages fail on purpose; replaced at run time over the HTTP API. */
  chaos: ChaosRuleSet;
  store: Store;
  bus: EventBus;
  metrics: MetricsRegistry;
  logger: Logger;
  deliver(incoming: IncomingMessage): Promise<{ id: string }>;
}

function bindError(
  error: NodeJS.ErrnoException,
  profile: ProfileName,
  host: string,
  port: number,
): MailportError {
  const flag = {
    relay: '--relay-port',
    submissions: '--submissions-port',
    submission: '--submission-port',
    alternate: '--alt-port',
  }[profile];
  if (error.code === 'EACCES') {
    return new MailportError(
      'MP_ERR_PORT_PRIVILEGED',
      `Binding the ${profile} listener to ${host}:${port} needs privileges (ports below 1024 are reserved for root).`,
      {
        hint: `Either choose a port from 1024 up with ${flag} PORT (0 = any free port) or run without --standard-ports (the defaults 1025/1465/1587/2525 need no privileges), allow unprivileged low ports with \`sudo sysctl net.ipv4.ip_unprivileged_port_start=25\`, grant Node the capability with \`sudo setcap cap_net_bind_service=+ep "$(command -v node)"\`, or run as root (e.g. in a container).`,
        cause: error,
      },
    );
  }
  if (error.code === 'EADDRINUSE')
    return portInUseError(host, port, `${profile} listener`, flag, 'disabled', error);
  return new MailportError(
    'MP_ERR_CONFIG',
    `Cannot listen on ${host}:${port} for the ${profile} listener: ${error.message}`,
    { cause: error },
  );
}

export class SmtpListeners {
  readonly #options: SmtpListenersOptions;
  readonly #servers: { profile: ProfileName; server: net.Server; port: number }[] = [];
  readonly #connections = new Set<SmtpConnection>();
  readonly #pendingSaves = new Set<Promise<void>>();
  /** Woken by `close()` when the last connection has handed over its record. */
  #lastConnectionClosed: (() => void) | null = null;
  readonly #retention: Retention;

  constructor(options: SmtpListenersOptions) {
    this.#options = options;
    const { store, bus, logger, maxSessions } = options;
    this.#retention = new Retention({
      keep: maxSessions,
      prune: (keep) => store.pruneSessions(keep),
      event: 'session.deleted',
      what: 'sessions',
      bus,
      logger,
    });
  }

  async start(): Promise<void> {
    try {
      for (const profile of PROFILE_NAMES) {
        const port = this.#options.ports[profile];
        if (port === null) continue;
        // allowHalfOpen: a client that half-closes after its last command still gets its replies
        // (SmtpConnection ends our side once they are written).
        const server = net.createServer({ noDelay: true, allowHalfOpen: true }, (socket) =>
          this.#accept(profile, socket),
        );
        const bound = await new Promise<number>((resolve, reject) => {
          server.once('error', (error: NodeJS.ErrnoException) =>
            reject(bindError(error, profile, this.#options.host, port)),
          );
          server.listen(port, this.#options.host, () => resolve((server.address() as net.AddressInfo).port));
        });
        server.on('error', (error) =>
          this.#options.logger.error('SMTP listener error', { profile, error: error.message }),
        );
        this.#servers.push({ profile, server, port: bound });
      }
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  listeners(): ListenerInfo[] {
    return this.#servers.map(({ profile, port }) => {
      const p = PORT_PROFILES[profile];
      return {
        profile,
        label: p.label,
        host: this.#options.host,
        port,
        standardPort: p.standardPort,
        tls: p.tls,
        auth: p.auth,
      };
    });
  }

  /**
   * With --auth-any every login is taken. Otherwise a password must match. A bearer token must be
   * the user's password, or one the sandbox's token endpoint issued for the user (signed with that
   * password). The protocol engine has already refused tokens that are expired or not access tokens.
   */
  #authenticate(credentials: Credentials): boolean {
    const { users } = this.#options;
    if (users === null) return true;
    // RFC 4616 §2: an authorization identity other than the user's own asks to act as someone
    // else, which no user here may do.
    if (credentials.authzid !== null && credentials.authzid !== credentials.username) return false;
    const expected = users.get(credentials.username);
    if (expected === undefined) return false;
    if (!('token' in credentials)) return secretEquals(credentials.password, expected);
    return (
      secretEquals(credentials.token, expected) ||
      isIssuedAccessToken(credentials.token, credentials.username, expected, Date.now())
    );
  }

  #accept(profileName: ProfileName, socket: net.Socket): void {
    const { metrics, logger } = this.#options;
    const port = this.#servers.find((s) => s.profile === profileName)?.port ?? socket.localPort ?? 0;
    const connection = new SmtpConnection(socket, {
      profile: PORT_PROFILES[profileName],
      port,
      hostname: this.#options.hostname,
      limits: this.#options.limits,
      senderMustMatchLogin: this.#options.senderMustMatchLogin,
      idleTimeoutMs: this.#options.idleTimeoutMs,
      implicitTlsSilenceMs: this.#options.implicitTlsSilenceMs ?? IMPLICIT_TLS_SILENCE_MS,
      secureContext: this.#options.secureContext,
      sessionId: newId(),
      chaos: this.#options.chaos,
      authenticate: (credentials) => this.#authenticate(credentials),
      deliver: (incoming) => this.#options.deliver(incoming),
      onReject: (code) => metrics.rejectSent(code),
      onDiagnostic: (code) => metrics.diagnosticRecorded(code),
      onClose: (record) => this.#closed(connection, record),
    });
    metrics.sessionOpened();
    const full = this.#connections.size >= this.#options.maxConnections;
    this.#connections.add(connection);
    logger.debug('SMTP connection', {
      session: connection.id,
      profile: profileName,
      client: socket.remoteAddress,
    });
    if (full) connection.rejectTooManyConnections();
    else connection.start();
  }

  #closed(connection: SmtpConnection, record: SessionRecord): void {
    const { store, bus, metrics, logger } = this.#options;
    this.#connections.delete(connection);
    metrics.sessionClosed();
    const save = store
      .saveSession(record)
      .then(() => {
        const { transcript: _transcript, ...summary } = record;
        bus.publish('session.closed', { session: summary });
        return this.#retention.enforce();
      })
      .catch((error: unknown) =>
        logger.error('Saving a session failed', { session: record.id, error: String(error) }),
      )
      .finally(() => this.#pendingSaves.delete(save));
    this.#pendingSaves.add(save);
    if (this.#connections.size === 0) this.#lastConnectionClosed?.();
    if (record.diagnostics.length > 0) {
      logger.info('SMTP session had problems', {
        session: record.id,
        profile: record.listener.profile,
        diagnostics: record.diagnostics.map((d) => d.code).join(','),
      });
    }
  }

  /** Stops accepting, tells live sessions 421 4.3.2, and waits until their records are saved. */
  async close(): Promise<void> {
    const closing = this.#servers.map(
      ({ server }) => new Promise<void>((resolve) => server.close(() => resolve())),
    );
    this.#servers.length = 0;
    for (const connection of this.#connections) connection.shutdown();
    await Promise.all(closing);
    // A listener reports closed as soon as its last socket is destroyed, before that socket's
    // 'close' event hands its session record over: wait for the records too.
    if (this.#connections.size > 0) {
      await new Promise<void>((resolve) => {
        this.#lastConnectionClosed = resolve;
      });
    }
    while (this.#pendingSaves.size > 0) await Promise.all([...this.#pendingSaves]);
  }
}
