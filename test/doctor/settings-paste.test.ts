/**
 * The doctor's ready-to-paste settings, pasted: each snippet that can run on this machine
 * (nodemailer, Python smtplib, PHPMailer, Rails' smtp_settings through the Mail gem as ActionMailer
 * hands them over, Spring Boot's properties through Jakarta Mail as JavaMailSenderImpl hands them
 * over, with its trust-store instructions followed, Swoosh's config/runtime.exs as Config.Reader reads
 * it and its SMTP adapter hands it to gen_smtp's session, curl, swaks, and a Postfix relayhost in a
 * private Postfix instance) is run as printed, with only what a user adds around it (the message, SMTP_PASS
 * in the environment), and must deliver to the sandbox on the port and TLS mode the doctor
 * recommended.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runDoctor } from '../../src/doctor/index.js';
import type { Recommendation } from '../../src/doctor/report.js';
import type { ProfileName } from '../../src/profiles/port-profiles.js';
import { CLIENTS_DIR, JAVA_CLASSPATH } from '../helpers/language-clients.js';
import { POSTFIX_UNAVAILABLE, PostfixInstance } from '../helpers/postfix.js';
import { runClient } from '../helpers/run-client.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { createTlsFixtures, startTestSmtpServer, type TestSmtpServer } from '../smtp-client/test-servers.js';

const NODEMAILER = createRequire(import.meta.url).resolve('nodemailer');
let sandbox: TestSandbox;
let dir: string;
let caFile: string;

before(async () => {
  // Java and Ruby start cold here: as in production, the 421 hint must not beat their ClientHello.
  sandbox = await startTestSandbox({ implicitTlsSilenceMs: 3000 });
  dir = await mkdtemp(join(tmpdir(), 'mailport-settings-'));
  caFile = join(dir, 'ca.pem');
  await writeFile(caFile, sandbox.caPem);
  await writeFile(join(dir, 'message.eml'), 'From: you@example.com\r\nSubject: pasted\r\n\r\nhello\r\n');
  await runClient('javac', [
    '-cp',
    JAVA_CLASSPATH.join(':'),
    '-d',
    dir,
    join(CLIENTS_DIR, 'SpringMail.java'),
  ]);
});
after(async () => {
  await Promise.all([sandbox.stop(), rm(dir, { recursive: true, force: true })]);
});

async function doctorSettings(
  profile: ProfileName,
  login: 'password' | 'oauth-token' = 'password',
): Promise<{ snippets: Record<string, string>; recommendation: Recommendation }> {
  const { user, pass } = sandbox.auth;
  const report = await runDoctor({
    host: '127.0.0.1',
    servername: 'localhost',
    ports: [sandbox.port(profile)],
    caFile,
    // The sandbox takes the password as the token too.
    credentials: login === 'password' ? sandbox.auth : { user, token: pass },
    stepTimeoutMs: 5000,
  });
  assert.ok(report.recommendation && report.settings, JSON.stringify(report.ports[0]?.findings));
  return { snippets: report.settings, recommendation: report.recommendation };
}

/** Runs one snippet the way a user would, wrapped only in what the snippet leaves to the user. */
const PASTABLE = [
  'nodemailer',
  'python-smtplib',
  'phpmailer',
  'rails',
  'spring-boot',
  'swoosh',
  'curl',
  'swaks',
] as const;

/** What a Rails app has around the pasted lines: its config, and ActionMailer handing the settings to Mail. */
const RAILS_APP = `require 'mail'
require 'ostruct'
config = OpenStruct.new(action_mailer: OpenStruct.new)
eval(File.read(ARGV[0]))
mail = Mail.new(from: 'you@example.com', to: 'to@example.com', subject: 'pasted', body: 'hello')
mail.delivery_method(config.action_mailer.delivery_method, config.action_mailer.smtp_settings)
mail.deliver!`;

