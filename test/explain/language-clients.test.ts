/**
 * `explain` against error output produced right here by clients in other languages (Ruby's
 * Net::SMTP, PHPMailer, Symfony Mailer, Go's net/smtp, Jakarta Mail, aiosmtplib, Perl's Net::SMTP: see
 * helpers/language-clients.ts), talking to the deliberately misconfigured servers of
 * client-targets.ts. Nothing in this file is a typed-in error message.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type CauseId, explainText } from '../../src/explain/index.js';
import {
  LANGUAGE_CLIENTS,
  type LanguageClient,
  type LanguageClients,
  prepareLanguageClients,
} from '../helpers/language-clients.js';
import {
  type ClientTargets,
  credentials,
  startClientTargets,
  type TargetServer,
  tlsProblemCases,
} from './client-targets.js';

let targets: ClientTargets;
let clients: LanguageClients;

before(async () => {
  [targets, clients] = await Promise.all([startClientTargets(), prepareLanguageClients()]);
});

after(async () => {
  await Promise.all([targets.close(), clients.close()]);
});

interface Scenario {
  server: TargetServer;
  env: Record<string, string>;
  expected: CauseId;
  /** The port role the user would name with `--port`, when the output cannot say it. */
  port?: number;
}

const auth = { MP_USER: credentials.user, MP_PASS: credentials.pass };
const verified = () => ({ MP_HOST: 'localhost', MP_CA: targets.caFile });

/** Every client makes the same mistakes against the same servers. */
const SCENARIOS: Record<string, () => Scenario> = {
  'implicit TLS against a STARTTLS port': () => ({
    server: 'submission',
    env: { MP_TLS: 'implicit', MP_HOST: '127.0.0.1' },
    expected: 'implicit-tls-on-starttls-port',
  }),
  'plaintext against an implicit-TLS port': () => ({
    server: 'submissions',
    env: { MP_TLS: 'none', MP_HOST: '127.0.0.1' },
    expected: 'plaintext-on-implicit-tls-port',
    port: 465,
  }),
  'a wrong password': () => ({
    server: 'submission',
    env: { MP_TLS: 'starttls', ...verified(), MP_USER: credentials.user, MP_PASS: 'wrong' },
    expected: 'auth-failed',
  }),
  // The others send the empty password, and the server refuses it.
  'a user name but no password (an unset environment variable)': () => ({
    server: 'submission',
    env: { MP_TLS: 'starttls', ...verified(), MP_USER: credentials.user },
    expected: 'auth-failed',
  }),
  'a POP3 server on the port': () => ({
    server: 'pop3',
    env: { MP_TLS: 'none', MP_HOST: '127.0.0.1' },
    expected: 'not-smtp',
  }),
  'no credentials on a submission port': () => ({
    server: 'submission',
    env: { MP_TLS: 'starttls', ...verified() },
    expected: 'auth-required',
  }),
  'AUTH without STARTTLS': () => ({
    server: 'submission',
    env: { MP_TLS: 'none', MP_HOST: '127.0.0.1', ...auth },
    expected: 'auth-before-starttls',
  }),
  'STARTTLS required against a server without it': () => ({
    server: 'plaintext',
    env: { MP_TLS: 'starttls', MP_HOST: '127.0.0.1' },
    expected: 'starttls-not-offered',
  }),
  'a closed port': () => ({
    server: 'closedPort',
    env: { MP_TLS: 'none', MP_HOST: '127.0.0.1' },
    expected: 'connection-refused',
  }),
  // On 465 a wait that ends in a timeout is otherwise the wrong TLS mode: the connect must show.
  'a port that drops the TCP handshake, on a port the user says is 465': () => ({
    server: 'blackhole',
    env: { MP_TLS: 'none', MP_HOST: '127.0.0.1' },
    expected: 'connection-timeout',
    port: 465,
  }),
  'a listener that never greets, on a port the user says is 587': () => ({
    server: 'silent',
    env: { MP_TLS: 'none', MP_HOST: '127.0.0.1' },
    expected: 'no-greeting',
    port: 587,
  }),
  'a 554 greeting': () => ({
    server: 'refusesSession',
    env: { MP_TLS: 'none', MP_HOST: '127.0.0.1' },
    expected: 'sender-rejected',
  }),
  'a hang-up before the greeting, on a port the user says is 587': () => ({
    server: 'hangsUp',
    env: { MP_TLS: 'none', MP_HOST: '127.0.0.1' },
    expected: 'no-greeting',
    port: 587,
  }),
  'a reset before the greeting, on a port the user says is 587': () => ({
    server: 'resets',
    env: { MP_TLS: 'none', MP_HOST: '127.0.0.1' },
    expected: 'no-greeting',
    port: 587,
  }),
  'relaying without AUTH': () => ({
    server: 'relay',
    env: { MP_TLS: 'starttls', ...verified() },
    expected: 'relay-denied',
  }),
  'an unknown recipient': () => ({
    server: 'submission',
    env: { MP_TLS: 'starttls', ...verified(), ...auth, MP_TO: 'nobody@example.com' },
    expected: 'recipient-unknown',
  }),
  'a message over the SIZE limit': () => ({
    server: 'submission',
    env: { MP_TLS: 'starttls', ...verified(), ...auth, MP_BODY_BYTES: '6000' },
    expected: 'message-too-large',
  }),
  'a 250 greeting (a sink that answers 250 to everything)': () => ({
    server: 'greets250',
    env: { MP_TLS: 'none', MP_HOST: '127.0.0.1' },
    expected: 'server-protocol-error',
  }),
  'a login to a sink that answers AUTH with 250': () => ({
    server: 'sink',
    env: { MP_TLS: 'none', MP_HOST: '127.0.0.1', ...auth },
    expected: 'server-protocol-error',
  }),
  'STARTTLS answered 220, then plaintext where TLS belongs': () => ({
    server: 'plaintextAfterStarttls',
    env: { MP_TLS: 'starttls', MP_HOST: '127.0.0.1' },
    expected: 'starttls-not-offered',
  }),
  ...tlsProblemCases(certificate),
};

