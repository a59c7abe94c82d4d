/**
 * `explain` against real clients refused by a real sandbox at a later step than the connection:
 * the sender refused at MAIL FROM, the message refused after its final dot, a 451 at RCPT TO (the
 * sandbox's chaos rules make the server say so), and the mistakes the Ruby `mail` gem and
 * openssl s_client make against its ports. Nothing in this file is a typed-in error message.
 *
 * The refusals carry a reply that names no reason (`550 5.7.1 Permanent failure injected ...`), as
 * many servers' do: the client's words for the step that failed are what tells the cause. Go's
 * net/smtp prints the bare reply, and curl only "Weird server reply" after the final dot: both stay
 * `unknown`, and are not here.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type CauseId, explainText } from '../../src/explain/index.js';
import { type ClientTestBed, startClientTestBed } from '../helpers/client-test-bed.js';
import {
  curl,
  mailGem,
  msmtp,
  nodemailerSend,
  pythonSmtplib,
  type Send,
  swaks,
} from '../helpers/env-senders.js';
import type { LanguageClients } from '../helpers/language-clients.js';
import { runClient } from '../helpers/run-client.js';
import type { TestSandbox } from '../helpers/sandbox.js';
import { closedPort } from '../smtp-client/test-servers.js';

const credentials = { user: 'team-a', pass: 's3cret-pass' };
const REFUSED_SENDER = 'blocked@example.com';
const FILTERED_RECIPIENT = 'filtered@example.com';
const LATER_RECIPIENT = 'later@example.com';
const NO_MESSAGE_ID_RECIPIENT = 'no-message-id@example.com';
const THROTTLED_SENDER = 'throttled@example.com';
const EXPIRED_USER = 'expired-password';

let bed: ClientTestBed;
let sandbox: TestSandbox;
let clients: LanguageClients;
let caFile: string;
let refusedPort: number;

before(async () => {
  bed = await startClientTestBed('refusals', {
    auth: [`${credentials.user}:${credentials.pass}`],
    chaos: [
      `mail:550,match=${REFUSED_SENDER}`,
      `message:554,match=${FILTERED_RECIPIENT}`,
      `rcpt:451,match=${LATER_RECIPIENT}`,
      'rcpt:550,match=nobody@example.com',
      // Providers' own words, for the clients to print.
      `message:550/5.7.1,match=${NO_MESSAGE_ID_RECIPIENT},text=[127.0.0.1] Messages missing a valid Message-ID header are not accepted.`,
      `mail:454/4.7.0,match=${THROTTLED_SENDER},text=Throttling failure: Maximum sending rate exceeded.`,
      `auth:432/4.7.12,match=${EXPIRED_USER},text=A password transition is needed`,
    ],
  });
  ({ sandbox, clients, caFile } = bed);
  refusedPort = await closedPort();
});

after(() => bed.stop());

const SENDERS: Record<string, Send> = {
  'Ruby Net::SMTP': (env) => clients.run('ruby', env),
  'Ruby mail gem': mailGem,
  'Symfony Mailer': (env) => clients.run('symfony', env),
  'Jakarta Mail': (env) => clients.run('java', env),
  aiosmtplib: (env) => clients.run('aiosmtplib', env),
  'Python smtplib': pythonSmtplib,
  msmtp,
  swaks,
};

/** Authenticated STARTTLS on the submission port: the refusal comes later. */
function submission(extra: Record<string, string> = {}): Record<string, string> {
  return bed.submission(credentials, { MP_TIMEOUT: '5', ...extra });
}

interface Case {
  name: string;
  expected: CauseId;
  output: () => Promise<string>;
  /** The port role the user would give with `--port`, where the output cannot say it. */
  port?: number;
  /** What the fix must say. */
  fix?: RegExp;
}

