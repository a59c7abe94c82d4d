/** What the HTTP layer needs from the rest of Mailport, passed in by the composition root. */
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { ChaosRuleSet } from '../chaos/rule-set.js';
import type { DeliverabilitySettings } from '../deliverability/settings.js';
import type { IncomingMessage, ServerInfo } from '../domain/types.js';
import type { EventBus } from '../events/bus.js';
import type { Logger } from '../logging/logger.js';
import type { MetricsRegistry } from '../metrics/registry.js';
import type { TokenIssuer } from '../oauth/token-issuer.js';
import type { MessageReleaser } from '../release/releaser.js';
import type { Store } from '../storage/store.js';
import type { EventStreamHub } from './event-stream.js';
import type { Shutdown } from './shutdown.js';
import type { TypeBoxTypeProvider } from './type-provider.js';

/** Stores a message exactly as SMTP delivery would (commit, retention, `message.received`). */
export interface MessageIngest {
  accept(incoming: IncomingMessage): Promise<{ id: string }>;
}

export interface HttpDeps {
  store: Store;
  bus: EventBus;
  metrics: MetricsRegistry;
  /** Called per request: listeners may be bound (and their real ports known) after the app is built. */
  info: () => ServerInfo;
  ingest: MessageIngest;
  /** The chaos rules the SMTP listeners follow, read and replaced by `/api/v1/chaos`. */
  chaos: ChaosRuleSet;
  /** Logins (name → password) every route but `/healthz` and `/oauth2/token` asks for; null or absent: open to all. */
  httpAuth?: ReadonlyMap<string, string> | null;
  /** Directory of the built web UI, served at `/` when set and present. */
  uiDir?: string | null;
  /** Where failures the client cannot fix (500s, a store that does not answer) are logged. */
  logger?: Logger;
  /** How often an idle event stream gets a heartbeat comment, in ms (default 15 s). */
  sseHeartbeatMs?: number;
  /** Sending IP, DNS server and bounds of the deliverability checks (default: system resolver, no IP). */
  deliverability?: DeliverabilitySettings;
  /** Sends messages to `--release-server`; null or absent when release is off. */
  releaser?: MessageReleaser | null;
  /** Issues the tokens of `POST /oauth2/token`; null or absent: no token endpoint. */
  tokenIssuer?: TokenIssuer | null;
  /** Certificate and key to serve HTTPS with (`--http-tls`); null or absent: plain HTTP. */
  tls?: { certPem: string; keyPem: string } | null;
}

/** The Fastify instance as the routes see it: request and reply types inferred from TypeBox schemas. */
export type ApiInstance = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export interface RouteContext {
  deps: HttpDeps;
  hub: EventStreamHub;
  /** Ends long-polls and event streams when the app closes. */
  shutdown: Shutdown;
}
