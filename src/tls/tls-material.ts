/**
 * The sandbox's TLS identity: a local CA plus a server certificate signed by it, created on first
 * start in `<data-dir>/tls/` and reused afterwards, so clients trust the CA once.
 */
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MailportError } from '../errors.js';
import { makeDirectory } from '../make-directory.js';
import { canonicalName, describeCertificate } from './certificate-facts.js';

/** For every TLS listener, SMTP and HTTPS: RFC 8996 deprecates TLS 1.0 and 1.1, RFC 8314 §4.1 asks for 1.2 or newer. */
export const MIN_TLS_VERSION = 'TLSv1.2';

export interface TlsMaterial {
  certPem: string;
  keyPem: string;
  /** The certificate clients should trust: the local CA, or the user's own certificate. */
  caPath: string;
  caPem: string;
  /** True when the certificate came from --tls-cert/--tls-key. */
  userSupplied: boolean;
}

const RENEW_BEFORE_MS = 30 * 24 * 60 * 60 * 1000;

async function readIfExists(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

async function writeSecret(path: string, pem: string): Promise<void> {
  await writeFile(path, pem, { mode: 0o600 });
  await chmod(path, 0o600);
}

/**
 * The certificate library (@peculiar/x509 and what it brings) took 0.15 s of every start: only a
 * start that creates or renews a certificate loads it.
 */
function certificates(): Promise<typeof import('./certificates.js')> {
  return import('./certificates.js');
}

export function certificateHostnames(hostname: string): string[] {
  return [...new Set(['localhost', '127.0.0.1', '::1', hostname])];
}

function coversAndFresh(certPem: string, hostnames: readonly string[]): boolean {
  const { names, notAfter } = describeCertificate(certPem);
  return (
    hostnames.every((name) => names.includes(canonicalName(name))) &&
    notAfter.getTime() - Date.now() > RENEW_BEFORE_MS
  );
}

async function loadUserSupplied(certFile: string, keyFile: string): Promise<TlsMaterial> {
  const hint = 'Pass a PEM certificate with --tls-cert and its PEM private key with --tls-key.';
  const certPem = await readFile(certFile, 'utf8').catch((cause: unknown) => {
    throw new MailportError('MP_ERR_TLS_MATERIAL', `Cannot read the TLS certificate ${certFile}.`, {
      hint,
      cause,
    });
  });
  const keyPem = await readFile(keyFile, 'utf8').catch((cause: unknown) => {
    throw new MailportError('MP_ERR_TLS_MATERIAL', `Cannot read the TLS key ${keyFile}.`, { hint, cause });
  });
  return { certPem, keyPem, caPath: certFile, caPem: certPem, userSupplied: true };
}

/** Loads the sandbox's CA and server certificate from `dir`, creating or renewing what is missing. */
export async function loadOrCreateTlsMaterial(options: {
  dir: string;
  hostname: string;
  /** `--tls-cert` and `--tls-key`, used instead of the local CA's (serve-config checks they come together). */
  userSupplied?: { certFile: string; keyFile: string } | undefined;
}): Promise<TlsMaterial> {
  if (options.userSupplied)
    return loadUserSupplied(options.userSupplied.certFile, options.userSupplied.keyFile);
  makeDirectory(options.dir, 0o700);
  const paths = {
    ca: join(options.dir, 'ca.pem'),
    caKey: join(options.dir, 'ca-key.pem'),
    cert: join(options.dir, 'server.pem'),
    key: join(options.dir, 'server-key.pem'),
  };
  let caPem = await readIfExists(paths.ca);
  let caKeyPem = await readIfExists(paths.caKey);
  const caCreated = !caPem || !caKeyPem;
  if (!caPem || !caKeyPem) {
    const ca = await (await certificates()).createCertificateAuthority();
    caPem = ca.certPem;
    caKeyPem = ca.keyPem;
    await writeFile(paths.ca, caPem);
    await writeSecret(paths.caKey, caKeyPem);
  }
  const hostnames = certificateHostnames(options.hostname);
  let certPem = await readIfExists(paths.cert);
  let keyPem = await readIfExists(paths.key);
  if (caCreated || !certPem || !keyPem || !coversAndFresh(certPem, hostnames)) {
    const issued = await (await certificates()).issueServerCertificate(
      { certPem: caPem, keyPem: caKeyPem },
      { hostnames },
    );
    certPem = issued.certPem;
    keyPem = issued.keyPem;
    await writeFile(paths.cert, certPem);
    await writeSecret(paths.key, keyPem);
  }
  return { certPem, keyPem, caPath: paths.ca, caPem, userSupplied: false };
}