function certificate(server: TargetServer, expected: CauseId): Scenario {
  return { server, env: { MP_TLS: 'implicit', ...verified(), ...auth }, expected };
}

type ScenarioName = keyof typeof SCENARIOS;

/** Clients whose words say only that a wait ran out or the connection ended, not at which step. */
const STEP_NOT_SAID: Partial<Record<ScenarioName, Partial<Scenario>>> = {
  'a listener that never greets, on a port the user says is 587': { expected: 'connection-timeout' },
  'a hang-up before the greeting, on a port the user says is 587': { expected: 'connection-closed' },
  'a reset before the greeting, on a port the user says is 587': { expected: 'connection-closed' },
};

/**
 * Where a client's words cannot tell two causes apart, the case says what the words do support:
 * the Go and Java TLS stacks report a self-signed certificate as one from an unknown CA, PHP's
 * OpenSSL layer says only "certificate verify failed", whatever failed, and a hang-up that the
 * output does not place at the greeting is only a closed connection.
 */
const EXCEPTIONS: Partial<Record<LanguageClient, Partial<Record<ScenarioName, Partial<Scenario>>>>> = {
  // Net::SMTP and Jakarta Mail check that a password is set, and do not connect without one.
  ruby: {
    'a user name but no password (an unset environment variable)': { expected: 'auth-required' },
    // Net::SMTP's tlsconnect serves implicit TLS and STARTTLS alike: the frame does not tell them apart.
    'STARTTLS answered 220, then plaintext where TLS belongs': { expected: 'implicit-tls-on-starttls-port' },
  },
  go: {
    'a self-signed certificate': { expected: 'cert-untrusted-ca' },
    // Go's TLS error says nothing of the STARTTLS before it.
    'STARTTLS answered 220, then plaintext where TLS belongs': { expected: 'implicit-tls-on-starttls-port' },
    'a hang-up before the greeting, on a port the user says is 587': { expected: 'connection-closed' },
    'a reset before the greeting, on a port the user says is 587': { expected: 'connection-closed' },
  },
  java: {
    'a user name but no password (an unset environment variable)': { expected: 'auth-required' },
    'a self-signed certificate': { expected: 'cert-untrusted-ca' },
    'a reset before the greeting, on a port the user says is 587': { expected: 'connection-closed' },
  },
  php: {
    // PHPMailer's troubleshooting advice for connection problems: debug level 3 shows OpenSSL's error.
    'an expired certificate': { expected: 'cert-untrusted-ca', env: { MP_DEBUG: '3' } },
    'a certificate not valid yet': { expected: 'cert-untrusted-ca', env: { MP_DEBUG: '3' } },
    'a self-signed certificate': { expected: 'cert-untrusted-ca', env: { MP_DEBUG: '3' } },
    'a certificate for another name': { env: { MP_DEBUG: '3' } },
    'a TLS 1.0-only server': { env: { MP_DEBUG: '3' } },
    // At its default level 2 the handshake failure is only "(0)": the port tells what it means.
    'a certificate from an unknown CA': { port: 465 },
  },
  // PHP's OpenSSL layer again: the reason for a failed verification is not in the text.
  symfony: {
    'an expired certificate': { expected: 'cert-untrusted-ca' },
    'a certificate not valid yet': { expected: 'cert-untrusted-ca' },
    'a self-signed certificate': { expected: 'cert-untrusted-ca' },
  },
  // IO::Socket::SSL says only "certificate verify failed" too, whatever failed.
  perl: {
    'an expired certificate': { expected: 'cert-untrusted-ca' },
    'a certificate not valid yet': { expected: 'cert-untrusted-ca' },
    'a self-signed certificate': { expected: 'cert-untrusted-ca' },
  },
  // emailjs says "timedout while connecting" for any wait that ran out, and skips AUTH when the
  // password is empty; it waits for a reply with a code, so a POP3 greeting is only a wait.
  emailjs: {
    ...STEP_NOT_SAID,
    'a user name but no password (an unset environment variable)': { expected: 'auth-required' },
    'a POP3 server on the port': { expected: 'connection-timeout' },
    'a port that drops the TCP handshake, on a port the user says is 465': {
      expected: 'plaintext-on-implicit-tls-port',
    },
  },
  // gen_smtp says only how the connection ended ({error, timeout} or {error, closed}), not at which
  // step; OTP sends the certificate_expired alert for a certificate not valid yet too.
  elixir: {
    ...STEP_NOT_SAID,
    // gen_smtp says `auth_failed` and `tls_failed`, whatever the server answered.
    'a login to a sink that answers AUTH with 250': { expected: 'auth-failed' },
    'STARTTLS answered 220, then plaintext where TLS belongs': { expected: 'implicit-tls-on-starttls-port' },
    'a certificate not valid yet': { expected: 'cert-expired' },
    'plaintext against an implicit-TLS port': { expected: 'connection-timeout' },
  },
};

