/**
 * `mailport messages checks` against a real in-process sandbox: messages sent over SMTP with
 * nodemailer (DKIM-signed), DNS from a loopback server publishing SPF, DKIM and DMARC records (so
 * nothing leaves the machine and every lookup answers at once), and a real spamd. The human
 * report, the exit code CI gates on, `--json` and the errors.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import { MailportApiError, type Sandbox, startSandbox } from '../../src/index.js';
import { startDnsServer, type TestDnsServer } from '../deliverability/dns-server.js';
import { startSpamd, type TestSpamd } from '../deliverability/spamd.js';
import { cli, runCli, runProcess } from './cli-runner.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const DKIM = {
  domainName: 'example.test',
  keySelector: 'mail',
  privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
};
const PRODUCTION_IP = '203.0.113.5';

describe('mailport messages checks', () => {
  let dns: TestDnsServer;
  let spamd: TestSpamd;
  let sandbox: Sandbox;
  let clean: string;
  let broken: string;

  before(async () => {
    [dns, spamd] = await Promise.all([
      startDnsServer({
        'example.test': 'v=spf1 ip4:203.0.113.0/24 -all',
        'mail._domainkey.example.test': `v=DKIM1; k=rsa; p=${publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`,
        '_dmarc.example.test': 'v=DMARC1; p=reject',
      }),
      startSpamd(),
    ]);
    sandbox = await startSandbox({ dnsServer: dns.server, spamassassin: spamd.server });
    clean = await send({
      subject: 'Your order has shipped',
      text: 'Track it at https://example.com/track?o=1',
      html: '<p>Track it <a href="https://example.com/track?o=1">here</a>.</p>',
    });
    broken = await send({
      subject: 'Reset your password',
      html: '<p><a href="http://localhost:3000/reset?t=1">Reset your password</a></p>',
    });
  });
  after(async () => {
    await sandbox?.stop();
    await Promise.all([dns?.close(), spamd?.stop()]);
  });

  /** Sends through the relay port, DKIM-signed as example.test, and returns the stored id. */
  async function send(mail: SendMailOptions): Promise<string> {
    const transport = nodemailer.createTransport({ ...sandbox.transportOptions('relay'), dkim: DKIM });
    try {
      await transport.sendMail({ from: 'App <app@example.test>', to: 'alice@example.com', ...mail });
    } finally {
      transport.close();
    }
    return (await sandbox.client.waitForMessage({ subject: mail.subject }, { timeout: 10_000 })).id;
  }

  /** `mailport --api URL messages checks ID OPTIONS...` */
  const checks = (id: string, ...options: string[]): string[] => [
    '--api',
    sandbox.apiUrl,
    'messages',
    'checks',
    id,
    ...options,
  ];

  test('a message with a localhost link and no text part fails: each problem with its evidence and fix; exit 1', async () => {
    const run = await cli(checks(broken, '--ip', PRODUCTION_IP));
    const report = await sandbox.client.checks(broken, { ip: PRODUCTION_IP });
    const { errors, warnings, infos } = report.summary;
    assert.ok(errors > 0);
    assert.equal(run.exitCode, 1);
    const { stdout } = run;
    assert.equal(
      stdout.split('\n')[0],
      `FAILED: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}, ${infos} info (message ${broken})`,
    );
    assert.match(stdout, /^SPF evaluated for 203\.0\.113\.5 \(given with --ip\)\.$/m);
    assert.match(stdout, new RegExp(`^DNS answers from ${dns.server}, at `, 'm'));
    // Authentication: each result with its reason and the records behind it.
    assert.match(
      stdout,
      /^Authentication:\n {2}SPF {3}pass +The SPF record of example\.test allows 203\.0\.113\.5\.$/m,
    );
    assert.match(stdout, /^ {4}record: v=spf1 ip4:203\.0\.113\.0\/24 -all$/m);
    assert.match(
      stdout,
      /^ {4}signature d=example\.test s=mail a=rsa-sha256 c=relaxed\/relaxed: pass, aligned with From$/m,
    );
    assert.match(stdout, /^ {2}DMARC pass +DMARC passes for example\.test: DKIM and SPF aligned\.$/m);
    assert.match(stdout, /^ {4}policy: p=reject$/m);
    assert.match(stdout, /^ {2}ARC {3}none +The message has no ARC chain/m);
    // Content: grouped by severity, errors first, each with its evidence and fix.
    const development = report.content.find((finding) => finding.id === 'development-url');
    const withoutText = report.content.find((finding) => finding.id === 'html-without-text');
    assert.equal(development?.severity, 'error');
    assert.equal(withoutText?.severity, 'warning');
    const bySeverity = (severity: string): number =>
      report.content.filter((finding) => finding.severity === severity).length;
    const errorsAt = stdout.indexOf(`\n\nErrors (${bySeverity('error')}):\n`);
    const warningsAt = stdout.indexOf(`\n\nWarnings (${bySeverity('warning')}):\n`);
    assert.ok(errorsAt > 0 && warningsAt > errorsAt, stdout);
    assert.ok(
      stdout.includes(
        `\n  development-url: ${development.message}\n    - http://localhost:3000/reset?t=1\n    Fix: ${development.fix}\n`,
      ),
      stdout,
    );
    assert.ok(stdout.indexOf('\n  html-without-text: ') > warningsAt, stdout);
    assert.ok(stdout.includes(`    Fix: ${withoutText.fix}\n`), stdout);
    assert.match(
      stdout,
      /^Links: 1 \(1, listed above, with problems\); not requested: add --probe-links to check that they answer\.$/m,
    );
    assert.match(stdout, new RegExp(`^SpamAssassin at ${spamd.server}: -?\\d+\\.\\d of 5\\.0`, 'm'));
  });

  test('a clean message passes and exits 0; --json prints what client.checks() returns', async () => {
    const run = await cli(checks(clean, '--ip', PRODUCTION_IP));
    assert.equal(run.exitCode, 0);
    assert.match(run.stdout, new RegExp(`^PASSED: 0 errors, 0 warnings, \\d+ info \\(message ${clean}\\)\n`));
    assert.doesNotMatch(run.stdout, /^(Errors|Warnings) \(/m);

    const json = await cli(checks(clean, '--ip', PRODUCTION_IP, '--json'));
    assert.equal(json.exitCode, 0);
    const printed = JSON.parse(json.stdout) as Record<string, unknown>;
    const expected = (await sandbox.client.checks(clean, { ip: PRODUCTION_IP })) as unknown as Record<
      string,
      unknown
    >;
    assert.ok(!Number.isNaN(Date.parse(String(printed.checkedAt))));
    assert.deepEqual({ ...printed, checkedAt: null }, { ...expected, checkedAt: null });
  });

  test('without --ip, SPF is evaluated for the address the message came from, and the output says to pass --ip', async () => {
    const run = await cli(checks(clean));
    assert.match(
      run.stdout,
      /^SPF evaluated for 127\.0\.0\.1 \(the address the message reached the sandbox from; pass --ip with your production sending IP\)\.$/m,
    );
    assert.match(run.stdout, /^ {2}SPF {3}fail \(info\) +SPF was evaluated for 127\.0\.0\.1, /m);
    assert.match(run.stdout, /^ {4}Fix: .*\?ip=/m);
  });

  test('SpamAssassin: the score against the threshold and every rule that hit, most points first', async () => {
    const spammy = await send({
      subject: 'CHEAP VIAGRA NOW',
      text: 'Buy cheap viagra online, no prescription needed! 100% GUARANTEED. Lose weight fast.',
    });
    const run = await cli(checks(spammy, '--ip', PRODUCTION_IP));
    const { spam, spamAssassin } = await sandbox.client.checks(spammy, { ip: PRODUCTION_IP });
    assert.ok(spam?.isSpam, 'spamd calls it spam');
    assert.equal(run.exitCode, 1);
    const [worst] = spam.rules;
    assert.ok(worst !== undefined);
    assert.ok(
      run.stdout.includes(
        `\nSpamAssassin at ${spamd.server}: ${spam.score.toFixed(1)} of ${spam.threshold.toFixed(1)}, spam (error)\n  ${spamAssassin.reason}\n  Fix: ${spamAssassin.fix}\n  Rules that hit:\n`,
      ),
      run.stdout,
    );
    assert.match(
      run.stdout,
      new RegExp(`\n {4} *${worst.score.toFixed(1)} {2}${worst.name} +${regexpLiteral(worst.description)}\n`),
    );
    const listed = [...run.stdout.matchAll(/^ {4} *-?\d+\.\d {2}(\S+) /gm)].map((match) => match[1]);
    assert.deepEqual(
      listed,
      spam.rules.map((rule) => rule.name),
    );
  });

  test('--probe-links requests the links and lists those that fail with their HTTP status', async () => {
    const web = createServer((_request, response) => response.writeHead(404).end());
    await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
    try {
      const gone = `http://127.0.0.1:${(web.address() as AddressInfo).port}/gone`;
      const id = await send({ subject: 'Probe me', text: `See ${gone}`, html: `<a href="${gone}">See</a>` });
      const plain = await cli(checks(id, '--ip', PRODUCTION_IP));
      assert.doesNotMatch(plain.stdout, /broken-link/);
      const { stdout } = await cli(checks(id, '--ip', PRODUCTION_IP, '--probe-links'));
      assert.match(
        stdout,
        new RegExp(
          `^ {2}broken-link: 1 link answers with an HTTP error status\\.\n {4}- ${regexpLiteral(gone)} -> 404\n {4}Fix: `,
          'm',
        ),
      );
      assert.match(stdout, /^Links: 2 \(2, listed above, with problems\); requested: 2 broken\.$/m);
    } finally {
      await new Promise((resolve) => web.close(resolve));
    }
  });

  test('as a process: the HTML compatibility score, each feature with the families it fails in; --clients narrows it', async () => {
    const id = await send({
      subject: 'Flex newsletter',
      text: 'Hello Alice',
      html: '<div style="display: flex"><p>Hello Alice</p><svg width="8" height="8"></svg></div>',
    });
    const [all, narrowed, unknown] = await Promise.all([
      runProcess(checks(id, '--ip', PRODUCTION_IP)),
      runProcess(checks(id, '--ip', PRODUCTION_IP, '--clients', 'gmail.*,outlook.windows')),
      runProcess(checks(id, '--clients', 'nokia')),
    ]);
    const section = (await sandbox.client.checks(id, { ip: PRODUCTION_IP })).htmlCompatibility;
    assert.ok(section !== null);
    // Rendering warnings do not fail the delivery gate.
    assert.equal(all.code, 0, all.stderr);
    assert.match(
      all.stdout,
      new RegExp(
        `\\n\\nHTML compatibility: ${section.score}% \\(${section.featuresUsed} features used, \\d+ clients in ${section.clients.length} families; caniemail\\.com data of 2025-09-09\\)\\n`,
      ),
    );
    assert.match(all.stdout, /^ {2}warning display:flex +not in .*Outlook \(Windows, Windows Mail\)/m);
    assert.match(
      all.stdout,
      /^ {4}where: <div style="display: flex">\n {4}Fix: Lay out columns with tables/m,
    );
    assert.match(all.stdout, /^ {2}warning Embedded <svg> image +not in .*Gmail[,;\n]/m);

    assert.equal(narrowed.code, 0, narrowed.stderr);
    assert.match(
      narrowed.stdout,
      /^HTML compatibility: \d+% \(\d+ features used, 5 clients in 2 families; /m,
    );
    // Every checked Outlook platform lacks it, so the family alone; Gmail only on some platforms.
    assert.match(
      narrowed.stdout,
      /^ {2}warning display:flex +not in Outlook; partly in Gmail \(iOS, Android\)$/m,
    );

    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /failed with 400: clients="nokia" matches no email client/);

    const gmail = await runProcess(checks(id, '--clients', 'gmail.*'));
    assert.match(gmail.stdout, /^HTML compatibility: \d+% \(\d+ features used, 4 clients in 1 family; /m);
  });

  test('as a process: a value caniemail has no feature for prints the note on how its data was read', async () => {
    const id = await send({
      subject: 'Inline-flex tags',
      text: 'New, Sale',
      html: '<div style="display: inline-flex; gap: 8px"><span>New</span><span>Sale</span></div>',
    });
    const { code, stdout, stderr } = await runProcess(
      checks(id, '--ip', PRODUCTION_IP, '--clients', 'yahoo'),
    );
    assert.equal(code, 0, stderr);
    // display:flex is supported in Yahoo! Mail, whose caniemail note rules inline-flex out.
    assert.match(
      stdout,
      /^ {2}warning display:inline-flex +not in Yahoo! Mail\n {4}caniemail has no feature of its own for display:inline-flex: these are its display:flex results, except that Yahoo! Mail counts as unsupported: caniemail's notes there say inline-flex is not supported\.\n {4}where: <div style="display: inline-flex">$/m,
    );
  });

  test('an unknown id is an API error naming the id; an address that is not an IP is refused before any request', async () => {
    await assert.rejects(cli(checks('no-such-message')), (error: unknown) => {
      assert.ok(error instanceof MailportApiError);
      assert.equal(error.status, 404);
      assert.match(error.message, /No message with id no-such-message/);
      assert.match(error.hint ?? '', /mailport messages list/);
      return true;
    });
    const run = await runCli(checks(clean, '--ip', 'mail.example.com'));
    assert.equal((run.error as { code?: string }).code, 'commander.invalidArgument');
    assert.match(
      run.stdout,
      /option '--ip <address>' argument 'mail\.example\.com' is invalid\. Give the IPv4 or IPv6 address/,
    );
  });

  test('as a process: exit 1 on a failed report, 0 on a passed one, 1 with advice for an unknown id, 2 for a bad --ip', async () => {
    const [failed, passed, missing, usage] = await Promise.all([
      runProcess(checks(broken, '--ip', PRODUCTION_IP)),
      runProcess(checks(clean, '--ip', PRODUCTION_IP)),
      runProcess(checks('no-such-message')),
      runProcess(checks(clean, '--ip', '999.1.1.1')),
    ]);
    assert.equal(failed.code, 1, failed.stderr);
    assert.match(failed.stdout, /^FAILED: /);
    assert.equal(failed.stderr, '');
    assert.equal(passed.code, 0, passed.stderr);
    assert.match(passed.stdout, /^PASSED: /);
    assert.equal(missing.code, 1);
    assert.equal(missing.stdout, '');
    assert.match(missing.stderr, /failed with 404: No message with id no-such-message/);
    assert.match(missing.stderr, /what to do: Check the id: `mailport messages list`/);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /Give the IPv4 or IPv6 address/);
  });

  test('--help documents the options, the exit codes and examples', async () => {
    const help = await runCli(['messages', 'checks', '--help']);
    assert.equal((help.error as { code?: string }).code, 'commander.helpDisplayed');
    assert.match(help.stdout, /^Usage: mailport messages checks \[options\] <id>/);
    assert.match(help.stdout, /--ip <address>/);
    assert.match(help.stdout, /--probe-links/);
    assert.match(help.stdout, /--clients <patterns>/);
    assert.match(help.stdout, /\$ mailport messages checks \S+ --ip 203\.0\.113\.5\n/);
    assert.match(help.stdout, /Exit codes of checks: 0 the report has no error .* 1 it has errors/s);
  });
});

