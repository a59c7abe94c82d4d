/**
 * Content checks on crafted messages, through the real HTTP API over a real SQLite store: each
 * check fires on the message made to fail it, and none fires on a clean one. DNS goes to a local
 * test server (which knows no names), so nothing leaves the machine.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import type Mail from 'nodemailer/lib/mailer/index.js';
import { displayedHost, localHostReason } from '../../src/deliverability/hosts.js';
import type { ContentFinding, DeliverabilityReport } from '../../src/index.js';
import { MailportClient } from '../../src/index.js';
import { repoPath } from '../helpers/repo-paths.js';
import { type ApiHarness, startApiHarness } from '../http/harness.js';
import { startDnsServer, type TestDnsServer } from './dns-server.js';

const run = promisify(execFile);

const CLEAN: Mail.Options = {
  from: 'Shop <news@example.com>',
  to: 'alice@example.org',
  subject: 'Your order has shipped',
  text: 'Track it at https://example.com/track?o=1',
  html: '<p>Track it <a href="https://example.com/track?o=1">here</a> or at <a href="https://www.example.com/orders">example.com</a>.</p><img src="https://cdn.example.com/logo.png" alt="Shop"><img src="https://cdn.example.com/spacer.gif" alt="">',
  headers: {
    'List-Unsubscribe': '<https://example.com/unsubscribe?u=1>',
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  },
};

describe('deliverability checks: content', () => {
  let dns: TestDnsServer;
  let harness: ApiHarness;
  let client: MailportClient;

  before(async () => {
    dns = await startDnsServer();
    harness = await startApiHarness({
      deliverability: {
        sendingIp: null,
        dns: { server: dns.server, queryTimeoutMs: 1000, budgetMs: 2000 },
        probe: { maxLinks: 5, timeoutMs: 1000, maxRedirects: 2, concurrency: 2 },
        spamAssassin: null,
      },
    });
    client = new MailportClient(harness.url);
  });
  after(async () => {
    await harness.close();
    await dns.close();
  });

  const check = async (mail: Mail.Options): Promise<DeliverabilityReport> =>
    client.checks(await harness.deliver(mail));

  const byId = (report: DeliverabilityReport): Map<string, ContentFinding> =>
    new Map(report.content.map((finding) => [finding.id, finding]));

  test('a clean message has no content finding and no link problem', async () => {
    const report = await check(CLEAN);
    assert.deepEqual(report.content, []);
    assert.deepEqual(
      report.links.map((link) => [link.element, link.url, link.text, link.problems]),
      [
        ['a', 'https://example.com/track?o=1', 'here', []],
        ['a', 'https://www.example.com/orders', 'example.com', []],
        ['img', 'https://cdn.example.com/logo.png', 'Shop', []],
        ['img', 'https://cdn.example.com/spacer.gif', '', []],
        ['text', 'https://example.com/track?o=1', '', []],
      ],
    );
    assert.ok(
      report.links.every((link) => link.probe === null),
      'links are probed only when asked',
    );
  });

  test('HTML without a text part, unsafe and development links, blocked elements', async () => {
    const report = await check({
      ...CLEAN,
      text: undefined,
      html: [
        '<p><a href="http://localhost:3000/reset?t=1&amp;u=2">Reset</a>',
        '<a href="https://10.0.0.5/a">a</a> <a href="https://app.internal/b">b</a>',
        '<a href="http://web:8080/c">c</a> <a href="https://[::1]/d">d</a>',
        '<a href="https://click.tracker.example.net/x">https://example.com/account</a></p>',
        '<img src="http://cdn.example.com/a.png" alt="A"><img src="https://cdn.example.com/b.png">',
        '<script>alert(1)</script><form action="https://example.com/f"></form>',
        '<iframe src="https://example.com/v"></iframe><object data="x.swf"></object><embed src="y.swf">',
      ].join(''),
    });
    const findings = byId(report);
    assert.deepEqual([...findings.keys()].sort(), [
      'development-url',
      'embedded-object',
      'form-element',
      'html-without-text',
      'iframe-element',
      'image-without-alt',
      'insecure-image',
      'insecure-link',
      'link-text-mismatch',
      'script-element',
    ]);
    assert.deepEqual(findings.get('development-url')?.evidence, [
      'http://localhost:3000/reset?t=1&u=2',
      'https://10.0.0.5/a',
      'https://app.internal/b',
      'http://web:8080/c',
      'https://[::1]/d',
    ]);
    assert.equal(findings.get('development-url')?.severity, 'error');
    assert.match(findings.get('development-url')?.message ?? '', /5 links or images point/);
    assert.deepEqual(findings.get('insecure-link')?.evidence, [
      'http://localhost:3000/reset?t=1&u=2',
      'http://web:8080/c',
    ]);
    assert.deepEqual(findings.get('insecure-image')?.evidence, ['http://cdn.example.com/a.png']);
    assert.deepEqual(findings.get('image-without-alt')?.evidence, ['https://cdn.example.com/b.png']);
    assert.deepEqual(findings.get('link-text-mismatch')?.evidence, [
      '"https://example.com/account" -> https://click.tracker.example.net/x',
    ]);
    assert.equal(findings.get('script-element')?.severity, 'error');
    assert.deepEqual(findings.get('embedded-object')?.evidence, ['<object> × 1', '<embed> × 1']);
    assert.equal(report.summary.passed, false);
    const reset = report.links.find((link) => link.url.startsWith('http://localhost'));
    assert.deepEqual(reset?.problems, ['insecure-link', 'development-url']);
  });

  test('background images, from attributes and CSS, are checked like images', async () => {
    const report = await check({
      ...CLEAN,
      html: [
        '<style>.hero { background-image: url("http://localhost:8080/hero.jpg"); }</style>',
        '<table background="https://cdn.example.com/bg.png"><tr>',
        '<td style="background: #fff url(\'http://cdn.example.com/cell.png\') no-repeat">x</td>',
        '<td style="background-image: url(data:image/png;base64,iVBORw0KGgo=)">y</td>',
        '</tr></table>',
      ].join(''),
    });
    assert.deepEqual(
      report.links.map((link) => [link.element, link.url, link.problems]),
      [
        ['background', 'http://localhost:8080/hero.jpg', ['insecure-image', 'development-url']],
        ['background', 'https://cdn.example.com/bg.png', []],
        ['background', 'http://cdn.example.com/cell.png', ['insecure-image']],
        ['text', 'https://example.com/track?o=1', []],
      ],
    );
    const findings = byId(report);
    assert.deepEqual(findings.get('development-url')?.evidence, ['http://localhost:8080/hero.jpg']);
    assert.deepEqual(findings.get('insecure-image')?.evidence, [
      'http://localhost:8080/hero.jpg',
      'http://cdn.example.com/cell.png',
    ]);
    assert.equal(findings.has('image-without-alt'), false, 'a background has no alt to miss');
  });

  test('URLs in the text part are links too', async () => {
    const report = await check({
      ...CLEAN,
      html: undefined,
      text: 'Reset: http://localhost:3000/reset?t=1.',
    });
    assert.deepEqual(
      report.links.map((link) => [link.part, link.url, link.problems]),
      [['text', 'http://localhost:3000/reset?t=1', ['insecure-link', 'development-url']]],
    );
  });

  test('HTML over 102 KB is clipped by Gmail', async () => {
    const html = `<p>${'x'.repeat(102 * 1024)}</p>`;
    const finding = byId(await check({ ...CLEAN, html })).get('html-too-large');
    assert.equal(finding?.severity, 'warning');
    assert.match(finding?.message ?? '', /^The HTML body is 102\.0 KB; Gmail clips HTML over 102 KB/);
    assert.equal(
      byId(await check({ ...CLEAN, html: `<p>${'x'.repeat(100 * 1024)}</p>` })).has('html-too-large'),
      false,
    );
  });

  test('missing Date and Message-ID headers, and an empty subject', async () => {
    const raw = [
      'From: news@example.com',
      'To: alice@example.org',
      'Subject: ',
      'List-Unsubscribe: <https://example.com/u>',
      'List-Unsubscribe-Post: List-Unsubscribe=One-Click',
      '',
      'Hello.',
      '',
    ].join('\r\n');
    const { id } = await client.importMessage(raw);
    const findings = byId(await client.checks(id));
    assert.deepEqual([...findings.keys()].sort(), ['missing-date', 'missing-message-id', 'missing-subject']);
    assert.equal(findings.get('missing-date')?.severity, 'error');
    assert.equal(findings.get('missing-message-id')?.severity, 'warning');
  });

  // RFC 5322 §3.6, and what Gmail refuses as "not RFC 5322 compliant".
  test('a missing From, a From without an address, and headers set twice', async () => {
    const message = (...headers: string[]) =>
      [
        ...headers,
        'Date: Mon, 7 Dec 2026 10:00:00 +0000',
        'Message-ID: <a@example.com>',
        '',
        'Hello.',
        '',
      ].join('\r\n');
    const headerIds = async (raw: string) => {
      const { id } = await client.importMessage(raw, {
        mailFrom: 'app@example.com',
        rcptTo: ['alice@example.org'],
      });
      const findings = byId(await client.checks(id));
      return {
        findings,
        ids: [...findings.keys()].filter((key) =>
          ['missing-from', 'invalid-from', 'duplicate-header'].includes(key),
        ),
      };
    };

    const missing = await headerIds(message('To: alice@example.org', 'Subject: Hi'));
    assert.deepEqual(missing.ids, ['missing-from']);
    assert.equal(missing.findings.get('missing-from')?.severity, 'error');
    assert.match(missing.findings.get('missing-from')?.fix ?? '', /setFrom\(\)/);

    for (const from of ['My Shop', 'root', '<>', 'undefined@', '']) {
      const invalid = await headerIds(message(`From: ${from}`, 'To: alice@example.org', 'Subject: Hi'));
      assert.deepEqual(invalid.ids, ['invalid-from'], from);
      assert.deepEqual(invalid.findings.get('invalid-from')?.evidence, [`From: ${from}`], from);
    }
    for (const from of ['Shop <shop@example.com>', 'a@example.com, b@example.com', 'root@localhost']) {
      assert.deepEqual(
        (await headerIds(message(`From: ${from}`, 'To: a@example.org', 'Subject: Hi'))).ids,
        [],
        from,
      );
    }

    const twice = await headerIds(
      message(
        'From: shop@example.com',
        'To: alice@example.org',
        'Subject: Your order',
        'subject: Your order',
        'To: bob@example.org',
        'Received: from a by b; Mon, 7 Dec 2026 09:59:00 +0000',
        'Received: from c by a; Mon, 7 Dec 2026 09:58:00 +0000',
      ),
    );
    assert.deepEqual(twice.ids, ['duplicate-header']);
    const duplicate = twice.findings.get('duplicate-header');
    assert.equal(duplicate?.severity, 'error');
    assert.match(
      duplicate?.message ?? '',
      /^The message has 2 To headers and 2 Subject headers; RFC 5322 §3\.6 allows one/,
    );
    assert.deepEqual(duplicate?.evidence, [
      'To: alice@example.org',
      'To: bob@example.org',
      'Subject: Your order',
      'subject: Your order',
    ]);
  });

  test("raw UTF-8 in headers without SMTPUTF8, as PHP's mail() writes them; encoded-words and SMTPUTF8 are fine", async () => {
    // What PHP's mail() really hands its sendmail for a subject and a From name given as UTF-8.
    const dir = await mkdtemp(join(tmpdir(), 'mailport-php-mail-'));
    try {
      const captured = join(dir, 'mail.eml');
      const php =
        'mail("alice@example.org", "Votre commande à 12 €", "Merci.", "From: Boutique Élodie <shop@example.com>");';
      await run('php', ['-d', `sendmail_path=cat > ${captured}`, '-r', php]);
      const raw = await readFile(captured);
      const id = await harness.deliver({
        raw,
        envelope: { from: 'shop@example.com', to: ['alice@example.org'] },
      });
      const finding = byId(await client.checks(id)).get('unencoded-header');
      assert.equal(finding?.severity, 'warning');
      assert.match(finding?.message ?? '', /^The Subject, From headers hold raw non-ASCII characters/);
      assert.deepEqual(finding?.evidence, [
        'Subject: Votre commande à 12 €',
        'From: Boutique Élodie <shop@example.com>',
      ]);
      assert.match(finding?.fix ?? '', /mb_encode_mimeheader/);

      const declared = await harness.deliver(
        { raw, envelope: { from: 'shop@example.com', to: ['alice@example.org'] } },
        {
          envelope: {
            mailFrom: { address: 'shop@example.com', params: { SMTPUTF8: true } },
            rcptTo: [{ address: 'alice@example.org', params: {} }],
          },
        },
      );
      assert.equal(
        byId(await client.checks(declared)).get('unencoded-header'),
        undefined,
        'RFC 6532 with SMTPUTF8',
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    // nodemailer encodes the same texts as RFC 2047 encoded-words.
    const encoded = await check({
      ...CLEAN,
      from: 'Boutique Élodie <shop@example.com>',
      subject: 'Votre commande à 12 €',
    });
    assert.equal(byId(encoded).get('unencoded-header'), undefined);
  });

  test('a From domain that does not align with the envelope sender', async () => {
    const id = await harness.deliver(CLEAN, {
      envelope: { mailFrom: { address: 'bounce-123@mail.esp.example.net', params: {} }, rcptTo: [] },
    });
    const finding = byId(await client.checks(id)).get('from-not-aligned');
    assert.equal(finding?.severity, 'warning');
    assert.match(
      finding?.message ?? '',
      /From domain example\.com and the envelope sender domain mail\.esp\.example\.net/,
    );
    assert.match(finding?.fix ?? '', /sign with DKIM as d=example\.com/);
    // A subdomain of the From domain is aligned (DMARC relaxed mode).
    const aligned = await harness.deliver(CLEAN, {
      envelope: { mailFrom: { address: 'bounce@mail.example.com', params: {} }, rcptTo: [] },
    });
    assert.equal(byId(await client.checks(aligned)).has('from-not-aligned'), false);
  });

  test('List-Unsubscribe: info for a transactional message, a warning for bulk mail', async () => {
    const transactional = byId(await check({ ...CLEAN, headers: {} })).get('missing-list-unsubscribe');
    assert.equal(transactional?.severity, 'info');
    assert.match(transactional?.message ?? '', /Gmail and Yahoo require bulk senders/);
    assert.match(
      transactional?.message ?? '',
      /List-Unsubscribe-Post: List-Unsubscribe=One-Click \(RFC 8058\)/,
    );
    const bulk = byId(await check({ ...CLEAN, headers: { Precedence: 'bulk' } })).get(
      'missing-list-unsubscribe',
    );
    assert.equal(bulk?.severity, 'warning');
    const noPost = byId(
      await check({
        ...CLEAN,
        headers: { 'List-Unsubscribe': '<https://example.com/u>', 'List-Id': 'news.example.com' },
      }),
    ).get('missing-one-click-unsubscribe');
    assert.equal(noPost?.severity, 'warning');
    assert.match(noPost?.message ?? '', /List-Unsubscribe-Post: List-Unsubscribe=One-Click is missing/);
  });
});

describe('deliverability checks: hostile input', () => {
  test('broken MIME, junk signatures and binary bytes get a report, not a crash', async () => {
    const dns = await startDnsServer();
    const harness = await startApiHarness({
      deliverability: {
        sendingIp: null,
        dns: { server: dns.server, queryTimeoutMs: 300, budgetMs: 600 },
        probe: { maxLinks: 1, timeoutMs: 300, maxRedirects: 1, concurrency: 1 },
        spamAssassin: null,
      },
    });
    const client = new MailportClient(harness.url);
    try {
      const junkSignatures = Array.from(
        { length: 500 },
        (_, index) => `DKIM-Signature: v=1; a=rsa-sha256; d=d${index}.example; s=s; bh=AAAA; b=AAAA; h=from`,
      );
      const messages = [
        await readFile(repoPath('test', 'fixtures', 'malformed.eml')),
        Buffer.from(
          [...junkSignatures, 'From: a@example.com, b@example.org', 'Subject: x', '', 'body', ''].join(
            '\r\n',
          ),
        ),
        Buffer.concat([
          Buffer.from('Subject: bin\r\n\r\n'),
          Buffer.from(Array.from({ length: 4096 }, (_, i) => i % 256)),
        ]),
      ];
      for (const raw of messages) {
        const { id } = await client.importMessage(raw, {
          mailFrom: 'app@example.com',
          rcptTo: ['a@example.org'],
        });
        const report = await client.checks(id, { probeLinks: true });
        assert.equal(report.messageId, id);
      }
      const { id } = await client.importMessage(messages[1] as Buffer, {
        mailFrom: 'app@example.com',
        rcptTo: ['x@y.example'],
      });
      const { dkim, dmarc } = (await client.checks(id)).authentication;
      assert.equal(dkim.signatures.length, 500);
      assert.equal(dmarc.result, 'permerror');
      assert.match(dmarc.reason, /exactly one From address; this message has 2/);
    } finally {
      await harness.close();
      await dns.close();
    }
  });
});

describe('development hosts and displayed domains', () => {
  test('hosts only a developer can reach', () => {
    for (const host of [
      'localhost',
      'app.localhost',
      '127.0.0.1',
      '127.8.0.1',
      '[::1]',
      '10.1.2.3',
      '172.20.0.4',
    ]) {
      assert.notEqual(localHostReason(host), null, host);
    }
    for (const host of ['192.168.1.10', 'printer.local', 'shop.test', 'api.internal', 'db', '[fd00::1]']) {
      assert.notEqual(localHostReason(host), null, host);
    }
    for (const host of [
      'example.com',
      '203.0.113.5',
      '172.32.0.1',
      '[2001:db8::1]',
      'localhost.example.com',
    ]) {
      assert.equal(localHostReason(host), null, host);
    }
  });

  test('link texts that read as a domain', () => {
    assert.equal(displayedHost('https://example.com/reset'), 'example.com');
    assert.equal(displayedHost('www.example.co.uk'), 'www.example.co.uk');
    for (const text of ['Reset your password', 'README.txt', 'alice@example.com', 'example.test', '']) {
      assert.equal(displayedHost(text), null, text);
    }
  });
});
