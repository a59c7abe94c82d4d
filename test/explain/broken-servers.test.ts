/**
 * `explain` on what real clients print when the server, or something in front of it, breaks SMTP:
 * a Cisco ASA's ESMTP inspection (greeting masked with asterisks, STARTTLS hidden as XXXXXXXA,
 * commands rewritten into XXXX), a server whose replies carry no reply code, Postfix's smtp-sink
 * answering AUTH LOGIN with 250, and a TLS endpoint with no live SMTP service behind it (implicit
 * TLS, or STARTTLS whose session goes nowhere). The servers are scripted on loopback (or
 * smtp-sink); every text explained here was printed by the client.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type CauseId, explainText } from '../../src/explain/index.js';
import { runMailport } from '../helpers/cli-process.js';
import { nodemailerOutput } from '../helpers/nodemailer-output.js';
import { runClient } from '../helpers/run-client.js';
import { SMTP_SINK_UNAVAILABLE, startSmtpSink } from '../helpers/smtp-sink.js';
import {
  createTlsFixtures,
  type RunningServer,
  type ScriptedServer,
  startScriptedServer,
  startSilentServer,
  startTlsFrontWithoutBackend,
} from '../smtp-client/test-servers.js';

/** What an ASA with `inspect esmtp` lets through of an Exchange server's session. */
const MASKED_GREETING = '220 ****************************************0**0***********2002*******2***0*00';

let inspected: ScriptedServer;
let codeless: ScriptedServer;
let sink: RunningServer | null = null;
/** TLS endpoints whose SMTP service is down: one hangs up after the handshake, one says nothing. */
let hangingUpFront: RunningServer;
let silentFront: RunningServer;
/** A listener that accepts and never says a word, in plaintext or TLS. */
let silent: RunningServer;
/** The same behind STARTTLS: the handshake works, the EHLO after it gets a hang-up or nothing. */
let hangingUpAfterStarttls: RunningServer;
let silentAfterStarttls: RunningServer;
let caDir: string;
let caFile: string;

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
  const fixtures = await createTlsFixtures();
  hangingUpFront = await startTlsFrontWithoutBackend(fixtures.valid, 'hang-up');
  silentFront = await startTlsFrontWithoutBackend(fixtures.valid, 'silence');
  silent = await startSilentServer();
  hangingUpAfterStarttls = await startTlsFrontWithoutBackend(fixtures.valid, 'hang-up', 'starttls');
  silentAfterStarttls = await startTlsFrontWithoutBackend(fixtures.valid, 'silence', 'starttls');
  caDir = await mkdtemp(join(tmpdir(), 'mailport-tls-front-'));
  caFile = join(caDir, 'ca.pem');
  await writeFile(caFile, fixtures.ca.certPem);
});

after(async () => {
  await Promise.all([
    inspected.close(),
    codeless.close(),
    sink?.close(),
    hangingUpFront.close(),
    silentFront.close(),
    silent.close(),
    hangingUpAfterStarttls.close(),
    silentAfterStarttls.close(),
    rm(caDir, { recursive: true, force: true }),
  ]);
});

function python(port: number, code: string): Promise<string> {
  return runClient('python3', [
    '-c',
    `import smtplib\ns = smtplib.SMTP('127.0.0.1', ${port}, timeout=5)\n${code}\ns.sendmail('alice@example.com', ['bob@example.com'], 'Subject: t\\r\\n\\r\\nhi\\r\\n')`,
  ]);
}

