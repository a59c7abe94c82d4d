/**
 * `explain` against error output produced right here by real clients (nodemailer in-process;
 * Python smtplib, curl, msmtp, swaks and openssl s_client as child processes) talking to
 * deliberately misconfigured servers on loopback. Nothing in this file is a typed-in error message.
 *
 * The test servers listen on ephemeral ports, so where a client's output does not carry enough
 * context by itself the case passes the port role the user would give with `--port`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { inspect } from 'node:util';
import { CAUSES, type CauseId, explainText } from '../../src/explain/index.js';
import { nodemailerOutput as sendWithNodemailer } from '../helpers/nodemailer-output.js';
import { runClient } from '../helpers/run-client.js';
import {
  CERTIFICATE_PROBLEMS,
  type ClientTargets,
  credentials,
  startClientTargets,
  TLS_1_0_ONLY,
} from './client-targets.js';

let targets: ClientTargets;

before(async () => {
  targets = await startClientTargets();
});

after(() => targets.close());

function run(command: string, args: string[], input = ''): Promise<string> {
  return runClient(command, args, { input });
}

/** msmtp (GnuTLS) sending one message, settings on the command line as in its config file. */
function msmtp(...settings: string[]): Promise<string> {
  return run(
    'msmtp',
    ['--timeout=2', '--from=alice@example.com', ...settings, 'bob@example.com'],
    'Subject: t\n\nhi\n',
  );
}

/** msmtp over TLS to `localhost`, trusting the test CA (STARTTLS unless `--tls-starttls=off`). */
function msmtpTls(port: number, ...settings: string[]): Promise<string> {
  return msmtp(
    '--host=localhost',
    `--port=${port}`,
    '--tls=on',
    `--tls-trust-file=${targets.caFile}`,
    ...settings,
  );
}

function python(code: string): Promise<string> {
  return run('python3', ['-c', `import smtplib, ssl\n${code}`]);
}

function pythonContext(): string {
  return `ssl.create_default_context(cafile=${JSON.stringify(targets.caFile)})`;
}

/** nodemailer with short timeouts: some of the failing targets never greet. */
const nodemailerOutput: typeof sendWithNodemailer = (options, ...rest) =>
  sendWithNodemailer({ greetingTimeout: 1500, connectionTimeout: 1500, ...options }, ...rest);

/** nodemailer sending a 6,000-byte message over the submission port's SIZE limit, with its error logged by `log`. */
function oversizedNodemailerOutput(log?: (error: unknown) => string): Promise<string> {
  return nodemailerOutput(
    {
      host: '127.0.0.1',
      port: targets.submission.port,
      tls: { ca: targets.fixtures.ca.certPem },
      auth: credentials,
    },
    { text: 'x'.repeat(6000) },
    log,
  );
}

interface Case {
  name: string;
  expected: CauseId;
  output: () => Promise<string>;
  /** The port role the user would name with `--port`, when the output cannot say it. */
  port?: number;
}

type RefusingServer = 'refusesSession' | 'greets250' | 'hangsUp' | 'resets';

/** Each client in plaintext, sending one message the way an application does. */
const PLAINTEXT_CLIENTS = {
  curl: (port: number) =>
    run('curl', [
      '-sS',
      '-m',
      '3',
      `smtp://127.0.0.1:${port}`,
      '--mail-rcpt',
      'a@example.com',
      '-T',
      '/dev/null',
    ]),
  msmtp: (port: number) => msmtp('--host=127.0.0.1', `--port=${port}`, '--tls=off'),
  swaks: (port: number) =>
    run('swaks', [
      '--server',
      '127.0.0.1',
      '--port',
      String(port),
      '--timeout',
      '2',
      '--to',
      'bob@example.com',
    ]),
  python: (port: number) => python(`smtplib.SMTP('127.0.0.1', ${port}, timeout=2)`),
  nodemailer: (port: number) => nodemailerOutput({ host: '127.0.0.1', port }),
} as const;

/**
 * Servers that will not serve the client, and what each client's words support. A hang-up is the
 * wrong TLS mode only on an implicit-TLS port; elsewhere it is "no greeting" where the output shows
 * the greeting was what failed, and a closed connection where it does not.
 */