/**
 * Mistakes a client cannot make, or makes without a word: Symfony Mailer 5.4 upgrades with
 * STARTTLS whenever it is offered.
 */
const CANNOT_MAKE: Partial<Record<LanguageClient, ScenarioName[]>> = {
  symfony: ['AUTH without STARTTLS', 'STARTTLS required against a server without it'],
  // emailjs 5 with `tls: true` repeats EHLO and STARTTLS without end, and prints nothing, when the
  // server does not offer STARTTLS.
  emailjs: [
    'STARTTLS required against a server without it',
    // It says only "no connection has been established" when its STARTTLS handshake fails.
    'STARTTLS answered 220, then plaintext where TLS belongs',
  ],
  // net/smtp returns the unexpected reply alone ("250 ok"), which names no step.
  go: [
    'a 250 greeting (a sink that answers 250 to everything)',
    'a login to a sink that answers AUTH with 250',
  ],
};

interface Case {
  name: string;
  client: LanguageClient;
  scenario: () => Scenario;
}

const cases: Case[] = LANGUAGE_CLIENTS.flatMap((client) =>
  Object.entries(SCENARIOS)
    .filter(([name]) => !CANNOT_MAKE[client]?.includes(name))
    .map(([name, base]) => ({
      name: `${client}: ${name}`,
      client,
      scenario: () => {
        const scenario = base();
        const exception = EXCEPTIONS[client]?.[name];
        return { ...scenario, ...exception, env: { ...scenario.env, ...exception?.env } };
      },
    })),
);