const CISCO_FIX = /Cisco ASA or PIX.*no inspect esmtp/;
/** Not the TLS mode: the handshake worked, the service behind it did not. */
const TLS_FRONT_FIX = /implicit TLS is the right mode for this port[\s\S]*TLS proxy/;
const STARTTLS_LOST_FIX = /TLS handshake after STARTTLS completed[\s\S]*does not pass the session on/;

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
  {
    name: 'mailport send over implicit TLS to a TLS proxy whose SMTP service hangs up',
    output: () => sendTls(hangingUpFront.port, 'implicit'),
    printed:
      /closed the connection unexpectedly while Mailport waited for the greeting, after a completed TLS handshake/,
    cause: 'no-greeting',
    fix: TLS_FRONT_FIX,
  },
  {
    name: 'mailport send over implicit TLS to a TLS proxy whose SMTP service never greets',
    output: () => sendTls(silentFront.port, 'implicit'),
    printed:
      /Timed out after 2000 ms waiting for the server greeting from [^\n]*, after a completed TLS handshake/,
    cause: 'no-greeting',
    fix: TLS_FRONT_FIX,
  },
  {
    // A plaintext server would have answered the TLS hello with its 220 at once: this one is silent.
    name: 'mailport send over implicit TLS to a listener that never answers the handshake',
    output: () => sendTls(silent.port, 'implicit'),
    printed: /TLS handshake with [^\n]* timed out after 2000 ms/,
    cause: 'no-greeting',
    fix: /never answered the TLS handshake\. This is not a wrong TLS mode/,
  },
  {
    name: 'swaks --tls-on-connect to a TLS proxy whose SMTP service never greets',
    output: () => swaksTrustingCa(silentFront.port, '--tls-on-connect'),
    printed: /=== TLS started with cipher[\s\S]*<~\* Timeout \(2 secs\) waiting for server response/,
    cause: 'no-greeting',
    fix: TLS_FRONT_FIX,
  },
  {
    name: 'curl -v smtps:// to a TLS proxy whose SMTP service never greets',
    output: () =>
      runClient('curl', [
        ...['-sv', '--max-time', '2', '--cacert', caFile, `smtps://127.0.0.1:${silentFront.port}`],
        ...['--mail-from', 'alice@example.com', '--mail-rcpt', 'bob@example.com', '-T', '/dev/null'],
      ]),
    printed:
      /\* SSL connection using TLSv1\.3[\s\S]*Operation timed out after \d+ milliseconds with 0 bytes received/,
    cause: 'no-greeting',
    fix: TLS_FRONT_FIX,
  },
  {
    name: 'nodemailer with its logger, secure: true, to a TLS proxy whose SMTP service hangs up',
    output: () => nodemailerLogged(hangingUpFront.port),
    printed: /\] Secure connection established to [\s\S]*Connection closed unexpectedly/,
    cause: 'no-greeting',
    fix: TLS_FRONT_FIX,
  },
  {
    name: 'nodemailer with its logger, secure: true, to a TLS proxy whose SMTP service never greets',
    output: () => nodemailerLogged(silentFront.port),
    printed: /\] Secure connection established to [\s\S]*Greeting never received/,
    cause: 'no-greeting',
    fix: TLS_FRONT_FIX,
  },
  {
    name: 'Python smtplib.SMTP_SSL to a TLS proxy whose SMTP service never greets',
    output: () =>
      runClient('python3', [
        '-c',
        `import smtplib, ssl\nsmtplib.SMTP_SSL('127.0.0.1', ${silentFront.port}, context=ssl.create_default_context(cafile=${JSON.stringify(caFile)}), timeout=2)`,
      ]),
    printed:
      /in read\n[\s\S]*SMTPServerDisconnected: Connection unexpectedly closed: The read operation timed out/,
    cause: 'no-greeting',
    fix: TLS_FRONT_FIX,
  },
  {
    name: 'mailport send with STARTTLS to a server that hangs up on the EHLO after the handshake',
    output: () => sendTls(hangingUpAfterStarttls.port, 'starttls'),
    printed:
      /closed the connection unexpectedly while Mailport waited for a reply \(ehlo\), the first command after a completed STARTTLS handshake/,
    cause: 'starttls-not-offered',
    fix: STARTTLS_LOST_FIX,
  },
  {
    name: 'mailport send with STARTTLS to a server that never answers the EHLO after the handshake',
    output: () => sendTls(silentAfterStarttls.port, 'starttls'),
    printed:
      /waiting for a reply \(ehlo\) from [^\n]*, the first command after a completed STARTTLS handshake/,
    cause: 'starttls-not-offered',
    fix: STARTTLS_LOST_FIX,
  },
  {
    name: 'swaks --tls to a server that never answers the EHLO after the handshake',
    output: () => swaksTrustingCa(silentAfterStarttls.port, '--tls'),
    printed:
      /=== TLS started with cipher[\s\S]* ~> EHLO [^\n]*\n<~\* Timeout \(2 secs\) waiting for server response/,
    cause: 'starttls-not-offered',
    fix: STARTTLS_LOST_FIX,
  },
];

/** swaks over TLS (`--tls` or `--tls-on-connect`), checking the certificate against the test CA. */
function swaksTrustingCa(port: number, tls: '--tls' | '--tls-on-connect'): Promise<string> {
  return runClient('swaks', [
    ...['--server', '127.0.0.1', '--port', String(port), tls],
    ...['--tls-ca-path', caFile, '--tls-verify', '--timeout', '2'],
    ...['--from', 'alice@example.com', '--to', 'bob@example.com'],
  ]);
}

/** nodemailer with `logger: true`, in a process of its own as an application runs it: what its console shows. */
function nodemailerLogged(port: number): Promise<string> {
  const transport = `{ host: '127.0.0.1', port: ${port}, secure: true, tls: { ca: fs.readFileSync(${JSON.stringify(caFile)}) }, greetingTimeout: 2000, logger: true }`;
  return runClient('node', [
    '-e',
    `const fs = require('node:fs'); require('nodemailer').createTransport(${transport}).sendMail({ from: 'alice@example.com', to: 'bob@example.com', text: 'hi' }).catch((error) => console.error(error))`,
  ]);
}

async function sendTls(port: number, tls: 'implicit' | 'starttls'): Promise<string> {
  const { stdout, stderr } = await runMailport([
    'send',
    ...['--server', `127.0.0.1:${port}`, '--tls', tls, '--ca', caFile, '--timeout', '2'],
    ...['--from', 'alice@example.com', '--to', 'bob@example.com'],
  ]);
  return `${stdout}${stderr}`;
}

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

// The cases share no state (each client opens its own connections) and spend most of their time
// waiting out a client's 2 s timeout, so they run side by side.
describe('explain on servers that break SMTP, as real clients print it', { concurrency: true }, () => {
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
