/**
 * `explain` against mistakes a client makes in the conversation itself, run for real against the
 * sandbox and a private Postfix: commands out of order (no EHLO, no EHLO again after STARTTLS, RCPT
 * before MAIL, a second MAIL), parameters of extensions the server does not offer, addresses the
 * server cannot read (a display name in the envelope, a name without a domain), a message smtplib
 * cannot encode, and an HTTP client pointed at an SMTP port. Nothing in this file is a typed-in
 * error message.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type CauseId, explainText } from '../../src/explain/index.js';
import { launchChromium } from '../helpers/chromium.js';
import { type ClientTestBed, startClientTestBed } from '../helpers/client-test-bed.js';
import type { LanguageClients } from '../helpers/language-clients.js';
import { nodemailerOutput } from '../helpers/nodemailer-output.js';
import { POSTFIX_UNAVAILABLE, PostfixInstance } from '../helpers/postfix.js';
import { runClient } from '../helpers/run-client.js';
import type { TestSandbox } from '../helpers/sandbox.js';

const credentials = { user: 'team-a', pass: 's3cret-pass' };

let bed: ClientTestBed;
let sandbox: TestSandbox;
let clients: LanguageClients;
let tempDir: string;
let caFile: string;

before(async () => {
  bed = await startClientTestBed('client-mistakes', { auth: [`${credentials.user}:${credentials.pass}`] });
  ({ sandbox, clients, tempDir, caFile } = bed);
});

after(() => bed.stop());

interface Case {
  output: () => Promise<string>;
  expected: CauseId;
  /** What the answer (summary and fix) must say for this mistake. */
  says?: RegExp;
}

function check(name: string, makeCase: () => Case): void {
  test(name, async () => {
    const { output, expected, says } = makeCase();
    const text = await output();
    const answer = explainText(text);
    assert.equal(answer.cause, expected, `output was:\n${text}`);
    if (says) assert.match(`${answer.summary}\n${answer.fix}`, says, `output was:\n${text}`);
  });
}

/** Python's smtplib connected to `port` in plaintext as `s`, then `code`; the traceback is the output. */
function python(port: number, code: string, host = '127.0.0.1'): Promise<string> {
  return runClient('python3', [
    '-c',
    `import smtplib, ssl\ns = smtplib.SMTP('${host}', ${port}, timeout=3)\n${code}`,
  ]);
}

/** smtplib upgraded with STARTTLS on the sandbox's submission port, as `s`, then `code`. */
function pythonAfterStarttls(code: string): Promise<string> {
  return python(
    sandbox.port('submission'),
    `s.starttls(context=ssl.create_default_context(cafile='${caFile}'))\n${code}`,
    'localhost',
  );
}

/** Ruby's Net::SMTP, greeted (EHLO) and without STARTTLS, running `code` on `s`. */
function ruby(port: number, code: string): Promise<string> {
  return runClient('ruby', [
    '-rnet/smtp',
    '-e',
    `Net::SMTP.start('127.0.0.1', ${port}, starttls: false) { |s| ${code} }`,
  ]);
}

function swaks(port: number, envelope: { from?: string; to?: string }): Promise<string> {
  return runClient('swaks', [
    ...['--server', `127.0.0.1:${port}`, '--timeout', '3'],
    ...['--from', envelope.from ?? 'alice@example.com', '--to', envelope.to ?? 'bob@example.com'],
  ]);
}

/** A language client's settings for the sandbox's submission port, logged in. */
function submission(extra: Record<string, string>): Record<string, string> {
  return bed.submission(credentials, { MP_DEBUG: '0', ...extra });
}

