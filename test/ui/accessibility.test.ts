/**
 * Accessibility of every view, checked by axe-core (WCAG 2.1 A and AA rules) in real Chromium,
 * in light and dark themes and at phone width, against the real sandbox with real mail, a real
 * failed session and a chaos rule (with the session it hit) on screen. The message's own HTML (inside the sandboxed preview) is not ours and
 * is left out.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import nodemailer from 'nodemailer';
import type { Browser, Page } from 'playwright-core';
import { startDnsServer, type TestDnsServer } from '../deliverability/dns-server.js';
import { describeViolations, violations } from '../helpers/axe.js';
import { launchChromium } from '../helpers/chromium.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { nextClosedSession } from '../helpers/wait.js';

const UI_DIR = resolve('dist/ui');

let dns: TestDnsServer;
let sandbox: TestSandbox;
let browser: Browser;
let messageId: string;
let sessionId: string;
let chaosSessionId: string;

before(async () => {
  assert.ok(existsSync(join(UI_DIR, 'index.html')), 'dist/ui is missing: run `npm run build` first');
  // The Checks tab looks up SPF, DKIM and DMARC records: from a local DNS server, never the internet.
  dns = await startDnsServer();
  sandbox = await startTestSandbox({
    uiDir: UI_DIR,
    dnsServer: dns.server,
    chaos: ['rcpt:451,match=*@flaky.test'],
    // The release dialog and its refusals; nothing here reaches the server (the allow rule refuses first).
    releaseServer: '127.0.0.1:9',
    releaseAllow: ['*@example.com'],
  });
  browser = await launchChromium();

  const ca = sandbox.caPem;
  const good = nodemailer.createTransport({
    host: '127.0.0.1',
    port: sandbox.port('submission'),
    secure: false,
    requireTLS: true,
    auth: sandbox.auth,
    tls: { ca, servername: 'localhost' },
  });
  await good.sendMail({
    from: 'Acme <hello@acme.example>',
    to: 'ada@example.com',
    bcc: 'audit@acme.example',
    subject: 'Accessible welcome',
    text: 'Welcome.',
    html: '<div style="display: flex"><p>Welcome.</p><img src="https://example.com/x.png" alt=""></div>',
    attachments: [{ filename: 'notes.txt', content: 'notes' }],
  });
  good.close();
  const failed = nextClosedSession(sandbox.bus, (session) => session.diagnostics.length > 0);
  const wrong = nodemailer.createTransport({
    host: '127.0.0.1',
    port: sandbox.port('submission'),
    secure: true,
    connectionTimeout: 5000,
    tls: { ca, servername: 'localhost' },
  });
  await assert.rejects(wrong.sendMail({ from: 'a@example.com', to: 'b@example.com', text: 'x' }));
  wrong.close();
  sessionId = (await failed).id;
  const hit = nextClosedSession(sandbox.bus, (session) => session.listener.profile === 'relay');
  const relay = nodemailer.createTransport({
    host: '127.0.0.1',
    port: sandbox.port('relay'),
    secure: false,
    tls: { ca, servername: 'localhost' },
  });
  await assert.rejects(relay.sendMail({ from: 'a@example.com', to: 'b@flaky.test', text: 'x' }), {
    responseCode: 451,
  });
  relay.close();
  chaosSessionId = (await hit).id;
  const first = (await sandbox.store.listMessages({})).items[0];
  assert.ok(first);
  messageId = first.id;
});

after(async () => {
  await browser?.close();
  await sandbox?.stop();
  await dns?.close();
});

const VIEWS: {
  name: string;
  path: () => string;
  ready: string;
  tab?: { name: RegExp; ready: string };
  /** Brings the view into the state to check, e.g. a refused form. */
  act?: (page: Page) => Promise<void>;
}[] = [
  { name: 'inbox with an open message', path: () => `/messages/${messageId}`, ready: '.facts' },
  {
    name: 'message attachments',
    path: () => `/messages/${messageId}`,
    ready: '.facts',
    tab: { name: /Attachments/, ready: '.attachments' },
  },
  {
    name: 'message checks',
    path: () => `/messages/${messageId}`,
    ready: '.facts',
    tab: { name: /Checks/, ready: '.checks-summary' },
    // The HTML compatibility items expanded (fixes, notes and client chips in view), and the
    // client-family filter open.
    act: async (page) => {
      await page.locator('.compat-feature').first().waitFor();
      await page.locator('.compat-filter summary').click();
      for (const summary of await page.locator('.compat-feature summary').all()) await summary.click();
    },
  },
  { name: 'session with diagnostics', path: () => `/sessions/${sessionId}`, ready: '.diagnostic' },
  { name: 'setup', path: () => '/setup', ready: '.code-block' },
  { name: 'chaos rules', path: () => '/chaos', ready: '.chaos-table' },
  {
    name: 'chaos rule refused',
    path: () => '/chaos',
    ready: '.chaos-table',
    act: async (page) => {
      await page.getByRole('textbox', { name: 'Rule', exact: true }).fill('rcpt:451/5.1.1');
      await page.getByRole('button', { name: 'Add rule' }).click();
      await page.locator('#chaos-rule-error').waitFor();
    },
  },
  { name: 'session hit by a chaos rule', path: () => `/sessions/${chaosSessionId}`, ready: '.t-chaos' },
  {
    name: 'release dialog',
    path: () => `/messages/${messageId}`,
    ready: '.facts',
    act: async (page) => {
      await page.getByRole('button', { name: 'Release to a real server' }).click();
      await page.getByRole('dialog', { name: 'Release to a real server' }).waitFor();
    },
  },
  {
    name: 'release refused',
    path: () => `/messages/${messageId}`,
    ready: '.facts',
    act: async (page) => {
      await page.getByRole('button', { name: 'Release to a real server' }).click();
      await page.getByRole('textbox', { name: 'Recipients' }).fill('ceo@customer.example');
      await page.getByRole('button', { name: 'Send' }).click();
      await page.locator('#release-error').waitFor();
    },
  },
];

