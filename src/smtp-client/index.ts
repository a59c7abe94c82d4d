export {
  type AuthMechanism,
  type ClientTlsOptions,
  type Credentials,
  isAscii,
  SmtpClient,
  type SmtpConnectOptions,
  SUPPORTED_MECHANISMS,
  TOKEN_MECHANISMS,
} from './client.js';
export type { EhloCapabilities } from './ehlo.js';
export {
  OutOfStepError,
  outOfStepReply,
  SmtpClientError,
  type SmtpClientErrorCode,
  type SmtpPhase,
} from './errors.js';
export { formatReply, isFinalReplyLine, type ServerReply } from './reply.js';
export type { TlsSessionInfo } from './tls-session.js';
export {
  commandName,
  formatTranscriptEntry,
  type SurplusLine,
  surplusLine,
  type TranscriptEntry,
  unfinishedReply,
} from './transcript.js';
