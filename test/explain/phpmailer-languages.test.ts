/**
 * `explain` against PHPMailer speaking other languages (`$mail->setLanguage('de')`, Debian's
 * libphp-phpmailer and its language files), making real mistakes against a real Mailport sandbox.
 * Each mistake is read three ways: ErrorInfo, the exception's message (both without debug output,
 * as a production application logs them) and ErrorInfo after PHPMailer's SMTPDebug transcript.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type CauseId, explainText } from '../../src/explain/index.js';
import {
  PHPMAILER_TRANSLATIONS,
  type PhpMailerMessageKey,
} from '../../src/explain/phpmailer-translations.js';
import { CLIENTS_DIR } from '../helpers/language-clients.js';
import { runClient } from '../helpers/run-client.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { closedPort } from '../smtp-client/test-servers.js';

const LANGUAGES = ['de', 'fr', 'es', 'pt_br', 'it', 'nl', 'ru', 'ja', 'zh'];
const credentials = { user: 'team-a', pass: 's3cret-pass' };

let sandbox: TestSandbox;
let refusedPort: number;
let tempDir: string;
let caFile: string;

before(async () => {
  sandbox = await startTestSandbox({
    auth: [`${credentials.user}:${credentials.pass}`],
    chaos: [
      'rcpt:550,match=nobody@example.com',
      'mail:550,match=blocked@example.com',
      'message:554,match=filtered@example.com',
    ],
  });
  refusedPort = await closedPort();
  tempDir = await mkdtemp(join(tmpdir(), 'mailport-phpmailer-'));
  caFile = join(tempDir, 'ca.pem');
  await writeFile(caFile, sandbox.caPem);
});

after(async () => {
  await sandbox.stop();
  await rm(tempDir, { recursive: true, force: true });
});

type Report = 'ErrorInfo' | 'exception message' | 'SMTPDebug output';
const REPORT_ENV: Record<Report, Record<string, string>> = {
  ErrorInfo: { MP_DEBUG: '0' },
  'exception message': { MP_DEBUG: '0', MP_REPORT: 'exception' },
  'SMTPDebug output': { MP_DEBUG: '2' },
};

interface Mistake {
  env: () => Record<string, string>;
  /** The translated message PHPMailer prints for it. */
  message: PhpMailerMessageKey;
  /** The cause, or `unknown` with PHPMailer's advice where its message fits every connection problem. */
  expected: CauseId | { withoutDebug: 'unknown'; withDebug: CauseId };
}

const starttls = () => ({
  MP_HOST: 'localhost',
  MP_CA: caFile,
  MP_TLS: 'starttls',
  MP_PORT: String(sandbox.port('submission')),
  MP_USER: credentials.user,
  MP_PASS: credentials.pass,
});

const MISTAKES: Record<string, Mistake> = {
  'a wrong password': {
    env: () => ({ ...starttls(), MP_PASS: 'wrong' }),
    message: 'authenticate',
    expected: 'auth-failed',
  },
  'implicit TLS against the STARTTLS port': {
    env: () => ({ MP_HOST: '127.0.0.1', MP_TLS: 'implicit', MP_PORT: String(sandbox.port('submission')) }),
    message: 'connect_host',
    expected: { withoutDebug: 'unknown', withDebug: 'implicit-tls-on-starttls-port' },
  },
  'plaintext against the implicit-TLS port': {
    env: () => ({ MP_HOST: '127.0.0.1', MP_TLS: 'none', MP_PORT: String(sandbox.port('submissions')) }),
    message: 'connect_host',
    expected: { withoutDebug: 'unknown', withDebug: 'plaintext-on-implicit-tls-port' },
  },
  'a refused recipient': {
    env: () => ({ ...starttls(), MP_TO: 'nobody@example.com' }),
    message: 'recipients_failed',
    expected: 'recipient-unknown',
  },
  'a refused sender': {
    env: () => ({ ...starttls(), MP_FROM: 'blocked@example.com' }),
    message: 'from_failed',
    expected: 'sender-rejected',
  },
  'a message refused after the final dot': {
    env: () => ({ ...starttls(), MP_TO: 'filtered@example.com' }),
    message: 'data_not_accepted',
    expected: 'message-rejected',
  },
  'a closed port': {
    env: () => ({ MP_HOST: '127.0.0.1', MP_TLS: 'none', MP_PORT: String(refusedPort) }),
    message: 'connect_host',
    expected: { withoutDebug: 'unknown', withDebug: 'connection-refused' },
  },
};

describe('explain answers PHPMailer in other languages', { concurrency: 4 }, () => {
  for (const language of LANGUAGES) {
    for (const [mistake, { env, message, expected }] of Object.entries(MISTAKES)) {
      test(`${language}: ${mistake}`, async () => {
        for (const [report, reportEnv] of Object.entries(REPORT_ENV) as [Report, Record<string, string>][]) {
          const output = await runClient('php', [join(CLIENTS_DIR, 'send.php')], {
            env: { ...env(), ...reportEnv, MP_LANG: language },
          });
          const translated = PHPMAILER_TRANSLATIONS[language]?.[message]?.trim() ?? '';
          assert.ok(
            translated !== '' && output.includes(translated),
            `${report} is not in ${language}:\n${output}`,
          );
          const answer = explainText(output);
          const cause =
            typeof expected === 'string'
              ? expected
              : report === 'SMTPDebug output'
                ? expected.withDebug
                : expected.withoutDebug;
          assert.equal(answer.cause, cause, `${report} was:\n${output}`);
          // Its line names no cause, but the advice is PHPMailer's: turn the debug output on.
          if (cause === 'unknown') assert.match(answer.fix, /SMTPDebug = SMTP::DEBUG_CONNECTION/);
        }
      });
    }
  }
});
