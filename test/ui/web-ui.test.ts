/**
 * The web UI end to end: real Chromium (playwright-core, the Debian package) against the real
 * sandbox serving dist/ui, with real mail sent by nodemailer over STARTTLS+AUTH. Covers live
 * arrival, every message view, a wrong-TLS-mode client in Sessions, search, delete and phone width.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import nodemailer, { type SendMailOptions, type SMTPTransportOptions, type Transporter } from 'nodemailer';
import type { Browser, Page } from 'playwright-core';
import type { ProfileName } from '../../src/profiles/port-profiles.js';
import { launchChromium } from '../helpers/chromium.js';
import { CLIENTS_DIR } from '../helpers/language-clients.js';
import { POSTFIX_UNAVAILABLE, PostfixInstance } from '../helpers/postfix.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { nextClosedSession } from '../helpers/wait.js';

const UI_DIR = resolve('dist/ui');
/** Playwright waits (auto-retrying assertions) are bounded by this. */
const UI_TIMEOUT_MS = 10_000;

let sandbox: TestSandbox;
let browser: Browser;
let page: Page;
/** Every URL the main page and its frames asked for. */
const requested: string[] = [];
/** What the page wrote to the browser's console as errors. */
const consoleErrors: string[] = [];

before(async () => {
  assert.ok(existsSync(join(UI_DIR, 'index.html')), 'dist/ui is missing: run `npm run build` first');
  // Snippets are run against the implicit-TLS port by freshly started programs, next to Chromium:
  // the production wait before the plaintext hint keeps it from beating their ClientHello.
  sandbox = await startTestSandbox({ uiDir: UI_DIR, implicitTlsSilenceMs: 3000 });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.setDefaultTimeout(UI_TIMEOUT_MS);
  page.on('request', (request) => requested.push(request.url()));
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
});

after(async () => {
  await browser?.close();
  await sandbox?.stop();
});

function transport(options: SMTPTransportOptions): Transporter {
  return nodemailer.createTransport({
    host: '127.0.0.1',
    connectionTimeout: 5000,
    greetingTimeout: 5000,
    socketTimeout: 5000,
    ...options,
    tls: { ca: sandbox.caPem, servername: 'localhost' },
  });
}

/** The right settings for the 587-style port: plaintext greeting, STARTTLS, then AUTH. */
async function sendOverStartTls(mail: SendMailOptions): Promise<void> {
  const client = transport({
    port: sandbox.port('submission'),
    secure: false,
    requireTLS: true,
    auth: sandbox.auth,
  });
  try {
    await client.sendMail({ from: 'Acme <hello@acme.example>', to: 'Ada <ada@example.com>', ...mail });
  } finally {
    client.close();
  }
}

const CSV = 'id,total\n1,42.00\n';
/** A "remote" image on another origin that still stays on loopback (nothing listens on port 9). */
const REMOTE_IMAGE = 'http://127.0.0.1:9/open.gif';
const PIXEL_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC',
  'base64',
);

/** Runs a pasted snippet the way a user would: the program reads it from standard input. */
function runWithInput(
  command: string,
  args: string[],
  input: string,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(command, args, { cwd: process.cwd(), stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolveRun({ code, output }));
    child.stdin.end(input);
  });
}

function nav() {
  return page.getByRole('navigation', { name: 'Main' });
}

function messageRow(subject: string) {
  return page.locator('.row-link', { hasText: subject });
}

