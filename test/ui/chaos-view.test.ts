/**
 * Chaos rules in the web UI, end to end: real Chromium against a sandbox started by the public
 * `startSandbox({ chaos })`, real mail sent by nodemailer, and every change checked on the server
 * through the typed client. Covers the sidebar warning (also when rules change elsewhere), the
 * counters, the chaos badge in a transcript, adding (text, preset), a refused rule, removing one
 * and removing all.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import nodemailer from 'nodemailer';
import type { Browser, Page } from 'playwright-core';
import { type Sandbox, startSandbox } from '../../src/testing/sandbox.js';
import { launchChromium } from '../helpers/chromium.js';

const UI_DIR = resolve('dist/ui');
/** Above the UI's 5 s poll, which is how a change made outside the UI shows up. */
const UI_TIMEOUT_MS = 10_000;

let sandbox: Sandbox;
let browser: Browser;
let page: Page;

before(async () => {
  assert.ok(existsSync(join(UI_DIR, 'index.html')), 'dist/ui is missing: run `npm run build` first');
  sandbox = await startSandbox({ chaos: ['rcpt:451,match=*@flaky.test,times=2,id=flaky'] });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.setDefaultTimeout(UI_TIMEOUT_MS);
});

after(async () => {
  await browser?.close();
  await sandbox?.stop();
});

/** Sends one message over the relay port; resolves with the SMTP reply code of a refusal, or 250. */
async function send(to: string): Promise<number> {
  const transport = nodemailer.createTransport({ ...sandbox.transportOptions('relay'), socketTimeout: 5000 });
  try {
    await transport.sendMail({ from: 'app@example.com', to, subject: 'chaos', text: 'x' });
    return 250;
  } catch (error) {
    return (error as { responseCode?: number }).responseCode ?? 0;
  } finally {
    transport.close();
  }
}

function chaosLink() {
  return page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Chaos/ });
}

function ruleRow(id: string) {
  return page.locator('.chaos-table tbody tr', {
    has: page.getByRole('rowheader', { name: id, exact: true }),
  });
}

function ruleInput() {
  return page.getByRole('textbox', { name: 'Rule', exact: true });
}

async function addRuleText(text: string): Promise<void> {
  await ruleInput().fill(text);
  await page.getByRole('button', { name: 'Add rule' }).click();
}

