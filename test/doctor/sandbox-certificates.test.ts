/**
 * `mailport doctor` against the project's own sandbox serving deliberately wrong certificates
 * (given with --tls-cert/--tls-key): each problem is reported with its cause id, and no broken
 * port is recommended.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { formatDoctorReport, runDoctor } from '../../src/doctor/index.js';
import { createCertificateAuthority, type PemPair } from '../../src/tls/certificates.js';
import { startTestSandbox } from '../helpers/sandbox.js';
import { createTlsFixtures, type TlsFixtures } from '../smtp-client/test-servers.js';

let fixtures: TlsFixtures;
let tempDir: string;
let caFile: string;

before(async () => {
  fixtures = await createTlsFixtures();
  tempDir = await mkdtemp(join(tmpdir(), 'mailport-doctor-certs-'));
  caFile = join(tempDir, 'ca.pem');
  await writeFile(caFile, fixtures.ca.certPem);
});

after(async () => {
  await rm(tempDir, { recursive: true, force: true });
});

async function problemsWith(
  name: string,
  certificate: PemPair,
): Promise<{ submission: string[]; submissions: string[]; recommended: unknown }> {
  const certFile = join(tempDir, `${name}.pem`);
  const keyFile = join(tempDir, `${name}-key.pem`);
  await writeFile(certFile, certificate.certPem);
  await writeFile(keyFile, certificate.keyPem);
  const sandbox = await startTestSandbox({ tlsCert: certFile, tlsKey: keyFile });
  try {
    const report = await runDoctor({
      host: 'localhost',
      ports: [sandbox.port('submission'), sandbox.port('submissions')],
      caFile,
      stepTimeoutMs: 5000,
    });
    const [submission, submissions] = report.ports;
    return {
      submission: submission?.certificate?.problems ?? [],
      submissions: submissions?.certificate?.problems ?? [],
      recommended: report.recommendation,
    };
  } finally {
    await sandbox.stop();
  }
}

const cases = [
  ['expired', 'cert-expired'],
  ['notYetValid', 'cert-not-yet-valid'],
  ['wrongHostname', 'cert-hostname-mismatch'],
  ['untrustedCa', 'cert-untrusted-ca'],
  ['selfSigned', 'cert-self-signed'],
] as const;

for (const [name, cause] of cases) {
  test(`the sandbox serving a certificate that is ${name} is reported as ${cause} on both TLS modes`, async () => {
    const result = await problemsWith(name, fixtures[name]);
    assert.deepEqual(result, { submission: [cause], submissions: [cause], recommended: null });
  });
}

test('the CA file of another sandbox: a CA of the same name that did not sign the certificate is named as such', async () => {
  const sandbox = await startTestSandbox();
  const otherCaFile = join(tempDir, 'other-sandbox-ca.pem');
  // Every data dir makes a CA named "Mailport Local Development CA", with a key of its own.
  await writeFile(otherCaFile, (await createCertificateAuthority()).certPem);
  try {
    const report = await runDoctor({
      host: 'localhost',
      ports: [sandbox.port('submission')],
      caFile: otherCaFile,
      stepTimeoutMs: 5000,
    });
    const [port] = report.ports;
    assert.deepEqual(port?.certificate?.problems, ['cert-untrusted-ca']);
    const finding = port?.findings.find((candidate) => candidate.cause === 'cert-untrusted-ca');
    assert.match(
      finding?.message ?? '',
      /other-sandbox-ca\.pem holds a CA of that name, but not the one that signed/,
    );
    assert.doesNotMatch(finding?.message ?? '', /sent its own certificate alone/);
  } finally {
    await sandbox.stop();
  }
});

test("the sandbox's own certificate without --ca: named as the sandbox's, with the ca.pem to pass, not a missing intermediate", async () => {
  const sandbox = await startTestSandbox();
  try {
    const report = await runDoctor({
      host: 'localhost',
      ports: [sandbox.port('submission')],
      stepTimeoutMs: 5000,
    });
    const finding = report.ports[0]?.findings.find((candidate) => candidate.cause === 'cert-untrusted-ca');
    assert.match(finding?.message ?? '', /This is a Mailport sandbox[\s\S]*prints as "TLS CA"/);
    assert.doesNotMatch(finding?.message ?? '', /sent its own certificate alone/);
    // Its deliberate probes show in the sandbox as problem sessions: the report says whose they are.
    const note = report.findings.find((candidate) => candidate.level === 'info');
    assert.match(
      note?.message ?? '',
      /This is a Mailport sandbox[\s\S]*EHLO mailport-doctor\.invalid[\s\S]*are doctor's[\s\S]*`mailport sessions clear`/,
    );
    // Every port answered: the verdict does not send the user to check the network.
    const verdict = formatDoctorReport(report).split('Verdict:')[1] ?? '';
    assert.match(verdict, /Fix the errors above, then run doctor again/);
    const closed = await runDoctor({
      host: '127.0.0.1',
      ports: [sandbox.port('submission'), 1],
      stepTimeoutMs: 5000,
    });
    assert.match(formatDoctorReport(closed), /run from a network that does not block these ports/);
  } finally {
    await sandbox.stop();
  }
});
