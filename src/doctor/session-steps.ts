/**
 * The steps of a doctor session that every probe shares: commands of its own checked to stay in
 * step with the replies, where a hang-up happened read from the transcript, and the report's
 * findings.
 */
import {
  commandName,
  outOfStepReply,
  type ServerReply,
  type SmtpClient,
  SmtpClientError,
  type SmtpPhase,
  unfinishedReply,
} from '../smtp-client/index.js';
import type { Finding, PortReport } from './report.js';
import { ehloNameAdvice } from './session-faults.js';

/** Stops the session once the server has sent more reply lines than commands asked for. */
export async function inStep(client: SmtpClient): Promise<void> {
  // A reply split over several reads: let what has already arrived be read first.
  await new Promise((resolve) => setImmediate(resolve));
  client.checkInStep();
}

/**
 * A command of the doctor's own (MAIL, RCPT or RSET), checked like every step. A 421 to it ends
 * the session: the server is closing the channel (RFC 5321 §3.8), whatever the command was. A 3xx
 * is no answer to any of them (RFC 5321 §4.3.2): the server is out of step.
 */
export async function ask(client: SmtpClient, line: string, phase: SmtpPhase): Promise<ServerReply> {
  const reply = await client.command(line, phase);
  await inStep(client);
  if (reply.code === 421) {
    throw new SmtpClientError('EPROTOCOL', phase, `The server closed the session in reply to ${line}`, {
      reply,
    });
  }
  if (reply.code >= 300 && reply.code < 400) throw outOfStepReply(line.split(':')[0] ?? line, phase, reply);
  return reply;
}

/** The server closed the connection without a reply that says why. */
export function isHangUp(error: unknown): error is SmtpClientError {
  return error instanceof SmtpClientError && error.code === 'ECONNRESET' && error.reply === null;
}

/** Where in the session the server hung up, read from the transcript, and what that means. */
export function hangUp(client: SmtpClient, ehloName: string): string {
  const entries = client.transcript.entries;
  const unfinished = unfinishedReply(entries);
  if (unfinished) {
    // Cut off mid-reply: the server had already accepted the command, so no refusal (nor the
    // EHLO name) is the suspect, but a crash or a proxy that dropped the rest.
    return `The server closed the connection in the middle of its reply to ${commandName(unfinished.command)}: it sent ${unfinished.lines.map((text) => `"${text}"`).join(', ')}, each with a dash after the code (more to come), then hung up before the last line (RFC 5321 §4.2.1). The server crashed while answering, or a proxy in between cut its reply: the server's log says which.`;
  }
  const last = entries.findLastIndex((entry) => entry.dir === 'C');
  const command = entries[last];
  const where = !command
    ? 'after its greeting'
    : entries.slice(last + 1).some((entry) => entry.dir === 'S')
      ? `after its reply to ${commandName(command.text)}`
      : `after ${commandName(command.text)}, without replying to it`;
  const refused = `The server closed the connection ${where}. Servers do that to sessions they refuse (an access rule, a connection or rate limit, fail2ban counting this client) or when they crash: the server's log says which. Clients report it as "connection closed unexpectedly".`;
  // Some servers, and proxies in front of them, drop a client over the name it gave in EHLO.
  return command && /^(?:EHLO|HELO) /i.test(command.text)
    ? `${refused} It may also drop clients over the name they give in EHLO: ${ehloNameAdvice(ehloName)}`
    : refused;
}

/** `220-mail.example.com ESMTP` of a multi-line reply reads as `220 mail.example.com ESMTP`. */
export function firstLineOf(raw: string): string {
  return (raw.split('\n')[0] ?? '').replace(/^(\d{3})-/, '$1 ').trimEnd();
}

/** Adds a finding to the port's report and returns it. */
export function addFinding(
  report: PortReport,
  level: Finding['level'],
  message: string,
  verify?: string,
  cause?: Finding['cause'],
): Finding {
  const finding: Finding = { level, ...(cause ? { cause } : {}), message, ...(verify ? { verify } : {}) };
  report.findings.push(finding);
  return finding;
}
