/**
 * `explain` on what real clients print when the server, or a firewall in front of it, breaks SMTP:
 * a Cisco ASA's ESMTP inspection (greeting masked with asterisks, STARTTLS hidden as XXXXXXXA,
 * commands rewritten into XXXX), a server whose replies carry no reply code, and Postfix's
 * smtp-sink answering AUTH LOGIN with 250. The servers are scripted on loopback (or smtp-sink);
 * every text explained here was printed by the client.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type CauseId, explainText } from '../../src/explain/index.js';
import { runMailport } from '../helpers/cli-process.js';
import { nodemailerOutput } from '../helpers/nodemailer-output.js';
import { runClient } from '../helpers/run-client.js';
import { SMTP_SINK_UNAVAILABLE, startSmtpSink } from '../helpers/smtp-sink.js';
import { type RunningServer, type ScriptedServer, startScriptedServer } from '../smtp-client/test-servers.js';

/** What an ASA with `inspect esmtp` lets through of an Exchange server's session. */
const MASKED_GREETING = '220 ****************************************0**0***********2002*******2***0*00';

let inspected: ScriptedServer;
let codeless: ScriptedServer;
let sink: RunningServer | null = null;

before(async () => {
  inspected = await startScriptedServer((line, socket) => {
    if (/^EHLO/i.test(line))
      socket.write('250-mail.example.com Hello\r\n250-SIZE 37748736\r\n250-XXXXXXXA\r\n250 8BITMIME\r\n');
    // The firewall turns the commands it hid into XXXX before the server sees them.
    else if (/^(STARTTLS|AUTH)/i.test(line)) socket.write('500 5.5.1 Command unrecognized: "XXXX"\r\n');
    else return false;
    return true;
  }, MASKED_GREETING);
  codeless = await startScriptedServer((line, socket) => {
    if (!/^(EHLO|HELO)/i.test(line)) return false;
    socket.write('hello there\r\n');
    return true;
  });
  if (!SMTP_SINK_UNAVAILABLE) sink = await startSmtpSink([]);
});

after(async () => {
  await Promise.all([inspected.close(), codeless.close(), sink?.close()]);
});

function python(port: number, code: string): Promise<string> {
  return runClient('python3', [
    '-c',
    `import smtplib\ns = smtplib.SMTP('127.0.0.1', ${port}, timeout=5)\n${code}\ns.sendmail('alice@example.com', ['bob@example.com'], 'Subject: t\\r\\n\\r\\nhi\\r\\n')`,
  ]);
}

const CISCO_FIX = /Cisco ASA or PIX.*no inspect esmtp/;

interface Case {
  name: string;
  output: () => Promise<string>;
  /** What the client must have printed, so a change in the client cannot pass unnoticed. */
  printed: RegExp;
  cause: CauseId;
  fix?: RegExp;
}

const CASES: Case[] = [
  {
    name: 'nodemailer requiring STARTTLS behind the inspection',
    output: () => nodemailerOutput({ host: '127.0.0.1', port: inspected.port, requireTLS: true }),
    printed: /Error upgrading connection with STARTTLS: 500 5\.5\.1 Command unrecognized: "XXXX"/,
    cause: 'starttls-not-offered',
    fix: CISCO_FIX,
  },
  {
    name: 'swaks --tls behind the inspection (its transcript shows the masked greeting)',
    output: () =>
      runClient('swaks', [
        ...['--server', '127.0.0.1', '--port', String(inspected.port), '--tls'],
        ...['--from', 'alice@example.com', '--to', 'bob@example.com', '--timeout', '5'],
      ]),
    printed: /Host did not advertise STARTTLS/,
    cause: 'starttls-not-offered',
    fix: CISCO_FIX,
  },
  {
    name: 'swaks with AUTH behind the inspection',
    output: () =>
      runClient('swaks', [
        ...['--server', '127.0.0.1', '--port', String(inspected.port)],
        ...['--auth', 'PLAIN', '--auth-user', 'alice', '--auth-password', 'secret'],
        ...['--from', 'alice@example.com', '--to', 'bob@example.com', '--timeout', '5'],
      ]),
    printed: /\*{20}/,
    cause: 'server-protocol-error',
    fix: CISCO_FIX,
  },
  {
    name: 'Python smtplib, replies without a reply code to EHLO and HELO',
    output: () => python(codeless.port, ''),
    printed: /SMTPHeloError: \(-1, b'/,
    cause: 'server-protocol-error',
  },
  {
    name: 'Python smtplib used after its with-block closed it: a script error, no server asked',
    output: () => python(codeless.port, 's.close()'),
    printed: /SMTPServerDisconnected: please run connect\(\) first/,
    cause: 'unknown',
    fix: /used after `quit\(\)` or after its `with` block/,
  },
  {
    name: 'mailport send, replies without a reply code',
    output: async () => {
      const { stdout, stderr } = await runMailport([
        'send',
        ...['--server', `127.0.0.1:${codeless.port}`, '--tls', 'none', '--timeout', '3'],
        ...['--from', 'alice@example.com', '--to', 'bob@example.com'],
      ]);
      return `${stdout}${stderr}`;
    },
    printed: /then its reply \(ehlo\) broke SMTP/,
    cause: 'server-protocol-error',
  },
];

describe('explain on Ruby Net::SMTP logging in to smtp-sink', {
  skip: SMTP_SINK_UNAVAILABLE ?? false,
}, () => {
  test('AUTH LOGIN answered 250 instead of a 334 challenge: the server, not the password', async () => {
    const text = await runClient('ruby', [
      '-rnet/smtp',
      '-e',
      `Net::SMTP.start('127.0.0.1', ${sink?.port}, 'client.test', 'alice', 'secret', :login) { |smtp| smtp.send_message("Subject: t\\r\\n\\r\\nhi\\r\\n", 'alice@example.com', 'bob@example.com') }`,
    ]);
    assert.match(text, /Net::SMTPUnknownError/);
    const answer = explainText(text);
    assert.equal(answer.cause, 'server-protocol-error', text);
    assert.match(answer.fix, /smtp-sink answers every command 250/);
  });
});

describe('explain on servers that break SMTP, as real clients print it', () => {
  for (const { name, output, printed, cause, fix } of CASES) {
    test(name, async () => {
      const text = await output();
      assert.match(text, printed);
      const answer = explainText(text);
      assert.equal(answer.cause, cause, `${answer.cause} for:\n${text}`);
      if (fix) assert.match(answer.fix, fix);
    });
  }
});
