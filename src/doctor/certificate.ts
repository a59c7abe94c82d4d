/**
 * Certificate analysis (RFC 5280 validity and chain, RFC 6125 name check): which problems a
 * client would hit, and when the local clock rather than the certificate is the likely culprit.
 */
import { X509Certificate } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import type { CauseId } from '../explain/causes.js';
import type { TlsSessionInfo } from '../smtp-client/index.js';
import type { CertificateReport, Finding } from './report.js';

/** OpenSSL verification codes that mean "no trusted CA issued this chain". */
const UNTRUSTED_CHAIN_ERRORS = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_CHAIN_TOO_LONG',
  'INVALID_CA',
]);

/**
 * Browsers fetch a missing intermediate certificate themselves; SMTP clients never do, so a server
 * configured with its own certificate alone fails for every mail client.
 */
const LEAF_ALONE =
  " The server sent its own certificate alone: if an intermediate CA issued it (as with every public CA, e.g. Let's Encrypt), the server must send that certificate too. Configure the full chain (leaf + intermediates, e.g. fullchain.pem), since mail clients do not fetch a missing intermediate as browsers do.";

/**
 * OpenSSL's security level 2, the default on Debian, Ubuntu and RHEL, refuses RSA and DSA keys
 * shorter than this: Python, PHP, curl, swaks and Ruby there fail on such a certificate even where
 * Node, Java or a browser accept it.
 */
const MIN_SAFE_KEY_BITS = 2048;

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

export interface CertificateAnalysis {
  report: CertificateReport;
  findings: Finding[];
}

export interface TrustSource {
  /** CA certificates from `--ca`, with the file they came from. */
  caFile: string | null;
  caCertificates: X509Certificate[];
}

