/**
 * The Postfix relayhost settings in the cases where Postfix differs from other clients: it looks
 * the relay up in DNS, checks certificates by name only, and writes IPv6 literals as [ipv6:...].
 * settings-paste.test.ts and the web UI test paste the settings into a real Postfix.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clientSettings } from '../../src/doctor/index.js';

const starttls = { port: 587, tls: 'starttls', reason: '' } as const;
const implicit = { port: 465, tls: 'implicit', reason: '' } as const;

function postfix(
  host: string,
  servername: string | null,
  recommendation: typeof starttls | typeof implicit,
  caFile: string | null = null,
): string {
  return clientSettings({
    host,
    servername,
    recommendation,
    user: 'me@example.com',
    login: 'password',
    caFile,
  }).postfix;
}

test('a provider by name: relayhost in brackets, certificate verified with the system CAs', () => {
  const settings = postfix('smtp.example.com', null, starttls);
  assert.match(settings, /'relayhost = \[smtp\.example\.com\]:587'/);
  assert.match(settings, /'smtp_tls_security_level = secure'/);
  assert.match(settings, /'smtp_tls_CAfile = \/etc\/ssl\/certs\/ca-certificates\.crt'/);
  assert.match(settings, /'smtp_sasl_security_options = noanonymous'/);
  assert.doesNotMatch(settings, /wrappermode|cert_match/);
  // The password comes from the environment, into a file only root can read.
  assert.match(
    settings,
    /\(umask 077 && printf '%s\\n' "\[smtp\.example\.com\]:587 me@example\.com:\$SMTP_PASS" > \/etc\/postfix\/sasl_passwd && postmap \/etc\/postfix\/sasl_passwd\)/,
  );
  // main.cf takes no comment after a value: every comment is a line of its own, outside postconf.
  for (const line of settings
    .split('\n')
    .filter((line) => line.startsWith('  ') || line.startsWith('postconf'))) {
    assert.doesNotMatch(line, /#/, line);
  }
});

test('implicit TLS needs wrappermode as well as the port', () => {
  assert.match(postfix('smtp.example.com', null, implicit), /'smtp_tls_wrappermode = yes'/);
});

test('localhost is dialled by address, and the certificate matched by name', () => {
  for (const [host, servername] of [
    ['127.0.0.1', 'localhost'],
    ['localhost', null],
  ] as const) {
    const settings = postfix(host, servername, starttls, '/srv/ca.pem');
    assert.match(settings, /'relayhost = \[127\.0\.0\.1\]:587'/);
    assert.match(settings, /'smtp_tls_secure_cert_match = localhost'/);
    assert.match(settings, /'smtp_tls_CAfile = \/srv\/ca\.pem'/);
  }
});

test('an IPv6 address is written as Postfix writes it, [ipv6:...]', () => {
  const settings = postfix('::1', 'localhost', starttls, '/srv/ca.pem');
  assert.match(settings, /'relayhost = \[ipv6:::1\]:587'/);
  assert.match(settings, /"\[ipv6:::1\]:587 me@example\.com:\$SMTP_PASS"/);
  assert.match(settings, /'smtp_tls_secure_cert_match = localhost'/);
});

test('a relay known only by address is encrypted, and the way to verify it is said', () => {
  const settings = postfix('192.0.2.25', null, starttls);
  assert.match(settings, /'smtp_tls_security_level = encrypt'/);
  assert.match(settings, /--servername/);
});

test('after an OAuth login, every snippet logs in with the token from SMTP_TOKEN, or says what the client lacks', () => {
  const settings = clientSettings({
    host: 'smtp.office365.com',
    servername: null,
    recommendation: starttls,
    user: 'me@contoso.com',
    login: 'oauth-token',
    caFile: null,
  });
  for (const [client, snippet] of Object.entries(settings)) {
    if (client !== 'postfix') assert.doesNotMatch(snippet, /SMTP_PASS/, client);
  }
  assert.match(
    settings.nodemailer,
    /auth: \{ type: 'OAuth2', user: 'me@contoso\.com', accessToken: process\.env\.SMTP_TOKEN \}/,
  );
  assert.match(settings['spring-boot'], /^spring\.mail\.properties\.mail\.smtp\.auth\.mechanisms=XOAUTH2$/m);
  assert.match(
    settings['dotnet-mailkit'],
    /new MailKit\.Security\.SaslMechanismOAuth2\("me@contoso\.com", Environment\.GetEnvironmentVariable\("SMTP_TOKEN"\)\)/,
  );
  assert.match(settings.rails, /authentication: :xoauth2, # needs the net-smtp-xoauth2 gem/);
  assert.match(settings.django, /Django's SMTP backend logs in with a password only/);
  assert.match(settings.laravel, /tries LOGIN and PLAIN with it \(each refused\) before XOAUTH2/);
  assert.match(settings.swoosh, /gen_smtp logs in with the token as the password/);
  assert.match(
    settings.swaks,
    /^mailport send --server smtp\.office365\.com:587 --tls starttls \\\n {2}--user 'me@contoso\.com' --oauth-token-env SMTP_TOKEN/m,
  );
  assert.match(
    settings.postfix,
    /^# Postfix's SASL client has no XOAUTH2 without a plugin: .*\n# .*\$SMTP_PASS below is the path of its token file/,
  );
});
