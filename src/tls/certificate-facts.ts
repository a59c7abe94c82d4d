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
  if (isIP(name) !== 6) return name;
  // A zone index (`fe80::1%eth0`) is no part of an address in a certificate, and URL refuses it.
  const [address = name] = name.split('%');
  return new URL(`http://[${address}]`).hostname.slice(1, -1);
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
