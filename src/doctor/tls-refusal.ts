/**
 * Reads a TLS handshake the server refused. The doctor retries a version or cipher mismatch with
 * TLS 1.0 and legacy ciphers allowed, so one still reported means no client gets through; any
 * other alert is the server failing to set TLS up. Either way no client setting fixes it, except
 * for a server that demands a client certificate (mutual TLS): TLS 1.3 says so in its alert, and
 * a TLS 1.2 "handshake failure" is retried offering a throwaway certificate to tell.
 */
import type { SmtpClientError } from '../smtp-client/index.js';
import { issueServerCertificate, type PemPair } from '../tls/certificates.js';
import { describeChain } from './error-chain.js';

/** Handshake failures that mean "no TLS version or cipher in common", worth a legacy retry. */
const VERSION_MISMATCH =
  /protocol version|unsupported protocol|no protocols available|handshake failure|legacy sigalg|no shared cipher|version too low/i;

/** The server answered the ClientHello with a TLS alert (OpenSSL: "SSL alert number N"). */
export function refusedByTlsAlert(error: SmtpClientError): boolean {
  return error.code === 'ETLS' && /SSL alert number \d+/.test(describeChain(error));
}

export function isVersionMismatch(error: SmtpClientError): boolean {
  return error.code === 'ETLS' && VERSION_MISMATCH.test(describeChain(error));
}

/** TLS 1.3's own alert for a missing client certificate, "certificate required" (116). */
export function certificateRequiredAlert(error: SmtpClientError): boolean {
  return /certificate required|alert number 116\b/i.test(describeChain(error));
}

/** The alert a TLS 1.2 server sends both for no common cipher and for a missing client certificate. */
export function handshakeFailureAlert(error: SmtpClientError): boolean {
  return error.code === 'ETLS' && /alert handshake failure|alert number 40\b/i.test(describeChain(error));
}

let throwaway: Promise<PemPair> | undefined;

/**
 * A self-signed certificate no server trusts, offered in a second handshake after a TLS 1.2
 * "handshake failure": a server that wanted a client certificate gets past the point where the
 * first handshake failed (it then refuses this certificate, or lets it in); a cipher mismatch
 * fails the same way again.
 */
export function throwawayClientCertificate(): Promise<PemPair> {
  throwaway ??= issueServerCertificate(null, { hostnames: ['mailport-doctor.invalid'], selfSigned: true });
  return throwaway;
}

/**
 * Whether the handshake offering the throwaway certificate went differently from the first (`null`:
 * it worked). A connection that could not even be opened again says nothing either way.
 */
export function certificateChangedTheOutcome(retry: SmtpClientError | null): boolean {
  if (retry === null) return true;
  if (retry.phase === 'connect' && (retry.code === 'ECONNREFUSED' || retry.code === 'ETIMEDOUT'))
    return false;
  return !handshakeFailureAlert(retry);
}

/** OpenSSL's reason ("sslv3 alert handshake failure"), else the whole chain. */
export function handshakeReason(error: SmtpClientError): string {
  const reason = (error.cause as { reason?: unknown } | undefined)?.reason;
  return typeof reason === 'string' ? reason : describeChain(error);
}

/**
 * What a refused handshake means, once the legacy retry (if one was due) has failed too;
 * `servername` is the name sent as SNI; `certificateDemanded` when a TLS 1.2 handshake failure was
 * told apart as a missing client certificate.
 */
export function handshakeRefusal(
  error: SmtpClientError,
  servername: string,
  certificateDemanded = certificateRequiredAlert(error),
): string {
  const reason = handshakeReason(error);
  if (/unrecognized name|alert number 112\b/i.test(describeChain(error))) {
    return `the server refused the handshake for the name ${servername}: it has no certificate for that name (TLS alert "unrecognized name"). Use the host name its provider documents for SMTP, or pass it with --servername.`;
  }
  // TLS 1.3 "certificate required" (116), or TLS 1.2's "handshake failure" after a CertificateRequest.
  if (certificateDemanded) {
    const how = certificateRequiredAlert(error)
      ? `TLS alert "${reason}"`
      : `TLS alert "${reason}" without one, while a handshake offering a certificate got further`;
    return `the server demands a client certificate (${how}): it admits only clients holding a certificate it trusts (mutual TLS). Mail clients send none unless configured (nodemailer \`tls: { cert, key }\`, Python \`context.load_cert_chain()\`, PHPMailer \`SMTPOptions ssl local_cert\`, Postfix \`smtp_tls_cert_file\`): get a client certificate from the server's operator, or use a port that authenticates with AUTH instead.`;
  }
  if (isVersionMismatch(error)) {
    return `the server accepts no TLS version or cipher suite Mailport offers, not even with TLS 1.0 and legacy ciphers allowed (${reason}): it takes only suites no current client offers (export, NULL, RC4 or single DES). Its TLS settings need updating; no client setting fixes it.`;
  }
  return `the server aborted the handshake with the TLS alert "${reason}": its TLS set-up is at fault (a certificate or key it cannot use, an error in its TLS library), and no client setting fixes it; the server's log says which.`;
}