describe('chaos rules in the web UI', () => {
  it('warns in the sidebar while a rule from startSandbox({ chaos }) is active, and counts its firings live', async () => {
    await page.goto(sandbox.apiUrl);
    await chaosLink().and(page.locator('.nav-item-warn')).waitFor();
    assert.equal(await chaosLink().textContent(), 'Chaos1 rule active');

    await chaosLink().click();
    await page.getByRole('heading', { name: 'Chaos rules' }).waitFor();
    const row = ruleRow('flaky');
    await row.waitFor();
    assert.equal(await row.locator('.chaos-fired').textContent(), '0');
    assert.equal(await row.locator('.chaos-client').textContent(), 'every client');
    assert.match(
      (await row.textContent()) ?? '',
      /rcpt451 4\.3\.0Temporary failure injected.*\*@flaky\.test/,
    );

    assert.equal(await send('bob@flaky.test'), 451);
    // No reload: the closed session makes the view read the counters again.
    await row.locator('.chaos-fired', { hasText: /^1$/ }).waitFor();
    await row.getByText('1 of 2 left').waitFor();
  });

  it('marks the chaos line of the session transcript with a badge and links to the rules', async () => {
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: /^Sessions/ })
      .click();
    const sessionRow = page.locator('.session-row').first();
    // Failed by the rule alone: marked as chaos, not as a problem of the client.
    assert.equal(await sessionRow.locator('.chaos-badge').textContent(), 'chaos');
    assert.equal(await sessionRow.locator('.status-ok').count(), 1);
    await sessionRow.click();
    const line = page.locator('.t-chaos');
    await line.waitFor();
    assert.equal(await line.count(), 1);
    assert.equal(await line.locator('.chaos-badge').textContent(), 'chaos');
    assert.match(
      (await line.locator('.t-text').textContent()) ?? '',
      /^chaoschaos rule flaky \(rcpt:451\/4\.3\.0,times=2,match=\*@flaky\.test\) fired for <bob@flaky\.test>/,
    );
    // The reply the rule injected is the next line; ordinary event lines get no badge.
    assert.match(
      (await page.locator('.t-chaos + .t-line').textContent()) ?? '',
      /451 4\.3\.0 Temporary failure injected/,
    );
    assert.ok((await page.locator('.t-event:not(.t-chaos)').count()) > 0);
    await page.locator('.chaos-note').getByRole('link', { name: 'See the chaos rules' }).click();
    await page.getByRole('heading', { name: 'Chaos rules' }).waitFor();
  });

  it('follows rules changed outside the UI without a reload (polling)', async () => {
    await sandbox.client.setChaos(['rcpt:451,match=*@flaky.test,times=2,id=flaky', 'mail:452,id=full']);
    await chaosLink().filter({ hasText: '2 rules active' }).waitFor();
    await ruleRow('full').waitFor();
  });

  it('adds a rule typed in the text syntax; it is active on the server and the others keep their state', async () => {
    await sandbox.client.setChaos(['rcpt:451,match=*@flaky.test,times=2,id=flaky']);
    await ruleRow('full').waitFor({ state: 'detached' });
    assert.equal(await send('carol@flaky.test'), 451);
    await ruleRow('flaky').getByText('1 of 2 left').waitFor();

    await addRuleText('rcpt:550/5.1.1,match=*@bounce.test,text=No such user here');
    // Without id= it is numbered by its position, as the server numbers rules.
    const added = ruleRow('chaos-2');
    await added.waitFor();
    await added.getByText('550 5.1.1').waitFor();
    assert.equal(await ruleInput().inputValue(), '', 'the input is cleared once the rule is in force');
    await chaosLink().filter({ hasText: '2 rules active' }).waitFor();

    const rules = await sandbox.client.getChaos();
    assert.deepEqual(
      rules.map((rule) => ({ id: rule.id, times: rule.times, remaining: rule.remaining, match: rule.match })),
      [
        // A PUT restarts the counters: the flaky rule keeps only the one firing it had left.
        { id: 'flaky', times: 1, remaining: 1, match: '*@flaky.test' },
        { id: 'chaos-2', times: undefined, remaining: null, match: '*@bounce.test' },
      ],
    );
    assert.deepEqual(rules[1]?.action, {
      type: 'reply',
      code: 550,
      enhancedCode: '5.1.1',
      text: 'No such user here',
    });
    assert.equal(await send('dave@bounce.test'), 550);
    assert.equal(await send('erin@flaky.test'), 451);
    assert.equal(await send('erin@flaky.test'), 250, 'the flaky rule is spent after its last firing');
  });

  it('shows the client network of a rule added with client=, which spares other networks', async () => {
    await addRuleText('connect:421,client=192.0.2.0/24,id=far');
    const far = ruleRow('far');
    await far.waitFor();
    assert.equal(await far.locator('.chaos-client').textContent(), '192.0.2.0/24');
    assert.equal((await sandbox.client.getChaos()).find((rule) => rule.id === 'far')?.client, '192.0.2.0/24');
    assert.equal(await send('grace@example.com'), 250, 'a client on 127.0.0.1 is greeted as usual');
    assert.equal((await sandbox.client.getChaos()).find((rule) => rule.id === 'far')?.fired, 0);
  });

  it("shows the server's refusal (errors[].path and message) next to the input, and changes nothing", async () => {
    const before = await sandbox.client.getChaos();
    await addRuleText('rcpt:451/5.1.1');
    const error = page.locator('#chaos-rule-error');
    await error.waitFor();
    const index = before.filter((rule) => rule.remaining !== 0).length;
    assert.match(
      (await error.textContent()) ?? '',
      new RegExp(
        `/rules/${index}/action/enhancedCode the enhanced code 5\\.1\\.1 must have the class of the reply code 451`,
      ),
    );
    assert.equal(await ruleInput().getAttribute('aria-invalid'), 'true');
    assert.match((await ruleInput().getAttribute('aria-describedby')) ?? '', /chaos-rule-error/);
    assert.equal(await ruleInput().inputValue(), 'rcpt:451/5.1.1', 'the refused text stays for fixing');
    assert.deepEqual(await sandbox.client.getChaos(), before);

    // A typo the shared parser catches gets the same place, before any PUT.
    await addRuleText('rpct:451');
    await error.filter({ hasText: 'stage unknown stage "rpct"; the stages are connect, ehlo' }).waitFor();
    assert.deepEqual(await sandbox.client.getChaos(), before);
    await ruleInput().fill('');
    await error.waitFor({ state: 'detached' });
  });

  it('adds a preset in one click and removes a single rule', async () => {
    await page.getByRole('button', { name: /^Greeting delayed 10 s/ }).click();
    const preset = page.locator('.chaos-table tbody tr', { hasText: 'delay 10 s' });
    await preset.waitFor();
    const id = (await preset.getByRole('rowheader').textContent()) ?? '';
    const added = (await sandbox.client.getChaos()).find((rule) => rule.id === id);
    assert.deepEqual(
      { stage: added?.stage, action: added?.action },
      { stage: 'connect', action: { type: 'delay', delayMs: 10_000 } },
    );

    await page.getByRole('button', { name: `Remove rule ${id}` }).click();
    await preset.waitFor({ state: 'detached' });
    const ids = (await sandbox.client.getChaos()).map((rule) => rule.id);
    assert.ok(!ids.includes(id), `rule ${id} is still on the server: ${ids.join(', ')}`);
    assert.ok(ids.includes('chaos-2'), 'the other rules stay');
  });

  it('"Remove all" asks first, clears the server, and the sidebar warning goes away', async () => {
    const removeAll = page.locator('.section-head').getByRole('button', { name: 'Remove all' });
    await removeAll.click();
    const dialog = page.getByRole('dialog', { name: 'Remove every chaos rule?' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    assert.ok((await sandbox.client.getChaos()).length > 0, 'Cancel removes nothing');

    await removeAll.click();
    await dialog.getByRole('button', { name: 'Remove all' }).click();
    await page.getByText('No chaos rules: every SMTP stage behaves normally.').waitFor();
    assert.deepEqual(await sandbox.client.getChaos(), []);
    await chaosLink().and(page.locator('.nav-item-warn')).waitFor({ state: 'detached' });
    assert.equal(await chaosLink().textContent(), 'Chaos');
    assert.equal(await send('frank@bounce.test'), 250);
  });

  it('keeps the warning visible at phone width, in the bottom bar', async () => {
    await sandbox.client.setChaos(['message:451,times=1']);
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
    try {
      await phone.goto(`${sandbox.apiUrl}/chaos`);
      const link = phone
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: /^Chaos ?1 rule active$/ });
      await link.waitFor({ timeout: UI_TIMEOUT_MS });
      const box = await link.boundingBox();
      assert.ok(
        box !== null && box.y + box.height <= 844 && box.x + box.width <= 390,
        'the warning is on screen',
      );
      // The rules table scrolls inside its own region; the page itself must not scroll sideways.
      await phone.locator('.chaos-table').waitFor();
      const overflow = await phone.evaluate(
        `(() => { const view = document.querySelector('.page'); return view.scrollWidth - view.clientWidth; })()`,
      );
      assert.equal(overflow, 0, 'the Chaos view overflows the phone width');
    } finally {
      await phone.close();
    }
  });
});
