/**
 * Why STARTTLS, though offered, gave no TLS session, and whose doing it is: a refusal, a server
 * that agreed and then did not speak TLS (or hung up), or a handshake that failed for a reason
 * OpenSSL names.
 */
import type { CauseId } from '../explain/causes.js';
import { explainError } from '../explain/matcher.js';
import { formatReply, type SmtpClientError } from '../smtp-client/index.js';
import { describeChain } from './error-chain.js';
import { PROTOCOL_BROKEN_UPSTREAM } from './fix.js';
import {
  certificateRequiredAlert,
  handshakeReason,
  handshakeRefusal,
  refusedByTlsAlert,
} from './tls-refusal.js';

/** Node's words when the peer closes the socket before the handshake is done. */
const HUNG_UP =
  /socket disconnected before secure TLS connection|closed the connection during the TLS handshake/i;

export function starttlsFailure(
  error: SmtpClientError,
  port: number,
  servername: string,
  /** A TLS 1.2 handshake failure told apart as a missing client certificate (probe-port.ts). */
  certificateDemanded = false,
): { message: string; cause: CauseId } {
  const { cause } = explainError(error, { port });
  const demanded = certificateDemanded || certificateRequiredAlert(error);
  if (error.reply && error.code === 'EPROTOCOL') {
    return {
      message: `STARTTLS is offered, but the server answers it with ${formatReply(error.reply)} instead of 220 (RFC 3207 §4): no client starts TLS on that reply. ${PROTOCOL_BROKEN_UPSTREAM}`,
      cause,
    };
  }
  if (error.reply) {
    return { message: `STARTTLS is offered but the server refuses it: ${formatReply(error.reply)}`, cause };
  }
  // Our STARTTLS and ClientHello were right, so what follows the 220 is the server's doing.
  if (hungUp(error)) {
    return {
      message:
        'The server answered 220 to STARTTLS but then closed the connection during the TLS handshake: its TLS set-up is broken (often a missing or unreadable certificate or key; the server log says which), or a firewall doing "SMTP inspection" cuts the connection.',
      // No client can get TLS here, whatever its settings: STARTTLS is in effect not available.
      cause: 'starttls-not-offered',
    };
  }
  if (cause === 'starttls-not-offered') {
    const after =
      error.code === 'ETIMEDOUT'
        ? `answered nothing to the TLS handshake (${error.message})`
        : 'did not speak TLS (its next bytes were not a TLS record)';
    return {
      message: `The server answered 220 to STARTTLS but then ${after}: the server is misconfigured, or a firewall doing "SMTP inspection" strips STARTTLS.`,
      cause,
    };
  }
  if (refusedByTlsAlert(error)) {
    return {
      message: `STARTTLS is offered but ${handshakeRefusal(error, servername, demanded)}`,
      // An alert explain has no name for is the server's TLS failing: STARTTLS is in effect not available.
      cause: demanded ? 'client-certificate-required' : cause === 'unknown' ? 'starttls-not-offered' : cause,
    };
  }
  // OpenSSL's reason says it; the rest of its error (the raw error queue) is noise here.
  return { message: `STARTTLS is offered but the TLS handshake fails: ${handshakeReason(error)}`, cause };
}

function hungUp(error: SmtpClientError): boolean {
  const code = (error.cause as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ECONNRESET' || code === 'EPIPE' || HUNG_UP.test(describeChain(error));
}
