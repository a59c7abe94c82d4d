/**
 * `explain` against real clients refused by servers that demand a TLS client certificate (mutual
 * TLS), over TLS 1.3 (alert 116, "certificate required", on the first read after the handshake)
 * and TLS 1.2 ("handshake failure", which only openssl s_client shows came after a
 * CertificateRequest). Nothing in this file is a typed-in error message.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { explainText } from '../../src/explain/index.js';
import { nodemailerOutput } from '../helpers/nodemailer-output.js';
import { runClient } from '../helpers/run-client.js';
import { createTlsFixtures, startTestSmtpServer, type TestSmtpServer } from '../smtp-client/test-servers.js';

let dir: string;
let caFile: string;
/** TLS 1.3: implicit TLS and STARTTLS. TLS 1.2: implicit TLS. */
let implicit13: TestSmtpServer;
let starttls13: TestSmtpServer;
let implicit12: TestSmtpServer;

before(async () => {
  const fixtures = await createTlsFixtures();
  dir = await mkdtemp(join(tmpdir(), 'mailport-client-cert-'));
  caFile = join(dir, 'ca.pem');
  await writeFile(caFile, fixtures.ca.certPem);
  const demanding = (tls: 'implicit' | 'starttls', maxVersion?: 'TLSv1.2') =>
    startTestSmtpServer({
      tls,
      certificate: fixtures.valid,
      clientCertificateCa: fixtures.ca.certPem,
      ...(maxVersion ? { secureOptions: { maxVersion } } : {}),
    });
  [implicit13, starttls13, implicit12] = await Promise.all([
    demanding('implicit'),
    demanding('starttls'),
    demanding('implicit', 'TLSv1.2'),
  ]);
});

after(async () => {
  await Promise.all([implicit13.close(), starttls13.close(), implicit12.close()]);
  await rm(dir, { recursive: true, force: true });
});

async function nodemailerClient(port: number, secure: boolean): Promise<string> {
  return nodemailerOutput({
    host: 'localhost',
    port,
    secure,
    requireTLS: true,
    tls: { ca: await readFile(caFile) },
  });
}

function python(port: number, implicitTls: boolean): Promise<string> {
  const context = `ssl.create_default_context(cafile=${JSON.stringify(caFile)})`;
  const connect = implicitTls
    ? `smtplib.SMTP_SSL('localhost', ${port}, context=${context}, timeout=5)`
    : `smtplib.SMTP('localhost', ${port}, timeout=5)\ns.starttls(context=${context})\ns.ehlo()`;
  return runClient('python3', [
    '-c',
    `import smtplib, ssl\ns = ${connect}\ns.sendmail('a@example.com', ['b@example.com'], 'Subject: t\\r\\n\\r\\nhi')`,
  ]);
}

const swaks = (port: number, tls: string) =>
  runClient('swaks', [
    ...['--server', 'localhost', '--port', String(port), tls, '--tls-verify', '--tls-ca-path', caFile],
    ...['--timeout', '5', '--to', 'b@example.com'],
  ]);

const curl = (url: string) =>
  runClient('curl', [
    ...['-sS', url, '--ssl-reqd', '--cacert', caFile, '--max-time', '5'],
    ...['--mail-from', 'a@example.com', '--mail-rcpt', 'b@example.com', '-T', '/dev/null'],
  ]);

const cases: { name: string; output: () => Promise<string> }[] = [
  { name: 'nodemailer, implicit TLS 1.3', output: () => nodemailerClient(implicit13.port, true) },
  { name: 'nodemailer, STARTTLS with TLS 1.3', output: () => nodemailerClient(starttls13.port, false) },
  { name: 'Python smtplib, SMTP_SSL with TLS 1.3', output: () => python(implicit13.port, true) },
  { name: 'Python smtplib, starttls() with TLS 1.3', output: () => python(starttls13.port, false) },
  { name: 'curl smtps://, TLS 1.3', output: () => curl(`smtps://localhost:${implicit13.port}`) },
  { name: 'curl smtp:// --ssl-reqd, TLS 1.3', output: () => curl(`smtp://localhost:${starttls13.port}`) },
  {
    name: 'openssl s_client -starttls smtp, TLS 1.3',
    output: () =>
      runClient('openssl', [
        ...[
          's_client',
          '-starttls',
          'smtp',
          '-connect',
          `localhost:${starttls13.port}`,
          '-CAfile',
          caFile,
          '-ign_eof',
        ],
      ]),
  },
  {
    name: 'openssl s_client, TLS 1.2: the CertificateRequest it prints before the handshake failure',
    output: () =>
      runClient('openssl', ['s_client', '-connect', `localhost:${implicit12.port}`, '-CAfile', caFile]),
  },
  // swaks does not print the alert: the session ends right after a TLS 1.3 handshake without a certificate.
  { name: 'swaks --tls-on-connect, TLS 1.3', output: () => swaks(implicit13.port, '--tls-on-connect') },
  { name: 'swaks --tls, TLS 1.3', output: () => swaks(starttls13.port, '--tls') },
];

describe('explain answers clients refused for want of a client certificate', { concurrency: 4 }, () => {
  for (const testCase of cases) {
    test(testCase.name, async () => {
      const output = await testCase.output();
      const answer = explainText(output);
      assert.equal(answer.cause, 'client-certificate-required', `output was:\n${output}`);
      assert.match(answer.fix, /nodemailer `tls: \{ cert/);
    });
  }
});

test('a TLS 1.2 handshake failure alone stays a version or cipher mismatch, with the other reading named', async () => {
  const output = await runClient('curl', ['-sS', `smtps://localhost:${implicit12.port}`, '--cacert', caFile]);
  const answer = explainText(output);
  assert.equal(answer.cause, 'tls-version-too-old', `output was:\n${output}`);
  assert.match(answer.fix, /client certificate/);
});
