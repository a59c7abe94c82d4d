/**
 * What a certificate says about itself, read with Node's own X.509 parser: checking the sandbox's
 * certificate at start-up then needs no certificate library (certificates.ts, which only a start
 * that creates or renews one loads).
 */
import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';

/**
 * An IP address in one spelling: Node writes IPv6 in a certificate's names in full and in capitals
 * (`0:0:0:0:0:0:0:1`), where a host name is usually given compressed (`::1`).
 */
export function canonicalName(name: string): string {
  return isIP(name) === 6 ? new URL(`http://[${name}]`).hostname.slice(1, -1) : name;
}

/** The DNS names and IP addresses a certificate is valid for, and when it expires. */
export function describeCertificate(certPem: string): { names: string[]; notAfter: Date } {
  const cert = new X509Certificate(certPem);
  const names = (cert.subjectAltName ?? '').split(', ').flatMap((entry) => {
    if (entry.startsWith('DNS:')) return [entry.slice('DNS:'.length)];
    if (entry.startsWith('IP Address:')) return [canonicalName(entry.slice('IP Address:'.length))];
    return [];
  });
  return { names, notAfter: new Date(cert.validTo) };
}
