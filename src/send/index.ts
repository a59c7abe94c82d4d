export { buildMessage, type MessageInput, readMessageFile } from './message.js';
export {
  type AttemptTls,
  DEFAULT_FALLBACK,
  describeAttempt,
  type FallbackPort,
  type PlannedAttempt,
  planAttempts,
  type TlsChoice,
} from './plan.js';
export {
  type AttemptRecord,
  type SendOptions,
  type SendProgress,
  type SendResult,
  sendMessage,
} from './send.js';
export { createMailportTransport, type MailportTransportOptions, type SentInfo } from './transport.js';