const cases: Case[] = [
  ...Object.entries(SENDERS).flatMap(([client, send]): Case[] => [
    {
      name: `${client}: the sender refused at MAIL FROM`,
      expected: 'sender-rejected',
      output: () => send(submission({ MP_FROM: REFUSED_SENDER })),
    },
    {
      name: `${client}: the message refused after the final dot`,
      expected: 'message-rejected',
      output: () => send(submission({ MP_TO: FILTERED_RECIPIENT })),
    },
  ]),
  {
    name: 'curl: the message refused after the final dot shows only "Weird server reply": -v is the way on',
    expected: 'unknown',
    output: () => curl(submission({ MP_TO: FILTERED_RECIPIENT })),
    fix: /Run curl again with `-v`/,
  },
  {
    name: 'curl -v: the same refusal, its reply in the conversation',
    expected: 'message-rejected',
    output: () => curl(submission({ MP_TO: FILTERED_RECIPIENT, MP_VERBOSE: '1' })),
  },
  {
    name: 'curl: a 451 at RCPT TO is a temporary failure, not an unknown recipient',
    expected: 'temporary-failure',
    output: () => curl(submission({ MP_TO: LATER_RECIPIENT })),
  },
  {
    name: 'curl smtp:// against the implicit-TLS port, which answers with 421',
    expected: 'plaintext-on-implicit-tls-port',
    output: () => curl(submission({ MP_HOST: '127.0.0.1', MP_PORT: String(sandbox.port('submissions')) })),
    port: 465,
  },
  {
    name: 'openssl s_client -starttls smtp against the implicit-TLS port',
    expected: 'plaintext-on-implicit-tls-port',
    output: () =>
      runClient('openssl', [
        ...['s_client', '-starttls', 'smtp', '-connect', `127.0.0.1:${sandbox.port('submissions')}`],
        ...['-CAfile', caFile],
      ]),
  },
  {
    name: "nodemailer: Gmail's refusal of a message without a valid Message-ID",
    expected: 'sender-rejected',
    output: () => nodemailerSend(submission({ MP_TO: NO_MESSAGE_ID_RECIPIENT })),
  },
  {
    name: "Python smtplib: Amazon SES's throttling at MAIL FROM",
    expected: 'rate-limited',
    output: () => pythonSmtplib(submission({ MP_FROM: THROTTLED_SENDER })),
  },
  {
    name: 'Python smtplib: 432 4.7.12, a password that must be changed (RFC 4954)',
    expected: 'auth-failed',
    output: () => pythonSmtplib(submission({ MP_USER: EXPIRED_USER })),
  },
  // The Ruby mail gem (Rails' ActionMailer) making the mistakes other clients are tested with.
  {
    name: 'Ruby mail gem: a wrong password',
    expected: 'auth-failed',
    output: () => mailGem(submission({ MP_PASS: 'wrong' })),
  },
  {
    name: 'Ruby mail gem: implicit TLS (tls: true) against the STARTTLS port',
    expected: 'implicit-tls-on-starttls-port',
    output: () => mailGem(submission({ MP_TLS: 'implicit' })),
  },
  {
    name: 'Ruby mail gem: no TLS against the implicit-TLS port',
    expected: 'plaintext-on-implicit-tls-port',
    output: () => mailGem(submission({ MP_TLS: 'none', MP_PORT: String(sandbox.port('submissions')) })),
  },
  {
    name: 'Ruby mail gem: a refused recipient',
    expected: 'recipient-unknown',
    output: () => mailGem(submission({ MP_TO: 'nobody@example.com' })),
  },
  {
    name: 'Ruby mail gem: a closed port',
    expected: 'connection-refused',
    output: () => mailGem(submission({ MP_HOST: '127.0.0.1', MP_PORT: String(refusedPort) })),
  },
];

describe('explain answers clients refused by the sandbox', { concurrency: 4 }, () => {
  for (const testCase of cases) {
    test(testCase.name, async () => {
      const output = await testCase.output();
      const answer = explainText(output, testCase.port === undefined ? {} : { port: testCase.port });
      assert.equal(answer.cause, testCase.expected, `output was:\n${output}`);
      if (testCase.fix) assert.match(answer.fix, testCase.fix, `output was:\n${output}`);
    });
  }
});