describe('explain answers the output of Ruby, PHP, Symfony, Go, Java, aiosmtplib, Perl, Elixir and emailjs clients', {
  concurrency: 6,
}, () => {
  for (const testCase of cases) {
    test(testCase.name, async () => {
      const scenario = testCase.scenario();
      const server = targets[scenario.server];
      const port = typeof server === 'number' ? server : server.port;
      const output = await clients.run(testCase.client, { ...scenario.env, MP_PORT: String(port) });
      const answer = explainText(output, scenario.port === undefined ? {} : { port: scenario.port });
      assert.equal(answer.cause, scenario.expected, `output was:\n${output}`);
    });
  }
});

test('java: a server that hangs up in the TLS handshake is not a certificate problem', async () => {
  const output = await clients.run('java', {
    MP_TLS: 'implicit',
    MP_HOST: '127.0.0.1',
    MP_PORT: String(targets.hangsUp.port),
  });
  const answer = explainText(output);
  assert.equal(answer.cause, 'tls-version-too-old', `output was:\n${output}`);
  assert.match(answer.fix, /closed the connection during the TLS handshake/);
});

test("elixir: gen_smtp's timeout on port 465 is answered with ssl: true as well", async () => {
  const output = await clients.run('elixir', {
    MP_TLS: 'none',
    MP_HOST: '127.0.0.1',
    MP_PORT: String(targets.submissions.port),
  });
  const answer = explainText(output, { port: 465 });
  assert.equal(answer.cause, 'connection-timeout', `output was:\n${output}`);
  assert.match(answer.fix, /set `ssl: true`/);
});

test('perl: Net::SMTP without Authen::SASL cannot log in', async () => {
  // A module that fails to load, found before the installed one: as on a machine without it.
  const lib = await mkdtemp(join(tmpdir(), 'mailport-perl-lib-'));
  try {
    await mkdir(join(lib, 'Authen'));
    await writeFile(join(lib, 'Authen', 'SASL.pm'), 'die "Authen::SASL is not installed here\\n";\n');
    const output = await clients.run('perl', {
      MP_TLS: 'starttls',
      ...verified(),
      ...auth,
      MP_PORT: String(targets.submission.port),
      PERL5LIB: lib,
    });
    const answer = explainText(output);
    assert.equal(answer.cause, 'auth-mechanism-unsupported', `output was:\n${output}`);
    assert.match(answer.fix, /libauthen-sasl-perl/);
  } finally {
    await rm(lib, { recursive: true, force: true });
  }
});

// PHP's streams hide TLS 1.3's alert (PHPMailer reads an empty greeting, Symfony Mailer a closed
// connection), so only the clients whose output carries it are asked.
describe('explain answers a server that demands a client certificate (TLS 1.3 alert 116)', {
  concurrency: 4,
}, () => {
  for (const client of ['ruby', 'go', 'java', 'aiosmtplib', 'elixir'] as const) {
    test(`${client}: implicit TLS without a client certificate`, async () => {
      const output = await clients.run(client, {
        MP_TLS: 'implicit',
        ...verified(),
        MP_PORT: String(targets.clientCertificate.port),
      });
      assert.equal(explainText(output).cause, 'client-certificate-required', `output was:\n${output}`);
    });
  }
});
