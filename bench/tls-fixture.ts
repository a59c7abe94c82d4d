/**
 * The certificate the bench's own peers (Node sink, smtp-server, MailDev) present: a self-signed
 * ECDSA P-256 certificate for localhost and 127.0.0.1, like Mailport's, so every TLS peer pays the
 * same handshake cost. Made once with openssl into bench/.peers/tls and reused.
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
