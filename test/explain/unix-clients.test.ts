/**
 * `explain` against what command-line mailers print on a Unix machine: git send-email (Net::SMTP
 * and IO::Socket::SSL, with `--smtp-debug=1`), s-nail and neomutt (batch mode), each run for real
 * against the deliberately misconfigured servers of client-targets.ts. A client that is not
 * installed is skipped with the reason (.ci/run installs git-email, s-nail and neomutt). Nothing in
 * this file is a typed-in error message.
 *
 * None of the three has a read timeout (git send-email waits Net::SMTP's two minutes, s-nail and
 * neomutt for ever), so the mistakes that end in a wait (plaintext against port 465, a server that
 * never greets) are not run here.
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { type CauseId, explainText } from '../../src/explain/index.js';
import { runClient } from '../helpers/run-client.js';
import {
  type ClientTargets,
  credentials,
  startClientTargets,
  type TargetServer,
  tlsProblemCases,
} from './client-targets.js';

const run = promisify(execFile);

/** One attempt to send, as each client's own settings will express it. */
interface Attempt {
  host: string;
  port: number;
  tls: 'implicit' | 'starttls' | 'none';
  /** The test CA, for the clients that are told to trust it. */
  caFile?: string;
  login?: typeof credentials;
  to: string;
  big: boolean;
  /** Without the debug output the client prints when asked (git send-email's --smtp-debug=1). */
  terse?: boolean;
}

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

type Client = 'git send-email' | 's-nail' | 'neomutt';

const PATCH_LINES = 300;
const BIG_MESSAGE_LINES = 1000;
let targets: ClientTargets;
let dir: string;
let smallPatch: string;
let bigPatch: string;

before(async () => {
  targets = await startClientTargets();
  dir = await mkdtemp(join(tmpdir(), 'mailport-unix-clients-'));
  if (!UNAVAILABLE['git send-email']) [smallPatch, bigPatch] = await makePatches(join(dir, 'repo'));
});

after(async () => {
  await targets.close();
  await rm(dir, { recursive: true, force: true });
});

// No user or system configuration (a sendemail.* setting there would change what is sent).
const NO_GIT_CONFIG = { GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };
const GIT_ENV = { ...process.env, ...NO_GIT_CONFIG };
const git = (repo: string, ...args: string[]) => run('git', ['-C', repo, ...args], { env: GIT_ENV });

/** Two patches made by `git format-patch`: a one-line change, and one over the server's SIZE. */
async function makePatches(repo: string): Promise<[string, string]> {
  await run('git', ['init', '-q', repo]);
  // git send-email asks git who the committer is even with --from.
  await git(repo, 'config', 'user.name', 'Alice');
  await git(repo, 'config', 'user.email', 'alice@example.com');
  const commit = async (file: string, text: string, subject: string) => {
    await writeFile(join(repo, file), text);
    await git(repo, 'add', file);
    await git(repo, 'commit', '-qm', subject);
  };
  await commit('README', 'hello\n', 'Add README');
  await commit('README', 'hello, world\n', 'Greet the world');
  const lines = Array.from({ length: PATCH_LINES }, (_, index) => `line ${index} of a long file`);
  await commit('long.txt', `${lines.join('\n')}\n`, 'Add a long file');
  const { stdout } = await git(repo, 'format-patch', '-2', '-o', join(dir, 'patches'));
  const [small, big] = stdout.trim().split('\n');
  if (!small || !big) throw new Error(`git format-patch made no patches: ${stdout}`);
  return [small, big];
}

/** Why a client cannot run here, or null. */
function unavailable(command: string, args: string[], install: string): string | null {
  const probe = spawnSync(command, args, { encoding: 'utf8', env: GIT_ENV });
  return probe.error || probe.status !== 0 ? `${install} is not installed (.ci/run installs it)` : null;
}

const UNAVAILABLE: Record<Client, string | null> = {
  'git send-email':
    unavailable('git', ['send-email', '--dump-aliases'], 'git-email') ??
    // A Recommends of git-email: without it, every AUTH fails with "Need MIME::Base64 and Authen::SASL".
    unavailable('perl', ['-MAuthen::SASL', '-e1'], 'libauthen-sasl-perl'),
  's-nail': unavailable('s-nail', ['-V'], 's-nail'),
  neomutt: unavailable('neomutt', ['-v'], 'neomutt'),
};

