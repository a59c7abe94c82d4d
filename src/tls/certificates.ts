/**
 * Certificate generation for the sandbox's local CA and server certificate (and for tests that need
 * deliberately broken certificates). ECDSA P-256 keys: generated in milliseconds, accepted by every
 * current TLS client.
 */
// @peculiar/x509 resolves its algorithm providers through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING_ALGORITHM = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface PemPair {
  certPem: string;
  keyPem: string;
}

export interface ValidityOptions {
  notBefore?: Date;
  notAfter?: Date;
}

async function generateKeys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
}

async function privateKeyPem(key: CryptoKey): Promise<string> {
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(pkcs8, 'PRIVATE KEY');
}

async function importPrivateKey(pem: string): Promise<CryptoKey> {
  const der = x509.PemConverter.decode(pem)[0];
  if (!der) throw new Error('The CA private key PEM holds no key.');
  return webcrypto.subtle.importKey('pkcs8', der, KEY_ALGORITHM, false, ['sign']);
}

function validity(options: ValidityOptions, defaultDays: number): { notBefore: Date; notAfter: Date } {
  // Backdate by an hour so a client whose clock runs slightly behind still accepts a fresh certificate.
  const notBefore = options.notBefore ?? new Date(Date.now() - 60 * 60 * 1000);
  const notAfter = options.notAfter ?? new Date(notBefore.getTime() + defaultDays * DAY_MS);
  return { notBefore, notAfter };
}

function escapeDnValue(value: string): string {
  return value.replace(/([,+"\\<>;=])/g, '\\$1');
}

export async function createCertificateAuthority(
  options: ValidityOptions & { commonName?: string } = {},
): Promise<PemPair> {
  const keys = await generateKeys();
  const name = `CN=${escapeDnValue(options.commonName ?? 'Mailport Local Development CA')}, O=Mailport`;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name,
    keys,
    signingAlgorithm: SIGNING_ALGORITHM,
    ...validity(options, 3650),
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await privateKeyPem(keys.privateKey) };
}

function subjectAltNames(hostnames: readonly string[]): x509.SubjectAlternativeNameExtension {
  const names = hostnames.map((host) => ({ type: isIP(host) ? 'ip' : 'dns', value: host }) as const);
  return new x509.SubjectAlternativeNameExtension(names);
}

/**
 * Issues a TLS server certificate for `hostnames` (DNS names and IP addresses), signed by `ca`, or
 * self-signed when `selfSigned` is set (for testing clients against untrusted servers).
 */
export async function issueServerCertificate(
  ca: PemPair | null,
  options: ValidityOptions & { hostnames: readonly string[]; selfSigned?: boolean },
): Promise<PemPair> {
  const [primary = 'localhost'] = options.hostnames;
  const keys = await generateKeys();
  const subject = `CN=${escapeDnValue(primary)}`;
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    subjectAltNames(options.hostnames),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
  ];
  const dates = validity(options, 825);
  let cert: x509.X509Certificate;
  if (options.selfSigned || ca === null) {
    cert = await x509.X509CertificateGenerator.createSelfSigned({
      name: subject,
      keys,
      signingAlgorithm: SIGNING_ALGORITHM,
      ...dates,
      extensions,
    });
  } else {
    const caCert = new x509.X509Certificate(ca.certPem);
    extensions.push(await x509.AuthorityKeyIdentifierExtension.create(caCert));
    cert = await x509.X509CertificateGenerator.create({
      subject,
      issuer: caCert.subject,
      publicKey: keys.publicKey,
      signingKey: await importPrivateKey(ca.keyPem),
      signingAlgorithm: SIGNING_ALGORITHM,
      ...dates,
      extensions,
    });
  }
  return { certPem: cert.toString('pem'), keyPem: await privateKeyPem(keys.privateKey) };
}