async function paste(client: (typeof PASTABLE)[number], snippet: string): Promise<string> {
  const env = { SMTP_PASS: sandbox.auth.pass, SMTP_TOKEN: sandbox.auth.pass };
  switch (client) {
    case 'nodemailer': {
      // The one change: the import resolves to this project's copy, as it would from the user's app.
      const code = `${snippet.replace("from 'nodemailer'", `from '${NODEMAILER}'`)}
await transport.sendMail({ from: 'you@example.com', to: 'to@example.com', subject: 'pasted', text: 'hello' });
transport.close();`;
      return runClient(process.execPath, ['--input-type=module', '-e', code], { env });
    }
    case 'python-smtplib':
      return runClient(
        'python3',
        [
          '-c',
          `from email.message import EmailMessage
message = EmailMessage()
message['From'] = 'you@example.com'
message['To'] = 'to@example.com'
message['Subject'] = 'pasted'
message.set_content('hello')
${snippet}`,
        ],
        { env },
      );
    case 'phpmailer':
      return runClient(
        'php',
        [
          '-r',
          `require '/usr/share/php/libphp-phpmailer/autoload.php';
use PHPMailer\\PHPMailer\\PHPMailer;
$mail = new PHPMailer(true);
${snippet}
$mail->setFrom('you@example.com');
$mail->addAddress('to@example.com');
$mail->Subject = 'pasted';
$mail->Body = 'hello';
$mail->send();`,
        ],
        { env },
      );
    case 'spring-boot': {
      // The snippet's own instructions: import the CA with keytool, start the JVM with its flags.
      const keytool = /^# trust the CA: (keytool .*)$/m.exec(snippet)?.[1];
      const jvmFlags = /^# then start the JVM with (.*)$/m.exec(snippet)?.[1];
      assert.ok(keytool && jvmFlags, 'the Spring snippet says how to trust the CA');
      const classpath = [dir, ...JAVA_CLASSPATH].join(':');
      // A new application directory each time: the trust store is made once per application.
      const app = await mkdtemp(join(dir, 'spring-'));
      return runClient(
        'bash',
        ['-c', `cd '${app}' && ${keytool} && java ${jvmFlags} -cp ${classpath} SpringMail`],
        {
          env,
          input: snippet,
        },
      );
    }
    case 'swoosh': {
      // An Elixir application reads config/runtime.exs at start; Swoosh hands the mailer's settings to gen_smtp.
      const file = join(await mkdtemp(join(dir, 'elixir-')), 'runtime.exs');
      await writeFile(file, snippet);
      return runClient('elixir', [join(CLIENTS_DIR, 'send_gen_smtp.exs')], {
        env: { ...env, MP_CONFIG: file, MP_FROM: 'you@example.com', MP_TO: 'to@example.com' },
      });
    }
    case 'rails': {
      const file = join(dir, 'production.rb');
      await writeFile(file, snippet);
      return runClient('ruby', ['-e', RAILS_APP, file], { env });
    }
    default:
      return runClient('bash', ['-c', `cd '${dir}' && ${snippet}`], { env });
  }
}

const TLS_MODE = { starttls: 'starttls', implicit: 'implicit' } as const;

describe("the doctor's settings deliver when pasted", () => {
  for (const profile of ['submission', 'submissions'] as const) {
    for (const client of PASTABLE) {
      test(`${client}, for the ${profile} port`, async () => {
        const { snippets, recommendation } = await doctorSettings(profile);
        assert.equal(recommendation.port, sandbox.port(profile));
        // The snippets dial the host probed; the --servername the certificate was checked for rides along.
        assert.match(snippets[client] ?? '', /127\.0\.0\.1/);
        assert.match(snippets[client] ?? '', /localhost/);
        const before = (await sandbox.store.listMessages({})).total;
        const output = await paste(client, snippets[client] ?? '');
        const { items, total } = await sandbox.store.listMessages({});
        assert.equal(total, before + 1, `snippet:\n${snippets[client]}\noutput:\n${output}`);
        const message = await sandbox.store.getMessage(items[0]?.id ?? '');
        assert.equal(message?.listener.profile, profile);
        assert.equal(message?.tls?.mode, TLS_MODE[recommendation.tls]);
        assert.equal(message?.auth?.user, sandbox.auth.user);
      });
    }
  }
});

