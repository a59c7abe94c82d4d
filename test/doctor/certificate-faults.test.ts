/**
 * Certificates that are wrong beyond the server's own: an intermediate CA certificate in the chain
 * that has expired (the leaf is current, OpenSSL still refuses the chain), a wildcard one label
 * too shallow for the name checked (`*.example.com` for `a.b.example.com`), and a server that
 * demands a certificate from the client (mutual TLS), told apart from a TLS 1.2 cipher mismatch
 * that ends in the same "handshake failure" alert.
 */
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as x509 from '@peculiar/x509';
import { runDoctor } from '../../src/doctor/index.js';
import { createCertificateAuthority, issueServerCertificate } from '../../src/tls/certificates.js';
import { createTlsFixtures, type RunningServer, startTestSmtpServer } from '../smtp-client/test-servers.js';

const DAY = 24 * 60 * 60 * 1000;
const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const credentials = { user: 'alice', pass: 'pw' };
let dir: string;
const servers: RunningServer[] = [];

// Importing src/tls/certificates.js has set @peculiar/x509's crypto provider to Node's.
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mailport-cert-faults-'));
});

after(async () => {
  await Promise.all(servers.map((server) => server.close()));
  await rm(dir, { recursive: true, force: true });
});

async function keyPair(): Promise<webcrypto.CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
}

function caExtensions(pathLength?: number): x509.Extension[] {
  return [
    new x509.BasicConstraintsExtension(true, pathLength, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
  ];
}

/** A current root, an intermediate that expired five days ago, and a current leaf for localhost. */
async function chainWithExpiredIntermediate(): Promise<{
  rootPem: string;
  chainPem: string;
  keyPem: string;
}> {
  const now = Date.now();
  const [rootKeys, intermediateKeys, leafKeys] = await Promise.all([keyPair(), keyPair(), keyPair()]);
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=Expiry Test Root',
    notBefore: new Date(now - 400 * DAY),
    notAfter: new Date(now + 400 * DAY),
    keys: rootKeys,
    signingAlgorithm: algorithm,
    extensions: caExtensions(),
  });
  const intermediate = await x509.X509CertificateGenerator.create({
    serialNumber: '02',
    subject: 'CN=Expired Intermediate',
    issuer: root.subject,
    notBefore: new Date(now - 300 * DAY),
    notAfter: new Date(now - 5 * DAY),
    signingKey: rootKeys.privateKey,
    publicKey: intermediateKeys.publicKey,
    signingAlgorithm: algorithm,
    extensions: caExtensions(0),
  });
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: '03',
    subject: 'CN=localhost',
    issuer: intermediate.subject,
    notBefore: new Date(now - 10 * DAY),
    notAfter: new Date(now + 80 * DAY),
    signingKey: intermediateKeys.privateKey,
    publicKey: leafKeys.publicKey,
    signingAlgorithm: algorithm,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: 'localhost' }]),
    ],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', leafKeys.privateKey)).toString(
    'base64',
  );
  return {
    rootPem: root.toString('pem'),
    chainPem: `${leaf.toString('pem')}\n${intermediate.toString('pem')}\n`,
    keyPem: `-----BEGIN PRIVATE KEY-----\n${pkcs8.match(/.{1,64}/g)?.join('\n')}\n-----END PRIVATE KEY-----\n`,
  };
}

test('an expired intermediate behind a current certificate: cert-expired, the port is not recommended', async () => {
  const { rootPem, chainPem, keyPem } = await chainWithExpiredIntermediate();
  const caFile = join(dir, 'root.pem');
  await writeFile(caFile, rootPem);
  const server = await startTestSmtpServer({
    tls: 'implicit',
    certificate: { certPem: chainPem, keyPem },
    authRequired: true,
    credentials,
  });
  servers.push(server);
  const report = await runDoctor({ host: 'localhost', ports: [server.port], caFile, stepTimeoutMs: 3000 });
  const [port] = report.ports;
  const finding = port?.findings.find((entry) => entry.cause === 'cert-expired');
  assert.match(
    finding?.message ?? '',
    /CA certificate "CN=Expired Intermediate" in the chain expired 5 days ago/,
  );
  assert.deepEqual(port?.certificate?.problems, ['cert-expired']);
  assert.equal(port?.usable, false);
  assert.equal(report.recommendation, null);
});

