/**
 * Real SMTP clients in other languages, each a small program in clients/ that sends one message
 * the way an application does, configured from MP_* variables (MP_HOST, MP_PORT, MP_TLS
 * implicit|starttls|none, MP_USER, MP_PASS, MP_CA, MP_FROM, MP_TO, MP_BODY_BYTES, MP_TIMEOUT in
 * seconds, 2 by default), and lets its
 * error surface as the application's log would show it: Ruby's Net::SMTP (uncaught exception),
 * PHPMailer (its README's example, debug output on; MP_DEBUG sets the level, MP_LANG its language,
 * MP_REPORT=exception prints the exception's message instead of ErrorInfo), Symfony Mailer
 * (Laravel's; uncaught exception), Go's net/smtp (log.Fatal), Jakarta Mail (uncaught exception),
 * Python's aiosmtplib (FastAPI-Mail's; uncaught exception), Perl's Net::SMTP (dies with its
 * message after its Debug transcript; MP_DEBUG=0 leaves the transcript out) and gen_smtp's session
 * in Elixir (Swoosh's and Bamboo's client: OTP's ssl notices, then the error term Swoosh returns),
 * and emailjs, Node's other SMTP client (console.error of its SMTPError).
 * Symfony Mailer 5.4 always upgrades with STARTTLS when offered, and cannot be made to require it.
 *
 * `.ci/run` installs the runtimes: Debian's ruby, php-cli, libphp-phpmailer and php-symfony-mailer,
 * golang-go, a JDK and libjakarta-mail-java, python3-aiosmtplib, and for Net::SMTP (core Perl) its
 * TLS and AUTH modules libio-socket-ssl-perl and libauthen-sasl-perl, and elixir with erlang-ssl.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoPath } from './repo-paths.js';
import { runClient } from './run-client.js';

export type LanguageClient =
  | 'ruby'
  | 'php'
  | 'symfony'
  | 'go'
  | 'java'
  | 'aiosmtplib'
  | 'perl'
  | 'elixir'
  | 'emailjs';
export const LANGUAGE_CLIENTS: readonly LanguageClient[] = [
  'ruby',
  'php',
  'symfony',
  'go',
  'java',
  'aiosmtplib',
  'perl',
  'elixir',
  'emailjs',
];

export const CLIENTS_DIR = repoPath('test', 'helpers', 'clients');
export const JAVA_CLASSPATH = ['/usr/share/java/jakarta-mail.jar', '/usr/share/java/jakarta-activation.jar'];
const execFileAsync = promisify(execFile);

/** Perl's Net::SMTP client: an interpreted one, run without the compiling that prepareLanguageClients does. */
export const PERL_NET_SMTP: [string, string[]] = ['perl', [join(CLIENTS_DIR, 'send-net-smtp.pl')]];

export interface LanguageClients {
  /** Runs a client with these MP_* settings and returns everything it printed. */
  run(client: LanguageClient, env: Record<string, string>): Promise<string>;
  close(): Promise<void>;
}

/** Compiles the Go and Java programs once, so each run starts the program, not the compiler. */
export async function prepareLanguageClients(): Promise<LanguageClients> {
  const buildDir = await mkdtemp(join(tmpdir(), 'mailport-clients-'));
  // Go keeps its build cache under $HOME; a CI job may have none.
  const cacheHome = process.env.HOME ?? process.env.XDG_CACHE_HOME ?? process.env.GOCACHE;
  const goEnv = cacheHome ? process.env : { ...process.env, GOCACHE: join(buildDir, 'go-cache') };
  await Promise.all([
    compile(
      'go',
      ['build', '-o', join(buildDir, 'send-go'), join(CLIENTS_DIR, 'send.go')],
      'golang-go',
      goEnv,
    ),
    compile(
      'javac',
      ['-cp', JAVA_CLASSPATH.join(':'), '-d', buildDir, join(CLIENTS_DIR, 'Send.java')],
      'a JDK and libjakarta-mail-java',
    ),
  ]);
  const commands: Record<LanguageClient, [string, string[]]> = {
    ruby: ['ruby', [join(CLIENTS_DIR, 'send.rb')]],
    php: ['php', [join(CLIENTS_DIR, 'send.php')]],
    symfony: ['php', [join(CLIENTS_DIR, 'send-symfony.php')]],
    go: [join(buildDir, 'send-go'), []],
    // The C1 compiler only (IntelliJ's "launch optimization" for Spring Boot apps): half the JVM's
    // CPU for a short run (0.7 s less for a TLS session), and the same output.
    java: ['java', ['-XX:TieredStopAtLevel=1', '-cp', [buildDir, ...JAVA_CLASSPATH].join(':'), 'Send']],
    // Debian's own Python, where python3-aiosmtplib installs (python3 on PATH may be another).
    aiosmtplib: ['/usr/bin/python3', [join(CLIENTS_DIR, 'send_aiosmtplib.py')]],
    perl: PERL_NET_SMTP,
    elixir: ['elixir', [join(CLIENTS_DIR, 'send_gen_smtp.exs')]],
    emailjs: [process.execPath, [join(CLIENTS_DIR, 'send-emailjs.mjs')]],
  };
  return {
    run(client, env) {
      const [command, args] = commands[client];
      return runClient(command, args, { env });
    },
    close: () => rm(buildDir, { recursive: true, force: true }),
  };
}

async function compile(
  command: string,
  args: string[],
  packages: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  try {
    await execFileAsync(command, args, { timeout: 120_000, env });
  } catch (error) {
    throw new Error(`${command} failed (install ${packages}, as .ci/run does): ${String(error)}`);
  }
}
