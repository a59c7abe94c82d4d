/**
 * A private Postfix instance for tests: its own configuration, queue and log in a temporary
 * directory, mail submitted with its sendmail. Each test domain can be relayed through a transport
 * of its own (master.cf `-o` overrides), so that every misconfiguration runs at once; likewise each
 * smtpd listener (`listen`) on a loopback port has its own overrides, a misconfigured server each.
 * Postfix's master runs as root, so this needs root and Debian's postfix package (.ci/run installs
 * it); POSTFIX_UNAVAILABLE says why not otherwise. SMTP AUTH on the listeners needs Cyrus SASL
 * (`useSasldb`; SASL_UNAVAILABLE).
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { freePorts } from '../ci/free-ports.js';
import { runClient } from './run-client.js';

const run = promisify(execFile);

export const POSTFIX_UNAVAILABLE: string | null =
  userInfo().uid !== 0
    ? 'Postfix runs as root'
    : existsSync('/usr/sbin/postfix')
      ? null
      : 'Postfix is not installed (.ci/run installs the postfix package)';

/** saslpasswd2 (sasl2-bin) writes the sasldb, and libsasl2-modules' PLAIN and LOGIN check it. */
export const SASL_UNAVAILABLE: string | null =
  POSTFIX_UNAVAILABLE ??
  (existsSync('/usr/sbin/saslpasswd2') && saslPluginsInstalled()
    ? null
    : 'Cyrus SASL is not installed (.ci/run installs sasl2-bin and libsasl2-modules)');

/** libsasl2-modules puts its plugins in /usr/lib/<architecture triplet>/sasl2. */
function saslPluginsInstalled(): boolean {
  return readdirSync('/usr/lib').some((name) => existsSync(join('/usr/lib', name, 'sasl2', 'libplain.so')));
}

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

/** An smtpd on a loopback address, with these main.cf settings of its own. */
export interface Listener {
  host: string;
  port: number;
  settings: Record<string, string>;
}

/** What `listen` is asked for: settings, and where when a test needs a given port (587, 465). */
export interface ListenerRequest {
  settings: Record<string, string>;
  at?: { host: string; port: number };
}

export class PostfixInstance {
  readonly configDir: string;
  readonly #dir: string;
  /** master.cf lines beyond MASTER_CF, by what added them, so routes and listeners keep each other's. */
  readonly #services = { routes: [] as string[], listeners: [] as string[] };

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
      services.push(`${name} unix - - n - - smtp ${overrides(name, settings, params)}`);
    }
    this.#services.routes = services;
    await this.configure({ ...params, transport_maps: `inline:{ ${transports.join(', ')} }` });
    await this.#rewriteMasterCf();
  }

  /**
   * Adds an smtpd for each request, at its address or else on a free 127.0.0.1 port, with its
   * settings as `-o` overrides, then reloads. Returns the listeners in the order asked.
   */
  async listen(requests: ListenerRequest[]): Promise<Listener[]> {
    const free = await freePorts(requests.filter((request) => !request.at).length);
    const params: Record<string, string> = {};
    const listeners = requests.map(({ settings, at }) => {
      const { host, port } = at ?? { host: '127.0.0.1', port: free.shift() as number };
      const name = `listener_${host.replaceAll('.', '_')}_${port}`;
      this.#services.listeners.push(
        `${host}:${port} inet n - n - - smtpd ${overrides(name, settings, params)}`,
      );
      return { host, port, settings };
    });
    await this.configure(params);
    await this.#rewriteMasterCf();
    return listeners;
  }

  /**
   * Lets the listeners check logins against a sasldb of these users (Cyrus SASL, PLAIN and LOGIN):
   * returns the main.cf settings that turn AUTH on, for a listener's overrides.
   */
  async useSasldb(domain: string, users: Record<string, string>): Promise<Record<string, string>> {
    // Debian's Postfix reads smtpd.conf from $config_directory/sasl, whatever cyrus_sasl_config_path says.
    const saslDir = join(this.configDir, 'sasl');
    const sasldb = join(saslDir, 'sasldb2');
    await mkdir(saslDir);
    for (const [user, pass] of Object.entries(users)) {
      // saslpasswd2 -p reads the password from stdin; the shell pipes it from the environment.
      await run('sh', ['-c', `printf %s "$PASS" | saslpasswd2 -p -c -f ${sasldb} -u ${domain} ${user}`], {
        env: { ...process.env, PASS: pass },
      });
    }
    // smtpd runs as the postfix user, and reads the database itself (no saslauthd, no chroot).
    await chown(sasldb, ...(await postfixOwner()));
    await writeFile(
      join(saslDir, 'smtpd.conf'),
      `pwcheck_method: auxprop\nauxprop_plugin: sasldb\nsasldb_path: ${sasldb}\nmech_list: PLAIN LOGIN\n`,
    );
    return {
      smtpd_sasl_auth_enable: 'yes',
      smtpd_sasl_type: 'cyrus',
      smtpd_sasl_local_domain: domain,
    };
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

  async #rewriteMasterCf(): Promise<void> {
    const services = [...this.#services.routes, ...this.#services.listeners];
    await writeFile(
      join(this.configDir, 'master.cf'),
      `${MASTER_CF}${services.map((line) => `${line}\n`).join('')}`,
    );
    await this.postfix('reload');
  }

  /** `postfix start` also runs `postfix check`, which creates the queue directories. */
  async postfix(command: 'start' | 'reload' | 'stop'): Promise<void> {
    await run('postfix', ['-c', this.configDir, command]);
  }
}

/**
 * A service's settings as master.cf `-o` overrides. Values with spaces and braces go in main.cf
 * (added to `params` under the service's name), and the service refers to them by name.
 */
function overrides(name: string, settings: Record<string, string>, params: Record<string, string>): string {
  return Object.entries(settings)
    .map(([setting, value]) => {
      params[`${name}_${setting}`] = value;
      return `-o ${setting}=$${name}_${setting}`;
    })
    .join(' ');
}

async function postfixOwner(): Promise<[number, number]> {
  const { stdout } = await run('id', ['postfix']);
  const uid = Number(stdout.match(/uid=(\d+)/)?.[1]);
  const gid = Number(stdout.match(/gid=(\d+)/)?.[1]);
  return [uid, gid];
}
