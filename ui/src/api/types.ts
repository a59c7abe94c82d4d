/**
 * The API's JSON shapes, imported (type-only) from the server's own domain model so the UI and the
 * API cannot drift apart. Nothing here is emitted into the bundle.
 */

export type {
  ChaosAction,
  ChaosRuleInput,
  ChaosRuleStatus,
  ChaosStage,
} from '../../../src/chaos/rules.js';
export type {
  AuthResult,
  CheckVerdict,
  ContentFinding,
  DeliverabilityReport,
  EmailClientFamily,
  FamilySupport,
  HtmlCompatibility,
  HtmlFeatureFinding,
  LinkCheck,
  Severity,
  SpamAssassinCheck,
  SpamCheck,
} from '../../../src/deliverability/types.js';
export type {
  AddressValue,
  AttachmentInfo,
  Diagnostic,
  DiagnosticCode,
  HeaderLine,
  ListenerInfo,
  MessageDetail,
  MessageRelease,
  MessageSummary,
  ReleaseInfo,
  ServerInfo,
  SessionOutcome,
  SessionRecord,
  SessionSummary,
  TranscriptLine,
} from '../../../src/domain/types.js';
export type { MailportEvents } from '../../../src/events/bus.js';
export type { ReleaseResult } from '../../../src/release/releaser.js';
export type { Page } from '../../../src/storage/store.js';
