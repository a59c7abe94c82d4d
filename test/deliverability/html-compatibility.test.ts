/**
 * The HTML compatibility section of the deliverability report, end to end: messages sent with
 * nodemailer into an in-process sandbox, read back through `client.checks()`. A modern layout
 * (flexbox, rounded corners, a background image, `@media`, inline SVG) against a plain table
 * layout, the client filter, CSS that a strict parser rejects, a body over the size checked, and
 * a text-only message. DNS goes to a local server with no records, so nothing leaves the machine.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import {
  type DeliverabilityReport,
  type HtmlCompatibility,
  type HtmlFeatureFinding,
  MailportApiError,
  type Sandbox,
  startSandbox,
} from '../../src/index.js';
import { startDnsServer, type TestDnsServer } from './dns-server.js';

const MODERN = `<!DOCTYPE html><html><head><style>
  .card { border-radius: 8px; }
  @media (max-width: 600px) { .card { width: 100% !important; } }
</style></head><body>
<div style="display: flex; background-image: url('https://cdn.example.com/hero.png')">
  <div class="card"><p>Hello Alice, your order has shipped.</p></div>
  <svg width="24" height="24" viewBox="0 0 24 24"><circle cx="12" cy="12" r="10"/></svg>
</div></body></html>`;

const TABLES = `<table width="600" cellpadding="0" cellspacing="0" border="0" bgcolor="#ffffff">
<tr><td style="padding: 16px; font-family: Arial, sans-serif; color: #333333;">
<p>Hello Alice, your order has shipped.</p>
<a href="https://example.com/track" style="color: #0066cc;">Track it</a>
</td></tr></table>`;

describe('deliverability checks: HTML compatibility (caniemail.com)', () => {
  let dns: TestDnsServer;
  let sandbox: Sandbox;

  before(async () => {
    dns = await startDnsServer();
    sandbox = await startSandbox({ dnsServer: dns.server });
  });
  after(async () => {
    await sandbox?.stop();
    await dns?.close();
  });

  async function send(mail: SendMailOptions): Promise<string> {
    const subject = `${mail.subject} ${crypto.randomUUID().slice(0, 8)}`;
    const transport = nodemailer.createTransport(sandbox.transportOptions('relay'));
    try {
      await transport.sendMail({ from: 'news@example.test', to: 'alice@example.com', ...mail, subject });
    } finally {
      transport.close();
    }
    return (await sandbox.client.waitForMessage({ subject }, { timeout: 10_000 })).id;
  }

  function compatibility(report: DeliverabilityReport): HtmlCompatibility {
    assert.ok(report.htmlCompatibility !== null, 'an HTML message has the section');
    return report.htmlCompatibility;
  }

  function feature(section: HtmlCompatibility, slug: string): HtmlFeatureFinding {
    const found = section.features.find((candidate) => candidate.slug === slug);
    assert.ok(found, `${slug} in ${section.features.map((candidate) => candidate.slug).join(', ')}`);
    return found;
  }

  /** `family.platform` ids of the clients listed. */
  function clientIds(groups: HtmlFeatureFinding['unsupported']): string[] {
    return groups.flatMap((group) => group.platforms.map((platform) => platform.client));
  }

  test('a modern layout: each feature with the clients that lack it, where it is used, and a fix', async () => {
    const id = await send({
      subject: 'Modern layout',
      text: 'Hello Alice, your order has shipped.',
      html: MODERN,
    });
    const report = await sandbox.client.checks(id);
    const section = compatibility(report);

    assert.deepEqual(section.data, { package: 'caniemail@1.0.5', updated: '2025-09-09' });
    const families = section.clients.map((group) => group.family);
    for (const family of ['gmail', 'outlook', 'apple-mail', 'yahoo', 'gmx'])
      assert.ok(families.includes(family));
    const outlook = section.clients.find((group) => group.family === 'outlook');
    assert.equal(outlook?.name, 'Outlook');
    assert.ok(outlook?.platforms.some((platform) => platform.client === 'outlook.outlook-com'));

    const flex = feature(section, 'css-display-flex');
    assert.equal(flex.title, 'display:flex');
    assert.equal(flex.url, 'https://www.caniemail.com/features/css-display-flex/');
    assert.equal(flex.category, 'css');
    assert.equal(flex.severity, 'warning');
    assert.ok(clientIds(flex.unsupported).includes('outlook.windows'));
    assert.ok(!clientIds(flex.unsupported).some((client) => client.startsWith('apple-mail.')));
    assert.deepEqual(flex.where, ['<div style="display: flex">']);
    assert.match(flex.fix, /table/);
    assert.ok(flex.support > 0 && flex.support < 100, `display:flex support ${flex.support}`);

    const radius = feature(section, 'css-border-radius');
    assert.deepEqual(radius.where, ['.card { border-radius: 8px }']);
    assert.ok(clientIds(radius.unsupported).includes('outlook.windows'));

    const background = feature(section, 'css-background-image');
    assert.deepEqual(background.where, [
      `<div style="background-image: url('https://cdn.example.com/hero.png')">`,
    ]);

    const media = feature(section, 'css-at-media');
    assert.deepEqual(media.where, ['@media (max-width: 600px)']);

    const svg = feature(section, 'html-svg');
    assert.deepEqual(svg.where, ['<svg>']);
    assert.equal(svg.severity, 'warning');
    assert.ok(clientIds(svg.unsupported).includes('gmail.desktop-webmail'));
    assert.match(svg.fix, /PNG or JPEG/);

    // Partial support comes with caniemail's notes.
    const partial = section.features.flatMap((finding) =>
      finding.partial.flatMap((group) => group.platforms),
    );
    assert.ok(partial.some((platform) => platform.notes.length > 0));

    assert.equal(section.summary.warnings, section.features.filter((f) => f.severity === 'warning').length);
    assert.equal(section.summary.infos, section.features.filter((f) => f.severity === 'info').length);
    const severities = section.features.map((finding) => finding.severity);
    assert.deepEqual(
      severities,
      [...severities].sort((a, b) => Number(a === 'info') - Number(b === 'info')),
    );
    assert.ok(section.featuresUsed > section.features.length, 'fully supported features count in the score');
    assert.ok(section.score > 50 && section.score < 95, `score ${section.score}`);
    assert.equal(section.checkedBytes, section.htmlBytes);

    // Rendering findings stay out of the delivery verdict and its counts.
    assert.equal(report.summary.passed, true);
    const { spf, dkim, dmarc, arc } = report.authentication;
    const deliveryWarnings = [spf, dkim, dmarc, arc, ...report.content, report.spamAssassin].filter(
      (check) => check.severity === 'warning',
    ).length;
    assert.equal(report.summary.warnings, deliveryWarnings);
  });

  test('a plain table layout scores higher and uses none of the modern features', async () => {
    const modern = compatibility(
      await sandbox.client.checks(await send({ subject: 'Modern', text: 'Hello', html: MODERN })),
    );
    const tables = compatibility(
      await sandbox.client.checks(await send({ subject: 'Tables', text: 'Hello', html: TABLES })),
    );
    const slugs = tables.features.map((finding) => finding.slug);
    for (const slug of [
      'css-display-flex',
      'css-border-radius',
      'css-background-image',
      'css-at-media',
      'html-svg',
    ]) {
      assert.ok(!slugs.includes(slug), `${slug} in a table layout`);
    }
    assert.ok(tables.score >= 85, `table layout score ${tables.score}`);
    assert.ok(tables.score > modern.score, `tables ${tables.score} vs modern ${modern.score}`);
  });

  test('clients=: only the clients asked for, and an unknown client is a 400', async () => {
    const id = await send({ subject: 'Modern for Gmail and Outlook', text: 'Hello', html: MODERN });
    const section = compatibility(
      await sandbox.client.checks(id, { clients: ['gmail.*', 'outlook.windows'] }),
    );
    assert.deepEqual(
      section.clients.map((group) => [group.family, group.platforms.map((platform) => platform.platform)]),
      [
        ['gmail', ['desktop-webmail', 'ios', 'android', 'mobile-webmail']],
        ['outlook', ['windows']],
      ],
    );
    assert.deepEqual(clientIds(feature(section, 'css-display-flex').unsupported), ['outlook.windows']);

    const apple = compatibility(await sandbox.client.checks(id, { clients: ['apple-mail'] }));
    assert.ok(
      !apple.features.some((finding) => finding.slug === 'css-display-flex'),
      'Apple Mail supports flexbox',
    );

    await assert.rejects(sandbox.client.checks(id, { clients: ['gmail.*', 'nokia.*'] }), (error: unknown) => {
      assert.ok(error instanceof MailportApiError);
      assert.equal(error.status, 400);
      assert.match(error.message, /clients="nokia\.\*" matches no email client/);
      return true;
    });
  });

  test('CSS a strict parser rejects: hidden in <!-- -->, with a comment, a stray brace, a missing brace', async () => {
    const html = `<style><!--
      /* Outlook */ .a { mso-line-height-rule: exactly; } }
      .b { display: grid;
    --></style><p class="b">Hello</p>`;
    const section = compatibility(
      await sandbox.client.checks(await send({ subject: 'Broken CSS', text: 'Hello', html })),
    );
    assert.deepEqual(feature(section, 'css-display-grid').where, ['.b { display: grid }']);
    assert.ok(section.featuresUsed >= 4, `${section.featuresUsed} features`);
  });

  test('says whether a <style> is in the <head> or the <body>, which Gmail tells apart', async () => {
    const html = `<html><HEAD><STYLE>.a { color: red; }</STYLE></HEAD><BODY><style>.b { color: blue; }</style>
      <p class="a b">Hello</p></BODY></html>`;
    const section = compatibility(
      await sandbox.client.checks(await send({ subject: 'Head and body styles', text: 'Hello', html }), {
        clients: ['gmail.*'],
      }),
    );
    const style = feature(section, 'html-style');
    assert.deepEqual(style.where, ['<style> in <head>', '<style> in <body>']);
    assert.equal(style.occurrences, 2);
    assert.match(style.partial[0]?.platforms[0]?.notes.join(' ') ?? '', /Not supported inside the <body>/);
  });

  test('the latest test of each client counts, in caniemail’s order of versions', async () => {
    // css-pseudo-class-focus: Apple Mail on macOS was tested "12.4": n, then "16": y; on iOS "13.1": n.
    const html =
      '<style>a:focus { outline: 2px solid #0066cc; }</style><a href="https://example.com/">Go</a>';
    const section = compatibility(
      await sandbox.client.checks(await send({ subject: 'Focus', text: 'Go', html }), {
        clients: ['apple-mail.*'],
      }),
    );
    assert.deepEqual(clientIds(feature(section, 'css-pseudo-class-focus').unsupported), ['apple-mail.ios']);
  });

  test('a body over 1 MiB: the first MiB is checked, and says so', async () => {
    const block = '<table width="600"><tr><td style="padding:8px;display:flex">Item</td></tr></table>\n';
    const html = block.repeat(Math.ceil((1.2 * 1024 * 1024) / block.length));
    const section = compatibility(
      await sandbox.client.checks(await send({ subject: 'Huge', text: 'Items', html })),
    );
    assert.equal(section.checkedBytes, 1024 * 1024);
    assert.ok(section.htmlBytes > 1.2 * 1024 * 1024 - 1, `htmlBytes ${section.htmlBytes}`);
    assert.ok(feature(section, 'css-display-flex').occurrences > 10_000);
  });

  test('a text-only message has no HTML compatibility section', async () => {
    const report = await sandbox.client.checks(await send({ subject: 'Plain', text: 'Hello Alice' }));
    assert.equal(report.htmlCompatibility, null);
  });
});
