/**
 * The message and session lists by keyboard, in real Chromium against the real sandbox with real
 * mail: each list is one Tab stop (an ARIA grid with a roving tabindex), the arrows, j/k, Home/End
 * and PageUp/PageDown move focus between rows (also to rows the virtual list had not rendered),
 * Left/Right between a row's checkbox and link, Space ticks, Enter opens, Delete asks, Shift+Tab
 * comes back to the row left, and focus survives rows arriving and going live.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import nodemailer from 'nodemailer';
import type { Browser, Page } from 'playwright-core';
import { describeViolations, violations } from '../helpers/axe.js';
import { launchChromium } from '../helpers/chromium.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

const UI_DIR = resolve('dist/ui');
const UI_TIMEOUT_MS = 10_000;
/** More rows than the list renders at once (a window of about 25), so keys must reach unrendered ones. */
const MESSAGES = 60;

let sandbox: TestSandbox;
let browser: Browser;
/** Subjects in list order, newest first. */
let subjects: string[];

function subjectAt(index: number): string {
  const subject = subjects[index];
  assert.ok(subject !== undefined, `no message at ${index}`);
  return subject;
}

async function send(subjectsToSend: string[]): Promise<void> {
  // The relay port takes mail without AUTH: one pooled connection sends them all quickly.
  const relay = nodemailer.createTransport({
    host: '127.0.0.1',
    port: sandbox.port('relay'),
    secure: false,
    ignoreTLS: true,
    pool: true,
    maxConnections: 1,
  });
  try {
    for (const subject of subjectsToSend)
      await relay.sendMail({ from: 'list@example.com', to: 'you@example.com', subject, text: 'Body.' });
  } finally {
    relay.close();
  }
}

async function messageId(subject: string): Promise<string> {
  const id = (await sandbox.store.listMessages({ q: `subject:"${subject}"` })).items[0]?.id;
  assert.ok(id, `no message "${subject}"`);
  return id;
}

before(async () => {
  assert.ok(existsSync(join(UI_DIR, 'index.html')), 'dist/ui is missing: run `npm run build` first');
  sandbox = await startTestSandbox({ uiDir: UI_DIR });
  browser = await launchChromium();
  await send(Array.from({ length: MESSAGES }, (_, index) => `Note ${String(index + 1).padStart(2, '0')}`));
  subjects = (await sandbox.store.listMessages({ limit: 500 })).items.map((message) => message.subject ?? '');
  assert.equal(subjects.length, MESSAGES);
});

after(async () => {
  await browser?.close();
  await sandbox?.stop();
});

async function openInbox(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.setDefaultTimeout(UI_TIMEOUT_MS);
  await page.goto(sandbox.apiUrl);
  await page.locator('.row-link').first().waitFor();
  return page;
}

/** Waits until focus is on `subject`'s row link, and it is in view (not just rendered). */
async function expectFocusOnRow(page: Page, subject: string): Promise<void> {
  const link = page.locator('.row-link:focus', { hasText: subject });
  await link
    .waitFor()
    .catch(async () => assert.fail(`focus is on ${await describeFocus(page)}, not "${subject}"`));
  await page.waitForFunction(
    // Page-side code as a string: this test is compiled without the DOM library.
    `(() => {
      const row = document.activeElement.getBoundingClientRect();
      const list = document.querySelector('.vlist').getBoundingClientRect();
      return row.top >= list.top - 1 && row.bottom <= list.bottom + 1;
    })()`,
  );
}

async function describeFocus(page: Page): Promise<string> {
  return String(await page.evaluate('document.activeElement?.outerHTML.slice(0, 120)'));
}

async function focusInList(page: Page): Promise<boolean> {
  return Boolean(await page.evaluate(`document.activeElement?.closest('[role="grid"]') !== null`));
}

/** Shift+Tab from the open item's detail, past its action buttons, back into the list. */
async function shiftTabIntoList(page: Page): Promise<void> {
  const stops: string[] = [];
  while (!(await focusInList(page))) {
    await page.keyboard.press('Shift+Tab');
    stops.push(await describeFocus(page));
    assert.ok(stops.length <= 8, `Shift+Tab never reached the list:\n${stops.join('\n')}`);
  }
}

