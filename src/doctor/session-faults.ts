/**
 * Faults in a session that had started, which an error alone would blame on the wrong party: a
 * server that stops answering (the network is fine: the greeting came), a second greeting after
 * STARTTLS, and a server that refuses the name the client introduced itself with.
 */
import type { CauseId } from '../explain/causes.js';
import { HELO_NAME_REFUSED } from '../explain/rules.js';
import { formatReply, type SmtpClient, type SmtpClientError } from '../smtp-client/index.js';
import { describeChain } from './error-chain.js';
import { certificateRequiredAlert, handshakeRefusal } from './tls-refusal.js';

/** OpenSSL's words for a TLS alert the server sent. */
const TLS_ALERT = /SSL alert number \d+/;

export interface SessionFault {
  message: string;
  cause?: CauseId;
}

/** Where to set the EHLO name in the clients the doctor writes settings for. */
const EHLO_NAME_SETTINGS =
  'nodemailer `name`, Python `smtplib.SMTP(local_hostname=...)`, PHPMailer `$mail->Helo`, Symfony Mailer (Laravel) `local_domain`, JavaMail `mail.smtp.localhost`, Postfix `smtp_helo_name`, swaks `--ehlo`';

/** The advice for a server that judges clients by their EHLO name. */
export function ehloNameAdvice(ehloName: string): string {
  return `Mailport introduced itself as "EHLO ${ehloName}". Servers that check the name want a fully-qualified host name that resolves in DNS (RFC 5321 §4.1.1.1), and many clients send "localhost" or a bare machine name unless told otherwise: set your client's name to this machine's fully-qualified name (${EHLO_NAME_SETTINGS}), and run doctor again with --ehlo-name and that name to check it.`;
}

/** A fault the doctor can name from the error and the transcript; null for any other failure. */
export function sessionFault(
  error: SmtpClientError,
  client: SmtpClient,
  options: { ehloName: string; stepTimeoutMs: number; servername: string },
): SessionFault | null {
  const { ehloName, stepTimeoutMs } = options;
  const afterStarttls = client.tlsMode === 'starttls';
  // With TLS 1.3 the client's handshake is done before the server has judged it: a refusal (such
  // as "certificate required") arrives as an alert on the first read instead.
  if (TLS_ALERT.test(describeChain(error))) {
    return {
      message: `The TLS handshake seemed complete, but then ${handshakeRefusal(error, options.servername)}`,
      ...(certificateRequiredAlert(error)
        ? { cause: 'client-certificate-required' as const }
        : afterStarttls
          ? { cause: 'starttls-not-offered' as const }
          : {}),
    };
  }
  const entries = client.transcript.entries;
  const last = entries.findLastIndex((entry) => entry.dir === 'C');
  const asked = last === -1 ? 'the greeting' : entries[last]?.text.split(' ')[0]?.toUpperCase();
  const unanswered = !entries.slice(last + 1).some((entry) => entry.dir === 'S');
  // The server answered EHLO (the same name) before STARTTLS: silence or a hang-up at the EHLO
  // right after it is the TLS layer failing to reach the SMTP service. No client gets a working
  // TLS session there, so in effect STARTTLS is not available.
  const brokenAfterStarttls = (what: string): SessionFault => ({
    message: `The TLS handshake after STARTTLS succeeded, but the server then ${what}: its TLS layer does not pass the session on to the SMTP service (a TLS proxy such as stunnel in front of it, or a server bug). Every client fails right after STARTTLS; the server must be fixed, no client setting helps.`,
    cause: 'starttls-not-offered',
  });
  if (
    afterStarttls &&
    asked === 'EHLO' &&
    unanswered &&
    error.code === 'ECONNRESET' &&
    error.reply === null
  ) {
    return brokenAfterStarttls(
      'hung up on EHLO without a reply (the same EHLO was answered before STARTTLS, so the name is not what it refused)',
    );
  }
  if (error.code === 'ETIMEDOUT') {
    const seconds = stepTimeoutMs / 1000;
    if (afterStarttls && asked === 'EHLO') {
      return brokenAfterStarttls(`answered nothing to EHLO within ${seconds} s`);
    }
    return {
      message: `The server stopped answering: no reply to ${asked} within ${seconds} s. The connection itself works (the server greeted and answered earlier commands), so this is not a firewall: the server is stuck or overloaded (often a slow DNS or anti-spam lookup at this step), or a proxy in front of it stalls. The server's log says which.`,
    };
  }
  const reply = error.reply;
  if (error.phase !== 'ehlo' || reply === null) return null;
  if (reply.code === 220) {
    return {
      message: afterStarttls
        ? `After STARTTLS the server greeted a second time ("${formatReply(reply)}") where the reply to EHLO belongs: the session continues without a new greeting, the client speaking first (RFC 3207 §4.2). Clients read that 220 as the answer to EHLO and give up, or fall out of step; the server (often a TLS proxy that greets on its own in front of it) must drop the second greeting.`
        : `The server answered EHLO with a greeting ("${formatReply(reply)}"), not with 250: it greets twice, so clients read every later reply as the answer to the command before. The server (or a proxy in front of it that greets on its own) must send one greeting only.`,
      cause: 'server-protocol-error',
    };
  }
  if (HELO_NAME_REFUSED.test(reply.raw)) {
    return {
      message: `The server refuses the name Mailport gave in EHLO: ${formatReply(reply)}. ${ehloNameAdvice(ehloName)}`,
      cause: 'sender-rejected',
    };
  }
  return null;
}
