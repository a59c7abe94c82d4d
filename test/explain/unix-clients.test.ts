/**
 * `explain` against what command-line mailers print on a Unix machine: git send-email (Net::SMTP
 * and IO::Socket::SSL, with `--smtp-debug=1`), s-nail and neomutt (batch mode), each run for real
 * (helpers/unix-clients.ts) against the deliberately misconfigured servers of client-targets.ts. A client that is not
 * installed is skipped with the reason (.ci/run installs git-email, s-nail and neomutt). Nothing in
 * this file is a typed-in error message.
 *
 * None of the three has a read timeout (git send-email waits Net::SMTP's two minutes, s-nail and
 * neomutt for ever), so the mistakes that end in a wait (plaintext against port 465, a server that
 * never greets) are not run here.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type CauseId, explainText } from '../../src/explain/index.js';
import {
  type Attempt,
  type UnixClient as Client,
  prepareUnixClients,
  UNAVAILABLE_UNIX_CLIENTS as UNAVAILABLE,
  UNIX_CLIENTS,
  type UnixClientRun,
} from '../helpers/unix-clients.js';
import {
  type ClientTargets,
  credentials,
  startClientTargets,
  type TargetServer,
  tlsProblemCases,
} from './client-targets.js';

interface Scenario {
  server: TargetServer | 'unknownHost';
  tls: Attempt['tls'];
  /** Connect to `localhost` and trust the test CA, so that the certificate checks out. */
  verified?: boolean;
  login?: typeof credentials;
  to?: string;
  big?: boolean;
  expected: CauseId;
}

let targets: ClientTargets;
let dir: string;
let send: UnixClientRun;

before(async () => {
  targets = await startClientTargets();
  dir = await mkdtemp(join(tmpdir(), 'mailport-unix-clients-'));
  send = await prepareUnixClients(dir);
});

after(async () => {
  await targets.close();
  await rm(dir, { recursive: true, force: true });
});

const login = credentials;

/** Every client makes the same mistakes against the same servers. */
const SCENARIOS: Record<string, () => Scenario> = {
  'implicit TLS against a STARTTLS port': () => ({
    server: 'submission',
    tls: 'implicit',
    login,
    expected: 'implicit-tls-on-starttls-port',
  }),
  'a wrong password': () => ({
    server: 'submission',
    tls: 'starttls',
    verified: true,
    login: { user: credentials.user, pass: 'wrong' },
    expected: 'auth-failed',
  }),
  'no credentials on a submission port': () => ({
    server: 'submission',
    tls: 'starttls',
    verified: true,
    expected: 'auth-required',
  }),
  'AUTH without STARTTLS': () => ({
    server: 'submission',
    tls: 'none',
    login,
    expected: 'auth-before-starttls',
  }),
  'STARTTLS required against a server without it': () => ({
    server: 'plaintext',
    tls: 'starttls',
    expected: 'starttls-not-offered',
  }),
  'a closed port': () => ({ server: 'closedPort', tls: 'none', expected: 'connection-refused' }),
  'a host name that does not resolve': () => ({
    server: 'unknownHost',
    tls: 'none',
    expected: 'dns-failure',
  }),
  'an unknown recipient': () => ({
    server: 'submission',
    tls: 'starttls',
    verified: true,
    login,
    to: 'nobody@example.com',
    expected: 'recipient-unknown',
  }),
  'a message over the SIZE limit': () => ({
    server: 'submission',
    tls: 'starttls',
    verified: true,
    login,
    big: true,
    expected: 'message-too-large',
  }),
  // A sink that answers 250 to everything: the message is refused on a 250 (to DATA) or to AUTH.
  'a login to a sink that answers 250 to everything': () => ({
    server: 'sink',
    tls: 'none',
    login,
    expected: 'server-protocol-error',
  }),
  ...tlsProblemCases(
    (server, expected): Scenario => ({ server, tls: 'implicit', verified: true, login, expected }),
  ),
};

type ScenarioName = keyof typeof SCENARIOS;

/**
 * Where a client's words cannot tell causes apart: IO::Socket::SSL says "certificate verify failed"
 * whatever failed but the name, and git send-email drops Net::SMTP's reason for a failed connect
 * (explain says it cannot tell, and how to find out).
 */
const EXCEPTIONS: Partial<Record<Client, Partial<Record<ScenarioName, CauseId>>>> = {
  'git send-email': {
    'an expired certificate': 'cert-untrusted-ca',
    'a certificate not valid yet': 'cert-untrusted-ca',
    'a self-signed certificate': 'cert-untrusted-ca',
    'a closed port': 'unknown',
    'a host name that does not resolve': 'unknown',
  },
};

/**
 * Mistakes whose output holds nothing to explain: neomutt in batch mode prints nothing at all
 * when a certificate fails (it would ask on the terminal whether to accept it), nor when a sink's
 * 250 ends its session.
 */
const SILENT: Partial<Record<Client, ScenarioName[]>> = {
  neomutt: [...Object.keys(tlsProblemCases(() => null)), 'a login to a sink that answers 250 to everything'],
};

function attemptFor(scenario: Scenario): Attempt {
  const server = scenario.server === 'unknownHost' ? null : targets[scenario.server];
  return {
    host:
      scenario.server === 'unknownHost'
        ? 'mail.mailport-test.invalid'
        : scenario.verified
          ? 'localhost'
          : '127.0.0.1',
    port: server === null ? 587 : typeof server === 'number' ? server : server.port,
    tls: scenario.tls,
    ...(scenario.verified ? { caFile: targets.caFile } : {}),
    ...(scenario.login ? { login: scenario.login } : {}),
    to: scenario.to ?? 'bob@example.com',
    big: scenario.big ?? false,
  };
}

for (const client of UNIX_CLIENTS) {
  describe(`explain answers the output of ${client}`, {
    skip: UNAVAILABLE[client] ?? false,
    concurrency: 4,
  }, () => {
    for (const [name, makeScenario] of Object.entries(SCENARIOS)) {
      if (SILENT[client]?.includes(name)) continue;
      test(name, async () => {
        const scenario = makeScenario();
        const output = await send(client, attemptFor(scenario));
        const expected = EXCEPTIONS[client]?.[name] ?? scenario.expected;
        assert.equal(explainText(output).cause, expected, `output was:\n${output}`);
      });
    }
  });
}

// On 465 without `--smtp-encryption=ssl` git send-email waits two minutes for a greeting, or less for
// a server that hangs up on it; without --smtp-debug it then prints one line that drops the reason,
// but names the port and the TLS setting it used.
test('git send-email: a plaintext session on port 465 that the server hangs up, without --smtp-debug', {
  skip: UNAVAILABLE['git send-email'] ?? false,
}, async () => {
  const attempt = { ...attemptFor({ server: 'hangsUp', tls: 'none', expected: 'unknown' }), terse: true };
  const output = await send('git send-email', attempt);
  assert.equal(explainText(output, { port: 465 }).cause, 'plaintext-on-implicit-tls-port', output);
  assert.equal(explainText(output, { port: 587 }).cause, 'unknown', output);
});