export function analyseCertificate(
  tls: TlsSessionInfo,
  trust: TrustSource,
  now: Date,
  verify: string,
): CertificateAnalysis | null {
  const peer = tls.peerCertificate;
  if (!peer) return null;
  const validFrom = new Date(peer.validFrom);
  const validTo = new Date(peer.validTo);
  const selfSigned = isSelfSigned(peer);
  const chainUntrusted = tls.chainError !== null && UNTRUSTED_CHAIN_ERRORS.has(tls.chainError);
  // OpenSSL reports one error per chain: an expired certificate from an unknown CA may show only
  // CERT_HAS_EXPIRED, so the chain's anchor is checked separately.
  const trusted =
    tls.chainTrusted || (!chainUntrusted && anchored([peer, ...tls.chain], trust.caCertificates));
  const problems: CauseId[] = [];
  const findings: Finding[] = [];

  if (now > validTo) {
    problems.push('cert-expired');
    findings.push({
      level: 'error',
      cause: 'cert-expired',
      message: `The certificate expired ${describeAge(now.getTime() - validTo.getTime())} ago (valid until ${validTo.toISOString()}).${
        now.getTime() - validTo.getTime() < 2 * DAY_MS
          ? " If it looks valid from other machines, check this machine's clock (date -u): a clock running ahead makes fresh certificates look expired."
          : ''
      }`,
      verify,
    });
  }
  // Clients check every certificate up to the anchor: an expired intermediate (or cross-signed
  // root, as AddTrust's in 2020) fails the chain though the server's own certificate is current.
  const expiredIssuer = tls.chain.find((issuer) => now > new Date(issuer.validTo));
  if (expiredIssuer && !problems.includes('cert-expired')) {
    const expiredAt = new Date(expiredIssuer.validTo);
    problems.push('cert-expired');
    findings.push({
      level: 'error',
      cause: 'cert-expired',
      message: `The CA certificate "${expiredIssuer.subject.replace(/\n/g, ', ')}" in the chain expired ${describeAge(now.getTime() - expiredAt.getTime())} ago (valid until ${expiredAt.toISOString()}), though the server's own certificate is current: clients reject the whole chain ("certificate has expired"). The server must send the current intermediate, the chain its CA issues today (e.g. a fresh fullchain.pem), not an old one kept from a previous certificate.`,
      verify,
    });
  }
  if (now < validFrom) {
    problems.push('cert-not-yet-valid');
    findings.push({
      level: 'error',
      cause: 'cert-not-yet-valid',
      message: `The certificate is valid only from ${validFrom.toISOString()}, ${describeAge(validFrom.getTime() - now.getTime())} after this machine's clock (${now.toISOString()}). ${
        validFrom.getTime() - now.getTime() < 7 * DAY_MS
          ? 'That is most likely clock drift on this machine: sync it (timedatectl set-ntp true).'
          : "Either this machine's clock is far behind or the certificate was issued with a future start date."
      }`,
      verify,
    });
  }
  if (tls.hostnameError !== null) {
    problems.push('cert-hostname-mismatch');
    findings.push({
      level: 'error',
      cause: 'cert-hostname-mismatch',
      message: `The certificate is not valid for ${tls.checkedName}; it names ${subjectNames(peer).join(', ') || 'no host names'}.${wildcardDepth(subjectNames(peer), tls.checkedName)}`,
      verify,
    });
  }
  if (selfSigned && !issuedByAny(peer, trust.caCertificates)) {
    problems.push('cert-self-signed');
    findings.push({
      level: 'error',
      cause: 'cert-self-signed',
      message:
        'The certificate is self-signed: no client trusts it unless told to (pass it with --ca to check it anyway).',
      verify,
    });
  } else if (!trusted) {
    problems.push('cert-untrusted-ca');
    const sentLeafAlone = tls.chainError === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' && tls.chain.length === 0;
    const namesake = namesakeCa(tls.chain.at(-1) ?? peer, trust.caCertificates);
    findings.push({
      level: 'error',
      cause: 'cert-untrusted-ca',
      message: `The certificate chain does not lead to a trusted CA (${tls.chainError ?? 'unverified'}; issuer: ${peer.issuer.replace(/\n/g, ', ')})${
        trust.caFile
          ? `, neither in the system store nor in ${trust.caFile}`
          : '; if it is a private or sandbox CA, pass its file with --ca'
      }.${untrustedNote(namesake !== undefined, sentLeafAlone, peer, trust.caFile)}`,
      verify,
    });
  }
  const weakKey = [peer, ...tls.chain].map(shortKey).find((found) => found !== null);
  if (weakKey) {
    problems.push('tls-version-too-old');
    findings.push({
      level: 'error',
      cause: 'tls-version-too-old',
      message: `${weakKey.who} has a ${weakKey.bits}-bit ${weakKey.type.toUpperCase()} key: clients on OpenSSL's security level 2 (the default on Debian, Ubuntu and RHEL: Python, PHP, curl, swaks, Ruby) refuse it ("EE certificate key too weak"), even where Node or Java accept it. The server needs a new certificate (RSA ${MIN_SAFE_KEY_BITS}+ or ECDSA).`,
      verify,
    });
  }
  const trustedBy =
    !trusted || problems.includes('cert-self-signed') ? null : trustSourceName([peer, ...tls.chain], trust);
  if (problems.length === 0) {
    findings.push({
      level: 'ok',
      message: `Certificate valid for ${tls.checkedName} until ${validTo.toISOString().slice(0, 10)}, trusted via ${trustedBy}.`,
      verify,
    });
  }
  return {
    report: {
      subject: peer.subject.replace(/\n/g, ', '),
      issuer: peer.issuer.replace(/\n/g, ', '),
      names: subjectNames(peer),
      validFrom: validFrom.toISOString(),
      validTo: validTo.toISOString(),
      selfSigned,
      trusted: trusted && !problems.includes('cert-self-signed'),
      trustedBy,
      chainError: tls.chainError,
      checkedName: tls.checkedName,
      hostnameMatch: tls.hostnameError === null,
      problems,
    },
    findings,
  };
}

function shortKey(
  certificate: X509Certificate,
  index: number,
): { who: string; type: string; bits: number } | null {
  const type = certificate.publicKey.asymmetricKeyType ?? '';
  const bits = certificate.publicKey.asymmetricKeyDetails?.modulusLength;
  if (!['rsa', 'rsa-pss', 'dsa'].includes(type) || bits === undefined || bits >= MIN_SAFE_KEY_BITS)
    return null;
  return { who: index === 0 ? "The server's certificate" : 'A CA certificate in its chain', type, bits };
}

export function loadCaCertificates(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((block) => new X509Certificate(block));
}

let systemRoots: X509Certificate[] | null = null;

function anchored(chain: X509Certificate[], extraCas: X509Certificate[]): boolean {
  systemRoots ??= rootCertificates.map((pem) => new X509Certificate(pem));
  const anchors = [...extraCas, ...systemRoots];
  return chain.some((certificate) => issuedByAny(certificate, anchors));
}

