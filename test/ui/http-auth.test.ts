/**
 * The web UI behind `--http-auth`, in real Chromium: the browser's login (playwright's
 * `httpCredentials`, as a user types it into the native prompt) goes with the page, its assets,
 * the UI's fetches and its EventSource, so mail shows up live; without it the page is a 401.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { MailportClient } from '../../src/client/api-client.js';
import { launchChromium } from '../helpers/chromium.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

const UI_DIR = resolve('dist/ui');
const LOGIN = { username: 'qa', password: 'staging-pw' };

let sandbox: TestSandbox;
let browser: Browser;

before(async () => {
  assert.ok(existsSync(join(UI_DIR, 'index.html')), 'dist/ui is missing: run `npm run build` first');
  sandbox = await startTestSandbox({ uiDir: UI_DIR, httpAuth: [`${LOGIN.username}:${LOGIN.password}`] });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await sandbox?.stop();
});

it('with the login, shows mail live over the event stream and opens it', async () => {
  const context = await browser.newContext({ httpCredentials: LOGIN });
  try {
    const page = await context.newPage();
    const refused: string[] = [];
    page.on('response', (response) => {
      if (response.status() === 401) refused.push(response.url());
    });
    await page.goto(sandbox.apiUrl);
    await page.getByText('No mail yet.').waitFor();
    await page.locator('.live-live').waitFor();

    const client = new MailportClient(sandbox.apiUrl, {
      auth: { user: LOGIN.username, pass: LOGIN.password },
    });
    await client.importMessage(
      'From: Acme <app@acme.example>\r\nTo: alice@example.com\r\nSubject: Reset behind a login\r\n\r\nYour link.\r\n',
    );
    const row = page.locator('.row-link', { hasText: 'Reset behind a login' });
    await row.waitFor();
    await row.click();
    await page.getByRole('heading', { name: 'Reset behind a login' }).waitFor();
    // Chromium answers each challenge once with the login; none may stay refused.
    assert.ok(
      refused.every((url) => url === `${sandbox.apiUrl}/`),
      `refused after login: ${refused.join(', ')}`,
    );
  } finally {
    await context.close();
  }
});

it('without the login or with a wrong one, Chromium gets the challenge and no page', async () => {
  for (const httpCredentials of [undefined, { ...LOGIN, password: 'wrong-pw' }]) {
    const context = await browser.newContext(httpCredentials === undefined ? {} : { httpCredentials });
    try {
      const page = await context.newPage();
      const challenged = page.waitForResponse((response) => response.status() === 401);
      // Without a login Chromium gives up on the challenge; with a wrong one it shows the 401 body.
      const shown = await page.goto(sandbox.apiUrl).catch(() => null);
      assert.equal(shown?.status() ?? 401, 401);
      const challenge = await challenged;
      assert.equal(
        await challenge.headerValue('www-authenticate'),
        'Basic realm="Mailport", charset="UTF-8"',
      );
      assert.equal(await page.locator('.live').count(), 0, 'the app did not start');
    } finally {
      await context.close();
    }
  }
});
