/**
 * Facts about an established TLS session, read from the socket: version, cipher, whether Node's
 * chain check passed, and the peer certificate for further analysis (src/doctor/certificate.ts).
 */
import type { X509Certificate } from 'node:crypto';
import { checkServerIdentity, type TLSSocket } from 'node:tls';

export interface TlsSessionInfo {
  /** Negotiated protocol, e.g. `TLSv1.3`. */
  protocol: string | null;
  /** Negotiated cipher suite (standard name), e.g. `TLS_AES_256_GCM_SHA384`. */
  cipher: string | null;
  /** True when the chain verifies against the trusted CAs. */
  chainTrusted: boolean;
  /** OpenSSL verification code when the chain does not verify, e.g. `DEPTH_ZERO_SELF_SIGNED_CERT`. */
  chainError: string | null;
  /** The name the certificate was checked against (SNI name, or the host). */
  checkedName: string;
  /** Null when the certificate matches `checkedName`, otherwise Node's explanation. */
  hostnameError: string | null;
  peerCertificate: X509Certificate | null;
  /** Issuer certificates the server sent after its own, in order. */
  chain: X509Certificate[];
}

export function describeTlsSession(socket: TLSSocket, checkedName: string): TlsSessionInfo {
  const cipher = socket.getCipher();
  const peer = socket.getPeerX509Certificate() ?? null;
  const hostnameError = peer
    ? (checkServerIdentity(checkedName, peer.toLegacyObject())?.message ?? null)
    : 'The server sent no certificate.';
  const authorizationError = socket.authorizationError as unknown as Error | string | null | undefined;
  return {
    protocol: socket.getProtocol(),
    cipher: cipher ? (cipher.standardName ?? cipher.name) : null,
    chainTrusted: socket.authorized,
    chainError:
      authorizationError === undefined || authorizationError === null
        ? null
        : typeof authorizationError === 'string'
          ? authorizationError
          : ((authorizationError as NodeJS.ErrnoException).code ?? authorizationError.message),
    checkedName,
    hostnameError,
    peerCertificate: peer,
    chain: issuerChain(peer),
  };
}

function issuerChain(peer: X509Certificate | null): X509Certificate[] {
  const chain: X509Certificate[] = [];
  let current = peer?.issuerCertificate;
  // Node links a self-signed root to itself; stop there.
  while (current && !chain.includes(current) && current !== peer && chain.length < 10) {
    chain.push(current);
    if (current.issuerCertificate === current) break;
    current = current.issuerCertificate;
  }
  return chain;
}
