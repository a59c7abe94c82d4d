/**
 * `toHavePassedDeliveryChecks` (in Jest's real `expect`) and `assertPassedDeliveryChecks` on real
 * reports: messages sent with nodemailer into an in-process sandbox whose DNS is a test server on
 * 127.0.0.1 publishing SPF, DKIM and DMARC records.
 */
import assert, { AssertionError } from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { expect } from 'expect';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import {
  assertPassedDeliveryChecks,
  type DeliverabilityReport,
  type MailportMatchers,
  mailportMatchers,
  type Sandbox,
  startSandbox,
} from '../../src/index.js';
import { startDnsServer, type TestDnsServer } from '../deliverability/dns-server.js';

declare module 'expect' {
  interface Matchers<R> extends MailportMatchers<R> {}
}

expect.extend(mailportMatchers);

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const DKIM = {
  domainName: 'example.test',
  keySelector: 'mail',
  privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
};

describe('toHavePassedDeliveryChecks and assertPassedDeliveryChecks', () => {
  let dns: TestDnsServer;
  let sandbox: Sandbox;
  let clean: DeliverabilityReport;
  let bad: DeliverabilityReport;

  async function report(mail: SendMailOptions, dkim: typeof DKIM | null): Promise<DeliverabilityReport> {
    const subject = `checks ${crypto.randomUUID()}`;
    const transport = nodemailer.createTransport({
      ...sandbox.transportOptions('relay'),
      ...(dkim === null ? {} : { dkim }),
    });
    try {
      await transport.sendMail({ from: 'app@example.test', to: 'alice@example.com', subject, ...mail });
    } finally {
      transport.close();
    }
    const message = await sandbox.client.waitForMessage({ subject }, { timeout: 10_000 });
    return sandbox.client.checks(message.id);
  }

  before(async () => {
    dns = await startDnsServer({
      'example.test': 'v=spf1 ip4:203.0.113.0/24 -all',
      'mail._domainkey.example.test': `v=DKIM1; k=rsa; p=${publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`,
      '_dmarc.example.test': 'v=DMARC1; p=reject',
    });
    // The production IP comes from the server option, as `mailport serve --sending-ip` gives it.
    sandbox = await startSandbox({ dnsServer: dns.server, sendingIp: '203.0.113.5' });
    clean = await report({ text: 'Your receipt: https://example.com/r/1' }, DKIM);
    // Unsigned, and its envelope sender is not under example.test: nothing aligns for DMARC.
    bad = await report(
      {
        html: '<p><a href="http://localhost:3000/reset">Reset</a></p>',
        text: 'Reset: http://localhost:3000/reset',
        envelope: { from: 'bounces@mailer.example.net', to: ['alice@example.com'] },
      },
      null,
    );
  });
  after(async () => {
    await sandbox.stop();
    await dns.close();
  });

  test('a signed, clean message passes', () => {
    assert.deepEqual(clean.sendingIp, { address: '203.0.113.5', source: 'config' });
    expect(clean).toHavePassedDeliveryChecks();
    assertPassedDeliveryChecks(clean);
    assert.throws(
      () => expect(clean).not.toHavePassedDeliveryChecks(),
      /not to pass the delivery checks, but it does/,
    );
  });

  test('a bad message fails, listing each failed check with its fix', () => {
    let message = '';
    try {
      expect(bad).toHavePassedDeliveryChecks();
    } catch (error) {
      message = (error as Error).message;
    }
    assert.match(
      message,
      new RegExp(`Expected message ${bad.messageId} to pass the delivery checks, but 2 checks fail`),
    );
    assert.match(message, /SPF evaluated for 203\.0\.113\.5/);
    assert.match(message, /✗ dmarc \(error\): DMARC fails for example\.test.*p=reject/);
    assert.match(message, /Fix: Sign with DKIM as d=example\.test/);
    assert.match(message, /✗ development-url \(error\): 1 link or image points at a development host/);
    assert.match(message, /- http:\/\/localhost:3000\/reset/);
    assert.doesNotMatch(message, /dkim \(warning\)/, 'warnings do not fail by default');
    expect(bad).not.toHavePassedDeliveryChecks();
    assert.throws(
      () => assertPassedDeliveryChecks(bad),
      (error) => error instanceof AssertionError && error.message === message,
    );
  });

  test('ignore and failOnWarnings choose what counts', () => {
    expect(bad).toHavePassedDeliveryChecks({ ignore: ['dmarc', 'development-url'] });
    assertPassedDeliveryChecks(bad, { ignore: ['dmarc', 'development-url'] });
    // The clean message has an info (no List-Unsubscribe) but no warning.
    expect(clean).toHavePassedDeliveryChecks({ failOnWarnings: true });
    assert.throws(
      () => assertPassedDeliveryChecks(bad, { ignore: ['dmarc', 'development-url'], failOnWarnings: true }),
      /✗ dkim \(warning\): The message has no DKIM signature/,
    );
  });

  test('a message instead of its report says what to pass', async () => {
    const message = await sandbox.client.getMessage(clean.messageId);
    assert.throws(
      () => expect(message).toHavePassedDeliveryChecks(),
      /pass the result of `await client.checks\(message.id\)`/,
    );
  });
});
