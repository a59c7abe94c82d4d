/**
 * `explain` when every recipient was refused: real clients against raw-socket servers that refuse
 * RCPT TO and then answer DATA as Postfix and Exim do, and against the sandbox, which answers DATA
 * with its own "554 5.5.1 No valid recipients". Pipelining clients (swaks --pipeline) show the DATA
 * refusal, which names no reason: the answer is `no-valid-recipients`, quoting the RCPT reply.
 * Clients that give up before DATA show the RCPT reply itself, and answer as that reply says.
 * Nothing in this file is a typed-in error message.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type CauseId, explainText } from '../../src/explain/index.js';
import { CLIENTS_DIR } from '../helpers/language-clients.js';
import { nodemailerOutput } from '../helpers/nodemailer-output.js';
import { runClient } from '../helpers/run-client.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { type ScriptedServer, startScriptedServer } from '../smtp-client/test-servers.js';

/** How each server refuses the recipient, then DATA. */
const SERVERS = {
  // Postfix: an access map (check_recipient_access) that names no reason, then smtpd's DATA reply.
  postfix: {
    rcpt: '554 5.7.1 <bob@example.com>: Recipient address rejected: Access denied',
    data: '554 5.5.1 Error: no valid recipients',
  },
  // Exim: an ACL `deny` without a message; its DATA reply quotes the RCPT refusal.
  exim: {
    rcpt: '550 Administrative prohibition',
    data: '503-All RCPT commands were rejected with this error:\r\n503-Administrative prohibition\r\n503 Valid RCPT command must precede DATA',
  },
  // Postfix refusing to relay for an unauthenticated client: the RCPT reply names the cause.
  relay: {
    rcpt: '554 5.7.1 <bob@example.com>: Relay access denied',
    data: '554 5.5.1 Error: no valid recipients',
  },
} as const;
type ServerName = keyof typeof SERVERS;

const servers = {} as Record<ServerName, ScriptedServer>;
let sandbox: TestSandbox;

before(async () => {
  for (const [name, replies] of Object.entries(SERVERS)) {
    let inData = false;
    servers[name as ServerName] = await startScriptedServer((line, socket) => {
      if (inData) {
        if (line === '.') {
          inData = false;
          socket.write('250 2.0.0 Ok: queued\r\n');
        }
        return true;
      }
      const verb = line.split(/[ :]/)[0]?.toUpperCase();
      if (verb === 'EHLO') socket.write('250-broken.test\r\n250-PIPELINING\r\n250 ENHANCEDSTATUSCODES\r\n');
      else if (verb === 'RCPT') socket.write(`${replies.rcpt}\r\n`);
      else if (verb === 'DATA') socket.write(`${replies.data}\r\n`);
      else return false;
      return true;
    });
  }
  sandbox = await startTestSandbox({ chaos: ['rcpt:554,match=bob@example.com'] });
});

after(async () => {
  await Promise.all([...Object.values(servers).map((server) => server.close()), sandbox.stop()]);
});

const swaks = (port: number, ...extra: string[]) =>
  runClient('swaks', [
    ...['--server', '127.0.0.1', '--port', String(port), '--timeout', '5'],
    ...['--from', 'alice@example.com', '--to', 'bob@example.com', ...extra],
  ]);

/** The clients in this repository's helpers/clients, without TLS or AUTH. */
const helperClient = (command: string, script: string) => (port: number) =>
  runClient(command, [join(CLIENTS_DIR, script)], {
    env: { MP_HOST: '127.0.0.1', MP_PORT: String(port), MP_TLS: 'none', MP_TIMEOUT: '5' },
  });

/** nodemailer without STARTTLS, so the refusal is the only failure. */
const nodemailerClient = (port: number) => nodemailerOutput({ host: '127.0.0.1', port, ignoreTLS: true });

const python = (port: number) =>
  runClient('python3', [
    '-c',
    `import smtplib\ns = smtplib.SMTP('127.0.0.1', ${port}, timeout=5)\ns.sendmail('alice@example.com', ['bob@example.com'], 'Subject: t\\r\\n\\r\\nhi')`,
  ]);

