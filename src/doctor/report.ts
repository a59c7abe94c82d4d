/**
 * The doctor report: what is really on each port, and the verdict. The JSON printed by
 * `mailport doctor --json` is exactly a DoctorReport; field names are public API (documented in
 * docs/explain-causes.md).
 */
import type { CauseId } from '../explain/causes.js';

export type Reachability = 'open' | 'refused' | 'timeout' | 'no-greeting';

/** What answered on the port: SMTP, or another protocol people mix the mail ports up with. */
export type Service = 'smtp' | 'lmtp' | 'imap' | 'pop3' | 'http' | 'ssh' | 'tls' | 'unknown';

/** How the port behaves, read from its TLS mode and whether it demands AUTH before MAIL. */
export type PortRole = 'submission' | 'submissions' | 'alternate' | 'relay';

export type FindingLevel = 'ok' | 'info' | 'warning' | 'error';

export interface Finding {
  level: FindingLevel;
  /** The explain cause id, when the finding is a known problem. */
  cause?: CauseId;
  message: string;
  /** A command that verifies the finding by hand. */
  verify?: string;
}

export interface CertificateReport {
  subject: string;
  issuer: string;
  /** DNS names and IP addresses from the subjectAltName extension. */
  names: string[];
  validFrom: string;
  validTo: string;
  selfSigned: boolean;
  /** The chain leads to a trusted CA (expiry and name are checked separately). */
  trusted: boolean;
  /** What trusted it: `system` (Node's CA store) or the `--ca` file; null when untrusted. */
  trustedBy: string | null;
  /** OpenSSL's verification result code, e.g. `UNABLE_TO_GET_ISSUER_CERT_LOCALLY`. */
  chainError: string | null;
  /** The name checked against the certificate (`--servername`, else the host). */
  checkedName: string;
  hostnameMatch: boolean;
  /** Cause ids: cert-expired, cert-not-yet-valid, cert-hostname-mismatch, cert-self-signed, cert-untrusted-ca. */
  problems: CauseId[];
}

export interface EhloSummary {
  /** Extension keywords with their parameters, e.g. `SIZE 26214400`, `AUTH PLAIN LOGIN`. */
  extensions: string[];
  authMechanisms: string[];
}

export interface PortReport {
  port: number;
  reachability: Reachability;
  /** What answered; null when nothing did. */
  service: Service | null;
  /** The TLS mode that works on this port; null when no SMTP session could start. */
  tls: 'implicit' | 'starttls' | 'none' | null;
  tlsVersion: string | null;
  tlsCipher: string | null;
  certificate: CertificateReport | null;
  /** The greeting (or the other protocol's first line). */
  banner: string | null;
  starttlsOffered: boolean | null;
  ehloBeforeTls: EhloSummary | null;
  ehloAfterTls: EhloSummary | null;
  /** AUTH advertised before TLS: credentials could travel in cleartext (RFC 8314 §3, a risk). */
  authBeforeTls: boolean | null;
  /** Mechanisms offered on the encrypted session (or on the plaintext one when there is no TLS). */
  authMechanisms: string[];
  /** Mail without AUTH was refused (530 at MAIL, RFC 4954 §6, or 5.7.x for a foreign recipient): the port demands AUTH. */
  authRequired: boolean | null;
  /** With --user: whether AUTH succeeded; null when not attempted. */
  authOk: boolean | null;
  /** With --user: why AUTH failed (explain cause id) and the server reply. */
  authError: { cause: CauseId; reply: string | null } | null;
  /** With --send-to: whether the test message was accepted; null when not attempted. */
  sendOk: boolean | null;
  size: number | null;
  pipelining: boolean | null;
  smtputf8: boolean | null;
  role: PortRole | null;
  /** True when this port is a working, trustworthy submission path. */
  usable: boolean;
  findings: Finding[];
}

/** The encrypted mode a port's commands take to reach AUTH: implicit TLS there, else STARTTLS. */
export function encryptedMode(report: Pick<PortReport, 'tls'>): 'implicit' | 'starttls' {
  return report.tls === 'implicit' ? 'implicit' : 'starttls';
}

export interface Recommendation {
  port: number;
  tls: 'starttls' | 'implicit';
  /** Why this port: which rule picked it. */
  reason: string;
}

export interface DoctorReport {
  host: string;
  /** The name certificates are checked against. */
  servername: string;
  /** The --ca file, if one was given. */
  caFile: string | null;
  checkedAt: string;
  timeoutSeconds: number;
  ports: PortReport[];
  recommendation: Recommendation | null;
  /** Ready-to-paste client settings for the recommended port, keyed by client name. */
  settings: Record<string, string> | null;
  /** Problems that concern the host rather than one port (e.g. the name does not resolve). */
  findings: Finding[];
}
