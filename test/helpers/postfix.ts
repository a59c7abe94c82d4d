/**
 * A private Postfix instance for tests: its own configuration, queue and log in a temporary
 * directory, no listener of its own, mail submitted with its sendmail. Each test domain can be
 * relayed through a transport of its own (master.cf `-o` overrides), so that every misconfiguration
 * runs at once. Postfix's master runs as root, so this needs root and Debian's postfix package
 * (.ci/run installs it); POSTFIX_UNAVAILABLE says why not otherwise.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { runClient } from './run-client.js';

const run = promisify(execFile);

export const POSTFIX_UNAVAILABLE: string | null =
  userInfo().uid !== 0
    ? 'Postfix runs as root'
    : existsSync('/usr/sbin/postfix')
      ? null
      : 'Postfix is not installed (.ci/run installs the postfix package)';

/** The daemons a relay-only Postfix needs; none chrooted, so nothing must be copied into the queue. */
const MASTER_CF = `pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
`;

/** A test domain relayed through its own smtp transport with these main.cf settings. */
export interface RelayRoute {
  /** Mail to this domain takes the route. */
  domain: string;
  port: number;
  settings: Record<string, string>;
  login?: { user: string; pass: string };
}

export class PostfixInstance {
  readonly configDir: string;
  readonly #dir: string;

  private constructor(dir: string) {
    this.#dir = dir;
    this.configDir = join(dir, 'etc');
  }

  /**
   * Starts an instance whose own test mail (from sender.test) is discarded, with short timeouts so
   * that a silent server is given up on in seconds, and no retries: each message is tried once.
   */
  static async start(settings: Record<string, string> = {}): Promise<PostfixInstance> {
    const instance = new PostfixInstance(await mkdtemp(join(tmpdir(), 'mailport-postfix-')));
    const dir = instance.#dir;
    // The master takes its lock in data_directory as the postfix user, who must get through here.
    await chmod(dir, 0o755);
    await Promise.all(['etc', 'queue', 'data'].map((name) => mkdir(join(dir, name))));
    await chown(join(dir, 'data'), ...(await postfixOwner()));
    await writeFile(join(instance.configDir, 'master.cf'), MASTER_CF);
    await writeFile(join(instance.configDir, 'main.cf'), '');
    await instance.configure({
      compatibility_level: '3.6',
      queue_directory: join(dir, 'queue'),
      data_directory: join(dir, 'data'),
      maillog_file: join(dir, 'mail.log'),
      maillog_file_prefixes: dir,
      myhostname: 'app.example.test',
      mydestination: '',
      inet_interfaces: 'loopback-only',
      inet_protocols: 'ipv4',
      smtp_connect_timeout: '2s',
      smtp_helo_timeout: '3s',
      smtp_starttls_timeout: '3s',
      smtp_data_done_timeout: '3s',
      minimal_backoff_time: '1h',
      maximal_backoff_time: '1h',
      queue_run_delay: '1h',
      transport_maps: 'inline:{ sender.test=discard: }',
      ...settings,
    });
    await instance.postfix('start');
    return instance;
  }

  /** `postconf -e`, on this instance. */
  async configure(settings: Record<string, string>): Promise<void> {
    const edits = Object.entries(settings).map(([name, value]) => `${name} = ${value}`);
    await run('postconf', ['-c', this.configDir, '-e', ...edits]);
  }