describe('web UI', () => {
  it('shows mail sent over STARTTLS+AUTH live, without a reload, and announces it', async () => {
    await page.goto(sandbox.apiUrl);
    await page.getByText('No mail yet.').waitFor();
    await page.locator('.live-live').waitFor();

    await sendOverStartTls({
      bcc: 'audit@acme.example',
      // Non-ASCII, so the Subject header travels as RFC 2047 encoded-words.
      subject: 'Welcome to Acme — café ☕',
      text: 'Plain welcome text.',
      html:
        '<h1>Hello HTML</h1><img alt="logo" src="cid:logo@acme">' +
        `<img alt="tracker" src="${REMOTE_IMAGE}">` +
        '<script>document.body.append(Object.assign(document.createElement("p"), { id: "script-ran" }))</script>',
      attachments: [
        { filename: 'report.csv', content: CSV, contentType: 'text/csv' },
        { filename: 'logo.png', content: PIXEL_PNG, cid: 'logo@acme' },
      ],
    });

    await messageRow('Welcome to Acme').waitFor();
    await page
      .locator('[aria-live="polite"]', { hasText: 'New message from Acme: Welcome to Acme' })
      .waitFor({ state: 'attached' });
    assert.equal(await page.locator('.row-unread').count(), 1);
    await nav().getByRole('link', { name: 'Inbox 1 unread' }).waitFor();
  });

  it('opens the message with its delivery facts and HTML in a script-free sandbox', async () => {
    await messageRow('Welcome to Acme').click();
    await page.getByRole('heading', { name: 'Welcome to Acme' }).waitFor();
    const facts = page.locator('.facts');
    await facts.getByText(`:${sandbox.port('submission')}`).waitFor();
    await facts.getByText('STARTTLS', { exact: true }).waitFor();
    await facts.getByText(/TLSv1\.[23]/).waitFor();
    await facts.locator('.fact', { hasText: 'AUTH' }).getByText(sandbox.auth.user, { exact: true }).waitFor();
    await facts.locator('.rcpt', { hasText: 'audit@acme.example' }).getByText('bcc').waitFor();
    // Opening marks it read (PATCH), in the list and in the API.
    await page.locator('.row-unread').waitFor({ state: 'detached' });
    await nav().getByRole('link', { name: 'Inbox' }).locator('.badge').waitFor({ state: 'detached' });

    const iframe = page.locator('iframe.preview-frame');
    assert.equal(await iframe.getAttribute('sandbox'), 'allow-popups allow-popups-to-escape-sandbox');
    const frame = page.frameLocator('iframe.preview-frame');
    await frame.getByRole('heading', { name: 'Hello HTML' }).waitFor();
    assert.equal(await frame.locator('#script-ran').count(), 0, 'scripts in the message never run');
    // The cid: image is served by the API and rendered; the remote one is blocked until allowed.
    const srcdoc = page.frames().find((candidate) => candidate.url() === 'about:srcdoc');
    assert.ok(srcdoc, 'the preview iframe is a srcdoc frame');
    // Page-side code as a string: this test is compiled without the DOM library.
    await srcdoc.waitForFunction('document.querySelector(\'img[alt="logo"]\').naturalWidth > 0');
    assert.ok(!requested.includes(REMOTE_IMAGE), 'the remote image is not fetched before the user allows it');
    await page.getByText('1 remote resource blocked').waitFor();
    // Blocked quietly: the disarmed image is no policy violation for the console to report (the
    // blocked <script> of this message is reported, by Chromium's sandbox).
    assert.deepEqual(
      consoleErrors.filter((text) => /Content Security Policy/i.test(text)),
      [],
    );
    const remoteRequest = page.waitForRequest(REMOTE_IMAGE);
    await page.getByRole('button', { name: 'Load remote images' }).click();
    await page.getByText('Remote content loaded').waitFor();
    await remoteRequest;

    await page.getByRole('button', { name: 'Phone (375 px)' }).click();
    assert.equal(await iframe.evaluate((element) => element.getBoundingClientRect().width), 375);
  });

  it('shows the text, headers, raw source (.eml download) and attachments', async () => {
    await page.getByRole('tab', { name: 'Text' }).click();
    await page.locator('.text-body', { hasText: 'Plain welcome text.' }).waitFor();

    await page.getByRole('tab', { name: 'Headers' }).click();
    const subjectRow = page.locator('.headers-table tr', {
      has: page.getByRole('rowheader', { name: 'Subject' }),
    });
    assert.equal(await subjectRow.locator('td').textContent(), 'Welcome to Acme — café ☕');

    await page.getByRole('tab', { name: 'Raw' }).click();
    await page.locator('.raw-source', { hasText: 'Subject: =?UTF-8?' }).waitFor();
    const [eml] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download .eml', exact: true }).click(),
    ]);
    assert.match(eml.suggestedFilename(), /\.eml$/);
    assert.match(await readFile(await eml.path(), 'utf8'), /Plain welcome text\./);

    await page.getByRole('tab', { name: /Attachments/ }).click();
    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download report.csv' }).click(),
    ]);
    assert.equal(csv.suggestedFilename(), 'report.csv');
    assert.equal(await readFile(await csv.path(), 'utf8'), CSV);
  });

  it('puts a client with the wrong TLS mode in front of the user with the right diagnostic and fix', async () => {
    const closed = nextClosedSession(sandbox.bus, (session) =>
      session.diagnostics.some((diagnostic) => diagnostic.code === 'implicit-tls-on-starttls-port'),
    );
    // The classic mistake: `secure: true` (implicit TLS) against the STARTTLS port.
    const wrong = transport({ port: sandbox.port('submission'), secure: true, auth: sandbox.auth });
    await assert.rejects(
      wrong.sendMail({ from: 'app@example.com', to: 'a@example.com', subject: 'x', text: 'x' }),
    );
    wrong.close();
    const session = await closed;

    await page.getByRole('alert').filter({ hasText: 'A client failed' }).waitFor();
    await page.locator('.nav-item .badge-alert').waitFor();
    await nav().getByRole('link', { name: 'Sessions' }).click();
    assert.equal(await page.getByRole('switch', { name: 'Problems only' }).isChecked(), true);
    await page.locator(`a[href="/sessions/${session.id}"]`).click();
    await page
      .locator('.diagnostic-message', { hasText: 'The client started a TLS handshake at once' })
      .waitFor();
    await page.locator('.diagnostic-fix', { hasText: 'secure: false' }).waitFor();
    assert.ok((await page.locator('.transcript .t-line').count()) > 0);
  });

  it('shows a refused login as such in the session facts, not as no AUTH at all', async () => {
    const closed = nextClosedSession(sandbox.bus, (session) =>
      session.diagnostics.some((diagnostic) => diagnostic.code === 'auth-failed'),
    );
    const wrong = transport({
      port: sandbox.port('submission'),
      requireTLS: true,
      auth: { user: sandbox.auth.user, pass: 'not-the-password' },
    });
    await assert.rejects(wrong.sendMail({ from: 'app@example.com', to: 'a@example.com', text: 'x' }));
    wrong.close();
    const session = await closed;
    await page.goto(`${sandbox.apiUrl}/sessions/${session.id}`);
    const authFact = page.locator('.session-facts .fact', { hasText: 'AUTH' });
    await authFact.locator('.fact-refused', { hasText: 'Refused' }).waitFor();
    await page.locator('.diagnostic-fix', { hasText: '--auth-any' }).waitFor();
  });

  it("decodes a refused OAuth token's 334 error challenge in the transcript", async () => {
    const startedAfter = Date.now();
    const closed = nextClosedSession(
      sandbox.bus,
      (session) =>
        Date.parse(session.startedAt) >= startedAfter &&
        session.diagnostics.some((diagnostic) => diagnostic.code === 'auth-failed'),
    );
    const wrong = transport({
      port: sandbox.port('submission'),
      requireTLS: true,
      auth: { type: 'OAuth2', user: sandbox.auth.user, accessToken: 'not-the-token' },
    });
    await assert.rejects(wrong.sendMail({ from: 'app@example.com', to: 'a@example.com', text: 'x' }));
    wrong.close();
    const session = await closed;
    await page.goto(`${sandbox.apiUrl}/sessions/${session.id}`);
    const challenge = page.locator('.t-line', { hasText: '334 eyJ' });
    await challenge
      .locator('.t-decoded', { hasText: '{"status":"401","schemes":"bearer"}' })
      .first()
      .waitFor();
    await page.locator('.diagnostic-message', { hasText: 'OAuth 2.0 token' }).waitFor();
  });

  it('searches with the q syntax', async () => {
    await sendOverStartTls({ subject: 'Invoice 2026-07', text: 'Amount due.' });
    await sendOverStartTls({ subject: 'Password reset', text: 'Reset link.' });
    await nav().getByRole('link', { name: 'Inbox' }).click();
    await messageRow('Password reset').waitFor();

    await page.keyboard.press('/');
    await page.getByRole('searchbox', { name: 'Search messages' }).fill('subject:invoice');
    await page.locator('.row-link').first().filter({ hasText: 'Invoice 2026-07' }).waitFor();
    await page.getByText('1 message', { exact: true }).waitFor();
    assert.equal(await page.locator('.row-link').count(), 1);
    assert.equal(await page.getByRole('status').filter({ hasText: 'searched as text' }).count(), 0);

    // A key:value the search cannot use is searched as text, and the field says so.
    await page.getByRole('searchbox', { name: 'Search messages' }).fill('subject:invoice after:zzz');
    await page.getByText('0 messages', { exact: true }).waitFor();
    await page
      .getByRole('status')
      .filter({ hasText: 'after:zzz is not a date, so it was searched as text: use YYYY-MM-DD' })
      .waitFor();

    await page.getByRole('searchbox', { name: 'Search messages' }).fill('');
    await page.getByText('3 messages', { exact: true }).waitFor();
    assert.equal(await page.locator('.search-notes').count(), 0);
  });

  it('moves through messages with j and k, and lists the shortcuts on ?', async () => {
    // Newest first: Password reset, Invoice 2026-07, Welcome to Acme.
    await page.locator('body').click({ position: { x: 900, y: 600 } });
    await page.keyboard.press('j');
    await page.getByRole('heading', { name: 'Password reset' }).waitFor();
    await page.keyboard.press('j');
    await page.getByRole('heading', { name: 'Invoice 2026-07' }).waitFor();
    await page.keyboard.press('j');
    await page.getByRole('heading', { name: 'Welcome to Acme' }).waitFor();
    await page.keyboard.press('k');
    await page.getByRole('heading', { name: 'Invoice 2026-07' }).waitFor();
    assert.equal(await messageRow('Invoice 2026-07').getAttribute('aria-current'), 'true');

    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await help.getByText('Next message or session').waitFor();
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'hidden' });
  });

  it('deletes the open message with the Delete key and selected ones with the toolbar', async () => {
    await messageRow('Invoice 2026-07').click();
    // Focus in the open message: Delete there deletes it at once (on a row in the list it asks).
    await page.getByRole('heading', { name: 'Invoice 2026-07' }).click();
    await page.keyboard.press('Delete');
    await messageRow('Invoice 2026-07').waitFor({ state: 'detached' });
    assert.equal((await sandbox.store.listMessages({ q: 'subject:invoice' })).total, 0);

    await page.getByRole('checkbox', { name: 'Select “Password reset”' }).check();
    await page.getByRole('toolbar').getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await messageRow('Password reset').waitFor({ state: 'detached' });
    await page.getByText('1 message', { exact: true }).waitFor();
  });

  it('follows deletes made elsewhere (the HTTP API) live, closing the open message', async () => {
    await sendOverStartTls({ subject: 'Short-lived notice', text: 'Soon gone.' });
    await messageRow('Short-lived notice').click();
    await page.getByRole('heading', { name: 'Short-lived notice' }).waitFor();
    const id = (await sandbox.store.listMessages({ q: 'subject:short-lived' })).items[0]?.id;
    assert.ok(id);
    const response = await fetch(`${sandbox.apiUrl}/api/v1/messages/${id}`, { method: 'DELETE' });
    assert.ok(response.ok);
    await messageRow('Short-lived notice').waitFor({ state: 'detached' });
    await page.getByText('Select a message to read it.').waitFor();
    assert.equal(new URL(page.url()).pathname, '/');
  });

  it('works at phone width: one pane at a time, bottom navigation, back button', async () => {
    const phone = await browser.newPage({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    phone.setDefaultTimeout(UI_TIMEOUT_MS);
    try {
      await phone.goto(sandbox.apiUrl);
      const row = phone.locator('.row-link', { hasText: 'Welcome to Acme' });
      await row.click();
      await phone.getByRole('heading', { name: 'Welcome to Acme' }).waitFor();
      assert.equal(await phone.locator('.list-pane').isVisible(), false);
      const nav = await phone.getByRole('navigation', { name: 'Main' }).boundingBox();
      assert.ok(nav !== null && nav.y + nav.height >= 844 - 1, 'navigation sits at the bottom');
      const width = Number(await phone.evaluate('document.documentElement.scrollWidth'));
      assert.ok(width <= 390, `no horizontal overflow (page is ${width}px wide)`);
      await phone.getByRole('button', { name: 'Back to the inbox' }).click();
      await row.waitFor();
    } finally {
      await phone.close();
    }
  });

  it('sets up clients with the real ports and credentials, and offers the CA certificate', async () => {
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: sandbox.apiUrl });
    await nav().getByRole('link', { name: 'Setup' }).click();
    for (const listener of sandbox.info().listeners) {
      await page
        .locator('.listener-card', { hasText: String(listener.port) })
        .getByText(listener.label)
        .waitFor();
    }
    const [ca] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download mailport-ca.pem' }).click(),
    ]);
    assert.equal(await readFile(await ca.path(), 'utf8'), sandbox.caPem);

    // nodemailer against the 587-style port is the default pair.
    const code = page.locator('.code-block pre');
    const nodemailerSnippet = (await code.textContent()) ?? '';
    assert.match(nodemailerSnippet, new RegExp(`port: ${sandbox.port('submission')},`));
    assert.match(nodemailerSnippet, /secure: false, [^\n]*STARTTLS/);
    assert.match(nodemailerSnippet, /requireTLS: true/);
    assert.match(
      nodemailerSnippet,
      new RegExp(`auth: \\{ user: '${sandbox.auth.user}', pass: '${sandbox.auth.pass}' \\}`),
    );

    const snippets = page.locator('.snippets');
    await snippets.getByRole('button', { name: `:${sandbox.port('submissions')}` }).click();
    await snippets.getByRole('tab', { name: 'Python · smtplib' }).click();
    await snippets.getByRole('button', { name: 'Copy', exact: true }).click();
    await snippets.getByRole('button', { name: 'Copied' }).waitFor();
    const copied = String(await page.evaluate('navigator.clipboard.readText()'));
    assert.match(
      copied,
      new RegExp(
        `smtplib\\.SMTP_SSL\\("127\\.0\\.0\\.1", ${sandbox.port('submissions')}, context=context\\)`,
      ),
    );
    assert.match(copied, new RegExp(`smtp\\.login\\("${sandbox.auth.user}", "${sandbox.auth.pass}"\\)`));
    assert.doesNotMatch(copied, /starttls/);

    // Postfix dials loopback by address (it looks relays up in DNS) and matches the certificate's
    // name; the relay port takes mail without AUTH, so no password map.
    await snippets.getByRole('button', { name: `:${sandbox.port('relay')}` }).click();
    await snippets.getByRole('tab', { name: 'Postfix relayhost' }).click();
    const postfix = (await code.textContent()) ?? '';
    assert.match(postfix, new RegExp(`'relayhost = \\[127\\.0\\.0\\.1\\]:${sandbox.port('relay')}'`));
    assert.match(postfix, /'smtp_tls_secure_cert_match = localhost'/);
    assert.doesNotMatch(postfix, /sasl/);
  });

  it('gives client settings that deliver when pasted into the real clients', async () => {
    const snippets = page.locator('.snippets');
    // PHP code needs its opening tag and the autoloader, which the user's file already has.
    const php = "<?php\nrequire '/usr/share/php/libphp-phpmailer/autoload.php';\n";
    // Rails settings run as a Rails app runs them: ActionMailer hands them to the Mail gem.
    const rails = [
      "require 'mail'; require 'ostruct'",
      'config = OpenStruct.new(action_mailer: OpenStruct.new)',
      'eval(STDIN.read)',
      "mail = Mail.new(from: 'app@example.com', to: 'you@example.com', subject: 'Hello from Mailport', body: 'It works.')",
      'mail.delivery_method(config.action_mailer.delivery_method, config.action_mailer.smtp_settings)',
      'mail.deliver!',
    ].join('\n');
    // Swoosh's settings as an Elixir app reads its config file and hands them to gen_smtp.
    const swoosh = `config=$(mktemp --suffix=.exs) && cat > "$config" && MP_CONFIG="$config" MP_FROM=app@example.com MP_TO=you@example.com MP_SUBJECT='Hello from Mailport' elixir ${join(CLIENTS_DIR, 'send_gen_smtp.exs')}; status=$?; rm -f "$config"; exit $status`;
    const runs: [ProfileName, string, string, string[], string][] = [
      ['submission', 'Node.js · nodemailer', process.execPath, ['--input-type=module'], ''],
      ['alternate', 'nodemailer · OAuth2', process.execPath, ['--input-type=module'], ''],
      ['submissions', 'Python · smtplib', 'python3', ['-'], ''],
      ['alternate', 'curl', 'bash', ['-s'], ''],
      ['relay', 'swaks', 'bash', ['-s'], ''],
      ['submission', 'PHPMailer', 'php', [], php],
      ['submissions', 'PHPMailer', 'php', [], php],
      ['alternate', 'Rails', 'ruby', ['-e', rails], ''],
      ['submissions', 'Rails', 'ruby', ['-e', rails], ''],
      ['submission', 'Elixir · Swoosh', 'bash', ['-c', swoosh], ''],
      ['submissions', 'Elixir · Swoosh', 'bash', ['-c', swoosh], ''],
    ];
    for (const [profile, client, command, args, prefix] of runs) {
      await snippets.getByRole('button', { name: `:${sandbox.port(profile)}` }).click();
      await snippets.getByRole('tab', { name: client }).click();
      const code = (await snippets.locator('.code-block pre').textContent()) ?? '';
      const result = await runWithInput(command, args, prefix + code);
      assert.equal(result.code, 0, `${client} on the ${profile} port failed:\n${code}\n${result.output}`);
    }
    const delivered = await sandbox.store.listMessages({ q: 'subject:"Hello from Mailport"' });
    assert.deepEqual(delivered.items.map((message) => message.listener.profile).sort(), [
      'alternate',
      'alternate',
      'alternate',
      'relay',
      'submission',
      'submission',
      'submission',
      'submissions',
      'submissions',
      'submissions',
      'submissions',
    ]);
    const mechanisms = await Promise.all(
      delivered.items.map(async (message) => (await sandbox.store.getMessage(message.id))?.auth?.mechanism),
    );
    assert.equal(mechanisms.filter((mechanism) => mechanism === 'XOAUTH2').length, 1);
  });

  it('gives Postfix relayhost settings that deliver when pasted', {
    skip: POSTFIX_UNAVAILABLE ?? false,
  }, async () => {
    const snippets = page.locator('.snippets');
    for (const profile of ['relay', 'submissions'] as const) {
      await snippets.getByRole('button', { name: `:${sandbox.port(profile)}` }).click();
      await snippets.getByRole('tab', { name: 'Postfix relayhost' }).click();
      const code = (await snippets.locator('.code-block pre').textContent()) ?? '';
      const postfix = await PostfixInstance.start();
      try {
        const output = await postfix.paste(code);
        await postfix.send('you@example.com');
        const log = await postfix.outcome('you@example.com');
        assert.match(log, /status=sent/, `${profile}:\n${code}\n${output}\nPostfix logged:\n${log}`);
      } finally {
        await postfix.stop();
      }
    }
    const relayed = await sandbox.store.listMessages({ q: 'subject:"relayed by Postfix"' });
    assert.deepEqual(relayed.items.map((message) => message.listener.profile).sort(), [
      'relay',
      'submissions',
    ]);
  });

  it('renders at three widths and clears all mail', async (t) => {
    const shots = await mkdtemp(join(tmpdir(), 'mailport-ui-'));
    t.diagnostic(`screenshots: ${shots}`);
    const welcome = (await sandbox.store.listMessages({ q: 'subject:welcome' })).items[0];
    assert.ok(welcome);
    for (const [name, width, height] of [
      ['desktop', 1440, 900],
      ['tablet', 1024, 768],
      ['phone', 390, 844],
    ] as const) {
      await page.setViewportSize({ width, height });
      await page.goto(`${sandbox.apiUrl}/messages/${welcome.id}`);
      await page.getByRole('heading', { name: 'Welcome to Acme' }).waitFor();
      const pageWidth = Number(await page.evaluate('document.documentElement.scrollWidth'));
      assert.ok(pageWidth <= width, `${name}: no horizontal overflow (page is ${pageWidth}px wide)`);
      const path = join(shots, `message-${name}.png`);
      await page.screenshot({ path });
      assert.ok((await stat(path)).size > 10_000);
    }
    await page.setViewportSize({ width: 1440, height: 900 });
    await nav().getByRole('link', { name: 'Inbox' }).click();
    await page.getByRole('button', { name: 'Clear all' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await page.getByText('No mail yet.').waitFor();
    assert.equal((await sandbox.store.listMessages({})).total, 0);
  });

  it('clears every session from the Sessions view, and the problem badge with them', async () => {
    await page.setViewportSize({ width: 1440, height: 900 });
    assert.ok(
      (await sandbox.store.listSessions({ problems: true })).total > 0,
      'earlier tests left problems',
    );
    await page.goto(`${sandbox.apiUrl}/sessions`);
    await page.locator('.nav-item .badge-alert').waitFor();
    await page.getByRole('button', { name: 'Clear all' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('Captured messages stay.').waitFor();
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await page.getByText(/No sessions with problems|No SMTP sessions yet/).waitFor();
    await page.locator('.nav-item .badge-alert').waitFor({ state: 'detached' });
    assert.equal((await sandbox.store.listSessions({})).total, 0);
  });
});
