/**
 * Composition root of a running sandbox: storage, TLS identity, ingest, SMTP listeners and the HTTP
 * server, started in that order and stopped in reverse. Used by `mailport serve` and by tests.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ChaosRuleSet } from '../chaos/rule-set.js';
import { connectableHost, formatHostPort } from '../config/host-port.js';
import { DEFAULT_PROTOCOL_LIMITS } from '../config/protocol-limits.js';
import type { ServeConfig } from '../config/serve-config.js';
import { DEFAULT_CREDENTIALS } from '../config/serve-config.js';
import { DEFAULT_DELIVERABILITY_SETTINGS } from '../deliverability/settings.js';
import { DEFAULT_SPAMASSASSIN_LIMITS } from '../deliverability/spamassassin.js';
import type { ServerInfo } from '../domain/types.js';
import { MailportError, portInUseError } from '../errors.js';
import { EventBus } from '../events/bus.js';
import { WebhookDispatcher } from '../events/webhooks.js';
import { createHttpApp } from '../http/app.js';
import { TOKEN_PATH } from '../http/routes/oauth.js';
import { MessageIngest } from '../ingest/ingest.js';
import type { Logger } from '../logging/logger.js';
import { MetricsRegistry } from '../metrics/registry.js';
import { TokenIssuer } from '../oauth/token-issuer.js';
import { MessageReleaser } from '../release/releaser.js';
import { SmtpListeners } from '../server/smtp-listeners.js';
import { createServerSecureContext } from '../server/tls-handshake.js';
import { isPostgresUrl, openStore, parsePostgresUrl } from '../storage/open-store.js';
import type { Store } from '../storage/store.js';
import { loadOrCreateTlsMaterial } from '../tls/tls-material.js';
import { VERSION } from '../version.js';

export interface RunningMailport {
  info(): ServerInfo;
  store: Store;
  bus: EventBus;
  /** The chaos rules the SMTP listeners follow (in memory, this node only). */
  chaos: ChaosRuleSet;
  /** Stops listeners (live sessions get 421 4.3.2), flushes sessions, closes storage; removes an ephemeral data dir. */
  stop(): Promise<void>;
}

