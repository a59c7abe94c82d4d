/**
 * Human output of `mailport doctor`: one block per port (what is there, each finding with the
 * command that verifies it), then the verdict and the settings. Coloured only on a terminal.
 */
import type { DoctorReport, Finding, PortReport } from './report.js';

export interface Palette {
  green(text: string): string;
  yellow(text: string): string;
  red(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

const paint =
  (open: number, close: number) =>
  (text: string): string =>
    `\u001b[${open}m${text}\u001b[${close}m`;

export const COLOURS: Palette = {
  green: paint(32, 39),
  yellow: paint(33, 39),
  red: paint(31, 39),
  dim: paint(2, 22),
  bold: paint(1, 22),
};

export const NO_COLOURS: Palette = {
  green: (text) => text,
  yellow: (text) => text,
  red: (text) => text,
  dim: (text) => text,
  bold: (text) => text,
};

const MARKS: Record<Finding['level'], string> = { ok: '✓', info: 'i', warning: '!', error: '✗' };

export function formatDoctorReport(report: DoctorReport, palette: Palette = NO_COLOURS): string {
  const lines: string[] = [
    palette.bold(`mailport doctor ${report.host}`) +
      palette.dim(
        `  (certificates checked against ${report.servername}${report.caFile ? `, trusting ${report.caFile} too` : ''}; ${report.timeoutSeconds} s per step)`,
      ),
    '',
  ];
  for (const finding of report.findings) lines.push(formatFinding(finding, palette));
  if (report.findings.length > 0 && report.ports.length > 0) lines.push('');
  for (const port of report.ports) lines.push(...formatPort(port, palette), '');
  lines.push(...formatVerdict(report, palette));
  return `${lines.join('\n')}\n`;
}

function formatPort(port: PortReport, palette: Palette): string[] {
  const facts = [
    port.reachability,
    port.service === null
      ? null
      : port.service === 'smtp'
        ? 'SMTP'
        : `${port.service.toUpperCase()} (not SMTP)`,
    port.tls === null
      ? null
      : port.tls === 'none'
        ? 'no TLS'
        : port.tls === 'implicit'
          ? 'implicit TLS'
          : 'STARTTLS',
    port.tlsVersion,
    port.tlsCipher,
    port.role === null ? null : `${port.role}-style`,
  ].filter((fact): fact is string => fact !== null);
  const title = `Port ${port.port}  ${facts.join(' · ')}`;
  const lines = [port.usable ? palette.green(palette.bold(title)) : palette.bold(title)];
  // Extensions are known only once a session started; a broken greeting is SMTP without one.
  if (port.service === 'smtp' && port.tls !== null) {
    const extensions = [
      authFact(port),
      port.authBeforeTls ? 'AUTH offered before TLS' : null,
      port.authRequired === null ? null : port.authRequired ? 'AUTH required' : 'AUTH not required',
      port.size === null ? null : `SIZE ${port.size}`,
      port.pipelining ? 'PIPELINING' : null,
      port.smtputf8 ? 'SMTPUTF8' : null,
    ].filter((fact): fact is string => fact !== null);
    lines.push(palette.dim(`  ${extensions.join(' · ')}`));
  }
  for (const finding of port.findings) lines.push(formatFinding(finding, palette));
  return lines;
}

/**
 * The AUTH mechanisms of the session a client would send on. When STARTTLS failed, only those
 * offered before TLS are known (said by "AUTH offered before TLS"), not that there are none.
 */
function authFact(port: PortReport): string | null {
  if (port.authMechanisms.length > 0) return `AUTH ${port.authMechanisms.join(' ')}`;
  if (!port.authBeforeTls) return 'no AUTH';
  return port.ehloAfterTls === null ? null : 'no AUTH after TLS';
}

function formatFinding(finding: Finding, palette: Palette): string {
  const colour =
    finding.level === 'ok'
      ? palette.green
      : finding.level === 'error'
        ? palette.red
        : finding.level === 'warning'
          ? palette.yellow
          : palette.dim;
  const cause = finding.cause ? palette.dim(` [${finding.cause}]`) : '';
  const verify = finding.verify ? `\n      ${palette.dim(`check: ${finding.verify}`)}` : '';
  return `  ${colour(MARKS[finding.level])} ${finding.message}${cause}${verify}`;
}

function formatVerdict(report: DoctorReport, palette: Palette): string[] {
  const recommendation = report.recommendation;
  if (!recommendation) {
    const findings = [...report.findings, ...report.ports.flatMap((port) => port.findings)];
    // The network is worth naming only where a port did not answer.
    const unanswered = report.ports.some((port) => port.reachability !== 'open');
    return [
      palette.red(palette.bold('Verdict: no working submission path.')),
      findings.some((finding) => finding.level === 'error')
        ? `  Fix the errors above${unanswered ? ' (or run from a network that does not block these ports)' : ''}, then run doctor again.`
        : '  No port is shown to be a submission path: follow the notes above, then run doctor again.',
    ];
  }
  const lines = [
    palette.green(
      palette.bold(
        `Verdict: use port ${recommendation.port} with ${recommendation.tls === 'implicit' ? 'implicit TLS' : 'STARTTLS'}`,
      ),
    ),
    `  ${recommendation.reason}.`,
    '',
  ];
  for (const [client, snippet] of Object.entries(report.settings ?? {})) {
    lines.push(palette.bold(`  ${client}:`), ...snippet.split('\n').map((line) => `    ${line}`), '');
  }
  return lines;
}
