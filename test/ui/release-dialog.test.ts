/**
 * Releasing a message from the web UI, end to end: real Chromium against a sandbox started with
 * `--release-*`, releasing to a second, real sandbox over STARTTLS + AUTH. Covers the button (only
 * when release is configured), the `r` shortcut, recipients prefilled by the allow rule, the reply
 * on success and the release in the message's facts at once, a refusal by the allow rule and one by
 * the upstream with its cause and fix (neither recorded), and the success state checked by axe-core.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import nodemailer from 'nodemailer';
import type { Browser, Page } from 'playwright-core';
import { type Sandbox, startSandbox } from '../../src/testing/sandbox.js';
import { describeViolations, violations } from '../helpers/axe.js';
import { launchChromium } from '../helpers/chromium.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

const UI_DIR = resolve('dist/ui');
const PASS_ENV = 'MAILPORT_UI_TEST_RELEASE_PASS';

let upstream: Sandbox;
let releasing: TestSandbox;
let browser: Browser;
let messageId: string;

async function openMessage(page: Page, url: string, id: string): Promise<void> {
  await page.goto(`${url}/messages/${id}`);
  await page.locator('.facts').waitFor();
}

function dialog(page: Page) {
  return page.getByRole('dialog', { name: 'Release to a real server' });
}

/** Mail to the releasing sandbox's relay port, in plaintext as an application on port 25 sends it. */
function relayTransport() {
  return nodemailer.createTransport({
    host: '127.0.0.1',
    port: releasing.port('relay'),
    secure: false,
    ignoreTLS: true,
  });
}

before(async () => {
  assert.ok(existsSync(join(UI_DIR, 'index.html')), 'dist/ui is missing: run `npm run build` first');
  upstream = await startSandbox({
    auth: [{ user: 'ui-user', pass: 'ui-secret' }],
    chaos: ['rcpt:550,match=*@refused.example'],
  });
  const caPath = join(upstream.info.storage.dataDir ?? '', 'ui-release-ca.pem');
  await writeFile(caPath, upstream.caPem);
  process.env[PASS_ENV] = 'ui-secret';
  releasing = await startTestSandbox({
    uiDir: UI_DIR,
    releaseServer: `127.0.0.1:${upstream.ports.submission}`,
    releaseUser: 'ui-user',
    releasePassEnv: PASS_ENV,
    releaseCa: caPath,
    releaseAllow: ['*@example.com,*@refused.example'],
  });
  const transport = relayTransport();
  await transport.sendMail({
    from: 'app@shop.example',
    to: ['alice@example.com', 'bob@customer.example'],
    subject: 'Release from the UI',
    text: 'Hello.',
    messageId: '<ui-release@shop.example>',
  });
  transport.close();
  const [first] = (await releasing.store.listMessages({})).items;
  messageId = first?.id ?? assert.fail('the message was not captured');
  browser = await launchChromium();
});

after(async () => {
  delete process.env[PASS_ENV];
  await browser?.close();
  await releasing?.stop();
  await upstream?.stop();
});