interface Case {
  name: string;
  server: ServerName | 'sandbox';
  client: (port: number) => Promise<string>;
  expected: CauseId;
  /** The refused recipient's reply, as the summary must quote it. */
  quoted: RegExp;
}

const cases: Case[] = [
  {
    name: 'swaks --pipeline against Postfix: DATA refused, the RCPT reply quoted',
    server: 'postfix',
    client: (port) => swaks(port, '--pipeline'),
    expected: 'no-valid-recipients',
    quoted:
      /refused the recipient with "554 5\.7\.1 <bob@example\.com>: Recipient address rejected: Access denied"/,
  },
  {
    name: 'swaks --pipeline against Exim: the RCPT refusal inside its 503',
    server: 'exim',
    client: (port) => swaks(port, '--pipeline'),
    expected: 'no-valid-recipients',
    quoted: /refused the recipient with "Administrative prohibition"/,
  },
  {
    name: 'swaks --pipeline against the sandbox (Mailport answers DATA with 554 5.5.1)',
    server: 'sandbox',
    client: (port) => swaks(port, '--pipeline'),
    expected: 'no-valid-recipients',
    quoted: /refused the recipient with "554 5\.7\.1 Permanent failure injected .*\(stage rcpt\)"/,
  },
  {
    name: 'swaks --pipeline against a relay refusal: the reason in the RCPT reply wins',
    server: 'relay',
    client: (port) => swaks(port, '--pipeline'),
    expected: 'relay-denied',
    quoted: /./,
  },
  {
    name: 'swaks without pipelining stops at RCPT TO',
    server: 'exim',
    client: (port) => swaks(port),
    expected: 'recipient-unknown',
    quoted: /refused the recipient with "550 Administrative prohibition"/,
  },
  {
    name: 'Ruby Net::SMTP: refused in rcptto',
    server: 'exim',
    client: helperClient('ruby', 'send.rb'),
    expected: 'recipient-unknown',
    quoted: /"550 Administrative prohibition"/,
  },
  {
    name: 'Symfony Mailer: refused in doRcptToCommand()',
    server: 'exim',
    client: helperClient('php', 'send-symfony.php'),
    expected: 'recipient-unknown',
    quoted: /"550 Administrative prohibition"/,
  },
  {
    name: 'PHPMailer: "The following recipients failed"',
    server: 'postfix',
    client: helperClient('php', 'send.php'),
    expected: 'recipient-unknown',
    quoted: /"554 5\.7\.1 <bob@example\.com>: Recipient address rejected: Access denied"/,
  },
  {
    name: 'nodemailer: "all recipients were rejected"',
    server: 'postfix',
    client: nodemailerClient,
    expected: 'recipient-unknown',
    quoted: /"554 5\.7\.1 <bob@example\.com>: Recipient address rejected: Access denied"/,
  },
  {
    name: 'Python smtplib: SMTPRecipientsRefused',
    server: 'postfix',
    client: python,
    expected: 'recipient-unknown',
    quoted: /"554 5\.7\.1 <bob@example\.com>: Recipient address rejected: Access denied"/,
  },
];

describe('explain answers clients whose every recipient was refused', { concurrency: 4 }, () => {
  for (const testCase of cases) {
    test(testCase.name, async () => {
      const port = testCase.server === 'sandbox' ? sandbox.port('relay') : servers[testCase.server].port;
      const output = await testCase.client(port);
      const answer = explainText(output);
      assert.equal(answer.cause, testCase.expected, `output was:\n${output}`);
      assert.match(answer.summary, testCase.quoted, `output was:\n${output}`);
    });
  }
});

test('a DATA refusal alone points at the RCPT TO reply it does not show', () => {
  const answer = explainText('554 5.5.1 Error: no valid recipients');
  assert.equal(answer.cause, 'no-valid-recipients');
  assert.match(answer.fix, /reply to RCPT TO/);
  assert.doesNotMatch(answer.summary, /refused the recipient with/);
});