describe('the sandbox', { concurrency: 6 }, () => {
  const relay = () => sandbox.port('relay');

  check('openssl s_client: MAIL FROM typed right after the STARTTLS handshake', () => ({
    output: () =>
      runClient(
        'openssl',
        [
          ...['s_client', '-quiet', '-starttls', 'smtp', '-CAfile', caFile],
          ...['-connect', `127.0.0.1:${sandbox.port('submission')}`],
        ],
        { input: 'MAIL FROM:<alice@example.com>\r\nQUIT\r\n' },
      ),
    expected: 'no-ehlo',
    says: /type `EHLO name`/,
  }));
  check('python: starttls() then mail(), rcpt() and data() without ehlo()', () => ({
    output: () =>
      pythonAfterStarttls(
        "s.mail('alice@example.com')\ns.rcpt('bob@example.com')\ns.data('Subject: x\\r\\n\\r\\nhi')",
      ),
    expected: 'no-ehlo',
    says: /`s\.starttls\(\)` then `s\.ehlo\(\)`/,
  }));
  check(
    'python: login() inside a mail transaction, its reply printed (smtplib takes 503 for success)',
    () => ({
      output: () =>
        python(
          relay(),
          `s.starttls(context=ssl.create_default_context(cafile='${caFile}'))\ns.ehlo()\ns.mail('alice@example.com')\nprint(s.login('${credentials.user}', '${credentials.pass}'))`,
          'localhost',
        ),
      expected: 'bad-sequence',
    }),
  );
  check('openssl s_client: STARTTLS typed again over the TLS session', () => ({
    output: () =>
      runClient(
        'openssl',
        [
          ...['s_client', '-quiet', '-starttls', 'smtp', '-CAfile', caFile],
          ...['-connect', `127.0.0.1:${relay()}`],
        ],
        { input: 'EHLO client.example\r\nSTARTTLS\r\nQUIT\r\n' },
      ),
    expected: 'bad-sequence',
  }));
  check('python: DSN options forced on MAIL FROM, to a server without DSN', () => ({
    output: () =>
      python(
        relay(),
        "s.sendmail('alice@example.com', ['bob@example.com'], b'Subject: x\\r\\n\\r\\nhi\\r\\n', mail_options=['RET=HDRS'])",
      ),
    expected: 'unsupported-parameter',
    says: /mail_options/,
  }));
  check('python: DSN options forced on RCPT TO, to a server without DSN', () => ({
    output: () =>
      python(
        relay(),
        "s.sendmail('alice@example.com', ['bob@example.com'], b'Subject: x\\r\\n\\r\\nhi\\r\\n', rcpt_options=['NOTIFY=SUCCESS,FAILURE'])",
      ),
    expected: 'unsupported-parameter',
  }));
  check('python: data() without mail()', () => ({
    output: () => python(relay(), "s.ehlo()\ns.data('Subject: x\\r\\n\\r\\nhi')"),
    expected: 'bad-sequence',
  }));
  check('ruby: rcptto() without mailfrom()', () => ({
    output: () => ruby(relay(), "s.rcptto('bob@example.com')"),
    expected: 'bad-sequence',
  }));
  check('ruby: a second mailfrom() in one transaction', () => ({
    output: () => ruby(relay(), "s.mailfrom('alice@example.com'); s.mailfrom('alice@example.com')"),
    expected: 'bad-sequence',
    says: /RSET before a new MAIL FROM/,
  }));
  check('nodemailer: `to` from an environment variable that is not set', () => ({
    output: () =>
      nodemailerOutput(
        { host: '127.0.0.1', port: relay(), ignoreTLS: true },
        { to: process.env.MAILPORT_TEST_UNSET_RECIPIENT },
      ),
    expected: 'no-valid-recipients',
    says: /process\.env\.MAIL_TO/,
  }));
  check('swaks: a display name in the envelope recipient', () => ({
    output: () => swaks(relay(), { to: 'Bob <bob@example.com>' }),
    expected: 'recipient-unknown',
    says: /not a display name: send RCPT TO:<bob@example\.com>[\s\S]*display name in the envelope/,
  }));
  check('curl: a display name in --mail-from, with -v', () => ({
    output: async () => {
      const message = join(tempDir, 'curl-display-name.eml');
      await writeFile(message, 'Subject: display name\r\n\r\nhello\r\n');
      return runClient('curl', [
        '-sSv',
        `smtp://127.0.0.1:${relay()}`,
        '--mail-from',
        'Alice <alice@example.com>',
        '--mail-rcpt',
        'bob@example.com',
        '-T',
        message,
      ]);
    },
    expected: 'sender-rejected',
    says: /not a display name: send MAIL FROM:<alice@example\.com>/,
  }));
  check('swaks: a recipient without a domain', () => ({
    output: () => swaks(relay(), { to: 'bob' }),
    expected: 'recipient-unknown',
    says: /501 5\.1\.3 Bad recipient address syntax/,
  }));
  check('swaks: a display name in the envelope sender', () => ({
    output: () => swaks(relay(), { from: 'Alice <alice@example.com>' }),
    expected: 'sender-rejected',
    says: /in angle brackets/,
  }));
  for (const [client, name] of [
    ['php', 'PHPMailer'],
    ['symfony', 'Symfony Mailer'],
  ] as const) {
    check(`${name}: a recipient without a domain, refused before connecting`, () => ({
      output: () => clients.run(client, submission({ MP_TO: 'bob' })),
      expected: 'recipient-unknown',
      says: /refused the address itself, before connecting/,
    }));
    check(`${name}: a sender without a domain, refused before connecting`, () => ({
      output: () => clients.run(client, submission({ MP_FROM: 'alice' })),
      expected: 'sender-rejected',
      says: /The sender is the one refused/,
    }));
  }
  check('aiosmtplib: a message with no recipient', () => ({
    output: () => clients.run('aiosmtplib', submission({ MP_TO: '' })),
    expected: 'no-valid-recipients',
    says: /message\['To'\]/,
  }));
  check('jakarta mail: a CA file that is not there', () => ({
    output: () => clients.run('java', submission({ MP_CA: join(tempDir, 'missing-ca.pem') })),
    expected: 'unknown',
    says: /does not exist at that path/,
  }));
  check('node: nodemailer given a CA file that is not there', () => ({
    output: () =>
      runClient(process.execPath, [
        '-e',
        `require('nodemailer').createTransport({ host: 'localhost', tls: { ca: require('node:fs').readFileSync('${join(tempDir, 'missing-ca.pem')}') } })`,
      ]),
    expected: 'unknown',
    says: /does not exist at that path/,
  }));
  check('jakarta mail: a recipient without a domain', () => ({
    output: () =>
      clients.run('java', {
        MP_HOST: '127.0.0.1',
        MP_PORT: String(relay()),
        MP_TLS: 'none',
        MP_TO: 'bob',
      }),
    expected: 'recipient-unknown',
    says: /bare addresses/,
  }));
  check('python: sendmail() of a str message holding é, the error printed as str(e)', () => ({
    output: () =>
      python(
        relay(),
        "try:\n  s.sendmail('alice@example.com', ['bob@example.com'], 'Subject: café\\r\\n\\r\\nhi')\nexcept Exception as e:\n  print(e)",
      ),
    expected: 'non-ascii-not-supported',
    says: /traceback's last smtplib line[\s\S]*s\.send_message\(msg\)/,
  }));
});

