/**
 * Certificates built with the openssl CLI as a provider or an old server's admin would. One issued
 * by an intermediate CA: the doctor must trust the full chain and, when the server sends its
 * certificate alone, say that the intermediate is missing (mail clients never fetch it, unlike
 * browsers). One with a 1024-bit RSA key: Node accepts it, most other clients refuse it.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { runDoctor } from '../../src/doctor/index.js';
import { type RunningServer, startTestSmtpServer } from '../smtp-client/test-servers.js';

const run = promisify(execFile);
const openssl = (args: string[]) => run('openssl', args);
let dir: string;
const servers: RunningServer[] = [];
let chain: { root: string; intermediate: string; leaf: string; leafKey: string };

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mailport-chain-'));
  const path = (name: string) => join(dir, name);
  await writeFile(
    path('ca.ext'),
    'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n',
  );
  await writeFile(
    path('leaf.ext'),
    'basicConstraints=critical,CA:FALSE\nsubjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n',
  );
  const key = (name: string) =>
    openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', path(name)]);
  await Promise.all([key('root.key'), key('intermediate.key'), key('leaf.key')]);
  await openssl([
    'req',
    '-x509',
    '-new',
    '-key',
    path('root.key'),
    '-subj',
    '/CN=Chain Test Root',
    '-days',
    '30',
    '-out',
    path('root.pem'),
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  const issue = async (name: string, subject: string, issuer: string, extensions: string) => {
    await openssl([
      'req',
      '-new',
      '-key',
      path(`${name}.key`),
      '-subj',
      subject,
      '-out',
      path(`${name}.csr`),
    ]);
    await openssl([
      'x509',
      '-req',
      '-in',
      path(`${name}.csr`),
      '-CA',
      path(`${issuer}.pem`),
      '-CAkey',
      path(`${issuer}.key`),
      '-CAcreateserial',
      '-days',
      '30',
      '-extfile',
      path(extensions),
      '-out',
      path(`${name}.pem`),
    ]);
  };
  await issue('intermediate', '/CN=Chain Test Intermediate', 'root', 'ca.ext');
  await issue('leaf', '/CN=localhost', 'intermediate', 'leaf.ext');
  const read = (name: string) => readFile(path(name), 'utf8');
  chain = {
    root: path('root.pem'),
    intermediate: await read('intermediate.pem'),
    leaf: await read('leaf.pem'),
    leafKey: await read('leaf.key'),
  };
});

after(async () => {
  await Promise.all(servers.map((server) => server.close()));
  await rm(dir, { recursive: true, force: true });
});

async function doctorOn(certPem: string, keyPem = chain.leafKey, caFile = chain.root) {
  const server = await startTestSmtpServer({
    tls: 'implicit',
    certificate: { certPem, keyPem },
    // Node's default security level would refuse to serve a short key at all.
    secureOptions: { ciphers: 'DEFAULT@SECLEVEL=0' },
  });
  servers.push(server);
  const report = await runDoctor({ host: 'localhost', ports: [server.port], caFile, stepTimeoutMs: 3000 });
  const [port] = report.ports;
  assert.ok(port);
  return port;
}

test('a server that sends its full chain is trusted through the intermediate', async () => {
  const port = await doctorOn(chain.leaf + chain.intermediate);
  assert.deepEqual(port.certificate?.problems, []);
  assert.equal(port.certificate?.trustedBy, chain.root);
});

test('a server that sends its certificate alone: untrusted, and the missing intermediate is named', async () => {
  const port = await doctorOn(chain.leaf);
  assert.deepEqual(port.certificate?.problems, ['cert-untrusted-ca']);
  const finding = port.findings.find((entry) => entry.cause === 'cert-untrusted-ca');
  assert.match(finding?.message ?? '', /sent its own certificate alone.*full chain/);
});

test('a certificate with a 1024-bit RSA key: refused by OpenSSL-based clients, though Node accepts it', async () => {
  const key = join(dir, 'weak.key');
  const cert = join(dir, 'weak.pem');
  await openssl([
    ...['req', '-x509', '-newkey', 'rsa:1024', '-nodes', '-days', '30', '-subj', '/CN=localhost'],
    ...['-addext', 'subjectAltName=DNS:localhost', '-keyout', key, '-out', cert],
  ]);
  const port = await doctorOn(await readFile(cert, 'utf8'), await readFile(key, 'utf8'), cert);
  assert.deepEqual(port.certificate?.problems, ['tls-version-too-old']);
  const finding = port.findings.find((entry) => entry.cause === 'tls-version-too-old');
  assert.match(finding?.message ?? '', /1024-bit RSA key/);
  assert.equal(port.usable, false);
});
