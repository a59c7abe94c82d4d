/**
 * Counters for `GET /metrics`, fed by the SMTP server and rendered in the Prometheus text format
 * (version 0.0.4). Gauges that live in storage (message count, store size) are read at scrape time.
 */
import type { DiagnosticCode } from '../domain/types.js';
import type { WebhookOutcome } from '../events/webhooks.js';
import type { OAuthErrorCode } from '../oauth/token-issuer.js';

/** What became of a request to `POST /oauth2/token`: a token, or the RFC 6749 error it got. */
export type TokenRequestOutcome = 'issued' | OAuthErrorCode;

export class MetricsRegistry {
  messagesAccepted = 0;
  messageBytes = 0;
  sessionsOpened = 0;
  sessionsClosed = 0;
  openConnections = 0;
  readonly repliesByCode = new Map<number, number>();
  readonly diagnosticsByCode = new Map<DiagnosticCode, number>();
  readonly webhookOutcomes = new Map<WebhookOutcome, number>();
  readonly tokenRequestOutcomes = new Map<TokenRequestOutcome, number>();

  messageAccepted(bytes: number): void {
    this.messagesAccepted += 1;
    this.messageBytes += bytes;
  }

  /** Counts a 4xx/5xx reply sent to a client. */
  rejectSent(code: number): void {
    this.repliesByCode.set(code, (this.repliesByCode.get(code) ?? 0) + 1);
  }

  diagnosticRecorded(code: DiagnosticCode): void {
    this.diagnosticsByCode.set(code, (this.diagnosticsByCode.get(code) ?? 0) + 1);
  }

  webhookOutcome(outcome: WebhookOutcome): void {
    this.webhookOutcomes.set(outcome, (this.webhookOutcomes.get(outcome) ?? 0) + 1);
  }

  tokenRequest(outcome: TokenRequestOutcome): void {
    this.tokenRequestOutcomes.set(outcome, (this.tokenRequestOutcomes.get(outcome) ?? 0) + 1);
  }

  sessionOpened(): void {
    this.sessionsOpened += 1;
    this.openConnections += 1;
  }

  sessionClosed(): void {
    this.sessionsClosed += 1;
    this.openConnections -= 1;
  }
}
