/**
 * SPF, DKIM, DMARC and ARC end to end: a real DNS server on 127.0.0.1 publishes the records, real
 * messages go through nodemailer (DKIM-signed by nodemailer itself with a key made here) into an
 * in-process sandbox, and the report comes back over the HTTP API through the typed client.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import { type DeliverabilityReport, MailportApiError, type Sandbox, startSandbox } from '../../src/index.js';
import { startApiHarness } from '../http/harness.js';
import { startDnsServer, type TestDnsServer } from './dns-server.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PRIVATE_PEM = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const PUBLIC_DER = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
const DKIM = { domainName: 'example.test', keySelector: 'mail', privateKey: PRIVATE_PEM };

const PRODUCTION_IP = '203.0.113.5';
const OTHER_IP = '198.51.100.7';

describe('deliverability checks: authentication', () => {
  let dns: TestDnsServer;
  let sandbox: Sandbox;

  before(async () => {
    dns = await startDnsServer({
      'example.test': 'v=spf1 ip4:203.0.113.0/24 -all',
      'mail._domainkey.example.test': `v=DKIM1; k=rsa; p=${PUBLIC_DER}`,
      '_dmarc.example.test': 'v=DMARC1; p=reject',
      'strict.test': 'v=spf1 -all',
      '_dmarc.strict.test': 'v=DMARC1; p=reject',
    });
    sandbox = await startSandbox({ dnsServer: dns.server });
  });
  after(async () => {
    await sandbox.stop();
    await dns.close();
  });

  /** Sends through the relay port and returns the stored message's id. */
  async function send(mail: SendMailOptions, dkim: typeof DKIM | null = DKIM): Promise<string> {
    const subject = `auth ${crypto.randomUUID()}`;
    const transport = nodemailer.createTransport({
      ...sandbox.transportOptions('relay'),
      ...(dkim === null ? {} : { dkim }),
    });
    try {
      await transport.sendMail({
        from: 'App <app@example.test>',
        to: 'alice@example.com',
        subject,
        text: 'Your receipt.',
        ...mail,
      });
    } finally {
      transport.close();
    }
    return (await sandbox.client.waitForMessage({ subject: mail.subject ?? subject }, { timeout: 10_000 }))
      .id;
  }

  test('a signed message sent from an IP in the SPF record passes SPF, DKIM and DMARC', async () => {
    const id = await send({});
    const report = await sandbox.client.checks(id, { ip: PRODUCTION_IP });
    const { spf, dkim, dmarc, arc } = report.authentication;
    assert.deepEqual(report.sendingIp, { address: PRODUCTION_IP, source: 'request' });
    assert.deepEqual(report.dns, { server: dns.server, failures: [] });
    assert.equal(spf.result, 'pass');
    assert.equal(spf.scope, 'mailfrom');
    assert.equal(spf.domain, 'example.test');
    assert.equal(spf.record, 'v=spf1 ip4:203.0.113.0/24 -all');
    assert.equal(spf.severity, null);
    assert.equal(dkim.result, 'pass');
    assert.equal(dkim.signatures.length, 1);
    assert.deepEqual(
      { ...dkim.signatures[0], reason: undefined },
      {
        result: 'pass',
        domain: 'example.test',
        selector: 'mail',
        algorithm: 'rsa-sha256',
        canonicalization: 'relaxed/relaxed',
        alignedWithFrom: true,
        severity: null,
        reason: undefined,
        fix: null,
      },
    );
    assert.equal(dmarc.result, 'pass');
    assert.equal(dmarc.policy, 'reject');
    assert.equal(dmarc.fromDomain, 'example.test');
    assert.deepEqual(dmarc.alignment.dkim, { aligned: true, domain: 'example.test', mode: 'relaxed' });
    assert.deepEqual(dmarc.alignment.spf, { aligned: true, domain: 'example.test', mode: 'relaxed' });
    assert.equal(arc.result, 'none');
    assert.equal(report.summary.errors, 0);
    assert.equal(report.summary.passed, true);
  });

  test('SPF fails for an IP the record does not list, and says which IP it evaluated', async () => {
    const id = await send({});
    const report = await sandbox.client.checks(id, { ip: OTHER_IP });
    const { spf, dmarc } = report.authentication;
    assert.equal(spf.result, 'fail');
    assert.equal(spf.severity, 'error');
    assert.match(spf.reason, /does not allow 198\.51\.100\.7/);
    assert.equal(dmarc.result, 'pass', 'the aligned DKIM signature still carries DMARC');
    assert.equal(dmarc.alignment.spf.aligned, false);
    assert.equal(report.summary.passed, false);
  });

  test('without an IP, SPF is evaluated for the address the message came from, and says so', async () => {
    const id = await send({});
    const report = await sandbox.client.checks(id);
    assert.deepEqual(report.sendingIp, { address: '127.0.0.1', source: 'client' });
    const { spf } = report.authentication;
    assert.equal(spf.result, 'fail');
    assert.equal(spf.severity, 'info', 'a loopback address says nothing about production');
    assert.match(spf.reason, /127\.0\.0\.1, the address the message reached the sandbox from/);
    assert.match(spf.fix ?? '', /\?ip=.*--sending-ip/);
  });

  test('a body changed after signing fails DKIM', async () => {
    const signed = await nodemailer
      .createTransport({ streamTransport: true, buffer: true, dkim: DKIM })
      .sendMail({
        from: 'app@example.test',
        to: 'alice@example.com',
        subject: 'tampered',
        text: 'Pay 10 EUR.',
      });
    const raw = (signed.message as Buffer).toString('utf8').replace('Pay 10 EUR.', 'Pay 99 EUR.');
    assert.match(raw, /DKIM-Signature:/);
    const id = await send(
      { raw, envelope: { from: 'app@example.test', to: ['alice@example.com'] }, subject: 'tampered' },
      null,
    );
    const report = await sandbox.client.checks(id, { ip: PRODUCTION_IP });
    const { dkim, dmarc } = report.authentication;
    assert.equal(dkim.result, 'fail');
    assert.equal(dkim.signatures[0]?.result, 'fail');
    assert.equal(dkim.severity, 'error');
    assert.match(dkim.reason, /does not verify/);
    assert.equal(dmarc.result, 'pass', 'SPF from an IP in the record is aligned');
  });

  test('an unsigned message has DKIM none', async () => {
    const id = await send({}, null);
    const { dkim, dmarc } = (await sandbox.client.checks(id, { ip: PRODUCTION_IP })).authentication;
    assert.equal(dkim.result, 'none');
    assert.deepEqual(dkim.signatures, []);
    assert.equal(dkim.severity, 'warning');
    assert.equal(dmarc.result, 'pass', 'SPF passes for example.test, which is aligned');

    // From the developer's address SPF fails, so DMARC does; that depends on the production IP.
    const local = (await sandbox.client.checks(id)).authentication.dmarc;
    assert.equal(local.result, 'fail');
    assert.equal(local.severity, 'info');
    assert.match(local.reason, /the result depends on that IP/);
  });

  test('DMARC fails with p=reject when neither SPF nor DKIM aligns with the From domain', async () => {
    // Signed and sent as example.test, but From says strict.test.
    const id = await send({
      from: 'billing@strict.test',
      envelope: { from: 'bounces@example.test', to: 'a@b.example' },
    });
    const report = await sandbox.client.checks(id, { ip: PRODUCTION_IP });
    const { spf, dkim, dmarc } = report.authentication;
    assert.equal(spf.result, 'pass');
    assert.equal(dkim.result, 'pass');
    assert.equal(dkim.signatures[0]?.alignedWithFrom, false);
    assert.equal(dmarc.result, 'fail');
    assert.equal(dmarc.policy, 'reject');
    assert.equal(dmarc.severity, 'error');
    assert.match(dmarc.reason, /receivers refuse the message/);
    assert.match(dmarc.fix ?? '', /d=strict\.test/);
    const alignment = report.content.find((finding) => finding.id === 'from-not-aligned');
    assert.equal(alignment?.severity, 'warning');
    assert.match(alignment?.fix ?? '', /DKIM as d=strict\.test/);
  });

  test('an IP that is not an address is a 400 problem, an unknown id a 404', async () => {
    const id = await send({}, null);
    await assert.rejects(sandbox.client.checks(id, { ip: 'mail.example.com' }), (error) => {
      assert.ok(error instanceof MailportApiError);
      assert.equal(error.status, 400);
      assert.match(error.problem?.detail ?? '', /is not an IP address/);
      return true;
    });
    await assert.rejects(sandbox.client.checks('no-such-message'), (error) => {
      assert.ok(error instanceof MailportApiError);
      assert.equal(error.status, 404);
      return true;
    });
  });
});