describe('the message list by keyboard', () => {
  it('is one Tab stop: Tab from the search box reaches it in one stop past the toolbar, a second Tab leaves', async () => {
    const page = await openInbox();
    try {
      await page.getByRole('searchbox', { name: 'Search messages' }).focus();
      const stops: string[] = [];
      while (!(await focusInList(page))) {
        await page.keyboard.press('Tab');
        stops.push(await describeFocus(page));
        assert.ok(stops.length <= 4, `Tab never reached the list:\n${stops.join('\n')}`);
      }
      // The toolbar's Select all, its listener filter and Clear all come first.
      assert.equal(stops.length, 4, stops.join('\n'));
      await expectFocusOnRow(page, subjectAt(0));
      await page.keyboard.press('Tab');
      assert.equal(
        await focusInList(page),
        false,
        `a second Tab stayed in the list: ${await describeFocus(page)}`,
      );
      await page.keyboard.press('Shift+Tab');
      await expectFocusOnRow(page, subjectAt(0));
      // Every other control in the list is out of the Tab order.
      assert.equal(await page.locator('[role="grid"] [tabindex="0"]').count(), 1);
    } finally {
      await page.close();
    }
  });

  it('moves focus with the arrows, j/k, Home/End and PageUp/PageDown, to rows not yet rendered too', async () => {
    const page = await openInbox();
    try {
      await page.locator('.row-link').first().focus();
      await page.keyboard.press('ArrowDown');
      await expectFocusOnRow(page, subjectAt(1));
      await page.keyboard.press('j');
      await expectFocusOnRow(page, subjectAt(2));
      await page.keyboard.press('k');
      await expectFocusOnRow(page, subjectAt(1));
      await page.keyboard.press('ArrowUp');
      await expectFocusOnRow(page, subjectAt(0));
      await page.keyboard.press('ArrowUp');
      await expectFocusOnRow(page, subjectAt(0));
      // Keys move focus in the list; they open nothing.
      assert.equal(new URL(page.url()).pathname, '/');

      await page.keyboard.press('End');
      await expectFocusOnRow(page, subjectAt(MESSAGES - 1));
      await page.keyboard.press('Home');
      await expectFocusOnRow(page, subjectAt(0));
      await page.keyboard.press('PageDown');
      await page.waitForFunction(`document.activeElement.closest('[role="row"]')?.ariaRowIndex !== '1'`);
      const paged = String(
        await page.evaluate(`document.activeElement.closest('[role="row"]').ariaRowIndex`),
      );
      const pageRows = Number(paged) - 1;
      assert.ok(pageRows >= 3 && pageRows < MESSAGES / 2, `PageDown moved ${pageRows} rows`);
      await expectFocusOnRow(page, subjectAt(pageRows));
      for (let step = 1; step * pageRows < MESSAGES; step++) await page.keyboard.press('PageDown');
      await expectFocusOnRow(page, subjectAt(MESSAGES - 1));
      await page.keyboard.press('PageUp');
      await expectFocusOnRow(page, subjectAt(MESSAGES - 1 - pageRows));
      assert.equal(new URL(page.url()).pathname, '/');
    } finally {
      await page.close();
    }
  });

  it('ticks the focused row with Space, says so to screen readers, and reaches its checkbox with Left', async () => {
    const page = await openInbox();
    try {
      await page.locator('.row-link').first().focus();
      await page.keyboard.press('ArrowDown');
      await expectFocusOnRow(page, subjectAt(1));
      const row = page.getByRole('row', { name: subjectAt(1) });
      const checkbox = page.getByRole('checkbox', { name: `Select “${subjectAt(1)}”` });
      assert.equal(
        await page.getByRole('grid', { name: 'Messages' }).getAttribute('aria-multiselectable'),
        'true',
      );
      assert.equal(await row.getAttribute('aria-selected'), 'false');

      await page.keyboard.press('Space');
      await page.getByText('1 selected').waitFor();
      assert.equal(await checkbox.isChecked(), true);
      assert.equal(await row.getAttribute('aria-selected'), 'true');
      await expectFocusOnRow(page, subjectAt(1));

      // Left: the row's checkbox, the Tab stop now; Down keeps to the checkbox column.
      await page.keyboard.press('ArrowLeft');
      await checkbox.and(page.locator(':focus')).waitFor();
      await page.keyboard.press('Space');
      await page.getByText('1 selected').waitFor({ state: 'detached' });
      assert.equal(await row.getAttribute('aria-selected'), 'false');
      await page.keyboard.press('ArrowDown');
      await page
        .getByRole('checkbox', { name: `Select “${subjectAt(2)}”` })
        .and(page.locator(':focus'))
        .waitFor();
      await page.keyboard.press('Tab');
      await page.keyboard.press('Shift+Tab');
      await page
        .getByRole('checkbox', { name: `Select “${subjectAt(2)}”` })
        .and(page.locator(':focus'))
        .waitFor();
      await page.keyboard.press('ArrowRight');
      await expectFocusOnRow(page, subjectAt(2));

      const found = await violations(page);
      assert.equal(found.length, 0, describeViolations(found));
    } finally {
      await page.close();
    }
  });

  it('opens the focused row with Enter, and Shift+Tab from the message comes back to that row', async () => {
    const page = await openInbox();
    try {
      await page.locator('.row-link').first().focus();
      await page.keyboard.press('End');
      await expectFocusOnRow(page, subjectAt(MESSAGES - 1));
      await page.keyboard.press('Enter');
      const heading = page.getByRole('heading', { name: subjectAt(MESSAGES - 1) });
      await heading.waitFor();
      await page.locator('h2.message-subject:focus').waitFor();
      assert.equal(new URL(page.url()).pathname, `/messages/${await messageId(subjectAt(MESSAGES - 1))}`);
      // Scrolled away meanwhile: the row holding the Tab stop stays rendered.
      await page.evaluate(`document.querySelector('.vlist').scrollTop = 0`);
      await page.locator('.row-link', { hasText: subjectAt(0) }).waitFor();
      await shiftTabIntoList(page);
      await page.locator('.row-link:focus', { hasText: subjectAt(MESSAGES - 1) }).waitFor();

      // Enter on the row's checkbox opens the row too.
      await page.keyboard.press('Home');
      await expectFocusOnRow(page, subjectAt(0));
      await page.keyboard.press('ArrowLeft');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: subjectAt(0) }).waitFor();
    } finally {
      await page.close();
    }
  });

  it('keeps focus on its row when mail arrives, and on the next row when the focused one is deleted elsewhere', async () => {
    const page = await openInbox();
    try {
      await page.locator('.row-link').first().focus();
      await page.keyboard.press('ArrowDown');
      await expectFocusOnRow(page, subjectAt(1));
      await send(['Late arrival']);
      await page.locator('.row-link', { hasText: 'Late arrival' }).waitFor();
      await page.locator('.row-link:focus', { hasText: subjectAt(1) }).waitFor();

      const response = await fetch(`${sandbox.apiUrl}/api/v1/messages/${await messageId(subjectAt(1))}`, {
        method: 'DELETE',
      });
      assert.ok(response.ok);
      await page.locator('.row-link', { hasText: subjectAt(1) }).waitFor({ state: 'detached' });
      await page
        .locator('.row-link:focus', { hasText: subjectAt(2) })
        .waitFor()
        .catch(async () => assert.fail(`after the delete, focus is on ${await describeFocus(page)}`));
      subjects.splice(1, 1);
      subjects.unshift('Late arrival');
    } finally {
      await page.close();
    }
  });

  it('asks before deleting the focused row with Delete, and keeps focus in the list after', async () => {
    const page = await openInbox();
    try {
      await page.locator('.row-link').first().focus();
      await page.keyboard.press('ArrowDown');
      const doomed = subjectAt(1);
      await expectFocusOnRow(page, doomed);
      await page.keyboard.press('Delete');
      const dialog = page.getByRole('dialog', { name: `Delete “${doomed}”?` });
      await dialog.waitFor();
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
      await expectFocusOnRow(page, doomed);
      // Asked again at once: the first question's closing must not cancel the second.
      await page.keyboard.press('Delete');
      await dialog.getByRole('button', { name: 'Cancel' }).press('Enter');
      await dialog.waitFor({ state: 'hidden' });
      await expectFocusOnRow(page, doomed);

      await page.keyboard.press('Delete');
      await dialog.getByRole('button', { name: 'Delete' }).press('Enter');
      await page.locator('.row-link', { hasText: doomed }).waitFor({ state: 'detached' });
      assert.equal((await sandbox.store.listMessages({ q: `subject:"${doomed}"` })).total, 0);
      subjects.splice(1, 1);
      // Its place in the list is taken by the next row, and so is focus.
      await expectFocusOnRow(page, subjectAt(1));
    } finally {
      await page.close();
    }
  });
});

