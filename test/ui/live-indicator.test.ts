/**
 * The live indicator on a busy machine or in a background tab: the event stream is requested before
 * the first render, and the app subscribes to its status in an effect, after the next frame (or a
 * timer, when no frame comes). When the stream opens in between, the indicator must still turn live;
 * it once stayed on "Connecting…" for good, and a slow CI machine caught it.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../helpers/chromium.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

const UI_DIR = resolve('dist/ui');
/**
 * Runs in the page before the app: no animation frames, and one second of a busy main thread right
 * after the stream is requested, so its `open` is queued before the app's first effects run.
 */
const BUSY_AFTER_STREAM_STARTS = `
  window.requestAnimationFrame = () => 0;
  const BrowserEventSource = window.EventSource;
  window.EventSource = class extends BrowserEventSource {
    constructor(url, init) {
      super(url, init);
      setTimeout(() => {
        const until = performance.now() + 1000;
        while (performance.now() < until);
      });
    }
  };
`;

let sandbox: TestSandbox;
let browser: Browser;

before(async () => {
  assert.ok(existsSync(join(UI_DIR, 'index.html')), 'dist/ui is missing: run `npm run build` first');
  sandbox = await startTestSandbox({ uiDir: UI_DIR });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await sandbox?.stop();
});

it('turns live when the stream opens before the app subscribes to its status', async () => {
  const page = await browser.newPage();
  await page.addInitScript(BUSY_AFTER_STREAM_STARTS);
  await page.goto(sandbox.apiUrl);
  await page.getByText('No mail yet.').waitFor();
  await page
    .getByRole('status')
    .filter({ hasText: 'Live' })
    .waitFor({ timeout: 5000 })
    .catch(async () => {
      assert.fail(
        `the indicator says "${await page.locator('.live').textContent()}" while the stream is open`,
      );
    });
});

// Last in this file: it stops the sandbox.
it('says the connection is lost when the server stops, even at phone width (no sidebar indicator)', async () => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await page.goto(sandbox.apiUrl);
  await page.locator('.live-live').waitFor({ state: 'attached' });
  await sandbox.stop();
  await page
    .getByRole('alert')
    .filter({ hasText: 'Lost the connection to Mailport' })
    .waitFor({ timeout: 5000 });
});
