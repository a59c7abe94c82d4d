/**
 * TLS settings shared by STARTTLS and implicit-TLS listeners, and the translation of handshake
 * failures into diagnostics.
 */
import tls from 'node:tls';
import type { DiagnosticCode, TlsFacts } from '../domain/types.js';
import { MIN_TLS_VERSION, type TlsMaterial } from '../tls/tls-material.js';

export function createServerSecureContext(material: TlsMaterial): tls.SecureContext {
  return tls.createSecureContext({
    cert: material.certPem,
    key: material.keyPem,
    minVersion: MIN_TLS_VERSION,
  });
}

export function tlsFacts(socket: tls.TLSSocket, mode: TlsFacts['mode']): TlsFacts {
  const cipher = socket.getCipher();
  const servername = (socket as tls.TLSSocket & { servername?: string | false }).servername;
  return {
    mode,
    protocol: socket.getProtocol() ?? 'unknown',
    cipher: cipher.standardName ?? cipher.name,
    servername: typeof servername === 'string' ? servername : null,
  };
}

/** Maps an OpenSSL handshake error to the diagnostic that explains it to a person. */
export function classifyHandshakeError(error: Error & { code?: string }): {
  code: DiagnosticCode;
  detail: string;
} {
  const text = `${error.code ?? ''} ${error.message}`.toLowerCase();
  if (/unsupported protocol|unsupported_protocol|version too low|protocol version/.test(text)) {
    return {
      code: 'tls-version-too-old',
      detail: `The client offered only TLS versions older than TLS 1.2 (${error.message.trim()}).`,
    };
  }
  if (
    /unknown ca|bad certificate|certificate unknown|unsupported certificate|decrypt error|bad_certificate|unknown_ca/.test(
      text,
    )
  ) {
    return {
      code: 'tls-handshake-failed',
      detail: `The client rejected the sandbox certificate (${error.message.trim()}): it does not trust the sandbox CA.`,
    };
  }
  if (/http request|wrong version number/.test(text)) {
    return {
      code: 'tls-handshake-failed',
      detail: `The client did not speak TLS (${error.message.trim()}).`,
    };
  }
  return {
    code: 'tls-handshake-failed',
    detail: error.message.trim() || 'The connection closed during the TLS handshake.',
  };
}