describe('accessibility (axe-core, WCAG 2.1 AA)', () => {
  // One page per view, checked in the light theme and then, switched in place, the dark one: the
  // view's state (an open tab, a refused form) is what both checks must see.
  for (const view of VIEWS) {
    it(`${view.name}, light and dark themes`, async () => {
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, colorScheme: 'light' });
      try {
        await page.goto(`${sandbox.apiUrl}${view.path()}`);
        await page.locator(view.ready).first().waitFor();
        if (view.tab !== undefined) {
          await page.getByRole('tab', { name: view.tab.name }).click();
          await page.locator(view.tab.ready).first().waitFor();
        }
        await view.act?.(page);
        for (const colorScheme of ['light', 'dark'] as const) {
          await page.emulateMedia({ colorScheme });
          assert.equal(
            await page.evaluate(`matchMedia('(prefers-color-scheme: ${colorScheme})').matches`),
            true,
          );
          const found = await violations(page);
          assert.equal(found.length, 0, `${colorScheme} theme:\n${describeViolations(found)}`);
        }
      } finally {
        await page.close();
      }
    });
  }

  it('inbox and navigation at phone width', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
    try {
      await page.goto(sandbox.apiUrl);
      await page.locator('.row-link').first().waitFor();
      const found = await violations(page);
      assert.equal(found.length, 0, describeViolations(found));
    } finally {
      await page.close();
    }
  });

  it('chaos rules at phone width', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
    try {
      await page.goto(`${sandbox.apiUrl}/chaos`);
      await page.locator('.chaos-table').waitFor();
      const found = await violations(page);
      assert.equal(found.length, 0, describeViolations(found));
    } finally {
      await page.close();
    }
  });
});

describe('keyboard focus', () => {
  it('closing a message or a session with Esc puts focus back on its row, not on <body>', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    try {
      for (const path of [`/messages/${messageId}`, `/sessions/${sessionId}`]) {
        await page.goto(`${sandbox.apiUrl}${path}`);
        // Opening moves focus to the detail's heading; Esc removes that heading.
        await page.locator('h2.message-subject:focus').waitFor();
        await page.keyboard.press('Escape');
        await page
          .locator(`.list-pane a[href="${path}"]:focus`)
          .waitFor({ timeout: 5000 })
          .catch(async () => {
            const focused = await page.evaluate('document.activeElement?.outerHTML.slice(0, 80)');
            assert.fail(`after Esc on ${path}, focus is on ${String(focused)}`);
          });
      }
    } finally {
      await page.close();
    }
  });

  // Last: it deletes the message.
  it('Space ticks a row and Delete asks to delete it; afterwards focus stays in the page', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    try {
      await page.goto(sandbox.apiUrl);
      // Tab past the toolbar and the problem banner reaches the list on its (only) row.
      await page.getByRole('searchbox', { name: 'Search messages' }).focus();
      const row = page.locator('.row-link:focus', { hasText: 'Accessible welcome' });
      for (let stop = 0; stop < 8 && (await row.count()) === 0; stop++) await page.keyboard.press('Tab');
      await row.waitFor();
      await page.keyboard.press('Space');
      await page.getByRole('checkbox', { name: 'Select “Accessible welcome”', checked: true }).waitFor();
      await page.keyboard.press('Delete');
      const dialog = page.getByRole('dialog', { name: 'Delete 1 selected?' });
      await dialog.waitFor();
      await dialog.getByRole('button', { name: 'Delete' }).press('Enter');
      await page.getByText('No mail yet.').waitFor();
      await page.waitForFunction("document.activeElement?.id === 'main'", null, { timeout: 5000 });
    } finally {
      await page.close();
    }
  });
});