const CLIENTS: Record<Client, (attempt: Attempt) => Promise<string>> = {
  'git send-email': (attempt) =>
    runClient(
      'git',
      [
        ...['-C', join(dir, 'repo'), 'send-email', '--confirm=never', '--suppress-cc=all'],
        ...(attempt.terse ? [] : ['--smtp-debug=1']),
        ...['--from=alice@example.com', `--to=${attempt.to}`],
        ...[`--smtp-server=${attempt.host}`, `--smtp-server-port=${attempt.port}`],
        ...(attempt.tls === 'none'
          ? []
          : [`--smtp-encryption=${attempt.tls === 'implicit' ? 'ssl' : 'tls'}`]),
        ...(attempt.caFile ? [`--smtp-ssl-cert-path=${attempt.caFile}`] : []),
        ...(attempt.login ? [`--smtp-user=${attempt.login.user}`, `--smtp-pass=${attempt.login.pass}`] : []),
        attempt.big ? bigPatch : smallPatch,
      ],
      { env: NO_GIT_CONFIG },
    ),
  's-nail': (attempt) => {
    const login = attempt.login ? `${attempt.login.user}:${attempt.login.pass}@` : '';
    const scheme = attempt.tls === 'implicit' ? 'smtps' : 'smtp';
    return runClient(
      's-nail',
      [
        ...['-n', '-S', 'v15-compat', '-S', 'nosave', '-r', 'alice@example.com'],
        ...['-S', `mta=${scheme}://${login}${attempt.host}:${attempt.port}`],
        ...['-S', `smtp-auth=${attempt.login ? 'plain' : 'none'}`],
        ...(attempt.tls === 'starttls' ? ['-S', 'smtp-use-starttls'] : []),
        ...(attempt.caFile ? ['-S', `tls-ca-file=${attempt.caFile}`, '-S', 'tls-ca-no-defaults'] : []),
        ...['-s', 'test', attempt.to],
      ],
      { input: messageBody(attempt), env: { MAILRC: '/dev/null' } },
    );
  },
  neomutt: async (attempt) => {
    const home = await mkdtemp(join(dir, 'neomutt-'));
    const login = attempt.login ? `${attempt.login.user}@` : '';
    const scheme = attempt.tls === 'implicit' ? 'smtps' : 'smtp';
    const settings = [
      `set smtp_url="${scheme}://${login}${attempt.host}:${attempt.port}/"`,
      ...(attempt.login ? [`set smtp_pass="${attempt.login.pass}"`] : []),
      `set ssl_starttls=${attempt.tls === 'starttls' ? 'yes' : 'no'}`,
      `set ssl_force_tls=${attempt.tls === 'none' ? 'no' : 'yes'}`,
      ...(attempt.caFile ? [`set certificate_file="${attempt.caFile}"`] : []),
      'set from="alice@example.com"',
      'set record=""',
      'set connect_timeout=5',
    ];
    await writeFile(join(home, 'neomuttrc'), `${settings.join('\n')}\n`);
    return runClient('neomutt', ['-n', '-F', join(home, 'neomuttrc'), '-s', 'test', attempt.to], {
      input: messageBody(attempt),
      env: { HOME: home },
    });
  },
};

function messageBody(attempt: Attempt): string {
  const lines = attempt.big ? BIG_MESSAGE_LINES : 1;
  return `${Array.from({ length: lines }, (_, index) => `line ${index}`).join('\n')}\n`;
}

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
 * when a certificate fails (it would ask on the terminal whether to accept it).
 */
const SILENT: Partial<Record<Client, ScenarioName[]>> = {
  neomutt: Object.keys(tlsProblemCases(() => null)),
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

for (const client of Object.keys(CLIENTS) as Client[]) {
  describe(`explain answers the output of ${client}`, {
    skip: UNAVAILABLE[client] ?? false,
    concurrency: 4,
  }, () => {
    for (const [name, makeScenario] of Object.entries(SCENARIOS)) {
      if (SILENT[client]?.includes(name)) continue;
      test(name, async () => {
        const scenario = makeScenario();
        const output = await CLIENTS[client](attemptFor(scenario));
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
  const output = await CLIENTS['git send-email'](attempt);
  assert.equal(explainText(output, { port: 465 }).cause, 'plaintext-on-implicit-tls-port', output);
  assert.equal(explainText(output, { port: 587 }).cause, 'unknown', output);
});