  /** Relays each route's domain through a transport of its own, then reloads. */
  async route(routes: RelayRoute[]): Promise<void> {
    const transports: string[] = ['sender.test=discard:'];
    const services: string[] = [];
    const params: Record<string, string> = {};
    for (const [index, route] of routes.entries()) {
      const name = `route${index}`;
      const nexthop = `[127.0.0.1]:${route.port}`;
      transports.push(`${route.domain}=${name}:${nexthop}`);
      const settings: Record<string, string> = {
        smtp_sasl_auth_enable: route.login ? 'yes' : 'no',
        // Postfix's default also forbids PLAIN and LOGIN, the mechanisms servers offer over TLS.
        smtp_sasl_security_options: 'noanonymous',
        ...(route.login
          ? { smtp_sasl_password_maps: `inline:{ ${nexthop}=${route.login.user}:${route.login.pass} }` }
          : {}),
        ...route.settings,
      };
      // Values with spaces and braces go in main.cf, and the transport refers to them by name.
      const overrides = Object.entries(settings).map(([setting, value]) => {
        params[`${name}_${setting}`] = value;
        return `-o ${setting}=$${name}_${setting}`;
      });
      services.push(`${name} unix - - n - - smtp ${overrides.join(' ')}`);
    }
    await writeFile(join(this.configDir, 'master.cf'), `${MASTER_CF}${services.join('\n')}\n`);
    await this.configure({ ...params, transport_maps: `inline:{ ${transports.join(', ')} }` });
    await this.postfix('reload');
  }

  /**
   * Runs settings meant for the system's Postfix (`postconf -e`, files in /etc/postfix, `postfix
   * reload`) on this instance instead: the one change to what a user pastes. Returns the output.
   */
  async paste(settings: string, env: Record<string, string> = {}): Promise<string> {
    const script = settings
      .replaceAll('postconf -e', `postconf -c ${this.configDir} -e`)
      .replaceAll('/etc/postfix/', `${this.configDir}/`)
      .replaceAll('postfix reload', `postfix -c ${this.configDir} reload`);
    return runClient('bash', ['-e', '-c', script], { env });
  }

  /** Submits a message with Postfix's sendmail, as an application on this host would. */
  async send(to: string, bodyBytes = 20): Promise<void> {
    const body = 'x'.repeat(bodyBytes).replace(/.{70}/g, '$&\n');
    await new Promise<void>((resolve, reject) => {
      const child = execFile('sendmail', ['-C', this.configDir, '-f', 'app@sender.test', to], (error) =>
        error ? reject(error) : resolve(),
      );
      child.stdin?.end(`From: app@sender.test\nTo: ${to}\nSubject: relayed by Postfix\n\n${body}\n`);
    });
  }

  /**
   * What the mail log says of the delivery to `to`: every line of the smtp process that tried it,
   * as an admin would copy them, once that process has logged the outcome (`status=`).
   */
  async outcome(to: string, timeoutMs = 15_000): Promise<string> {
    const status = new RegExp(`postfix/smtp\\[(\\d+)\\]: \\w+: to=<${to.replace(/\./g, '\\.')}>,.* status=`);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const log = await this.log();
      const pid = log.match(status)?.[1];
      if (pid !== undefined) {
        return log
          .split('\n')
          .filter((line) => line.includes(`postfix/smtp[${pid}]:`))
          .join('\n');
      }
      if (Date.now() > deadline)
        throw new Error(`Postfix logged no delivery to ${to} in ${timeoutMs} ms:\n${log}`);
      // The mail log is written by postlogd; a line appears within milliseconds of the event.
      await sleep(100);
    }
  }

  log(): Promise<string> {
    return readFile(join(this.#dir, 'mail.log'), 'utf8').catch(() => '');
  }

  async stop(): Promise<void> {
    await this.postfix('stop').catch(() => undefined);
    await rm(this.#dir, { recursive: true, force: true });
  }

  /** `postfix start` also runs `postfix check`, which creates the queue directories. */
  async postfix(command: 'start' | 'reload' | 'stop'): Promise<void> {
    await run('postfix', ['-c', this.configDir, command]);
  }
}

async function postfixOwner(): Promise<[number, number]> {
  const { stdout } = await run('id', ['postfix']);
  const uid = Number(stdout.match(/uid=(\d+)/)?.[1]);
  const gid = Number(stdout.match(/gid=(\d+)/)?.[1]);
  return [uid, gid];
}
