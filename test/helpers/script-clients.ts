/**
 * The mailers people call from shell scripts, NAS boxes and cron, as real child processes:
 * Brandon Zehm's sendEmail (Perl, STARTTLS only: `-o tls=yes`), GNU mailutils `mail` with an SMTP
 * mailer URL (`smtp://` upgrades with STARTTLS when offered, `smtps://` is implicit TLS) and
 * nullmailer's smtp protocol module, which nullmailer-send runs with its options on stdin and the
 * queued message on file descriptor 3. Each sends one message as its own settings express an
 * {@link Attempt}; a client that is not installed is named in {@link UNAVAILABLE_SCRIPT_CLIENTS}.
 *
 * nullmailer Conflicts with every other mail transport agent (Postfix, which other tests need), so
 * .ci/run unpacks its package into /opt/nullmailer instead of installing it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { runClient } from './run-client.js';
import type { Attempt } from './unix-clients.js';

export type ScriptClient = 'sendEmail' | 'mailutils mail' | 'nullmailer';

export const SCRIPT_CLIENTS: readonly ScriptClient[] = ['sendEmail', 'mailutils mail', 'nullmailer'];

export const SCRIPT_CLIENT_SENDER = 'alice@example.com';
export const SCRIPT_CLIENT_SUBJECT = 'test from a script';

/** nullmailer's smtp module: installed, or unpacked by .ci/run where Postfix must stay. */
const NULLMAILER_SMTP = ['/usr/lib/nullmailer/smtp', '/opt/nullmailer/usr/lib/nullmailer/smtp'].find((path) =>
  existsSync(path),
);

/** sendEmail's own read timeout (seconds); its default is 60. */
const SENDEMAIL_TIMEOUT_S = 8;

function unavailable(command: string, args: string[], install: string): string | null {
  const probe = spawnSync(command, args, { encoding: 'utf8' });
  return probe.error ? `${install} is not installed (.ci/run installs it)` : null;
}

export const UNAVAILABLE_SCRIPT_CLIENTS: Record<ScriptClient, string | null> = {
  sendEmail: unavailable('sendEmail', ['--help'], 'sendemail'),
  'mailutils mail': unavailable('mail.mailutils', ['--version'], 'mailutils'),
  nullmailer: NULLMAILER_SMTP ? null : 'nullmailer is not unpacked (.ci/run unpacks it into /opt/nullmailer)',
};

/** Runs a client for one attempt and returns everything it printed. */
export function sendWithScriptClient(client: ScriptClient, attempt: Attempt): Promise<string> {
  switch (client) {
    case 'sendEmail':
      return runClient('sendEmail', sendEmailArgs(attempt), {
        // IO::Socket::SSL verifies against OpenSSL's default store, which SSL_CERT_FILE replaces.
        env: attempt.caFile ? { SSL_CERT_FILE: attempt.caFile } : {},
      });
    case 'mailutils mail':
      return runClient('mail.mailutils', mailutilsArgs(attempt), { input: 'line 0\n' });
    case 'nullmailer':
      // The module reads its options on stdin (none here) and the message on descriptor 3.
      return runClient(
        'sh',
        [
          '-c',
          'printf %s "$MP_MESSAGE" | "$@" 3<&0 </dev/null',
          'sh',
          NULLMAILER_SMTP ?? '',
          ...nullmailerArgs(attempt),
        ],
        // nullmailer-send tells it the name to greet with (/etc/nullmailer/me).
        { env: { MP_MESSAGE: nullmailerQueueFile(attempt), HELOHOST: 'client.test' } },
      );
  }
}

/** sendEmail has no implicit TLS: `tls=yes` is STARTTLS, and `implicit` can only mean waiting for a greeting. */
function sendEmailArgs(attempt: Attempt): string[] {
  return [
    ...['-f', SCRIPT_CLIENT_SENDER, '-t', attempt.to, '-u', SCRIPT_CLIENT_SUBJECT, '-m', 'line 0'],
    ...['-s', `${attempt.host}:${attempt.port}`, '-o', `timeout=${SENDEMAIL_TIMEOUT_S}`],
    ...['-o', `tls=${attempt.tls === 'none' ? 'no' : 'yes'}`],
    ...(attempt.login ? ['-xu', attempt.login.user, '-xp', attempt.login.pass] : []),
  ];
}

/** The mailer URL: `smtps://` for implicit TLS, `smtp://` (STARTTLS when offered), `;notls` for none. */
function mailutilsArgs(attempt: Attempt): string[] {
  const scheme = attempt.tls === 'implicit' ? 'smtps' : 'smtp';
  const login = attempt.login ? `${attempt.login.user}:${attempt.login.pass}@` : '';
  const notls = attempt.tls === 'none' ? ';notls' : '';
  return [
    // No site or user configuration, no system mailrc: only the mailer URL below.
    ...['--no-config', '--norc'],
    // Without it, every refusal is the one line "Operation rejected by remote party".
    ...(attempt.terse ? [] : ['--debug-level=mailer.prot']),
    ...['-E', `set sendmail="${scheme}://${login}${attempt.host}:${attempt.port}${notls}"`],
    ...['-r', SCRIPT_CLIENT_SENDER, '-s', SCRIPT_CLIENT_SUBJECT, attempt.to],
  ];
}

function nullmailerArgs(attempt: Attempt): string[] {
  return [
    ...[`--host=${attempt.host}`, `--port=${attempt.port}`],
    ...(attempt.tls === 'implicit' ? ['--ssl'] : attempt.tls === 'starttls' ? ['--starttls'] : []),
    ...(attempt.caFile ? [`--x509cafile=${attempt.caFile}`] : []),
    ...(attempt.login ? [`--user=${attempt.login.user}`, `--pass=${attempt.login.pass}`] : []),
  ];
}

/** A message as nullmailer-queue stores it: the sender, the recipients, a blank line, the message. */
function nullmailerQueueFile(attempt: Attempt): string {
  return [
    SCRIPT_CLIENT_SENDER,
    attempt.to,
    '',
    `From: ${SCRIPT_CLIENT_SENDER}`,
    `To: ${attempt.to}`,
    `Subject: ${SCRIPT_CLIENT_SUBJECT}`,
    '',
    'line 0',
    '',
  ].join('\n');
}
