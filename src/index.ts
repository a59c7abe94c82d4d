/**
 * The `mailport` package: the in-process sandbox and testing kit, the typed API client, the
 * nodemailer transport helper, and the domain types they share.
 *
 * @example
 * ```ts
 * import { startSandbox, assertSentTo } from 'mailport';
 * ```
 */
export { ChaosRuleError } from './chaos/rules.js';
export {
  DEFAULT_API_URL,
  MailportApiError,
  MailportClient,
  type MailportClientOptions,
  MailportNetworkError,
  MailportSessionWaitTimeoutError,
  MailportWaitTimeoutError,
  MessageHeaders,
  ReceivedMessage,
  type SubscribeOptions,
} from './client/api-client.js';
// Named, not `export type *`: those modules also hold internal functions, which a type-only star
// export would advertise as names that do not exist at run time.
export type { StreamWaitOptions } from './client/live-wait.js';
export type {
  MessageCriteria,
  MessageFilter,
  MessagePredicate,
  SessionCriteria,
  SessionFilter,
  SessionPredicate,
  TextMatcher,
} from './client/message-filter.js';
export type * from './client/types.js';
export { AUTH_RESULTS, CONTENT_CHECK_IDS, SPAMASSASSIN_OUTCOMES } from './deliverability/types.js';
export type * from './domain/types.js';
export { ConfigError, MailportError, type MailportErrorCode } from './errors.js';
export {
  type AuthPolicy,
  PORT_PROFILES,
  type PortProfile,
  PROFILE_NAMES,
  type ProfileName,
  type TlsMode,
} from './profiles/port-profiles.js';
export type { FallbackPort, TlsChoice } from './send/plan.js';
export { createMailportTransport, type MailportTransportOptions, type SentInfo } from './send/transport.js';
export {
  assertContainsLink,
  assertHasAttachment,
  assertPassedDeliveryChecks,
  assertSentTo,
  assertSubject,
} from './testing/assertions.js';
export type { AttachmentExpectation, DeliveryCheckOptions } from './testing/checks.js';
export { type MailportMatchers, type MatcherResult, mailportMatchers } from './testing/matchers.js';
export { type MailportMessage, type MessageWithBodies, NotAMessageError } from './testing/message-view.js';
export {
  type Sandbox,
  type SandboxOptions,
  type SandboxPorts,
  type SandboxReleaseOptions,
  type SandboxTransportOptions,
  startSandbox,
} from './testing/sandbox.js';
export { VERSION } from './version.js';
