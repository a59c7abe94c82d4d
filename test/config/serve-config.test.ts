import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseDurationMs, parseSize, resolveServeConfig } from '../../src/config/serve-config.js';
import { ConfigError } from '../../src/errors.js';

describe('resolveServeConfig', () => {
  it('defaults to the dev ports, the default credentials and 25 MiB', () => {
    const config = resolveServeConfig({}, null);
    assert.deepEqual(config.ports, { relay: 1025, submissions: 1465, submission: 1587, alternate: 2525 });
    assert.equal(config.httpPort, 8025);
    assert.equal(config.auth.mode, 'default');
    assert.equal(config.auth.users.get('mailport'), 'mailport');
    assert.equal(config.limits.maxMessageSize, 25 * 1024 * 1024);
    assert.equal(config.limits.maxRecipients, 100);
    assert.equal(config.limits.idleTimeoutMs, 300_000);
    assert.equal(config.auth.oauthTokenLifetimeSeconds, 3600);
  });

  it('--oauth-token-lifetime takes a duration in whole seconds', () => {
    assert.equal(resolveServeConfig({ oauthTokenLifetime: '30s' }, null).auth.oauthTokenLifetimeSeconds, 30);
    assert.equal(resolveServeConfig({ oauthTokenLifetime: '2h' }, null).auth.oauthTokenLifetimeSeconds, 7200);
  });

  it('--standard-ports binds 25/465/587/2525', () => {
    assert.deepEqual(resolveServeConfig({ standardPorts: true }, null).ports, {
      relay: 25,
      submissions: 465,
      submission: 587,
      alternate: 2525,
    });
  });

  it('accepts 0 (ephemeral) and off per listener', () => {
    const config = resolveServeConfig({ relayPort: '0', altPort: 'off', httpPort: 'off' }, null);
    assert.equal(config.ports.relay, 0);
    assert.equal(config.ports.alternate, null);
    assert.equal(config.httpPort, null);
  });

  it('collects --webhook URLs, repeated or comma-separated (as from MAILPORT_WEBHOOK)', () => {
    assert.deepEqual(resolveServeConfig({}, null).webhooks, {
      urls: [],
      events: ['message.received'],
      secret: null,
    });
    const config = resolveServeConfig(
      {
        webhook: ['http://127.0.0.1:3000/a,https://hooks.example.com/b?token=x'],
        webhookEvents: 'session.closed, message.received',
        webhookSecret: 's',
      },
      null,
    );
    assert.deepEqual(
      config.webhooks.urls.map((url) => url.href),
      ['http://127.0.0.1:3000/a', 'https://hooks.example.com/b?token=x'],
    );
    assert.deepEqual(config.webhooks.events, ['session.closed', 'message.received']);
    assert.equal(config.webhooks.secret, 's');
  });

  it('collects repeated --auth pairs and keeps colons in passwords', () => {
    const config = resolveServeConfig({ auth: ['team-a:pw', 'team-b:p:w'] }, null);
    assert.equal(config.auth.mode, 'configured');
    assert.equal(config.auth.users.get('team-b'), 'p:w');
  });

  it('leaves the HTTP API open unless --http-auth or --http-auth-file gives a login', () => {
    assert.equal(resolveServeConfig({}, null).httpAuth, null);
    const config = resolveServeConfig({ httpAuth: ['qa:pw', 'ops:p:w,dev:x'] }, null);
    assert.deepEqual(
      [...(config.httpAuth ?? [])],
      [
        ['qa', 'pw'],
        ['ops', 'p:w'],
        ['dev', 'x'],
      ],
    );
  });

  it('reads --http-auth-file: one USER:PASS a line, # comments and blank lines skipped, joined with --http-auth', () => {
    const file = httpAuthFile('# staging logins\r\nqa:a, long: pass\n\n   # indented comment\n  ops:x#y  \n');
    const config = resolveServeConfig({ httpAuthFile: file, httpAuth: ['dev:d'] }, null);
    assert.deepEqual(
      [...(config.httpAuth ?? [])],
      [
        ['dev', 'd'],
        ['qa', 'a, long: pass'],
        ['ops', 'x#y'],
      ],
    );
  });

  const badFiles: [string, string, RegExp][] = [
    ['a line without a colon', '# ok\nqa:pw\nnopass\n', /line 3 is not USER:PASS: "nopass"/],
    ['a line with an empty password', 'qa:\n', /line 1 is not USER:PASS: "qa:…"/],
    ['a line with an empty user', ':secret-pw\n', /line 1 is not USER:PASS: ":…"/],
    ['no login at all', '# nothing yet\n\n', /holds no USER:PASS line/],
  ];
  for (const [name, text, message] of badFiles) {
    it(`rejects an --http-auth-file with ${name}, naming the file and never the password`, () => {
      const file = httpAuthFile(text);
      assert.throws(
        () => resolveServeConfig({ httpAuthFile: file }, null),
        (error: unknown) =>
          error instanceof ConfigError &&
          message.test(error.message) &&
          error.message.includes(file) &&
          !error.message.includes('secret-pw'),
      );
    });
  }

  it('rejects an --http-auth-file it cannot read, saying why', () => {
    assert.throws(
      () => resolveServeConfig({ httpAuthFile: '/nonexistent/logins' }, null),
      (error: unknown) =>
        error instanceof ConfigError &&
        /--http-auth-file cannot read \/nonexistent\/logins: ENOENT/.test(error.message),
    );
  });

  const invalid: [string, Parameters<typeof resolveServeConfig>[0], RegExp][] = [
    [
      'two listeners on one port',
      { relayPort: '2525' },
      /--alt-port and --relay-port both ask for port 2525|both ask for port 2525/,
    ],
    ['a port out of range', { relayPort: '70000' }, /--relay-port must be a port number/],
    ['--auth without a colon', { auth: ['nopass'] }, /--auth takes USER:PASS/],
    [
      '--http-auth without a password',
      { httpAuth: ['qa:'] },
      /--http-auth takes USER:PASS \(e\.g\. --http-auth team-a:secret\), got "qa:…"/,
    ],
    ['--auth with --auth-any', { auth: ['a:b'], authAny: true }, /cannot be combined/],
    ['--standard-ports with a port flag', { standardPorts: true, relayPort: '25' }, /cannot be combined/],
    [
      'every listener off',
      { relayPort: 'off', submissionsPort: 'off', submissionPort: 'off', altPort: 'off' },
      /Every SMTP listener is off/,
    ],
    ['a bad size', { maxMessageSize: 'big' }, /--max-message-size must be a size/],
    [
      'a token lifetime of 0',
      { oauthTokenLifetime: '0' },
      /--oauth-token-lifetime must be whole seconds from 1s to 24h/,
    ],
    [
      'a token lifetime in part seconds',
      { oauthTokenLifetime: '1500ms' },
      /--oauth-token-lifetime must be whole/,
    ],
    ['a token lifetime over a day', { oauthTokenLifetime: '25h' }, /--oauth-token-lifetime must be whole/],
    ['an unknown log level', { logLevel: 'loud' }, /--log-level must be one of/],
    ['a webhook that is not an http(s) URL', { webhook: ['ftp://example.com/x'] }, /--webhook takes an http/],
    ['a webhook that is not a URL', { webhook: ['localhost:3000'] }, /--webhook takes an http/],
    ['an unknown webhook event', { webhookEvents: 'message.sent' }, /--webhook-events must be one of/],
    [
      'a sending IP that is a host name',
      { sendingIp: 'mail.example.com' },
      /--sending-ip takes an IPv4 or IPv6/,
    ],
    ['a DNS server given by name', { dnsServer: 'dns.google' }, /--dns-server takes an IP address/],
    ['a DNS server port out of range', { dnsServer: '127.0.0.1:70000' }, /--dns-server takes an IP address/],
    ['a spamd address that is a URL', { spamassassin: 'http://127.0.0.1:783' }, /--spamassassin takes spamd/],
    ['a spamd port out of range', { spamassassin: '127.0.0.1:0' }, /--spamassassin takes spamd/],
    ['a spamd host with a space', { spamassassin: 'spam host:783' }, /--spamassassin takes spamd/],
  ];
  for (const [name, raw, message] of invalid) {
    it(`rejects ${name} with a ConfigError that says what to change`, () => {
      assert.throws(
        () => resolveServeConfig(raw, null),
        (error: unknown) => error instanceof ConfigError && message.test(error.message),
      );
    });
  }

  it('--sending-ip and --dns-server configure the deliverability checks', () => {
    assert.deepEqual(resolveServeConfig({}, null).deliverability, {
      sendingIp: null,
      dnsServer: null,
      spamAssassin: null,
    });
    const cases: [string, string][] = [
      ['127.0.0.1:5353', '127.0.0.1:5353'],
      ['1.1.1.1', '1.1.1.1:53'],
      ['::1', '[::1]:53'],
      ['[2001:db8::53]:5353', '[2001:db8::53]:5353'],
    ];
    for (const [given, server] of cases) {
      const config = resolveServeConfig({ sendingIp: ' 203.0.113.5 ', dnsServer: given }, null);
      assert.deepEqual(
        config.deliverability,
        { sendingIp: '203.0.113.5', dnsServer: server, spamAssassin: null },
        given,
      );
    }
  });

  it('--spamassassin takes spamd as HOST[:PORT], a name or an IP address, port 783 by default', () => {
    const cases: [string, string][] = [
      ['127.0.0.1:10783', '127.0.0.1:10783'],
      ['127.0.0.1', '127.0.0.1:783'],
      ['spamassassin', 'spamassassin:783'],
      ['spamd.internal.example:7830', 'spamd.internal.example:7830'],
      ['[::1]:783', '[::1]:783'],
    ];
    for (const [given, server] of cases) {
      assert.equal(
        resolveServeConfig({ spamassassin: given }, null).deliverability.spamAssassin,
        server,
        given,
      );
    }
  });

  it('never echoes a password in an --auth error', () => {
    assert.throws(
      () => resolveServeConfig({ auth: ['user:'] }, null),
      (error: Error) => !error.message.includes('user:') || error.message.includes('user:…'),
    );
  });

  it('refuses --tls-cert without --tls-key, and the other way round, as a configuration mistake', () => {
    for (const flags of [{ tlsCert: 'server.pem' }, { tlsKey: 'server-key.pem' }]) {
      assert.throws(() => resolveServeConfig(flags, null), {
        code: 'MP_ERR_CONFIG',
        message: '--tls-cert and --tls-key must be given together.',
      });
    }
    const both = resolveServeConfig({ tlsCert: 'server.pem', tlsKey: 'server-key.pem' }, null);
    assert.equal(both.tlsKeyFile, 'server-key.pem');
  });
});

describe('value parsers', () => {
  it('parses sizes with binary units', () => {
    assert.equal(parseSize('--x', '25MiB'), 25 * 1024 * 1024);
    assert.equal(parseSize('--x', '512k'), 512 * 1024);
    assert.equal(parseSize('--x', '1048576'), 1048576);
  });
  it('parses durations', () => {
    assert.equal(parseDurationMs('--x', '300'), 300_000);
    assert.equal(parseDurationMs('--x', '5m'), 300_000);
    assert.equal(parseDurationMs('--x', '1500ms'), 1500);
  });
});

const httpAuthDir = mkdtempSync(join(tmpdir(), 'mailport-http-auth-'));
after(() => rmSync(httpAuthDir, { recursive: true, force: true }));
let httpAuthFiles = 0;

function httpAuthFile(text: string): string {
  httpAuthFiles += 1;
  const file = join(httpAuthDir, `logins-${httpAuthFiles}`);
  writeFileSync(file, text);
  return file;
}
