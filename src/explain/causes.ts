/**
 * The stable cause ids `mailport explain` answers with (and `mailport doctor` reports in
 * `certificate.problems`). Public API: extend the list, never rename an id.
 */
export const CAUSE_IDS = [
  'implicit-tls-on-starttls-port',
  'plaintext-on-implicit-tls-port',
  'starttls-not-offered',
  'cert-hostname-mismatch',
  'cert-expired',
  'cert-not-yet-valid',
  'cert-self-signed',
  'cert-untrusted-ca',
  'tls-version-too-old',
  'client-certificate-required',
  'connection-refused',
  'connection-timeout',
  'no-greeting',
  'connection-closed',
  'dns-failure',
  'auth-required',
  'auth-failed',
  'auth-before-starttls',
  'auth-mechanism-unsupported',
  'oauth-token-error',
  'relay-denied',
  'sender-rejected',
  'recipient-unknown',
  'no-valid-recipients',
  'message-too-large',
  'message-rejected',
  'non-ascii-not-supported',
  'greylisted',
  'rate-limited',
  'temporary-failure',
  'no-reply-after-data',
  'not-smtp',
  'server-protocol-error',
  'no-local-mta',
  'no-ehlo',
  'bad-sequence',
  'not-http',
  'unsupported-parameter',
  'no-error',
  'unknown',
] as const;

export type CauseId = (typeof CAUSE_IDS)[number];

export function isCauseId(value: string): value is CauseId {
  return (CAUSE_IDS as readonly string[]).includes(value);
}

/** The answer to "what went wrong", as printed by `mailport explain --json`. */
export interface Explanation {
  cause: CauseId;
  /** 0 to 1: how sure the match is (1 = the text names the cause unambiguously). */
  confidence: number;
  summary: string;
  fix: string;
  /** RFC sections and documentation behind the answer. */
  references: string[];
}