test('a wildcard one label too shallow: the one-label rule and the names that would do are said', async () => {
  const ca = await createCertificateAuthority({ commonName: 'Wildcard Test CA' });
  const caFile = join(dir, 'wildcard-ca.pem');
  await writeFile(caFile, ca.certPem);
  const server = await startTestSmtpServer({
    tls: 'starttls',
    certificate: await issueServerCertificate(ca, { hostnames: ['*.example.com'] }),
    credentials,
  });
  servers.push(server);
  const report = await runDoctor({
    host: '127.0.0.1',
    servername: 'a.b.example.com',
    ports: [server.port],
    caFile,
    stepTimeoutMs: 3000,
  });
  const finding = report.ports[0]?.findings.find((entry) => entry.cause === 'cert-hostname-mismatch');
  assert.match(
    finding?.message ?? '',
    /exactly one label .*\*\.example\.com covers b\.example\.com but not a\.b\.example\.com.*names a\.b\.example\.com \(or \*\.b\.example\.com\)/,
  );
});

test('a server that demands a client certificate, over implicit TLS and STARTTLS, TLS 1.3 and 1.2', async () => {
  const fixtures = await createTlsFixtures();
  const caFile = join(dir, 'mtls-ca.pem');
  await writeFile(caFile, fixtures.ca.certPem);
  const variants = [
    { tls: 'implicit', maxVersion: 'TLSv1.3' },
    { tls: 'implicit', maxVersion: 'TLSv1.2' },
    { tls: 'starttls', maxVersion: 'TLSv1.3' },
    { tls: 'starttls', maxVersion: 'TLSv1.2' },
  ] as const;
  await Promise.all(
    variants.map(async ({ tls, maxVersion }) => {
      const server = await startTestSmtpServer({
        tls,
        certificate: fixtures.valid,
        clientCertificateCa: fixtures.ca.certPem,
        secureOptions: { maxVersion },
      });
      servers.push(server);
      const report = await runDoctor({
        host: 'localhost',
        ports: [server.port],
        caFile,
        stepTimeoutMs: 3000,
      });
      const findings = report.ports[0]?.findings ?? [];
      const finding = findings.find((entry) => entry.cause === 'client-certificate-required');
      const summary = `${tls} ${maxVersion}: ${JSON.stringify(findings, null, 1)}`;
      assert.match(
        finding?.message ?? '',
        /demands a client certificate .*nodemailer `tls: \{ cert, key \}`/,
        summary,
      );
      // TLS 1.3 finishes the client's handshake before the server refuses it: no "STARTTLS works".
      assert.equal(
        findings.some((entry) => entry.level === 'ok' && /STARTTLS works/.test(entry.message)),
        false,
        summary,
      );
      assert.equal(report.ports[0]?.usable, false, summary);
    }),
  );
});

test('a TLS 1.2 server that shares no cipher is not taken for one demanding a client certificate', async () => {
  const fixtures = await createTlsFixtures();
  const server = await startTestSmtpServer({
    tls: 'implicit',
    certificate: fixtures.valid,
    // Anonymous suites only: no client offers them, so every handshake fails the same way.
    secureOptions: { maxVersion: 'TLSv1.2', ciphers: 'aNULL@SECLEVEL=0' },
  });
  servers.push(server);
  const report = await runDoctor({ host: 'localhost', ports: [server.port], stepTimeoutMs: 3000 });
  const findings = report.ports[0]?.findings ?? [];
  assert.deepEqual(
    findings.map((entry) => entry.cause),
    ['tls-version-too-old'],
    JSON.stringify(findings, null, 1),
  );
  assert.match(findings[0]?.message ?? '', /handshake failure/);
});