/** The checks of a plain text message, printed by a sandbox without spamd that asks `dns` for DNS. */
async function checksOfPlainMessage(dns: TestDnsServer): Promise<string> {
  const sandbox = await startSandbox({ dnsServer: dns.server });
  try {
    const transport = nodemailer.createTransport(sandbox.transportOptions('relay'));
    await transport.sendMail({ from: 'app@example.test', to: 'a@example.com', subject: 'Hi', text: 'Hello' });
    transport.close();
    const { id } = await sandbox.client.waitForMessage({ subject: 'Hi' }, { timeout: 10_000 });
    return (await cli(['--api', sandbox.apiUrl, 'messages', 'checks', id])).stdout;
  } finally {
    await sandbox.stop();
  }
}

describe('mailport messages checks without spamd or DNS', () => {
  test('says SpamAssassin is off and how to turn it on', async () => {
    const dns = await startDnsServer();
    try {
      const stdout = await checksOfPlainMessage(dns);
      assert.match(
        stdout,
        /\nSpamAssassin: off\n {2}Not scanned: SpamAssassin is not configured\. Start spamd .*--spamassassin 127\.0\.0\.1:783/,
      );
      assert.match(stdout, /\n\nHTML compatibility: no HTML part\.\n$/);
    } finally {
      await dns.close();
    }
  });

  test('lists each DNS lookup that failed, and SPF and DMARC say temperror', async () => {
    const dns = await startDnsServer({}, { servfail: true });
    try {
      const stdout = await checksOfPlainMessage(dns);
      const failed = stdout.split('  DNS lookups that failed (their checks say temperror):\n')[1];
      assert.ok(failed !== undefined, stdout);
      const server = regexpLiteral(dns.server);
      assert.match(failed, new RegExp(`^ +example\\.test TXT: ESERVFAIL from ${server}$`, 'm'));
      assert.match(failed, new RegExp(`^ +_dmarc\\.example\\.test TXT: ESERVFAIL from ${server}$`, 'm'));
      assert.match(stdout, /^ *SPF +temperror\b/m);
      assert.match(stdout, /^ *DMARC +temperror\b/m);
    } finally {
      await dns.close();
    }
  });
});

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function regexpLiteral(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