export async function startMailport(
  config: ServeConfig,
  logger: Logger,
  options: { implicitTlsSilenceMs?: number } = {},
): Promise<RunningMailport> {
  const dataDir = config.ephemeral ? await mkdtemp(join(tmpdir(), 'mailport-')) : resolve(config.dataDir);
  const cleanups: (() => Promise<void>)[] = [];
  if (config.ephemeral) cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  const runCleanups = async (): Promise<void> => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };

  try {
    const store = await openStore(config.storage ?? join(dataDir, 'mailport.db'));
    cleanups.push(() => store.close());
    const tlsMaterial = await loadOrCreateTlsMaterial({
      dir: join(dataDir, 'tls'),
      hostname: config.hostname,
      userSupplied:
        config.tlsCertFile !== undefined && config.tlsKeyFile !== undefined
          ? { certFile: config.tlsCertFile, keyFile: config.tlsKeyFile }
          : undefined,
    });
    const bus = new EventBus();
    if (config.storage !== null && isPostgresUrl(config.storage)) {
      // Nodes sharing one PostgreSQL store share their events too (one channel per schema).
      const { connectionString, schema } = parsePostgresUrl(config.storage);
      const channel = `mailport_events_${schema ?? 'public'}`.slice(0, 63);
      const { PostgresEventRelay } = await import('../events/postgres-relay.js');
      const relay = await PostgresEventRelay.start({ connectionString, channel, bus, store, logger });
      cleanups.push(() => relay.close());
    }
    const metrics = new MetricsRegistry();
    if (config.webhooks.urls.length > 0) {
      // Subscribed before the listeners start and closed after they stop, so no event is missed.
      const events = new Set(config.webhooks.events);
      const webhooks = new WebhookDispatcher({
        targets: config.webhooks.urls.map((url) => ({ url, events })),
        secret: config.webhooks.secret,
        bus,
        logger,
        metrics,
      });
      cleanups.push(() => webhooks.close());
    }
    const ingest = new MessageIngest({
      store,
      bus,
      metrics,
      logger,
      maxMessages: config.limits.maxMessages,
    });
    const chaos = new ChaosRuleSet(config.chaos);
    const smtp = new SmtpListeners({
      host: config.host,
      ports: config.ports,
      hostname: config.hostname,
      limits: {
        ...DEFAULT_PROTOCOL_LIMITS,
        maxMessageSize: config.limits.maxMessageSize,
        maxRecipients: config.limits.maxRecipients,
      },
      maxConnections: config.limits.maxConnections,
      maxSessions: config.limits.maxSessions,
      idleTimeoutMs: config.limits.idleTimeoutMs,
      ...(options.implicitTlsSilenceMs === undefined
        ? {}
        : { implicitTlsSilenceMs: options.implicitTlsSilenceMs }),
      secureContext: createServerSecureContext(tlsMaterial),
      users: config.auth.mode === 'any' ? null : config.auth.users,
      senderMustMatchLogin: config.auth.senderMustMatchLogin,
      chaos,
      store,
      bus,
      metrics,
      logger,
      deliver: (incoming) => ingest.accept(incoming),
    });
    await smtp.start();
    cleanups.push(() => smtp.close());

    const releaser = config.release === null ? null : new MessageReleaser(config.release, logger);
    let httpAddress = { host: config.host, port: 0 };
    const httpUrl = (): string =>
      `${config.httpTls ? 'https' : 'http'}://${formatHostPort(connectableHost(httpAddress.host), httpAddress.port)}`;
    const info = (): ServerInfo => ({
      version: VERSION,
      hostname: config.hostname,
      listeners: smtp.listeners(),
      http: {
        ...httpAddress,
        url: httpUrl(),
        authRequired: config.httpAuth !== null,
      },
      tls: {
        caPath: tlsMaterial.caPath,
        caPem: tlsMaterial.caPem,
        trustHint: `NODE_EXTRA_CA_CERTS=${tlsMaterial.caPath}`,
      },
      auth: {
        mode: config.auth.mode,
        users: config.auth.mode === 'any' ? [] : [...config.auth.users.keys()],
        defaultCredentials: config.auth.mode === 'default' ? { ...DEFAULT_CREDENTIALS } : null,
        senderMustMatchLogin: config.auth.senderMustMatchLogin,
        oauth: {
          tokenUrl: config.httpPort === null ? null : `${httpUrl()}${TOKEN_PATH}`,
          tokenLifetimeSeconds: config.auth.oauthTokenLifetimeSeconds,
        },
      },
      limits: {
        maxMessageSize: config.limits.maxMessageSize,
        maxRecipients: config.limits.maxRecipients,
        maxConnections: config.limits.maxConnections,
        idleTimeoutSeconds: Math.round(config.limits.idleTimeoutMs / 1000),
        maxMessages: config.limits.maxMessages,
        maxSessions: config.limits.maxSessions,
      },
      storage: { engine: store.engine, dataDir: config.storage ? null : dataDir },
      release: releaser?.info() ?? null,
    });

    if (config.httpPort !== null) {
      const deliverability = {
        ...DEFAULT_DELIVERABILITY_SETTINGS,
        sendingIp: config.deliverability.sendingIp,
        dns: { ...DEFAULT_DELIVERABILITY_SETTINGS.dns, server: config.deliverability.dnsServer },
        spamAssassin:
          config.deliverability.spamAssassin === null
            ? null
            : { server: config.deliverability.spamAssassin, ...DEFAULT_SPAMASSASSIN_LIMITS },
      };
      const app = await createHttpApp({
        store,
        bus,
        metrics,
        info,
        ingest,
        chaos,
        httpAuth: config.httpAuth,
        uiDir: config.uiDir,
        logger,
        deliverability,
        releaser,
        tokenIssuer: new TokenIssuer({
          logins: config.auth.mode === 'any' ? null : config.auth.users,
          lifetimeSeconds: config.auth.oauthTokenLifetimeSeconds,
        }),
        tls: config.httpTls ? { certPem: tlsMaterial.certPem, keyPem: tlsMaterial.keyPem } : null,
      });
      try {
        await app.listen({ port: config.httpPort, host: config.host });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE')
          throw portInUseError(config.host, config.httpPort, 'HTTP API', '--http-port', 'no HTTP API', error);
        throw new MailportError(
          code === 'EACCES' ? 'MP_ERR_PORT_PRIVILEGED' : 'MP_ERR_CONFIG',
          `The HTTP API cannot listen on ${config.host}:${config.httpPort}: ${(error as Error).message}`,
          {
            hint: 'Pick another port with --http-port PORT (0 = any free port, off = no HTTP API).',
            cause: error,
          },
        );
      }
      cleanups.push(() => app.close());
      httpAddress = { host: config.host, port: (app.server.address() as AddressInfo).port };
    }

    let stopping: Promise<void> | null = null;
    return {
      info,
      store,
      bus,
      chaos,
      stop: () => {
        stopping ??= runCleanups();
        return stopping;
      },
    };
  } catch (error) {
    await runCleanups();
    throw error;
  }
}
