/**
 * `explain` against what real clients print when the mail has non-ASCII characters: an address
 * such as jörg@example.com (RFC 6531 SMTPUTF8) or UTF-8 text (RFC 6152 8BITMIME). The clients run
 * for real against real servers on loopback: smtp-sink -8 (offers neither 8BITMIME nor SMTPUTF8),
 * the Mailport sandbox (offers both, and refuses a non-ASCII address sent without SMTPUTF8), and a
 * private Postfix with `smtputf8_enable = yes` plus `strict_smtputf8 = yes` (refuses it the same
 * way) and with `smtputf8_enable = no` (refuses the SMTPUTF8 parameter). Nothing here is typed in.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type CauseId, explainText } from '../../src/explain/index.js';
import { type LanguageClients, prepareLanguageClients } from '../helpers/language-clients.js';
import { POSTFIX_UNAVAILABLE, PostfixInstance } from '../helpers/postfix.js';
import { runClient } from '../helpers/run-client.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { SMTP_SINK_UNAVAILABLE, startSmtpSink } from '../helpers/smtp-sink.js';
import {
  prepareUnixClients,
  UNAVAILABLE_UNIX_CLIENTS,
  type UnixClient,
  type UnixClientRun,
} from '../helpers/unix-clients.js';
import type { RunningServer } from '../smtp-client/test-servers.js';

const UNICODE_ADDRESS = 'jörg@example.com';
const UNICODE_DOMAIN = 'bob@bücher.example';

let sink: RunningServer | undefined;
let sandbox: TestSandbox;
let clients: LanguageClients;
let unixDir: string;
let unixClients: UnixClientRun;

before(async () => {
  unixDir = await mkdtemp(join(tmpdir(), 'mailport-non-ascii-'));
  [sandbox, clients, sink, unixClients] = await Promise.all([
    startTestSandbox(),
    prepareLanguageClients(),
    SMTP_SINK_UNAVAILABLE ? undefined : startSmtpSink(['-8']),
    prepareUnixClients(unixDir),
  ]);
});

after(async () => {
  await Promise.all([sandbox?.stop(), clients?.close(), sink?.close()]);
  await rm(unixDir, { recursive: true, force: true });
});

/** Python's smtplib connected to `port` in plaintext as `s`, then `code`; the traceback is the output. */
function python(port: number, code: string): Promise<string> {
  return runClient('python3', [
    '-c',
    `import smtplib\ns = smtplib.SMTP('127.0.0.1', ${port}, timeout=3)\n${code}`,
  ]);
}

/** A message for smtplib's send_message, from alice@example.com to `to`. */
function emailMessage(to: string): string {
  return `from email.message import EmailMessage\nm = EmailMessage()\nm['From'] = 'alice@example.com'\nm['To'] = '${to}'\nm['Subject'] = 'x'\nm.set_content('hi')`;
}

function swaks(port: number, to = UNICODE_ADDRESS): Promise<string> {
  return runClient('swaks', [
    ...['--server', `127.0.0.1:${port}`, '--from', 'alice@example.com'],
    ...['--to', to, '--timeout', '3'],
  ]);
}

function msmtp(port: number, to = UNICODE_ADDRESS): Promise<string> {
  return runClient(
    'msmtp',
    ['--host=127.0.0.1', `--port=${port}`, '--tls=off', '--from=alice@example.com', to],
    { input: 'Subject: x\n\nhi\n' },
  );
}

/** Perl's Net::SMTP given the message as a character string, € included (`use utf8`), as it dies. */
const PERL_CHARACTER_STRING = `use strict; use warnings; use utf8; use Net::SMTP;
my $smtp = Net::SMTP->new('127.0.0.1', Port => $ARGV[0], Timeout => 3) or die "Cannot connect: $@";
$smtp->mail('alice@example.com') or die 'MAIL FROM failed: ' . $smtp->message;
$smtp->to('bob@example.com') or die 'RCPT TO failed: ' . $smtp->message;
$smtp->data("Subject: café\\r\\n\\r\\nprice: 5 €\\r\\n") or die 'DATA failed: ' . $smtp->message;`;

function unixClient(client: UnixClient, port: number): Promise<string> {
  return unixClients(client, { host: '127.0.0.1', port, tls: 'none', to: UNICODE_ADDRESS, big: false });
}

function languageClient(
  client: Parameters<LanguageClients['run']>[0],
  port: number,
  env = {},
): Promise<string> {
  return clients.run(client, {
    MP_TLS: 'none',
    MP_HOST: '127.0.0.1',
    MP_PORT: String(port),
    MP_DEBUG: '0',
    MP_TO: UNICODE_ADDRESS,
    ...env,
  });
}

