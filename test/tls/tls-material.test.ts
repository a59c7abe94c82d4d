import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import tls from 'node:tls';
import { describeCertificate } from '../../src/tls/certificate-facts.js';
import { loadOrCreateTlsMaterial } from '../../src/tls/tls-material.js';

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mailport-tls-'));
  dirs.push(dir);
  return dir;
}

it('creates a CA and a server certificate with the expected names, then reuses them', async () => {
  const dir = await tempDir();
  const first = await loadOrCreateTlsMaterial({ dir, hostname: 'mail.test' });
  assert.deepEqual(
    describeCertificate(first.certPem).names.sort(),
    ['127.0.0.1', '::1', 'localhost', 'mail.test'].sort(),
  );
  assert.equal(first.caPath, join(dir, 'ca.pem'));
  assert.equal((await stat(join(dir, 'ca-key.pem'))).mode & 0o777, 0o600);
  const second = await loadOrCreateTlsMaterial({ dir, hostname: 'mail.test' });
  assert.equal(second.certPem, first.certPem, 'the certificate is reused');
  const renamed = await loadOrCreateTlsMaterial({ dir, hostname: 'other.test' });
  assert.notEqual(renamed.certPem, first.certPem, 'a new hostname reissues the server certificate');
  assert.equal(renamed.caPem, first.caPem, 'from the same CA');
});

it('reuses a certificate for an IPv6 host however the address is written', async () => {
  const dir = await tempDir();
  const first = await loadOrCreateTlsMaterial({ dir, hostname: 'FE80:0::1' });
  assert.ok(describeCertificate(first.certPem).names.includes('fe80::1'));
  const second = await loadOrCreateTlsMaterial({ dir, hostname: 'fe80::1' });
  assert.equal(second.certPem, first.certPem, 'the same address, written another way, is covered');
});

it('the server certificate is trusted through the CA and refuses TLS 1.1', async () => {
  const dir = await tempDir();
  const material = await loadOrCreateTlsMaterial({ dir, hostname: 'localhost' });
  const server = tls.createServer(
    { cert: material.certPem, key: material.keyPem, minVersion: 'TLSv1.2' },
    (socket) => socket.end('ok'),
  );
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  try {
    const text = await new Promise<string>((resolve, reject) => {
      const socket = tls.connect(
        { port, host: '127.0.0.1', servername: 'localhost', ca: material.caPem },
        () => {
          socket.once('data', (data) => resolve(String(data)));
        },
      );
      socket.once('error', reject);
    });
    assert.equal(text, 'ok');
    await assert.rejects(
      new Promise((resolve, reject) => {
        const socket = tls.connect(
          {
            port,
            host: '127.0.0.1',
            servername: 'localhost',
            ca: material.caPem,
            maxVersion: 'TLSv1.1',
            minVersion: 'TLSv1',
            ciphers: 'DEFAULT@SECLEVEL=0',
          },
          () => resolve(socket),
        );
        socket.once('error', reject);
      }),
    );
  } finally {
    server.close();
  }
});

it('uses --tls-cert/--tls-key when given, and says which file it cannot read', async () => {
  const dir = await tempDir();
  const made = await loadOrCreateTlsMaterial({ dir, hostname: 'localhost' });
  const own = await loadOrCreateTlsMaterial({
    dir: join(dir, 'unused'),
    hostname: 'x',
    userSupplied: { certFile: join(dir, 'server.pem'), keyFile: join(dir, 'server-key.pem') },
  });
  assert.equal(own.userSupplied, true);
  assert.equal(own.certPem, made.certPem);
  assert.equal(own.caPem, await readFile(join(dir, 'server.pem'), 'utf8'));
  await assert.rejects(
    loadOrCreateTlsMaterial({
      dir,
      hostname: 'x',
      userSupplied: { certFile: join(dir, 'nope.pem'), keyFile: join(dir, 'nope.pem') },
    }),
    /Cannot read the TLS certificate/,
  );
});
