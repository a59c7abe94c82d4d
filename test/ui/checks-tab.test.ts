/**
 * The Checks tab in real Chromium against the real sandbox serving dist/ui: authentication results
 * from a test DNS server on 127.0.0.1, content problems with their fixes, SpamAssassin's score from
 * a real spamd on loopback, a sending IP typed in, links probed against a loopback HTTP server, and
 * the HTML's email-client compatibility, all by keyboard, with the client families to check chosen
 * and remembered (an MJML-style newsletter, also at phone width under axe-core).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import nodemailer from 'nodemailer';
import type { Browser, Page } from 'playwright-core';
import { startDnsServer, type TestDnsServer } from '../deliverability/dns-server.js';
import { startSpamd, type TestSpamd } from '../deliverability/spamd.js';
import { describeViolations, violations } from '../helpers/axe.js';
import { launchChromium } from '../helpers/chromium.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

const UI_DIR = resolve('dist/ui');

let dns: TestDnsServer;
let spamd: TestSpamd;
let web: Server;
let sandbox: TestSandbox;
let browser: Browser;
let page: Page;
let messageId: string;
let flexMessageId: string;
let newsletterId: string;

before(async () => {
  assert.ok(existsSync(join(UI_DIR, 'index.html')), 'dist/ui is missing: run `npm run build` first');
  [dns, spamd] = await Promise.all([
    startDnsServer({
      'acme.test': 'v=spf1 ip4:203.0.113.0/24 -all',
      '_dmarc.acme.test': 'v=DMARC1; p=none',
    }),
    startSpamd(),
  ]);
  web = createServer((request, response) =>
    response.writeHead(request.url === '/ok' || request.url === '/logo.png' ? 200 : 404).end(),
  );
  await new Promise<void>((done) => web.listen(0, '127.0.0.1', done));
  const base = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;
  sandbox = await startTestSandbox({ uiDir: UI_DIR, dnsServer: dns.server, spamassassin: spamd.server });
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port: sandbox.port('relay'),
    tls: { ca: sandbox.caPem, servername: 'localhost' },
  });
  await transport.sendMail({
    from: 'Acme <hello@acme.test>',
    to: 'ada@example.com',
    subject: 'Checks please',
    html: `<p><a href="${base}/ok">Open</a> <a href="${base}/gone">Old page</a></p><img src="${base}/logo.png">`,
  });
  await transport.sendMail({
    from: 'Acme <hello@acme.test>',
    to: 'ada@example.com',
    subject: 'Flex newsletter',
    text: 'Hello Ada',
    html: '<div style="display: flex"><p>Hello Ada</p></div>',
  });
  await transport.sendMail({
    from: 'Acme <news@acme.test>',
    to: 'ada@example.com',
    subject: 'Acme Weekly',
    text: 'This week: new features and a discount',
    html: readFileSync(resolve('test/fixtures/newsletter-mjml.html'), 'utf8'),
  });
  transport.close();
  const [newsletter, flex, first] = (await sandbox.store.listMessages({})).items;
  assert.ok(first && flex && newsletter);
  messageId = first.id;
  flexMessageId = flex.id;
  newsletterId = newsletter.id;
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(10_000);
});

after(async () => {
  await browser?.close();
  await sandbox?.stop();
  await dns?.close();
  await spamd?.stop();
  web?.closeAllConnections();
  await new Promise((done) => web?.close(done));
});

describe('Checks tab', () => {
  it('shows authentication, content problems with fixes, and links', async () => {
    await page.goto(`${sandbox.apiUrl}/messages/${messageId}`);
    const tab = page.getByRole('tab', { name: 'Checks' });
    // By keyboard: from the HTML tab, End selects the last tab.
    await page.getByRole('tab', { name: 'HTML' }).focus();
    await page.keyboard.press('End');
    assert.equal(await tab.getAttribute('aria-selected'), 'true');

    const summary = page.getByRole('status').filter({ hasText: 'SPF evaluated for' });
    await summary.waitFor();
    assert.match(
      (await summary.textContent()) ?? '',
      /SPF evaluated for 127\.0\.0\.1 \(the address the message came from\)/,
    );
    assert.match(
      (await summary.textContent()) ?? '',
      new RegExp(`DNS from ${dns.server.replace(/\./g, '\\.')}`),
    );

    const auth = page.getByRole('region', { name: 'Authentication' });
    assert.match((await auth.textContent()) ?? '', /none\s*DKIM\s*The message has no DKIM signature/);
    assert.match((await auth.textContent()) ?? '', /v=DMARC1; p=none/);

    const content = page.getByRole('region', { name: 'Content' });
    const alt = content.locator('li', { hasText: 'no alt attribute' });
    assert.match((await alt.textContent()) ?? '', /Fix: Give every <img> an alt text/);
    assert.match((await content.textContent()) ?? '', /html-without-text/);

    const links = page.getByRole('table', { name: 'Links and images of the message' });
    assert.equal(await links.locator('tbody tr').count(), 3);

    // An HTML-only order note: a score below the threshold, and the rules that hit.
    const spam = page.getByRole('region', { name: 'Spam score (SpamAssassin)' });
    assert.match(
      (await spam.textContent()) ?? '',
      /-?\d+\.\d \/ 5\.0\s*SpamAssassin scores it -?\d+\.\d, below its threshold of 5\.0/,
    );
    const meter = spam.getByRole('meter');
    assert.match((await meter.getAttribute('aria-label')) ?? '', /against the threshold 5\.0/);
    const rules = page.getByRole('table', { name: 'SpamAssassin rules that hit, most points first' });
    const htmlOnly = rules.locator('tr', { hasText: 'MIME_HTML_ONLY' });
    assert.match(
      (await htmlOnly.textContent()) ?? '',
      /\d\.\d\s*MIME_HTML_ONLY\s*BODY: Message only has text\/html MIME parts/,
    );
  });

  it('re-checks SPF for a typed sending IP, and probes links on request', async () => {
    const input = page.getByLabel('Sending IP');
    await input.fill('203.0.113.5');
    await input.press('Enter');
    const summary = page
      .getByRole('status')
      .filter({ hasText: 'SPF evaluated for 203.0.113.5 (the IP given here)' });
    await summary.waitFor();
    const auth = page.getByRole('region', { name: 'Authentication' });
    assert.match(
      (await auth.textContent()) ?? '',
      /pass\s*SPF\s*The SPF record of acme\.test allows 203\.0\.113\.5/,
    );

    await page.getByRole('button', { name: 'Probe links' }).click();
    const links = page.getByRole('table', { name: 'Links and images of the message' });
    await links.locator('tr', { hasText: '/gone' }).locator('.tag-error', { hasText: '404' }).waitFor();
    assert.match((await links.locator('tr', { hasText: '/ok' }).textContent()) ?? '', /200/);
    const content = page.getByRole('region', { name: 'Content' });
    assert.match((await content.textContent()) ?? '', /1 link answers with an HTTP error status/);
  });

  it('HTML compatibility: the score, each feature with client-family chips, expanded by keyboard', async () => {
    await page.goto(`${sandbox.apiUrl}/messages/${flexMessageId}`);
    await page.getByRole('tab', { name: 'Checks' }).click();
    const section = page.getByRole('region', { name: 'HTML compatibility (caniemail.com)' });
    await section.waitFor();
    const meter = section.getByRole('meter');
    const score = Number(await meter.getAttribute('value'));
    assert.ok(score > 0 && score < 100, `score ${score}`);
    assert.equal(await meter.getAttribute('aria-label'), `HTML compatibility score ${score}%`);
    assert.match(
      (await section.textContent()) ?? '',
      /\d+ features used, \d+ clients in \d+ families; data of 2025-09-09 \(caniemail@1\.0\.5\)/,
    );

    const flex = section.locator('li.check-item', { hasText: 'display:flex' });
    const summary = flex.locator('summary');
    assert.match(
      (await summary.textContent()) ?? '',
      /warning\s*display:flex\s*\d+% support\s*css-display-flex/,
    );
    await flex.locator('.tag-error', { hasText: 'Outlook (Windows, Windows Mail)' }).waitFor();
    await flex.locator('.tag-warn', { hasText: 'Gmail (iOS, Android)' }).waitFor();

    const fix = flex.locator('.check-fix');
    assert.equal(await fix.isVisible(), false, 'collapsed until asked');
    await summary.focus();
    await page.keyboard.press('Enter');
    await fix.waitFor();
    assert.match((await fix.textContent()) ?? '', /Fix: Lay out columns with tables/);
    assert.equal(
      await fix.getByRole('link', { name: 'display:flex on caniemail.com' }).getAttribute('href'),
      'https://www.caniemail.com/features/css-display-flex/',
    );
    assert.match((await flex.locator('.check-evidence').textContent()) ?? '', /<div style="display: flex">/);
    assert.match((await flex.textContent()) ?? '', /Gmail \(iOS\): Not supported with non Google accounts/);
  });

  it('HTML compatibility: client families chosen by keyboard, re-checked with ?clients= and remembered', async () => {
    await page.goto(`${sandbox.apiUrl}/messages/${newsletterId}`);
    await page.getByRole('tab', { name: 'Checks' }).click();
    const section = page.getByRole('region', { name: 'HTML compatibility (caniemail.com)' });
    const coverage = section.locator('#compat-coverage');
    await coverage.filter({ hasText: /Score for all \d+ client families\./ }).waitFor();
    const total = Number(/all (\d+) client/.exec((await coverage.textContent()) ?? '')?.[1]);
    assert.ok(total >= 20, `${total} families`);
    const meter = section.getByRole('meter');
    const allScore = Number(await meter.getAttribute('value'));
    // The newsletter's inline-flex tag row: display:flex's data, Yahoo ruled out by caniemail's note.
    const inline = section.locator('li.check-item', { hasText: 'display:inline-flex' });
    await inline.locator('.tag-error', { hasText: 'Yahoo! Mail' }).waitFor();

    const filter = section.locator('details.compat-filter');
    const summary = filter.locator('summary');
    assert.match(
      (await summary.textContent()) ?? '',
      new RegExp(`Choose client families\\s*\\(${total} of ${total}\\)`),
    );
    await summary.focus();
    await page.keyboard.press('Enter');
    const group = page.getByRole('group', { name: 'Client families to check the HTML against' });
    await group.waitFor();
    for (const name of ['Gmail', 'Outlook', 'Apple Mail', 'Yahoo! Mail', 'Samsung Email'])
      assert.equal(await group.getByRole('checkbox', { name, exact: true }).isChecked(), true, name);

    // None, then Gmail and Outlook, by keyboard: each change re-runs the checks with ?clients=.
    await group.getByRole('button', { name: 'None' }).focus();
    await page.keyboard.press('Enter');
    await group.getByText('Choose at least one family').waitFor();
    assert.equal(await group.getByRole('checkbox', { checked: true }).count(), 0);
    const gmailRequest = page.waitForRequest((request) => request.url().includes('/checks?clients=gmail'));
    await group.getByRole('checkbox', { name: 'Gmail', exact: true }).focus();
    await page.keyboard.press('Space');
    assert.equal(new URL((await gmailRequest).url()).searchParams.get('clients'), 'gmail');
    await coverage.filter({ hasText: `Score for 1 of ${total} client families: Gmail.` }).waitFor();
    const outlookRequest = page.waitForRequest((request) =>
      request.url().includes('clients=gmail%2Coutlook'),
    );
    await group.getByRole('checkbox', { name: 'Outlook', exact: true }).focus();
    await page.keyboard.press('Space');
    await outlookRequest;
    await coverage.filter({ hasText: `Score for 2 of ${total} client families: Gmail, Outlook.` }).waitFor();
    assert.match((await section.textContent()) ?? '', /\d+ clients in 2 families/);
    assert.match((await summary.textContent()) ?? '', new RegExp(`\\(2 of ${total}\\)`));
    // Only the chosen families in the findings: Outlook yes, Yahoo no.
    await inline.locator('.tag-error', { hasText: 'Outlook (Windows, Windows Mail)' }).waitFor();
    assert.equal(await section.locator('.tag', { hasText: 'Yahoo! Mail' }).count(), 0);
    const chosenScore = Number(await meter.getAttribute('value'));
    assert.notEqual(chosenScore, allScore, 'the score follows the families');
    assert.equal(
      await page.evaluate('localStorage.getItem("mailport.compatFamilies")'),
      JSON.stringify(['gmail', 'outlook']),
    );

    // Another message, then a reload: the same two families.
    await page.goto(`${sandbox.apiUrl}/messages/${flexMessageId}`);
    const flexRequest = page.waitForRequest((request) => request.url().includes('clients=gmail%2Coutlook'));
    await page.getByRole('tab', { name: 'Checks' }).click();
    await flexRequest;
    await coverage.filter({ hasText: `Score for 2 of ${total} client families: Gmail, Outlook.` }).waitFor();
    await page.reload();
    await page.getByRole('tab', { name: 'Checks' }).click();
    await coverage.filter({ hasText: `Score for 2 of ${total} client families: Gmail, Outlook.` }).waitFor();

    // All families again: no ?clients=, nothing remembered.
    await summary.click();
    const allRequest = page.waitForRequest((request) => /\/checks$/.test(request.url()));
    await group.getByRole('button', { name: 'All families' }).click();
    await allRequest;
    await coverage.filter({ hasText: `Score for all ${total} client families.` }).waitFor();
    assert.equal(await page.evaluate('localStorage.getItem("mailport.compatFamilies")'), null);
  });

  it('HTML compatibility filter at phone width: no sideways scroll, no axe violations', async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
    try {
      await phone.goto(`${sandbox.apiUrl}/messages/${newsletterId}`);
      await phone.getByRole('tab', { name: 'Checks' }).click();
      const section = phone.getByRole('region', { name: 'HTML compatibility (caniemail.com)' });
      await section.locator('details.compat-filter summary').click();
      const group = phone.getByRole('group', { name: 'Client families to check the HTML against' });
      await group.getByRole('checkbox', { name: 'Samsung Email', exact: true }).uncheck();
      await section
        .locator('#compat-coverage')
        .filter({ hasText: /Score for \d+ of \d+ client families: all but Samsung Email\./ })
        .waitFor();
      const box = await group.boundingBox();
      assert.ok(box !== null && box.x >= 0 && box.x + box.width <= 390, `filter box ${JSON.stringify(box)}`);
      const found = await violations(phone);
      assert.equal(found.length, 0, describeViolations(found));
    } finally {
      await phone.close();
    }
  });
});
