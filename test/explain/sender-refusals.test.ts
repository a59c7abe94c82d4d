/**
 * `explain` when the sender is refused because the login does not own it: every real client on
 * this machine, logged in to a sandbox that runs with `senderMustMatchLogin` (`mailport serve
 * --sender-must-match-login`), sends from another address and gets `553 5.7.1 <...>: Sender address
 * rejected: not owned by user ...`, as Postfix's reject_sender_login_mismatch answers. What each
 * client prints must explain as `sender-rejected`, whether or not the user gives `--port`, and the
 * sandbox must record the session's `sender-not-owned` diagnostic. Nothing in this file is a
 * typed-in error message.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { explainText } from '../../src/explain/index.js';
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
import type { TestSandbox } from '../helpers/sandbox.js';
import { nextClosedSession } from '../helpers/wait.js';

const LOGIN = { user: 'app@example.com', pass: 'pw' };
/** The port a user of these clients would name with `mailport explain --port`. */
const SUBMISSION_PORT = 587;

let bed: ClientTestBed;
let sandbox: TestSandbox;
let clients: LanguageClients;

before(async () => {
  bed = await startClientTestBed('sender-refusals', {
    senderMustMatchLogin: true,
    auth: [`${LOGIN.user}:${LOGIN.pass}`],
  });
  ({ sandbox, clients } = bed);
});

after(() => bed.stop());

/** Each client, by the address it sends from: its own, so that its session can be told apart. */
const SENDERS: Record<string, { from: string; send: Send }> = {
  nodemailer: { from: 'nodemailer@other.example', send: nodemailerSend },
  'Python smtplib': { from: 'smtplib@other.example', send: pythonSmtplib },
  aiosmtplib: { from: 'aiosmtplib@other.example', send: (env) => clients.run('aiosmtplib', env) },
  PHPMailer: { from: 'phpmailer@other.example', send: (env) => clients.run('php', env) },
  'Symfony Mailer': { from: 'symfony@other.example', send: (env) => clients.run('symfony', env) },
  'Jakarta Mail': { from: 'jakarta@other.example', send: (env) => clients.run('java', env) },
  'Ruby Net::SMTP': { from: 'net-smtp@other.example', send: (env) => clients.run('ruby', env) },
  'Ruby mail gem': { from: 'mail-gem@other.example', send: mailGem },
  'Go net/smtp': { from: 'go@other.example', send: (env) => clients.run('go', env) },
  curl: { from: 'curl@other.example', send: curl },
  swaks: { from: 'swaks@other.example', send: swaks },
  msmtp: { from: 'msmtp@other.example', send: msmtp },
};

describe('explain answers clients whose login does not own the sender', { concurrency: 4 }, () => {
  for (const [client, { from, send }] of Object.entries(SENDERS)) {
    test(`${client}: MAIL FROM another address than the login`, async () => {
      const closed = nextClosedSession(
        sandbox.bus,
        (session) => session.diagnostics.some((diagnostic) => diagnostic.detail?.includes(`<${from}>`)),
        30_000,
      );
      const output = await send(bed.submission(LOGIN, { MP_FROM: from, MP_TIMEOUT: '5' }));
      assert.equal(explainText(output).cause, 'sender-rejected', `output was:\n${output}`);
      assert.equal(
        explainText(output, { port: SUBMISSION_PORT }).cause,
        'sender-rejected',
        `with --port ${SUBMISSION_PORT}; output was:\n${output}`,
      );
      const session = await closed;
      assert.deepEqual(
        session.diagnostics.map((diagnostic) => diagnostic.code),
        ['sender-not-owned'],
        `session ${session.id}; client output:\n${output}`,
      );
      assert.equal(session.messageIds.length, 0);
    });
  }
});
