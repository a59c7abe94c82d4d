/**
 * Installs the peers the benchmark compares against, on demand and only for the peers asked for:
 * Postfix's `smtp-sink`/`smtp-source` (Debian package `postfix`, installed with "No configuration"
 * and never started) and the npm peers (`smtp-server`, `mailparser`, `maildev`) in bench/.peers, so
 * they never enter Mailport's own package.json. `npm test` never calls this.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const PEERS_DIR = new URL('../.peers/', import.meta.url).pathname;
export const SMTP_SINK = '/usr/sbin/smtp-sink';
export const SMTP_SOURCE = '/usr/sbin/smtp-source';

/** Major versions the bench is written against (MailDev 3.x options, smtp-server 3.x API). */
const NPM_PEERS = ['smtp-server@3', 'mailparser@3', 'maildev@3'] as const;

export type Log = (line: string) => void;

function run(command: string, args: string[], log: Log, input?: string): boolean {
  log(`  $ ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, {
    input,
    encoding: 'utf8',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    timeout: 300_000,
  });
  if (result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-5).join('\n    ');
    log(`    failed (${result.status ?? result.signal ?? result.error?.message}): ${output}`);
  }
  return result.status === 0;
}

/**
 * Installs Postfix's test tools. Returns null when ready, or why they are not available.
 * Only smtp-sink and smtp-source are ever run; the mail system itself stays unconfigured.
 */
export function ensurePostfixTools(log: Log): string | null {
  if (existsSync(SMTP_SINK) && existsSync(SMTP_SOURCE)) return null;
  if (process.getuid?.() !== 0) {
    return 'smtp-sink is not installed and installing it needs root: apt-get install postfix';
  }
  log('Installing Postfix (only smtp-sink and smtp-source are used; Postfix itself is never started)');
  const preseed = [
    'postfix postfix/main_mailer_type select No configuration',
    'postfix postfix/mailname string localhost',
  ].join('\n');
  run('debconf-set-selections', [], log, `${preseed}\n`);
  const install = ['install', '-y', '--no-install-recommends', 'postfix'];
  if (!run('apt-get', install, log)) {
    run('apt-get', ['update'], log);
    run('apt-get', install, log);
  }
  return existsSync(SMTP_SINK) && existsSync(SMTP_SOURCE)
    ? null
    : 'installing the Debian package postfix failed (see the lines above)';
}

/** Installs the npm peers into bench/.peers. Returns null when ready, or why not. */
export function ensureNpmPeers(log: Log): string | null {
  const missing = NPM_PEERS.filter((spec) => !npmPeerVersion(spec.split('@')[0] ?? spec));
  if (missing.length === 0) return null;
  mkdirSync(PEERS_DIR, { recursive: true });
  const manifest = join(PEERS_DIR, 'package.json');
  if (!existsSync(manifest)) {
    writeFileSync(manifest, `${JSON.stringify({ name: 'mailport-bench-peers', private: true }, null, 2)}\n`);
  }
  log(`Installing ${NPM_PEERS.join(', ')} into ${PEERS_DIR}`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const ok = run(npm, ['install', '--prefix', PEERS_DIR, '--no-audit', '--no-fund', ...NPM_PEERS], log);
  return ok ? null : 'npm install of the peers failed (see the lines above)';
}

/** Installed version of an npm peer in bench/.peers, or null. */
export function npmPeerVersion(name: string): string | null {
  const manifest = join(PEERS_DIR, 'node_modules', name, 'package.json');
  if (!existsSync(manifest)) return null;
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

/** Version of the installed Debian package postfix, or null. */
export function postfixVersion(): string | null {
  try {
    // Prints "postfix<TAB>VERSION".
    const line = execFileSync('dpkg-query', ['-W', 'postfix'], { encoding: 'utf8' });
    return line.trim().split('\t')[1] || null;
  } catch {
    return null;
  }
}
