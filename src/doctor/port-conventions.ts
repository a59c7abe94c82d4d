/**
 * What each well-known port is expected to speak, so a port that does the other thing is called
 * out: a 465 that speaks STARTTLS, or a 587 that wants implicit TLS, breaks every client configured
 * by the convention (RFC 8314 §3.3, RFC 6409).
 */
import type { Finding } from './report.js';

const IMPLICIT_BY_CONVENTION = new Set([465]);
const STARTTLS_BY_CONVENTION = new Set([25, 587, 2525]);

export function conventionFinding(
  port: number,
  tls: 'implicit' | 'starttls' | 'none' | null,
): Finding | null {
  if (IMPLICIT_BY_CONVENTION.has(port) && (tls === 'starttls' || tls === 'none')) {
    return {
      level: 'warning',
      cause: 'implicit-tls-on-starttls-port',
      message: `Port ${port} normally speaks implicit TLS, but this server greets in plaintext${tls === 'starttls' ? ' and upgrades with STARTTLS' : ''}: clients set up for ${port} (nodemailer secure: true, smtplib.SMTP_SSL) will fail with "wrong version number".`,
    };
  }
  if (STARTTLS_BY_CONVENTION.has(port) && tls === 'implicit') {
    return {
      level: 'warning',
      cause: 'plaintext-on-implicit-tls-port',
      message: `Port ${port} normally greets in plaintext and upgrades with STARTTLS, but this server wants implicit TLS: clients set up for ${port} (nodemailer secure: false, smtplib.SMTP + starttls()) will time out waiting for the greeting.`,
    };
  }
  return null;
}
