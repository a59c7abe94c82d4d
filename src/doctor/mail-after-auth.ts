/**
 * A server that takes the user's AUTH and then refuses MAIL anyway: with 530 it still treats the
 * session as unauthenticated (RFC 4954 §6), so the login is right but sending is not allowed; any
 * other refusal is about the sender address the account may use. Or one that takes MAIL and then
 * will not relay for the login: its relay or client-access policy leaves authenticated clients out.
 */
import type { CauseId } from '../explain/causes.js';
import { explainError } from '../explain/matcher.js';
import { formatReply, type ServerReply, SmtpClientError } from '../smtp-client/index.js';
import { withFix } from './fix.js';
import type { FindingLevel } from './report.js';

export function mailRefusedAfterAuth(
  reply: ServerReply,
  user: string,
  from: string,
  port: number,
): { message: string; cause: CauseId } {
  if (reply.code === 530) {
    return {
      message: `The server accepted AUTH as ${user}, yet answered MAIL FROM:<${from}> with ${formatReply(reply)}: it still treats the session as unauthenticated. The password is right, but this account may not send through this server (Microsoft 365: Authenticated SMTP disabled for the mailbox; an account without sending rights), or something between AUTH and MAIL loses the login (a proxy or load balancer handing commands to another backend). No client setting fixes it: the account's sending permission, or the server, must be fixed.`,
      cause: 'auth-required',
    };
  }
  const error = new SmtpClientError('EENVELOPE', 'mail', 'The server refused the sender', { reply });
  const explanation = explainError(error, { port });
  return {
    message: withFix(
      `After AUTH as ${user}, the server refuses the sender MAIL FROM:<${from}>: ${formatReply(reply)}`,
      explanation,
    ),
    cause: explanation.cause,
  };
}

/** The refusals of a foreign recipient that every recipient would meet after this login. */
const POLICY_REFUSALS: ReadonlySet<CauseId> = new Set(['relay-denied', 'sender-rejected', 'auth-required']);

/**
 * A foreign recipient refused after AUTH and MAIL, when the refusal is the server's policy for this
 * login (relay, client access, sender): null for one about the probe address itself (a server may
 * refuse the reserved example.com, e.g. for its null MX).
 */
export function recipientRefusedAfterAuth(
  error: SmtpClientError,
  reply: ServerReply,
  user: string,
  to: string,
  port: number,
): { message: string; cause: CauseId; level: FindingLevel } | null {
  const explanation = explainError(error, { port });
  if (!POLICY_REFUSALS.has(explanation.cause)) return null;
  return {
    message: withFix(
      `After AUTH as ${user}, the server refuses RCPT TO:<${to}> (another domain's address): ${formatReply(reply)}`,
      explanation,
    ),
    cause: explanation.cause,
    // A 4xx is the server's passing trouble, not a verdict on this account.
    level: reply.code >= 500 ? 'error' : 'warning',
  };
}