function isSelfSigned(certificate: X509Certificate): boolean {
  return certificate.subject === certificate.issuer && certificate.verify(certificate.publicKey);
}

/**
 * A CA given with --ca that bears the name of the one that issued `certificate` but did not sign
 * it: a CA of the same name made elsewhere with a key of its own, as every Mailport data dir makes.
 */
function namesakeCa(certificate: X509Certificate, cas: X509Certificate[]): X509Certificate | undefined {
  return cas.find((ca) => ca.subject === certificate.issuer && !issuedByAny(certificate, [ca]));
}

/**
 * What to add to an untrusted chain: a CA file holding a namesake of the issuer; a Mailport
 * sandbox's certificate (its leaf is sent alone, which is right: its own CA is the root), where the
 * intermediate advice would mislead; a leaf sent without its intermediates.
 */
function untrustedNote(
  namesake: boolean,
  sentLeafAlone: boolean,
  peer: X509Certificate,
  caFile: string | null,
): string {
  if (namesake && caFile) return namesakeNote(caFile);
  if (!caFile && isMailportLocalCa(peer.issuer)) return SANDBOX_CA;
  return sentLeafAlone ? LEAF_ALONE : '';
}

/** The organisation every Mailport data dir's local CA carries (src/tls/certificates.ts). */
function isMailportLocalCa(issuer: string): boolean {
  return issuer.split('\n').includes('O=Mailport');
}

/** Where a sandbox's CA file is, for the notes below. */
const SANDBOX_CA_FILE =
  'the ca.pem `mailport serve` prints as "TLS CA" when it starts (<data dir>/tls/ca.pem)';

const SANDBOX_CA = ` This is a Mailport sandbox, signed by the local CA its data dir created: pass ${SANDBOX_CA_FILE} with --ca. Run from the directory the sandbox runs in, doctor finds .mailport/tls/ca.pem by itself.`;

function namesakeNote(caFile: string): string {
  return ` ${caFile} holds a CA of that name, but not the one that signed this certificate: the same name was given to another CA with a key of its own (every Mailport data dir creates its own local CA, as other tools that generate one do). Pass the CA file of the server you are checking: for a Mailport sandbox, ${SANDBOX_CA_FILE}.`;
}

function issuedByAny(certificate: X509Certificate, cas: X509Certificate[]): boolean {
  return cas.some(
    (ca) =>
      ca.fingerprint256 === certificate.fingerprint256 ||
      (certificate.checkIssued(ca) && certificate.verify(ca.publicKey)),
  );
}

function trustSourceName(chain: X509Certificate[], trust: TrustSource): string {
  const viaFile =
    trust.caFile !== null && chain.some((certificate) => issuedByAny(certificate, trust.caCertificates));
  return viaFile && trust.caFile !== null ? trust.caFile : 'system';
}

function subjectNames(certificate: X509Certificate): string[] {
  const san = certificate.subjectAltName;
  if (!san) return [];
  return san
    .split(/,\s*/)
    .map((entry) => entry.replace(/^(DNS|IP Address):/, ''))
    .filter((name) => name !== '');
}

/**
 * A wildcard that would match if it covered more than one label: `*.example.com` for
 * `a.b.example.com`. Said, since people take a wildcard to cover every subdomain.
 */
function wildcardDepth(names: string[], checkedName: string): string {
  const host = checkedName.toLowerCase();
  const wildcard = names.find((name) => {
    const suffix = name.toLowerCase().slice(1);
    return name.startsWith('*.') && host.endsWith(suffix) && host.slice(0, -suffix.length).includes('.');
  });
  if (!wildcard) return '';
  const parent = host.slice(host.indexOf('.') + 1);
  const covered = host.split('.').slice(-wildcard.split('.').length).join('.');
  return ` A wildcard stands for exactly one label (RFC 6125 §6.4.3): ${wildcard} covers ${covered} but not ${host}. The server needs a certificate that names ${host} (or *.${parent}), or clients must connect to a name the wildcard covers.`;
}

function describeAge(ms: number): string {
  if (ms < 2 * HOUR_MS) return `${Math.max(1, Math.round(ms / 60_000))} minutes`;
  if (ms < 2 * DAY_MS) return `${Math.round(ms / HOUR_MS)} hours`;
  return `${Math.round(ms / DAY_MS)} days`;
}