interface Case {
  output: () => Promise<string>;
  expected: CauseId;
  /** What the fix must say for this client. */
  fix?: RegExp;
}

function check(name: string, makeCase: () => Case, skip: string | null = null): void {
  test(name, { skip: skip ?? false }, async () => {
    const { output, expected, fix } = makeCase();
    const text = await output();
    const answer = explainText(text);
    assert.equal(answer.cause, expected, `output was:\n${text}`);
    if (fix) assert.match(answer.fix, fix, `output was:\n${text}`);
  });
}

describe('smtp-sink -8: a server that offers neither SMTPUTF8 nor 8BITMIME', {
  skip: SMTP_SINK_UNAVAILABLE ?? false,
  concurrency: 4,
}, () => {
  const port = () => sink?.port ?? 0;
  check('python: sendmail() with a str message holding é', () => ({
    output: () =>
      python(port(), `s.sendmail('alice@example.com', ['bob@example.com'], 'Subject: café\\n\\nhéllo')`),
    expected: 'non-ascii-not-supported',
    fix: /send_message\(msg\)[\s\S]*policy=email\.policy\.SMTP/,
  }));
  check('python: sendmail() to a non-ASCII recipient', () => ({
    output: () =>
      python(port(), `s.sendmail('alice@example.com', ['${UNICODE_ADDRESS}'], b'Subject: x\\r\\n\\r\\nhi')`),
    expected: 'non-ascii-not-supported',
    fix: /mail_options=\['SMTPUTF8'\]/,
  }));
  check('python: send_message() to a non-ASCII recipient', () => ({
    output: () => python(port(), `${emailMessage(UNICODE_ADDRESS)}\ns.send_message(m)`),
    expected: 'non-ascii-not-supported',
    fix: /smtputf8_enable = yes/,
  }));
  check("python: sendmail(mail_options=['SMTPUTF8'])", () => ({
    output: () =>
      python(
        port(),
        `s.sendmail('alice@example.com', ['${UNICODE_ADDRESS}'], b'Subject: x\\r\\n\\r\\nhi', mail_options=['SMTPUTF8'])`,
      ),
    expected: 'non-ascii-not-supported',
    fix: /smtputf8_enable = yes/,
  }));
  check('aiosmtplib: a non-ASCII recipient', () => ({
    output: () => languageClient('aiosmtplib', port()),
    expected: 'non-ascii-not-supported',
    fix: /xn--bcher-kva/,
  }));
  check('symfony: a non-ASCII sender', () => ({
    output: () => languageClient('symfony', port(), { MP_FROM: UNICODE_ADDRESS, MP_TO: 'bob@example.com' }),
    expected: 'non-ascii-not-supported',
    fix: /Symfony Mailer 5\.4/,
  }));
  check('perl: Net::SMTP given a character string with €', () => ({
    output: () => runClient('perl', ['-e', PERL_CHARACTER_STRING, String(port())]),
    expected: 'non-ascii-not-supported',
    fix: /Encode::encode\('UTF-8'/,
  }));
  // Not the mail's characters: smtplib cannot send a non-ASCII password, and the server never saw it.
  check('python: login() with a non-ASCII password is a login that never reached the server', () => ({
    output: () => python(port(), `s.login('alice', 'pässword')`),
    expected: 'auth-failed',
    fix: /encodes the AUTH exchange as ASCII/,
  }));
});

describe('the Mailport sandbox: SMTPUTF8 offered, required for a non-ASCII address', {
  concurrency: 4,
}, () => {
  const port = () => sandbox.port('relay');
  for (const client of ['ruby', 'perl'] as const) {
    check(`${client}: a non-ASCII recipient without SMTPUTF8`, () => ({
      output: () => languageClient(client, port()),
      expected: 'non-ascii-not-supported',
      fix: /declares SMTPUTF8/,
    }));
  }
  check('swaks: a non-ASCII recipient without SMTPUTF8', () => ({
    output: () => swaks(port()),
    expected: 'non-ascii-not-supported',
  }));
  check('msmtp: a non-ASCII recipient without SMTPUTF8', () => ({
    output: () => msmtp(port()),
    expected: 'non-ascii-not-supported',
  }));
  for (const client of ['git send-email', 'neomutt'] as const) {
    check(
      `${client}: a non-ASCII recipient without SMTPUTF8`,
      () => ({ output: () => unixClient(client, port()), expected: 'non-ascii-not-supported' }),
      UNAVAILABLE_UNIX_CLIENTS[client],
    );
  }
  check(
    's-nail: refuses a non-ASCII recipient itself',
    () => ({
      output: () => unixClient('s-nail', port()),
      expected: 'non-ascii-not-supported',
      fix: /xn--bcher-kva/,
    }),
    UNAVAILABLE_UNIX_CLIENTS['s-nail'],
  );
  check('java: a non-ASCII recipient in ISO-8859-1', () => ({
    output: () => languageClient('java', port()),
    expected: 'non-ascii-not-supported',
    fix: /mail\.mime\.allowutf8=true/,
  }));
  check('php: PHPMailer 6.6 refuses a non-ASCII recipient itself', () => ({
    output: () => languageClient('php', port()),
    expected: 'non-ascii-not-supported',
    fix: /PHPMailer 6\.10/,
  }));
  // The fixes the answers give for smtplib do deliver: send_message() returns no refused recipient.
  test('python: send_message(), or sendmail() declaring SMTPUTF8, delivers to a server that offers it', async () => {
    const sent = await python(
      port(),
      `${emailMessage(UNICODE_ADDRESS)}\nprint(s.send_message(m))\nimport email.policy\nprint(s.sendmail('alice@example.com', ['${UNICODE_ADDRESS}'], m.as_bytes(policy=email.policy.SMTP), mail_options=['SMTPUTF8']))`,
    );
    assert.match(sent, /^\{\}\n\{\}\s*$/, sent);
  });
});

let postfix: PostfixInstance | undefined;
const postfixPorts = { strict: 0, off: 0 };

describe('Postfix: strict_smtputf8 = yes, and smtputf8_enable = no', {
  skip: POSTFIX_UNAVAILABLE ?? false,
  concurrency: 4,
}, () => {
  before(async () => {
    postfix = await PostfixInstance.start({ default_transport: 'discard:', relay_transport: 'discard:' });
    const [strict, off] = await postfix.listen([
      { settings: { smtputf8_enable: 'yes', strict_smtputf8: 'yes' } },
      { settings: { smtputf8_enable: 'no' } },
    ]);
    postfixPorts.strict = strict?.port ?? 0;
    postfixPorts.off = off?.port ?? 0;
  });
  after(() => postfix?.stop());

  for (const client of ['ruby', 'perl', 'symfony'] as const) {
    check(`${client}: a non-ASCII recipient without SMTPUTF8 (553 5.6.7)`, () => ({
      output: () => languageClient(client, postfixPorts.strict),
      expected: 'non-ascii-not-supported',
      fix: /Ruby's Net::SMTP/,
    }));
  }
  check('msmtp: a non-ASCII recipient without SMTPUTF8 (553 5.6.7)', () => ({
    output: () => msmtp(postfixPorts.strict),
    expected: 'non-ascii-not-supported',
  }));
  check('swaks: a non-ASCII recipient without SMTPUTF8 (553 5.6.7)', () => ({
    output: () => swaks(postfixPorts.strict),
    expected: 'non-ascii-not-supported',
  }));
  for (const server of ['strict', 'off'] as const) {
    check(`swaks: a non-ASCII domain without SMTPUTF8 (501 5.1.3), smtputf8 ${server}`, () => ({
      output: () => swaks(postfixPorts[server], UNICODE_DOMAIN),
      expected: 'non-ascii-not-supported',
      fix: /xn--bcher-kva/,
    }));
    check(`msmtp: a non-ASCII domain without SMTPUTF8 (501 5.1.3), smtputf8 ${server}`, () => ({
      output: () => msmtp(postfixPorts[server], UNICODE_DOMAIN),
      expected: 'non-ascii-not-supported',
      fix: /xn--bcher-kva/,
    }));
  }
  check('java: a non-ASCII recipient in ISO-8859-1 (bad UTF-8 syntax)', () => ({
    output: () => languageClient('java', postfixPorts.strict),
    expected: 'non-ascii-not-supported',
    fix: /mail\.mime\.allowutf8=true/,
  }));
  check('python: MAIL FROM with SMTPUTF8 to a Postfix that does not offer it', () => ({
    output: () =>
      python(postfixPorts.off, `s.ehlo()\nprint(s.docmd('MAIL', 'FROM:<alice@example.com> SMTPUTF8'))`),
    expected: 'non-ascii-not-supported',
    fix: /smtputf8_enable = no/,
  }));
});