const REFUSALS: {
  server: RefusingServer;
  what: string;
  port?: number;
  expected: Partial<Record<keyof typeof PLAINTEXT_CLIENTS, CauseId>>;
}[] = [
  {
    server: 'refusesSession',
    what: 'a 554 greeting',
    expected: {
      curl: 'sender-rejected',
      msmtp: 'sender-rejected',
      swaks: 'sender-rejected',
      python: 'sender-rejected',
      nodemailer: 'sender-rejected',
    },
  },
  {
    // curl takes the greeting, then stops at the 250 its DATA gets; msmtp sends to such a sink.
    server: 'greets250',
    what: 'a 250 greeting from a sink that answers 250 to everything',
    expected: {
      curl: 'server-protocol-error',
      swaks: 'server-protocol-error',
      python: 'server-protocol-error',
      nodemailer: 'server-protocol-error',
    },
  },
  {
    server: 'hangsUp',
    what: 'a hang-up before the greeting, on a port the user says is 587',
    port: 587,
    expected: {
      curl: 'connection-closed',
      msmtp: 'connection-closed',
      swaks: 'no-greeting',
      python: 'no-greeting',
      nodemailer: 'connection-closed',
    },
  },
  {
    server: 'hangsUp',
    what: 'a hang-up before the greeting, on a port the user says is 465',
    port: 465,
    expected: {
      curl: 'plaintext-on-implicit-tls-port',
      msmtp: 'plaintext-on-implicit-tls-port',
      swaks: 'plaintext-on-implicit-tls-port',
      python: 'plaintext-on-implicit-tls-port',
      nodemailer: 'plaintext-on-implicit-tls-port',
    },
  },
  {
    // swaks reports a reset in the same words as a hang-up.
    server: 'resets',
    what: 'a reset before the greeting',
    expected: {
      curl: 'connection-closed',
      msmtp: 'connection-closed',
      python: 'connection-closed',
      nodemailer: 'connection-closed',
    },
  },
];

