/**
 * The decision rule for submission: 587 with STARTTLS, else 465 with implicit TLS, else 2525,
 * never 25 (RFC 6409, RFC 8314 §3.3). Ports elsewhere (a sandbox's 1587/1465) rank by the same
 * rule through the TLS mode they really use.
 */
import { encryptedMode, type PortReport, type Recommendation } from './report.js';

interface Ranked {
  report: PortReport;
  rank: number;
  reason: string;
}

function rankOf(report: PortReport): Omit<Ranked, 'report'> | null {
  if (!report.usable || report.port === 25) return null;
  if (report.port === 587 && report.tls === 'starttls') {
    return { rank: 0, reason: 'port 587 with STARTTLS is the standard submission port (RFC 6409, RFC 3207)' };
  }
  if (report.port === 465 && report.tls === 'implicit') {
    return { rank: 1, reason: 'port 465 with implicit TLS is standard submission over TLS (RFC 8314 §3.3)' };
  }
  if (report.port === 2525) {
    return {
      rank: 4,
      reason: 'port 2525 is the unofficial alternate submission port, used when 587 and 465 are blocked',
    };
  }
  // Non-standard ports (a sandbox, a provider's extra port) follow the same preference by TLS mode.
  if (report.tls === 'starttls') {
    return { rank: 2, reason: `port ${report.port} works as a STARTTLS submission port (587-style)` };
  }
  return { rank: 3, reason: `port ${report.port} works as an implicit-TLS submission port (465-style)` };
}

export function recommend(reports: readonly PortReport[]): Recommendation | null {
  const ranked = reports
    .map((report) => ({ report, ...rankOf(report) }))
    .filter((entry): entry is Ranked => entry.rank !== undefined)
    // Among equals, a port that demands AUTH is the real submission port; then the order given.
    .sort(
      (a, b) =>
        a.rank - b.rank || Number(b.report.authRequired === true) - Number(a.report.authRequired === true),
    );
  const best = ranked[0];
  if (!best) return null;
  const tls = encryptedMode(best.report);
  return { port: best.report.port, tls, reason: best.reason };
}