describe('release in the web UI', () => {
  it('r opens the dialog with the recipients the allow rule permits; Send shows the reply, the upstream has the message', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    try {
      await openMessage(page, releasing.apiUrl, messageId);
      await page.keyboard.press('r');
      await dialog(page).waitFor();
      const recipients = page.getByRole('textbox', { name: 'Recipients' });
      assert.equal(await recipients.inputValue(), 'alice@example.com');
      assert.ok(await recipients.evaluate((element) => element === element.ownerDocument.activeElement));
      assert.match(
        (await dialog(page).textContent()) ?? '',
        /Left out, not allowed: bob@customer\.example\./,
      );

      await page.getByRole('button', { name: 'Send' }).click();
      const status = dialog(page).getByRole('status');
      await status.getByText(/Released to alice@example\.com/).waitFor();
      assert.match(
        (await status.textContent()) ?? '',
        new RegExp(
          `via 127\\.0\\.0\\.1:${upstream.ports.submission} \\(starttls, TLSv1\\.3\\)\\. The server replied: 250 2\\.0\\.0 `,
        ),
      );
      const found = await violations(page);
      assert.equal(found.length, 0, describeViolations(found));

      const arrived = await upstream.client.waitForMessage(
        { subject: 'Release from the UI' },
        { timeout: 10_000 },
      );
      assert.equal(arrived.headers.get('message-id'), '<ui-release@shop.example>');
      await dialog(page).getByRole('button', { name: 'Close' }).click();
      await dialog(page).waitFor({ state: 'hidden' });

      // The facts took the release in without a reload.
      const [record] = (await releasing.store.getMessage(messageId))?.releases ?? [];
      assert.ok(record, 'the release is recorded');
      const fact = page.locator('.facts .release-record');
      await fact.waitFor();
      const time = await fact.locator('time').evaluate((element) => ({
        text: element.textContent,
        dateTime: element.getAttribute('datetime'),
        expected: new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' }).format(
          new Date(element.getAttribute('datetime') ?? ''),
        ),
      }));
      assert.equal(time.dateTime, record.at);
      assert.equal(time.text, time.expected);
      assert.equal(
        await fact.textContent(),
        `Released to alice@example.com via 127.0.0.1:${upstream.ports.submission} at ${time.expected} · ${record.reply}`,
      );
    } finally {
      await page.close();
    }
  });

  it('a recipient outside the allow rule and an upstream refusal each show the reason and what to do', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    try {
      await openMessage(page, releasing.apiUrl, messageId);
      await page.getByRole('button', { name: 'Release to a real server' }).click();
      const recipients = page.getByRole('textbox', { name: 'Recipients' });
      await recipients.fill('ceo@customer.example');
      await page.getByRole('button', { name: 'Send' }).click();
      const alert = dialog(page).getByRole('alert');
      await alert.waitFor();
      assert.match(
        (await alert.textContent()) ?? '',
        /Not allowed by --release-allow .*: ceo@customer\.example/,
      );
      assert.match(
        (await alert.textContent()) ?? '',
        /What to do: Release to addresses that match --release-allow/,
      );
      assert.equal(await recipients.getAttribute('aria-invalid'), 'true');

      await recipients.fill('gone@refused.example');
      await alert.waitFor({ state: 'detached' });
      await page.getByRole('button', { name: 'Send' }).click();
      await alert.waitFor();
      assert.match((await alert.textContent()) ?? '', /550 5\.1\.1 .*recipient-unknown/);
      assert.equal(await alert.locator('code').first().textContent(), 'recipient-unknown');
      await page.keyboard.press('Escape');
      await dialog(page).waitFor({ state: 'hidden' });
      // Refusals are not releases: the facts still show the one release of the first test.
      assert.equal(await page.locator('.facts .release-record').count(), 1);
    } finally {
      await page.close();
    }
  });

  it('a release from one tab shows at once in another tab open on the message, once in each', async () => {
    const transport = relayTransport();
    await transport.sendMail({
      from: 'app@shop.example',
      to: 'carol@example.com',
      subject: 'Released in another tab',
      text: 'Hello.',
    });
    transport.close();
    const [captured] = (await releasing.store.listMessages({ q: 'subject:"Released in another tab"' })).items;
    const id = captured?.id ?? assert.fail('the message was not captured');
    const releasingTab = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const watchingTab = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    try {
      await openMessage(watchingTab, releasing.apiUrl, id);
      await openMessage(releasingTab, releasing.apiUrl, id);
      // Each tab's event stream is open before the release, so the event cannot come too early.
      for (const tab of [watchingTab, releasingTab]) {
        await tab.locator('.live').filter({ hasText: 'Live' }).waitFor();
      }
      assert.equal(await watchingTab.locator('.facts .release-record').count(), 0);

      await releasingTab.keyboard.press('r');
      await releasingTab.getByRole('button', { name: 'Send' }).click();
      await dialog(releasingTab)
        .getByRole('status')
        .getByText(/Released to carol@example\.com/)
        .waitFor();

      const [record] = (await releasing.store.getMessage(id))?.releases ?? [];
      assert.ok(record, 'the release is recorded');
      const fact = watchingTab.locator('.facts .release-record');
      await fact.waitFor();
      assert.match(
        (await fact.textContent()) ?? '',
        new RegExp(
          `^Released to carol@example\\.com via 127\\.0\\.0\\.1:${upstream.ports.submission} at .* · `,
        ),
      );
      assert.equal(await fact.locator('time').getAttribute('datetime'), record.at);
      assert.ok((await fact.textContent())?.endsWith(record.reply));
      // The releasing tab hears the event and reads the message back: the release shows once.
      await releasingTab.locator('.facts .release-record').waitFor();
      await releasingTab.waitForTimeout(300);
      assert.equal(await releasingTab.locator('.facts .release-record').count(), 1);
      assert.equal(await fact.count(), 1);
    } finally {
      await releasingTab.close();
      await watchingTab.close();
    }
  });

  it('without --release-server there is no Release button and r does nothing', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    try {
      const [first] = (await upstream.client.listMessages({})).items;
      assert.ok(first);
      await openMessage(page, upstream.apiUrl, first.id);
      await page.getByRole('button', { name: 'Delete message' }).waitFor();
      assert.equal(await page.getByRole('button', { name: 'Release to a real server' }).count(), 0);
      assert.equal(
        await page.locator('.facts .release-record').count(),
        0,
        'never released: no release fact',
      );
      await page.keyboard.press('r');
      assert.equal(await page.locator('dialog[open]').count(), 0);
    } finally {
      await page.close();
    }
  });

  it('the keyboard help lists r', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    try {
      await page.goto(releasing.apiUrl);
      await page.locator('.row-link').first().waitFor();
      await page.keyboard.press('?');
      const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
      await help.waitFor();
      assert.match((await help.textContent()) ?? '', /rRelease the open message to a real server/);
    } finally {
      await page.close();
    }
  });
});