describe('an HTTP client on an SMTP port', { concurrency: 4 }, () => {
  const url = () => `http://127.0.0.1:${sandbox.port('relay')}/`;

  check('curl', () => ({
    output: () => runClient('curl', ['-sS', url()]),
    expected: 'not-http',
    says: /http:\/\/127\.0\.0\.1:8025/,
  }));
  check('python urllib', () => ({
    output: () => runClient('python3', ['-c', `import urllib.request\nurllib.request.urlopen('${url()}')`]),
    expected: 'not-http',
  }));
  check('node fetch', () => ({
    output: () => runClient(process.execPath, ['-e', `fetch('${url()}').catch((e) => console.error(e))`]),
    expected: 'not-http',
  }));
  check('go net/http', () => ({
    output: async () => {
      const program = join(tempDir, 'get.go');
      await writeFile(
        program,
        `package main\nimport ("log"; "net/http")\nfunc main() { if _, err := http.Get("${url()}"); err != nil { log.Fatal(err) } }\n`,
      );
      return runClient('go', ['run', program], { env: { GOCACHE: join(tempDir, 'go-cache') } });
    },
    expected: 'not-http',
  }));
  test('chromium: an SMTP port it reads, and the mail ports it refuses to open', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      for (const address of [url(), 'http://127.0.0.1:587/']) {
        const error = await page.goto(address).then(
          () => null,
          (thrown: Error) => thrown.message,
        );
        assert.ok(error, `${address} loaded`);
        assert.equal(explainText(error).cause, 'not-http', error);
      }
    } finally {
      await browser.close();
    }
  });
});

let postfix: PostfixInstance | undefined;
let postfixPort = 0;

describe('Postfix with smtpd_helo_required', { skip: POSTFIX_UNAVAILABLE ?? false, concurrency: 4 }, () => {
  before(async () => {
    postfix = await PostfixInstance.start({ default_transport: 'discard:', relay_transport: 'discard:' });
    const [listener] = await postfix.listen([{ settings: { smtpd_helo_required: 'yes' } }]);
    postfixPort = listener?.port ?? 0;
  });
  after(() => postfix?.stop());

  check('python: mail() without ehlo(), its reply printed', () => ({
    output: () => python(postfixPort, "print(s.mail('alice@example.com'))"),
    expected: 'no-ehlo',
  }));
  check('ruby: rcptto() without mailfrom()', () => ({
    output: () => ruby(postfixPort, "s.rcptto('bob@example.com')"),
    expected: 'bad-sequence',
  }));
  check('ruby: a second mailfrom() in one transaction', () => ({
    output: () => ruby(postfixPort, "s.mailfrom('alice@example.com'); s.mailfrom('alice@example.com')"),
    expected: 'bad-sequence',
  }));
  check('swaks: a recipient whose domain is empty', () => ({
    output: () => swaks(postfixPort, { to: 'bob@' }),
    expected: 'recipient-unknown',
    says: /501 5\.1\.3 Bad recipient address syntax[\s\S]*`bob@` when the variable holding the domain is unset/,
  }));
  check('swaks: a sender whose domain is empty', () => ({
    output: () => swaks(postfixPort, { from: 'alice@' }),
    expected: 'sender-rejected',
    says: /refuses the form of the address/,
  }));
});
