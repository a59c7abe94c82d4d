/**
 * The certificate every TLS peer presents, Mailport included (`--tls-cert`): a self-signed ECDSA
 * P-256 certificate for localhost and 127.0.0.1. One certificate for all, because the client's
 * verification is part of each handshake the generator times: Mailport's own leaf, signed by its
 * local CA, costs a Node client one more signature check, about 0.3 ms a handshake here, which
 * had been counted against Mailport. Made once with openssl into bench/.peers/tls and reused.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TlsFixture {
  certFile: string;
  keyFile: string;
  /** The certificate in PEM, which clients trust as its own CA. */
  certPem: string;
}

export function ensureTlsFixture(peersDir: string): TlsFixture {
  const dir = join(peersDir, 'tls');
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  if (!existsSync(certFile) || !existsSync(keyFile)) {
    mkdirSync(dir, { recursive: true });
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        keyFile,
        '-out',
        certFile,
        '-days',
        '3650',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
  }
  return { certFile, keyFile, certPem: readFileSync(certFile, 'utf8') };
}