const cases: Case[] = [
  // nodemailer
  {
    name: 'nodemailer secure:true against a STARTTLS port',
    expected: 'implicit-tls-on-starttls-port',
    output: () => nodemailerOutput({ host: '127.0.0.1', port: targets.submission.port, secure: true }),
  },
  {
    name: 'nodemailer secure:false against an implicit-TLS port',
    expected: 'plaintext-on-implicit-tls-port',
    output: () => nodemailerOutput({ host: '127.0.0.1', port: targets.submissions.port, secure: false }),
  },
  {
    name: 'nodemailer with ignoreTLS on a STARTTLS-required port',
    expected: 'auth-before-starttls',
    output: () =>
      nodemailerOutput({
        host: '127.0.0.1',
        port: targets.submission.port,
        ignoreTLS: true,
        auth: credentials,
      }),
  },
  {
    name: 'nodemailer requireTLS against a server without STARTTLS',
    expected: 'starttls-not-offered',
    output: () => nodemailerOutput({ host: '127.0.0.1', port: targets.plaintext.port, requireTLS: true }),
  },
  {
    name: 'nodemailer against a closed port',
    expected: 'connection-refused',
    output: () => nodemailerOutput({ host: '127.0.0.1', port: targets.closedPort }),
  },
  {
    name: 'nodemailer against a port that drops the TCP handshake',
    expected: 'connection-timeout',
    output: () => nodemailerOutput({ host: '127.0.0.1', port: targets.blackhole.port }),
  },
  {
    name: 'nodemailer against a listener that never greets, on a port the user says is 587',
    expected: 'no-greeting',
    port: 587,
    output: () => nodemailerOutput({ host: '127.0.0.1', port: targets.silent.port }),
  },
  {
    // JSON.stringify drops the message; errno and syscall are what is left.
    name: 'nodemailer against a closed port, logged as JSON',
    expected: 'connection-refused',
    output: () =>
      nodemailerOutput({ host: '127.0.0.1', port: targets.closedPort }, {}, (error) => JSON.stringify(error)),
  },
  {
    name: 'nodemailer against a POP3 server',
    expected: 'not-smtp',
    output: () => nodemailerOutput({ host: '127.0.0.1', port: targets.pop3.port }),
  },
  {
    // A terminal logger: every value wrapped in colour escapes.
    name: 'nodemailer with a message over the SIZE limit, logged in colour',
    expected: 'message-too-large',
    output: () => oversizedNodemailerOutput((error) => inspect(error, { colors: true })),
  },
  {
    name: 'nodemailer with a wrong password',
    expected: 'auth-failed',
    output: () =>
      nodemailerOutput({
        host: '127.0.0.1',
        port: targets.submission.port,
        tls: { ca: targets.fixtures.ca.certPem },
        auth: { user: 'alice', pass: 'wrong' },
      }),
  },
  {
    name: 'nodemailer without credentials on a submission port',
    expected: 'auth-required',
    output: () =>
      nodemailerOutput({
        host: '127.0.0.1',
        port: targets.submission.port,
        tls: { ca: targets.fixtures.ca.certPem },
      }),
  },
  {
    name: 'nodemailer with a user but an empty password (an unset environment variable)',
    expected: 'auth-required',
    output: () =>
      nodemailerOutput({
        host: '127.0.0.1',
        port: targets.submission.port,
        tls: { ca: targets.fixtures.ca.certPem },
        auth: { user: 'alice', pass: process.env.MAILPORT_TEST_UNSET_PASSWORD },
      }),
  },
  {
    name: 'nodemailer relaying without AUTH',
    expected: 'relay-denied',
    output: () =>
      nodemailerOutput({
        host: '127.0.0.1',
        port: targets.relay.port,
        tls: { ca: targets.fixtures.ca.certPem },
      }),
  },
  {
    name: 'nodemailer to an unknown recipient',
    expected: 'recipient-unknown',
    output: () =>
      nodemailerOutput(
        {
          host: '127.0.0.1',
          port: targets.submission.port,
          tls: { ca: targets.fixtures.ca.certPem },
          auth: credentials,
        },
        { to: 'nobody@example.com' },
      ),
  },
  {
    name: 'nodemailer with a message over the SIZE limit',
    expected: 'message-too-large',
    output: () => oversizedNodemailerOutput(),
  },
  {
    name: 'nodemailer success (the info object)',
    expected: 'no-error',
    output: () =>
      nodemailerOutput({
        host: '127.0.0.1',
        port: targets.submission.port,
        tls: { ca: targets.fixtures.ca.certPem },
        auth: credentials,
      }),
  },
  ...CERTIFICATE_PROBLEMS.map(
    ({ server, cause: expected }): Case => ({
      name: `nodemailer against a server with a ${server} certificate`,
      expected,
      output: () =>
        nodemailerOutput({
          host: 'localhost',
          port: targets[server].port,
          secure: true,
          tls: { ca: targets.fixtures.ca.certPem },
        }),
    }),
  ),
  {
    name: 'nodemailer against a TLS 1.0-only server',
    expected: 'tls-version-too-old',
    output: () =>
      nodemailerOutput({
        host: 'localhost',
        port: targets.tls10.port,
        secure: true,
        tls: { ca: targets.fixtures.ca.certPem },
      }),
  },

  // Python smtplib
  {
    name: 'python SMTP_SSL against a STARTTLS port',
    expected: 'implicit-tls-on-starttls-port',
    output: () => python(`smtplib.SMTP_SSL('127.0.0.1', ${targets.submission.port}, timeout=3)`),
  },
  {
    name: 'python SMTP against an implicit-TLS port',
    expected: 'plaintext-on-implicit-tls-port',
    output: () => python(`smtplib.SMTP('127.0.0.1', ${targets.submissions.port}, timeout=1)`),
  },
  {
    name: 'python login() before starttls()',
    expected: 'auth-before-starttls',
    output: () =>
      python(`s = smtplib.SMTP('127.0.0.1', ${targets.submission.port}, timeout=3)\ns.login('alice', 'x')`),
  },
  {
    name: 'python starttls() against a server without STARTTLS',
    expected: 'starttls-not-offered',
    output: () => python(`s = smtplib.SMTP('127.0.0.1', ${targets.plaintext.port}, timeout=3)\ns.starttls()`),
  },
  {
    name: 'python against a closed port',
    expected: 'connection-refused',
    output: () => python(`smtplib.SMTP('127.0.0.1', ${targets.closedPort}, timeout=3)`),
  },
  {
    name: 'python against a port that drops the TCP handshake',
    expected: 'connection-timeout',
    output: () => python(`smtplib.SMTP('127.0.0.1', ${targets.blackhole.port}, timeout=1)`),
  },
  {
    name: 'python against a POP3 server',
    expected: 'not-smtp',
    output: () => python(`smtplib.SMTP('127.0.0.1', ${targets.pop3.port}, timeout=2)`),
  },
  {
    name: 'python with a wrong password',
    expected: 'auth-failed',
    output: () =>
      python(
        `s = smtplib.SMTP('localhost', ${targets.submission.port}, timeout=3)\ns.starttls(context=${pythonContext()})\ns.login('alice', 'wrong')`,
      ),
  },
  {
    name: 'python logging in to a sink that answers AUTH with 250',
    expected: 'server-protocol-error',
    output: () =>
      python(`s = smtplib.SMTP('127.0.0.1', ${targets.sink.port}, timeout=3)\ns.login('alice', 'x')`),
  },
  {
    // Its words alone cannot tell a server without ESMTP from AUTH offered only after STARTTLS.
    name: 'python logging in to a server that refuses EHLO',
    expected: 'auth-before-starttls',
    output: () =>
      python(`s = smtplib.SMTP('127.0.0.1', ${targets.heloOnly.port}, timeout=3)\ns.login('alice', 'x')`),
  },
  {
    name: 'python with set_debuglevel(1) logging in to a server that refuses EHLO',
    expected: 'auth-mechanism-unsupported',
    output: () =>
      python(
        `s = smtplib.SMTP('127.0.0.1', ${targets.heloOnly.port}, timeout=3)\ns.set_debuglevel(1)\ns.login('alice', 'x')`,
      ),
  },
  {
    name: 'python asking for a mechanism the server does not offer',
    expected: 'auth-mechanism-unsupported',
    output: () =>
      python(
        `s = smtplib.SMTP('localhost', ${targets.submission.port}, timeout=3)\ns.starttls(context=${pythonContext()})\ns.ehlo()\ns.auth('XOAUTH2', lambda challenge=None: 'token')`,
      ),
  },
  {
    name: 'python to an unknown recipient',
    expected: 'recipient-unknown',
    output: () =>
      python(
        `s = smtplib.SMTP('localhost', ${targets.submission.port}, timeout=3)\ns.starttls(context=${pythonContext()})\ns.login('alice', ${JSON.stringify(credentials.pass)})\ns.sendmail('alice@example.com', ['nobody@example.com'], 'Subject: x\\r\\n\\r\\nhi')`,
      ),
  },
  ...[...CERTIFICATE_PROBLEMS, TLS_1_0_ONLY].map(
    ({ server, cause: expected }): Case => ({
      name: `python SMTP_SSL against a server with a ${server} certificate`,
      expected,
      output: () =>
        python(
          `smtplib.SMTP_SSL('localhost', ${targets[server].port}, context=${pythonContext()}, timeout=3)`,
        ),
    }),
  ),

  // An old server's certificate: a 1024-bit RSA key.
  {
    name: 'python SMTP_SSL against a server whose certificate key is too short',
    expected: 'tls-version-too-old',
    output: () =>
      python(
        `smtplib.SMTP_SSL('localhost', ${targets.weakKey.port}, context=ssl.create_default_context(cafile=${JSON.stringify(targets.weakKeyCaFile)}), timeout=3)`,
      ),
  },
  {
    name: 'curl against a server whose certificate key is too short',
    expected: 'tls-version-too-old',
    output: () =>
      run('curl', ['-sS', '--cacert', targets.weakKeyCaFile, `smtps://localhost:${targets.weakKey.port}`]),
  },

  // curl
  {
    name: 'curl smtps:// against a STARTTLS port',
    expected: 'implicit-tls-on-starttls-port',
    output: () =>
      run('curl', [
        '-sS',
        `smtps://127.0.0.1:${targets.submission.port}`,
        '--mail-rcpt',
        'a@example.com',
        '-T',
        '/dev/null',
      ]),
  },
  {
    name: 'curl smtp:// against an implicit-TLS port',
    expected: 'plaintext-on-implicit-tls-port',
    output: () =>
      run('curl', [
        '-sS',
        '-m',
        '2',
        `smtp://127.0.0.1:${targets.submissions.port}`,
        '--mail-rcpt',
        'a@example.com',
        '-T',
        '/dev/null',
      ]),
  },
  {
    name: 'curl --ssl-reqd against a server without STARTTLS',
    expected: 'starttls-not-offered',
    output: () =>
      run('curl', [
        '-sS',
        '--ssl-reqd',
        `smtp://127.0.0.1:${targets.plaintext.port}`,
        '--mail-rcpt',
        'a@example.com',
        '-T',
        '/dev/null',
      ]),
  },
  {
    // Only with -v does curl's output show the 220 that STARTTLS got.
    name: 'curl -v --ssl-reqd against a server that answers STARTTLS with 220, then plaintext',
    expected: 'starttls-not-offered',
    output: () =>
      run('curl', [
        ...['-v', '-sS', '-m', '5', '--ssl-reqd'],
        `smtp://127.0.0.1:${targets.plaintextAfterStarttls.port}`,
        ...['--mail-rcpt', 'a@example.com', '-T', '/dev/null'],
      ]),
  },
  {
    name: 'curl against a closed port',
    expected: 'connection-refused',
    output: () =>
      run('curl', [
        '-sS',
        `smtp://127.0.0.1:${targets.closedPort}`,
        '--mail-rcpt',
        'a@example.com',
        '-T',
        '/dev/null',
      ]),
  },
  {
    name: 'curl against a port that drops the TCP handshake',
    expected: 'connection-timeout',
    output: () =>
      run('curl', [
        '-sS',
        '--connect-timeout',
        '1',
        `smtp://127.0.0.1:${targets.blackhole.port}`,
        '--mail-rcpt',
        'a@example.com',
        '-T',
        '/dev/null',
      ]),
  },
  {
    // The TCP handshake worked; the TLS hello went unanswered: a silent service, not a wrong mode.
    name: 'curl smtps:// against a listener that never answers',
    expected: 'no-greeting',
    port: 465,
    output: () =>
      run('curl', [
        '-sS',
        '--connect-timeout',
        '1',
        `smtps://127.0.0.1:${targets.silent.port}`,
        '--mail-rcpt',
        'a@example.com',
        '-T',
        '/dev/null',
      ]),
  },
  {
    name: 'python SMTP_SSL against a listener that never answers',
    expected: 'no-greeting',
    port: 465,
    output: () => python(`smtplib.SMTP_SSL('127.0.0.1', ${targets.silent.port}, timeout=1)`),
  },
  {
    name: 'curl with a wrong password',
    expected: 'auth-failed',
    output: () =>
      run('curl', [
        '-sS',
        '--ssl-reqd',
        '--cacert',
        targets.caFile,
        `smtp://localhost:${targets.submission.port}`,
        '--user',
        'alice:wrong',
        '--mail-from',
        'alice@example.com',
        '--mail-rcpt',
        'bob@example.com',
        '-T',
        '/dev/null',
      ]),
  },
  {
    name: 'curl without credentials',
    expected: 'auth-required',
    output: () =>
      run('curl', [
        '-sS',
        '--ssl-reqd',
        '--cacert',
        targets.caFile,
        `smtp://localhost:${targets.submission.port}`,
        '--mail-from',
        'alice@example.com',
        '--mail-rcpt',
        'bob@example.com',
        '-T',
        '/dev/null',
      ]),
  },
  ...[...CERTIFICATE_PROBLEMS, TLS_1_0_ONLY].map(
    ({ server, cause: expected }): Case => ({
      name: `curl against a server with a ${server} certificate`,
      expected,
      output: () =>
        run('curl', [
          '-sS',
          '--cacert',
          targets.caFile,
          `smtps://localhost:${targets[server].port}`,
          '--mail-rcpt',
          'a@example.com',
          '-T',
          '/dev/null',
        ]),
    }),
  ),

  // msmtp
  {
    name: 'msmtp with implicit TLS (tls_starttls off) against a STARTTLS port',
    expected: 'implicit-tls-on-starttls-port',
    output: () =>
      msmtp('--host=127.0.0.1', `--port=${targets.submission.port}`, '--tls=on', '--tls-starttls=off'),
  },
  {
    name: 'msmtp in plaintext against an implicit-TLS port',
    expected: 'plaintext-on-implicit-tls-port',
    port: 465,
    output: () => msmtp('--host=127.0.0.1', `--port=${targets.submissions.port}`, '--tls=off'),
  },
  {
    name: 'msmtp against a listener that never greets, on a port the user says is 587',
    expected: 'no-greeting',
    port: 587,
    output: () => msmtp('--host=127.0.0.1', `--port=${targets.silent.port}`),
  },
  {
    name: 'msmtp with a wrong password',
    expected: 'auth-failed',
    output: () => msmtpTls(targets.submission.port, '--auth=on', '--user=alice', '--passwordeval=echo wrong'),
  },
  {
    name: 'msmtp without credentials',
    expected: 'auth-required',
    output: () => msmtpTls(targets.submission.port),
  },
  {
    name: 'msmtp with AUTH but without TLS on a STARTTLS-required port',
    expected: 'auth-before-starttls',
    output: () =>
      msmtp(
        '--host=127.0.0.1',
        `--port=${targets.submission.port}`,
        '--tls=off',
        '--auth=on',
        '--user=alice',
        '--passwordeval=echo x',
      ),
  },
  {
    // msmtp will not send a password in cleartext, and the server offers no challenge mechanism.
    name: 'msmtp with AUTH but without TLS on a server that offers AUTH in cleartext',
    expected: 'auth-before-starttls',
    output: () =>
      msmtp(
        '--host=127.0.0.1',
        `--port=${targets.cleartextAuth.port}`,
        '--tls=off',
        '--auth=on',
        '--user=alice',
        '--passwordeval=echo x',
      ),
  },
  {
    name: 'msmtp against a POP3 server',
    expected: 'not-smtp',
    output: () => msmtp('--host=127.0.0.1', `--port=${targets.pop3.port}`, '--tls=off'),
  },
  {
    name: 'msmtp with TLS against a server without STARTTLS',
    expected: 'starttls-not-offered',
    output: () => msmtpTls(targets.plaintext.port),
  },
  {
    name: 'msmtp against a closed port',
    expected: 'connection-refused',
    output: () => msmtp('--host=127.0.0.1', `--port=${targets.closedPort}`),
  },
  {
    name: 'msmtp against a port that drops the TCP handshake',
    expected: 'connection-timeout',
    output: () => msmtp('--host=127.0.0.1', `--port=${targets.blackhole.port}`),
  },
  {
    name: 'msmtp relaying without AUTH',
    expected: 'relay-denied',
    output: () => msmtpTls(targets.relay.port),
  },
  ...CERTIFICATE_PROBLEMS.map(
    ({ server, cause: expected }): Case => ({
      name: `msmtp against a server with a ${server} certificate`,
      // GnuTLS reports a self-signed certificate as one whose issuer is unknown.
      expected: server === 'selfSigned' ? 'cert-untrusted-ca' : expected,
      output: () => msmtpTls(targets[server].port, '--tls-starttls=off'),
    }),
  ),

  // swaks
  ...(['hangUpAfterDot', 'silentAfterDot'] as const).map(
    (server): Case => ({
      name: `swaks against a server that ${server === 'hangUpAfterDot' ? 'hangs up' : 'stays silent'} after the final dot`,
      expected: 'no-reply-after-data',
      output: () =>
        run('swaks', [
          ...['--server', '127.0.0.1', '--port', String(targets[server].port)],
          // Long enough for the greeting on a loaded CI machine; the silent server costs this wait.
          ...['--timeout', '3', '--to', 'bob@example.com'],
        ]),
    }),
  ),
  {
    name: 'swaks --tls-on-connect against a STARTTLS port',
    expected: 'implicit-tls-on-starttls-port',
    output: () =>
      run('swaks', [
        '--server',
        '127.0.0.1',
        '--port',
        String(targets.submission.port),
        '--tls-on-connect',
        '--to',
        'bob@example.com',
      ]),
  },
  {
    name: 'swaks in plaintext against an implicit-TLS port',
    expected: 'plaintext-on-implicit-tls-port',
    output: () =>
      run('swaks', [
        '--server',
        '127.0.0.1',
        '--port',
        String(targets.submissions.port),
        '--timeout',
        '1',
        '--to',
        'bob@example.com',
      ]),
  },
  {
    name: 'swaks --auth without --tls on a STARTTLS-required port',
    expected: 'auth-before-starttls',
    output: () =>
      run('swaks', [
        '--server',
        '127.0.0.1',
        '--port',
        String(targets.submission.port),
        '--auth',
        'PLAIN',
        '--auth-user',
        'alice',
        '--auth-password',
        'x',
        '--to',
        'bob@example.com',
      ]),
  },
  ...(
    [
      ['sink', 'a sink that answers AUTH with 250', 'server-protocol-error'],
      ['heloOnly', 'a server that refuses EHLO', 'auth-mechanism-unsupported'],
    ] as const
  ).map(
    ([server, what, expected]): Case => ({
      name: `swaks --auth against ${what}`,
      expected,
      output: () =>
        run('swaks', [
          ...['--server', '127.0.0.1', '--port', String(targets[server].port), '--timeout', '3'],
          ...['--auth-user', 'alice', '--auth-password', 'x', '--to', 'bob@example.com'],
        ]),
    }),
  ),
  {
    name: 'swaks --tls against a server that answers STARTTLS with 220, then plaintext',
    expected: 'starttls-not-offered',
    output: () =>
      run('swaks', [
        ...['--server', '127.0.0.1', '--port', String(targets.plaintextAfterStarttls.port)],
        ...['--tls', '--timeout', '3', '--to', 'bob@example.com'],
      ]),
  },
  {
    name: 'swaks --tls against a server without STARTTLS',
    expected: 'starttls-not-offered',
    output: () =>
      run('swaks', [
        '--server',
        '127.0.0.1',
        '--port',
        String(targets.plaintext.port),
        '--tls',
        '--to',
        'bob@example.com',
      ]),
  },
  {
    name: 'swaks against a closed port',
    expected: 'connection-refused',
    output: () =>
      run('swaks', [
        '--server',
        '127.0.0.1',
        '--port',
        String(targets.closedPort),
        '--to',
        'bob@example.com',
      ]),
  },
  {
    name: 'swaks against a port that drops the TCP handshake',
    expected: 'connection-timeout',
    output: () =>
      run('swaks', [
        '--server',
        '127.0.0.1',
        '--port',
        String(targets.blackhole.port),
        '--timeout',
        '1',
        '--to',
        'bob@example.com',
      ]),
  },
  {
    name: 'swaks with a wrong password',
    expected: 'auth-failed',
    output: () =>
      run('swaks', [
        '--server',
        'localhost',
        '--port',
        String(targets.submission.port),
        '--tls',
        '--tls-ca-path',
        targets.caFile,
        '--auth',
        'PLAIN',
        '--auth-user',
        'alice',
        '--auth-password',
        'wrong',
        '--to',
        'bob@example.com',
      ]),
  },
  {
    name: 'swaks success',
    expected: 'no-error',
    output: () =>
      run('swaks', [
        '--server',
        'localhost',
        '--port',
        String(targets.submission.port),
        '--tls',
        '--tls-ca-path',
        targets.caFile,
        '--auth',
        'PLAIN',
        '--auth-user',
        'alice',
        '--auth-password',
        credentials.pass,
        '--from',
        'alice@example.com',
        '--to',
        'bob@example.com',
      ]),
  },

  // openssl s_client
  {
    name: 'openssl s_client -connect (implicit TLS) against a STARTTLS port',
    expected: 'implicit-tls-on-starttls-port',
    output: () => run('openssl', ['s_client', '-connect', `127.0.0.1:${targets.submission.port}`], 'QUIT\n'),
  },
  {
    name: 'openssl s_client -starttls smtp against a server without STARTTLS',
    expected: 'starttls-not-offered',
    output: () =>
      run(
        'openssl',
        ['s_client', '-starttls', 'smtp', '-connect', `127.0.0.1:${targets.plaintext.port}`],
        'QUIT\n',
      ),
  },
  ...(
    [
      ['expired', 'cert-expired'],
      ['selfSigned', 'cert-self-signed'],
      ['untrustedCa', 'cert-untrusted-ca'],
      ['tls10', 'tls-version-too-old'],
    ] as const
  ).map(
    ([server, expected]): Case => ({
      name: `openssl s_client against a server with a ${server} certificate`,
      expected,
      output: () =>
        run(
          'openssl',
          [
            's_client',
            '-CAfile',
            targets.caFile,
            '-verify_return_error',
            '-connect',
            `127.0.0.1:${targets[server].port}`,
          ],
          'QUIT\n',
        ),
    }),
  ),
  {
    name: 'openssl s_client -verify_hostname against a certificate for another name',
    expected: 'cert-hostname-mismatch',
    output: () =>
      run(
        'openssl',
        [
          's_client',
          '-CAfile',
          targets.caFile,
          '-verify_return_error',
          '-verify_hostname',
          'localhost',
          '-connect',
          `127.0.0.1:${targets.wrongHostname.port}`,
        ],
        'QUIT\n',
      ),
  },
  // A name the server has no certificate for, sent as SNI: TLS alert 112 instead of a certificate.
  {
    name: 'nodemailer with a TLS server name the server does not serve',
    expected: 'cert-hostname-mismatch',
    output: () =>
      nodemailerOutput({
        host: '127.0.0.1',
        port: targets.unrecognizedName.port,
        secure: true,
        tls: { servername: 'mail.example.com', ca: targets.fixtures.ca.certPem },
      }),
  },
  {
    name: 'Python ssl (as smtplib.SMTP_SSL connects) with a server name the server does not serve',
    expected: 'cert-hostname-mismatch',
    output: () =>
      python(
        `import socket\n${pythonContext()}.wrap_socket(socket.create_connection(('127.0.0.1', ${targets.unrecognizedName.port}), timeout=3), server_hostname='mail.example.com')`,
      ),
  },
  {
    name: 'curl smtps:// to a host name the server does not serve',
    expected: 'cert-hostname-mismatch',
    output: () =>
      run('curl', [
        '-sS',
        '--max-time',
        '5',
        '--cacert',
        targets.caFile,
        '--resolve',
        `mail.example.com:${targets.unrecognizedName.port}:127.0.0.1`,
        `smtps://mail.example.com:${targets.unrecognizedName.port}`,
      ]),
  },
  {
    name: 'openssl s_client -servername with a name the server does not serve',
    expected: 'cert-hostname-mismatch',
    output: () =>
      run(
        'openssl',
        [
          's_client',
          '-servername',
          'mail.example.com',
          '-connect',
          `127.0.0.1:${targets.unrecognizedName.port}`,
        ],
        'QUIT\n',
      ),
  },
  ...REFUSALS.flatMap(({ server, what, port, expected }) =>
    Object.entries(expected).map(
      ([client, cause]): Case => ({
        name: `${client} against ${what}`,
        expected: cause,
        ...(port === undefined ? {} : { port }),
        output: () => PLAINTEXT_CLIENTS[client as keyof typeof PLAINTEXT_CLIENTS](targets[server].port),
      }),
    ),
  ),
  {
    name: 'python against a port that drops the TCP handshake, on a port the user says is 465',
    expected: 'connection-timeout',
    port: 465,
    output: () => python(`smtplib.SMTP('127.0.0.1', ${targets.blackhole.port}, timeout=1)`),
  },
  {
    name: 'swaks --tls --tls-verify against a certificate from a CA it does not trust',
    expected: 'cert-untrusted-ca',
    output: () =>
      run('swaks', [
        ...['--server', 'localhost', '--port', String(targets.relay.port)],
        ...['--tls', '--tls-verify', '--to', 'bob@example.com'],
      ]),
  },
  {
    // curl's `(8) Weird server reply` for a 552 after the final dot: not a wrong port.
    name: 'curl with a message the server refuses after the final dot',
    expected: 'unknown',
    output: () =>
      run(
        'curl',
        [
          ...['-sS', '--ssl-reqd', '--cacert', targets.caFile, `smtp://localhost:${targets.submission.port}`],
          ...['--user', `${credentials.user}:${credentials.pass}`, '--mail-from', 'alice@example.com'],
          ...['--mail-rcpt', 'bob@example.com', '-T', '-'],
        ],
        `Subject: big\r\n\r\n${'x'.repeat(6000)}\r\n`,
      ),
  },
  {
    name: 'openssl s_client with a trusted certificate',
    expected: 'no-error',
    output: () =>
      run(
        'openssl',
        ['s_client', '-CAfile', targets.caFile, '-connect', `127.0.0.1:${targets.submissions.port}`],
        'QUIT\n',
      ),
  },
];

describe('explain answers real client output', { concurrency: 6 }, () => {
  for (const testCase of cases) {
    test(testCase.name, async () => {
      const output = await testCase.output();
      const answer = explainText(output, testCase.port === undefined ? {} : { port: testCase.port });
      assert.equal(answer.cause, testCase.expected, `output was:\n${output}`);
      // Confidence 0 is for unknown alone, where the fix says how to get a clearer error.
      assert.ok(answer.confidence >= 0 && answer.confidence <= 1);
      assert.equal(answer.confidence === 0, answer.cause === 'unknown');
      if (answer.cause === 'unknown')
        assert.notEqual(answer.fix, CAUSES.unknown.fix, 'recognised as ambiguous');
      assert.ok(answer.fix.length > 0 && answer.references.length > 0);
    });
  }
});