describe('the session list by keyboard', () => {
  it('is one Tab stop that arrows move through and Enter opens', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.setDefaultTimeout(UI_TIMEOUT_MS);
    try {
      // One session per send: the mail above came in one.
      for (const subject of ['Session one', 'Session two', 'Session three']) await send([subject]);
      await page.goto(`${sandbox.apiUrl}/sessions`);
      const rows = page.locator('.session-row');
      await rows.nth(2).waitFor();
      // The row's link fills its row: the whole width is the target to click, and is highlighted.
      const [linkBox, rowBox] = await Promise.all([
        rows.first().boundingBox(),
        page.locator('[role="row"]').first().boundingBox(),
      ]);
      assert.ok(
        linkBox && rowBox && Math.abs(linkBox.width - rowBox.width) < 2,
        `${linkBox?.width} of ${rowBox?.width}`,
      );
      await page.getByRole('combobox', { name: 'Diagnostic' }).focus();
      await page.keyboard.press('Tab');
      await rows.first().and(page.locator(':focus')).waitFor();
      await page.keyboard.press('Tab');
      assert.equal(
        await focusInList(page),
        false,
        `a second Tab stayed in the list: ${await describeFocus(page)}`,
      );
      await page.keyboard.press('Shift+Tab');
      await rows.first().and(page.locator(':focus')).waitFor();

      await page.keyboard.press('ArrowDown');
      await rows.nth(1).and(page.locator(':focus')).waitFor();
      await page.keyboard.press('End');
      const last = page.locator('[role="row"]').last().locator('.session-row');
      await last.and(page.locator(':focus')).waitFor();
      await page.keyboard.press('Home');
      await rows.first().and(page.locator(':focus')).waitFor();
      await page.keyboard.press('ArrowDown');
      const href = await rows.nth(1).getAttribute('href');
      await page.keyboard.press('Enter');
      await page.locator('h2.message-subject:focus').waitFor();
      assert.equal(new URL(page.url()).pathname, href);
      await shiftTabIntoList(page);
      await page.locator(`.session-row:focus[href="${href}"]`).waitFor();

      const found = await violations(page);
      assert.equal(found.length, 0, describeViolations(found));
    } finally {
      await page.close();
    }
  });
});