describe('deliverability checks: a DNS server that never answers', () => {
  test('gives temperror with the reason, within the time bound', async () => {
    const silent = await startDnsServer({}, { silent: true });
    const harness = await startApiHarness({
      deliverability: {
        sendingIp: PRODUCTION_IP,
        dns: { server: silent.server, queryTimeoutMs: 300, budgetMs: 800 },
        probe: { maxLinks: 1, timeoutMs: 1000, maxRedirects: 1, concurrency: 1 },
        spamAssassin: null,
      },
    });
    try {
      const id = await harness.deliver({
        from: 'app@example.test',
        to: 'a@example.com',
        subject: 'x',
        text: 'y',
      });
      const started = performance.now();
      const response = await fetch(`${harness.url}/api/v1/messages/${id}/checks`);
      const elapsed = performance.now() - started;
      assert.equal(response.status, 200);
      const report = (await response.json()) as DeliverabilityReport;
      assert.ok(elapsed < 800 + 500, `answered in ${Math.round(elapsed)} ms`);
      const { spf, dmarc } = report.authentication;
      assert.equal(spf.result, 'temperror');
      assert.equal(spf.severity, 'warning');
      assert.equal(dmarc.result, 'temperror');
      assert.ok(silent.questions.includes('example.test TXT'), silent.questions.join(', '));
      assert.deepEqual(report.dns.failures[0], {
        name: 'example.test',
        type: 'TXT',
        error: `no answer from ${silent.server} within 300 ms`,
      });
      assert.ok(report.dns.failures.some((failure) => failure.name === '_dmarc.example.test'));
    } finally {
      await harness.close();
      await silent.close();
    }
  });
});
