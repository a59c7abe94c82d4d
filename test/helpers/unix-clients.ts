/**
 * Command-line mailers of a Unix machine as real child processes: git send-email (Net::SMTP and
 * IO::Socket::SSL, with `--smtp-debug=1`), s-nail and neomutt (batch mode), each sending one
 * message as its own settings express an {@link Attempt}. A client that is not installed is named
 * in {@link UNAVAILABLE_UNIX_CLIENTS} with the reason (.ci/run installs git-email, s-nail and
 * neomutt).
 *
 * None of the three has a read timeout of its own (git send-email waits Net::SMTP's two minutes,
 * s-nail and neomutt for ever): runClient's bound is all that stops one facing a silent server.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runClient } from './run-client.js';

const run = promisify(execFile);

/** One attempt to send, as each client's own settings will express it. */
export interface Attempt {
  host: string;
  port: number;
  tls: 'implicit' | 'starttls' | 'none';
  /** The CA to trust, for the clients that are told to trust it. */
  caFile?: string;
  login?: { user: string; pass: string };
  to: string;
  big: boolean;
  /** Without the debug output the client prints when asked (git send-email's --smtp-debug=1). */
  terse?: boolean;
}

export type UnixClient = 'git send-email' | 's-nail' | 'neomutt';

export const UNIX_CLIENTS: readonly UnixClient[] = ['git send-email', 's-nail', 'neomutt'];

/** The sender every client uses. */
export const UNIX_CLIENT_SENDER = 'alice@example.com';

/** The Subject of the message each client sends (git send-email's is its patch's). */
export const UNIX_CLIENT_SUBJECT: Record<UnixClient, (big: boolean) => string> = {
  'git send-email': (big) => (big ? '[PATCH 2/2] Add a long file' : '[PATCH 1/2] Greet the world'),
  's-nail': () => 'test',
  neomutt: () => 'test',
};

const PATCH_LINES = 300;
const BIG_MESSAGE_LINES = 1000;

// No user or system configuration (a sendemail.* setting there would change what is sent).
const NO_GIT_CONFIG = { GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };
const GIT_ENV = { ...process.env, ...NO_GIT_CONFIG };
const git = (repo: string, ...args: string[]) => run('git', ['-C', repo, ...args], { env: GIT_ENV });

/** Why a client cannot run here, or null. */
function unavailable(command: string, args: string[], install: string): string | null {
  const probe = spawnSync(command, args, { encoding: 'utf8', env: GIT_ENV });
  return probe.error || probe.status !== 0 ? `${install} is not installed (.ci/run installs it)` : null;
}

export const UNAVAILABLE_UNIX_CLIENTS: Record<UnixClient, string | null> = {
  'git send-email':
    unavailable('git', ['send-email', '--dump-aliases'], 'git-email') ??
    // A Recommends of git-email: without it, every AUTH fails with "Need MIME::Base64 and Authen::SASL".
    unavailable('perl', ['-MAuthen::SASL', '-e1'], 'libauthen-sasl-perl'),
  's-nail': unavailable('s-nail', ['-V'], 's-nail'),
  neomutt: unavailable('neomutt', ['-v'], 'neomutt'),
};

/** Runs a client for one attempt and returns everything it printed. */
export type UnixClientRun = (client: UnixClient, attempt: Attempt) => Promise<string>;

/**
 * The clients, working in `dir` (a fresh directory the caller removes): git send-email gets a
 * repository there with two patches, a one-line change and one over a small SIZE limit.
 */
export async function prepareUnixClients(dir: string): Promise<UnixClientRun> {
  const repo = join(dir, 'repo');
  const [smallPatch, bigPatch] = UNAVAILABLE_UNIX_CLIENTS['git send-email']
    ? ['', '']
    : await makePatches(repo, join(dir, 'patches'));
  const clients: Record<UnixClient, (attempt: Attempt) => Promise<string>> = {
    'git send-email': (attempt) =>
      runClient(
        'git',
        [
          ...['-C', repo, 'send-email', '--confirm=never', '--suppress-cc=all'],
          ...(attempt.terse ? [] : ['--smtp-debug=1']),
          ...[`--from=${UNIX_CLIENT_SENDER}`, `--to=${attempt.to}`],
          ...[`--smtp-server=${attempt.host}`, `--smtp-server-port=${attempt.port}`],
          ...(attempt.tls === 'none'
            ? []
            : [`--smtp-encryption=${attempt.tls === 'implicit' ? 'ssl' : 'tls'}`]),
          ...(attempt.caFile ? [`--smtp-ssl-cert-path=${attempt.caFile}`] : []),
          ...(attempt.login
            ? [`--smtp-user=${attempt.login.user}`, `--smtp-pass=${attempt.login.pass}`]
            : []),
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
          ...['-n', '-S', 'v15-compat', '-S', 'nosave', '-r', UNIX_CLIENT_SENDER],
          ...['-S', `mta=${scheme}://${login}${attempt.host}:${attempt.port}`],
          ...['-S', `smtp-auth=${attempt.login ? 'plain' : 'none'}`],
          ...(attempt.tls === 'starttls' ? ['-S', 'smtp-use-starttls'] : []),
          ...(attempt.caFile ? ['-S', `tls-ca-file=${attempt.caFile}`, '-S', 'tls-ca-no-defaults'] : []),
          ...['-s', UNIX_CLIENT_SUBJECT['s-nail'](attempt.big), attempt.to],
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
        `set from="${UNIX_CLIENT_SENDER}"`,
        'set record=""',
        'set connect_timeout=5',
      ];
      await writeFile(join(home, 'neomuttrc'), `${settings.join('\n')}\n`);
      const subject = UNIX_CLIENT_SUBJECT.neomutt(attempt.big);
      return runClient('neomutt', ['-n', '-F', join(home, 'neomuttrc'), '-s', subject, attempt.to], {
        input: messageBody(attempt),
        // NeoMutt leaves its copy of a message it could not send in TMPDIR: here, not in /tmp.
        env: { HOME: home, TMPDIR: home },
      });
    },
  };
  return (client, attempt) => clients[client](attempt);
}

/** Two patches made by `git format-patch`: a one-line change, and one over a small SIZE limit. */
async function makePatches(repo: string, patchDir: string): Promise<[string, string]> {
  await run('git', ['init', '-q', repo]);
  // git send-email asks git who the committer is even with --from.
  await git(repo, 'config', 'user.name', 'Alice');
  await git(repo, 'config', 'user.email', UNIX_CLIENT_SENDER);
  const commit = async (file: string, text: string, subject: string) => {
    await writeFile(join(repo, file), text);
    await git(repo, 'add', file);
    await git(repo, 'commit', '-qm', subject);
  };
  await commit('README', 'hello\n', 'Add README');
  await commit('README', 'hello, world\n', 'Greet the world');
  const lines = Array.from({ length: PATCH_LINES }, (_, index) => `line ${index} of a long file`);
  await commit('long.txt', `${lines.join('\n')}\n`, 'Add a long file');
  const { stdout } = await git(repo, 'format-patch', '-2', '-o', patchDir);
  const [small, big] = stdout.trim().split('\n');
  if (!small || !big) throw new Error(`git format-patch made no patches: ${stdout}`);
  return [small, big];
}

function messageBody(attempt: Attempt): string {
  const lines = attempt.big ? BIG_MESSAGE_LINES : 1;
  return `${Array.from({ length: lines }, (_, index) => `line ${index}`).join('\n')}\n`;
}