describe('after an OAuth login, the snippets of clients with XOAUTH2 deliver with the token', () => {
  const clients = ['nodemailer', 'python-smtplib', 'phpmailer', 'spring-boot', 'curl'] as const;
  for (const profile of ['submission', 'submissions'] as const) {
    for (const client of clients) {
      test(`${client}, for the ${profile} port`, async () => {
        const { snippets } = await doctorSettings(profile, 'oauth-token');
        const snippet = snippets[client] ?? '';
        assert.match(snippet, /SMTP_TOKEN/);
        const before = (await sandbox.store.listMessages({})).total;
        const output = await paste(client, snippet);
        const { items, total } = await sandbox.store.listMessages({});
        assert.equal(total, before + 1, `snippet:\n${snippet}\noutput:\n${output}`);
        const message = await sandbox.store.getMessage(items[0]?.id ?? '');
        assert.equal(message?.listener.profile, profile);
        assert.match(message?.auth?.mechanism ?? '', /^(?:XOAUTH2|OAUTHBEARER)$/, snippet);
      });
    }
  }
});

describe('with --servername, the snippets dial the host probed and check the certificate for the name', () => {
  // The certificate names only mail.example.net, which does not resolve: a snippet delivers only
  // if it dials the address probed and checks the certificate for the name.
  const WITH_SERVERNAME = ['nodemailer', 'phpmailer', 'swoosh', 'curl', 'swaks'] as const;
  let server: TestSmtpServer;
  let snippets: Record<string, string>;

  before(async () => {
    const fixtures = await createTlsFixtures();
    const fixtureCa = join(dir, 'fixture-ca.pem');
    await writeFile(fixtureCa, fixtures.ca.certPem);
    server = await startTestSmtpServer({
      tls: 'starttls',
      certificate: fixtures.wrongHostname,
      tlsRequired: true,
      authRequired: true,
      credentials: sandbox.auth,
    });
    const report = await runDoctor({
      host: '127.0.0.1',
      servername: 'mail.example.net',
      ports: [server.port],
      caFile: fixtureCa,
      credentials: sandbox.auth,
      stepTimeoutMs: 5000,
    });
    assert.ok(report.settings, JSON.stringify(report.ports[0]?.findings));
    snippets = report.settings;
  });
  after(() => server.close());

  for (const client of WITH_SERVERNAME) {
    test(client, async () => {
      const snippet = snippets[client] ?? '';
      const before = server.messages.length;
      const output = await paste(client, snippet);
      assert.equal(server.messages.length, before + 1, `snippet:\n${snippet}\noutput:\n${output}`);
    });
  }

  test('clients that cannot check another name than the one they dial say how to get there', () => {
    for (const client of ['python-smtplib', 'laravel', 'django', 'rails', 'spring-boot', 'dotnet-mailkit']) {
      assert.match(snippets[client] ?? '', /127\.0\.0\.1/, client);
      assert.match(snippets[client] ?? '', /certificate is for mail\.example\.net/, client);
    }
    assert.match(snippets.postfix ?? '', /'smtp_tls_secure_cert_match = mail\.example\.net'/);
  });
});

describe("the doctor's Postfix relayhost settings deliver when pasted", {
  skip: POSTFIX_UNAVAILABLE ?? false,
}, () => {
  for (const profile of ['submission', 'submissions'] as const) {
    test(`Postfix, for the ${profile} port`, async () => {
      const { snippets, recommendation } = await doctorSettings(profile);
      const snippet = snippets.postfix ?? '';
      const postfix = await PostfixInstance.start();
      try {
        const output = await postfix.paste(snippet, { SMTP_PASS: sandbox.auth.pass });
        const before = (await sandbox.store.listMessages({})).total;
        await postfix.send('to@example.com');
        const log = await postfix.outcome('to@example.com');
        assert.match(log, /status=sent/, `snippet:\n${snippet}\noutput:\n${output}\nPostfix logged:\n${log}`);
        const { items, total } = await sandbox.store.listMessages({});
        assert.equal(total, before + 1);
        const message = await sandbox.store.getMessage(items[0]?.id ?? '');
        assert.equal(message?.listener.profile, profile);
        assert.equal(message?.tls?.mode, TLS_MODE[recommendation.tls]);
        assert.equal(message?.auth?.user, sandbox.auth.user);
      } finally {
        await postfix.stop();
      }
    });
  }
});
