/**
 * The `--release-*` options: what release needs is checked at start-up, and every refusal names
 * the flag and says what to do.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { resolveReleaseSettings } from '../../src/config/release-config.js';
import { ConfigError } from '../../src/errors.js';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

function refusal(fn: () => unknown, message: RegExp, hint: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof ConfigError, String(error));
    assert.match(error.message, message);
    assert.match(error.hint ?? '', hint);
    return true;
  });
}

describe('release settings', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mailport-release-config-'));
    await writeFile(join(dir, 'ca.pem'), PEM);
    await writeFile(join(dir, 'not-a-cert.pem'), 'hello');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('is off without --release-server, and a release flag alone says what it needs', () => {
    assert.equal(resolveReleaseSettings({}), null);
    refusal(
      () => resolveReleaseSettings({ releaseAllow: ['*@example.com'] }),
      /--release-allow was given without --release-server/,
      /--release-server HOST\[:PORT\]/,
    );
  });

  it('takes HOST, HOST:PORT and [IPv6]:PORT; without a port the decision rule picks one', () => {
    assert.deepEqual(resolveReleaseSettings({ releaseServer: 'smtp.example.com' }), {
      host: 'smtp.example.com',
      port: null,
      tls: 'auto',
      credentials: null,
      ca: null,
      from: null,
      allow: [],
    });
    assert.equal(resolveReleaseSettings({ releaseServer: 'smtp.example.com:465' })?.port, 465);
    assert.deepEqual(
      [resolveReleaseSettings({ releaseServer: '[::1]:2525' })].map((s) => [s?.host, s?.port]),
      [['::1', 2525]],
    );
    refusal(
      () => resolveReleaseSettings({ releaseServer: 'smtp.example.com:99999' }),
      /--release-server takes the upstream SMTP server as HOST\[:PORT\]/,
      /smtp\.example\.com:465/,
    );
    refusal(
      () => resolveReleaseSettings({ releaseServer: 'x', releaseTls: 'ssl' }),
      /--release-tls must be one of auto, starttls, implicit, none/,
      /auto/,
    );
  });

  it('reads the password only from the variable --release-pass-env names', () => {
    const settings = resolveReleaseSettings(
      { releaseServer: 'smtp.example.com', releaseUser: 'qa@example.com', releasePassEnv: 'QA_PASS' },
      { QA_PASS: 'hunter2' },
    );
    assert.deepEqual(settings?.credentials, { user: 'qa@example.com', pass: 'hunter2' });
    refusal(
      () => resolveReleaseSettings({ releaseServer: 'x', releaseUser: 'qa' }, {}),
      /--release-user qa was given without --release-pass-env/,
      /--release-pass-env RELEASE_PASS/,
    );
    refusal(
      () => resolveReleaseSettings({ releaseServer: 'x', releasePassEnv: 'QA_PASS' }, { QA_PASS: 'p' }),
      /--release-pass-env was given without --release-user/,
      /--release-user USER/,
    );
    refusal(
      () => resolveReleaseSettings({ releaseServer: 'x', releaseUser: 'qa', releasePassEnv: 'QA_PASS' }, {}),
      /The environment variable QA_PASS \(from --release-pass-env\) is not set/,
      /export QA_PASS=/,
    );
  });

  it('refuses to send a password in cleartext to another machine', () => {
    const options = { releaseUser: 'qa', releasePassEnv: 'P', releaseTls: 'none' };
    refusal(
      () => resolveReleaseSettings({ ...options, releaseServer: 'smtp.example.com' }, { P: 'p' }),
      /would send the password to smtp\.example\.com in cleartext/,
      /--release-tls auto/,
    );
    assert.equal(
      resolveReleaseSettings({ ...options, releaseServer: '127.0.0.1:1025' }, { P: 'p' })?.tls,
      'none',
    );
  });

  it('reads --release-ca at start-up: unreadable or not PEM is refused', () => {
    assert.equal(resolveReleaseSettings({ releaseServer: 'x', releaseCa: join(dir, 'ca.pem') })?.ca, PEM);
    refusal(
      () => resolveReleaseSettings({ releaseServer: 'x', releaseCa: join(dir, 'missing.pem') }),
      /--release-ca .*missing\.pem cannot be read: ENOENT/,
      /PEM file holding the CA certificate/,
    );
    refusal(
      () => resolveReleaseSettings({ releaseServer: 'x', releaseCa: join(dir, 'not-a-cert.pem') }),
      /holds no PEM certificate/,
      /openssl x509 -inform der/,
    );
  });

  it('--release-allow: repeated or comma-separated; a bare domain is refused with the pattern meant', () => {
    assert.deepEqual(
      resolveReleaseSettings({
        releaseServer: 'x',
        releaseAllow: ['*@example.com, qa@*.test', 'ops@corp.example'],
      })?.allow,
      ['*@example.com', 'qa@*.test', 'ops@corp.example'],
    );
    refusal(
      () => resolveReleaseSettings({ releaseServer: 'x', releaseAllow: ['example.com'] }),
      /--release-allow "example\.com" matches no address/,
      /--release-allow '\*@example\.com'/,
    );
    refusal(
      () => resolveReleaseSettings({ releaseServer: 'x', releaseAllow: ['*'] }),
      /--release-allow "\*" has no @/,
      /--release-allow '\*@\*' to allow every address/,
    );
  });

  it('--release-from must be an address', () => {
    assert.equal(
      resolveReleaseSettings({ releaseServer: 'x', releaseFrom: 'bounces@example.com' })?.from,
      'bounces@example.com',
    );
    refusal(
      () => resolveReleaseSettings({ releaseServer: 'x', releaseFrom: 'Bounces <b@example.com>' }),
      /--release-from takes an e-mail address/,
      /--release-from bounces@example\.com/,
    );
  });
});
