/**
 * `mailport sendmail`: a sendmail(8) stand-in for applications that hand their mail to a local
 * sendmail binary (PHP's mail(), cron, git send-email, Rails and Django sendmail backends). It
 * reads the message from standard input and submits it over SMTP to the sandbox, so the message
 * and its session show up like any other. Runs as `sendmail` too, through a symlink.
 * Exit codes follow sendmail's sysexits(3), which its callers understand.
 */
import { hostname, userInfo } from 'node:os';
import { type Command, CommanderError, Option } from 'commander';
import { DEFAULT_STEP_TIMEOUT_MS } from '../../doctor/defaults.js';
import { MailportError } from '../../errors.js';
import type { TlsChoice } from '../../send/plan.js';
import type { SendResult } from '../../send/send.js';
import { readMessageInput, refuseDirectoryInput } from '../../sendmail/read-input.js';
import {
  relaySmtpSession,
  type SmtpServerAddress,
  SmtpSessionUnreachableError,
} from '../../sendmail/smtp-session.js';
import { prepareSubmission } from '../../sendmail/submission.js';
import type { SmtpClientError } from '../../smtp-client/index.js';
import { caDidNotVerify, localSandboxCa, readCaFile } from '../ca-file.js';
import { parseSeconds, parseServer, resolveCredentials } from './smtp-client-options.js';

/** sysexits(3): what sendmail's callers (cron, PHP, git) read from its exit status. */
const EX_USAGE = 64;
const EX_NOUSER = 67;
const EX_UNAVAILABLE = 69;
const EX_IOERR = 74;
const EX_TEMPFAIL = 75;

export const DEFAULT_SMTP_ADDR = '127.0.0.1:1025';

const UNREACHABLE_HINT =
  "start the sandbox (mailport serve, or npm start in Mailport's folder), or point --smtp-addr or MAILPORT_SMTP at your SMTP server.";

const EXAMPLES = `
Examples:
  $ printf 'Subject: hi\\n\\nHello\\n' | mailport sendmail you@example.com
  $ mailport sendmail -t -i < message.eml                  # recipients from To:, Cc:, Bcc:
  $ php -d sendmail_path="mailport sendmail -t -i" app.php  # PHP's mail()
  $ ln -s "$(command -v mailport)" /usr/local/bin/sendmail  # as sendmail itself
  $ MAIL_SENDMAIL_PATH="mailport sendmail -bs -i" php artisan ...  # Laravel: SMTP on stdin/stdout

Without --smtp-addr (or MAILPORT_SMTP) the message goes to ${DEFAULT_SMTP_ADDR}, the relay port of
\`mailport serve\`. Like Postfix's sendmail, it adds From:, Date: and Message-ID: when the message
has none, and removes Bcc:. Exit codes (sysexits): 0 submitted, ${EX_USAGE} usage error (a recipient that is not an address too), ${EX_NOUSER} a recipient
refused, ${EX_UNAVAILABLE} the message refused (or over the server's SIZE), ${EX_IOERR} standard input unreadable, ${EX_TEMPFAIL} the server
unreachable or refusing for now (try again).`;

interface SendmailOptions {
  t?: boolean;
  i?: boolean;
  f?: string;
  r?: string;
  F?: string;
  o?: string[];
  b?: string;
  smtpAddr: string;
  tls: TlsChoice;
  user?: string;
  pass?: string;
  passEnv?: string;
  ca?: string;
  timeout: number;
  v?: boolean;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function registerSendmailCommand(program: Command): void {
  const command = program
    .command('sendmail')
    .description(
      "A sendmail stand-in: reads a message on standard input and submits it to the sandbox (for PHP's mail(), cron and other sendmail users).",
    )
    .usage('[options] [recipient...]')
    .argument('[recipient...]', 'recipient addresses (with -t, added to those in the headers)')
    .option('-t', 'read the recipients from the To:, Cc: and Bcc: headers (Bcc: is removed)')
    .option('-i', 'a line holding a single "." does not end the message (also -oi)')
    .option('-f <sender>', 'envelope sender (default USER@HOSTNAME); -f "<>" for the null sender')
    .option('-r <sender>', 'the same as -f')
    .option('-F <name>', "the sender's full name, for the From: header a message without one gets")
    .option(
      '-o <option>',
      'a sendmail option: -oi is -i; others (-oem, -odi...) change nothing here',
      collect,
      [],
    )
    .addOption(
      new Option(
        '-b <mode>',
        'mode: m (read a message, the default) or s (the caller speaks SMTP on standard input and output)',
      ).choices(['m', 's']),
    )
    .addOption(
      new Option('-S, --smtp-addr <host:port>', 'the SMTP server to submit to')
        .env('MAILPORT_SMTP')
        .default(DEFAULT_SMTP_ADDR),
    )
    .addOption(
      new Option('--tls <mode>', 'TLS mode: none, starttls, implicit, or auto (the port decides)')
        .choices(['none', 'starttls', 'implicit', 'auto'])
        .default('none'),
    )
    .option('--user <user>', 'AUTH username, for a submission port')
    .option('--pass <password>', 'AUTH password (prefer --pass-env; never printed)')
    .option('--pass-env <var>', 'read the AUTH password from this environment variable')
    .option('--ca <file>', 'also trust this CA certificate (PEM), e.g. a sandbox CA')
    .addOption(
      new Option('--timeout <seconds>', 'bound for each step: connect, TLS handshake, each reply')
        .argParser(parseSeconds)
        .default(DEFAULT_STEP_TIMEOUT_MS, '10'),
    )
    .option('-v', 'print the SMTP conversation on standard error')
    // Accepted so that existing sendmail command lines keep working: delivery status
    // notifications, body type, queue and relay hints have no meaning for a submission here.
    .addOption(new Option('-B <type>').hideHelp())
    .addOption(new Option('-N <dsn>').hideHelp())
    .addOption(new Option('-R <return>').hideHelp())
    .addOption(new Option('-V <envid>').hideHelp())
    .addOption(new Option('-L <label>').hideHelp())
    .addOption(new Option('-h <hops>').hideHelp())
    .addOption(new Option('-U').hideHelp())
    .addOption(new Option('-G').hideHelp())
    .addHelpText('after', EXAMPLES)
    .action(async (recipients: string[], options: SendmailOptions) => {
      process.exitCode = options.b === 's' ? await relayStdio(options) : await submit(recipients, options);
    });
  // A usage error exits EX_USAGE, as sendmail's does (main.ts keeps an explicit exit status).
  command.exitOverride((error) => {
    throw error.exitCode === 0 ? error : new CommanderError(EX_USAGE, error.code, error.message);
  });
}

async function submit(recipients: string[], options: SendmailOptions): Promise<number> {
  const dotEndsInput = options.i !== true && !(options.o ?? []).includes('i');
  let input: Buffer;
  try {
    refuseDirectoryInput(0);
    input = await readMessageInput(process.stdin, dotEndsInput);
  } catch (error) {
    return fail(
      EX_IOERR,
      `Cannot read the message from standard input: ${(error as Error).message}`,
      'pipe or redirect the message into it, e.g. mailport sendmail you@example.com < message.eml',
    );
  }
  try {
    const credentials = resolveCredentials(options);
    const { host, port } = smtpServer(options);
    const submission = prepareSubmission({
      input,
      recipients,
      extractRecipients: options.t === true,
      dotEndsInput,
      // The user alone: prepareSubmission appends @hostname, as to a bare local name given by -f.
      sender: options.f ?? options.r ?? localUser(),
      ...(options.F === undefined ? {} : { fullName: options.F }),
      hostname: hostname(),
    });
    const caFile = options.ca ?? (options.tls === 'none' ? undefined : localSandboxCa(host));
    const { sendMessage } = await import('../../send/send.js');
    const result = await sendMessage({
      host,
      port,
      tls: options.tls,
      from: submission.from,
      to: submission.to,
      message: submission.message,
      ...(credentials ? { credentials } : {}),
      ...(caFile ? { ca: [readCaFile(caFile)] } : {}),
      stepTimeoutMs: options.timeout,
    });
    if (options.v) process.stderr.write(transcriptText(result));
    const caNote =
      caFile && result.explanation?.cause === 'cert-untrusted-ca'
        ? caDidNotVerify(caFile, options.ca === undefined)
        : null;
    return result.ok ? 0 : failedSubmission(options.smtpAddr, result, caNote);
  } catch (error) {
    if (error instanceof MailportError) return fail(EX_USAGE, error.message, error.hint);
    throw error;
  }
}

function smtpServer(options: SendmailOptions): SmtpServerAddress {
  const { host, port, ...fromUrl } = parseServer(options.smtpAddr);
  if (Object.keys(fromUrl).length > 0) {
    throw new MailportError(
      'MP_ERR_USAGE',
      '--smtp-addr takes HOST:PORT, not a URL with TLS or credentials.',
      {
        hint: 'write --smtp-addr HOST:PORT, and give --tls, --user and --pass-env as options.',
      },
    );
  }
  if (port === undefined) {
    throw new MailportError('MP_ERR_USAGE', `--smtp-addr ${options.smtpAddr} has no port.`, {
      hint: `write HOST:PORT, e.g. --smtp-addr ${DEFAULT_SMTP_ADDR} for the sandbox's relay port.`,
    });
  }
  return { host, port };
}

/** `-bs`: relays the caller's SMTP session; exits 75 when the server cannot be reached. */
async function relayStdio(options: SendmailOptions): Promise<number> {
  if (options.tls !== 'none') {
    return fail(
      EX_USAGE,
      `-bs relays the caller's SMTP as it is written, so it takes no --tls ${options.tls}.`,
      'point --smtp-addr at a plaintext port, such as the relay port of mailport serve.',
    );
  }
  try {
    await relaySmtpSession(process.stdin, process.stdout, smtpServer(options), options.timeout);
    return 0;
  } catch (error) {
    if (error instanceof MailportError) return fail(EX_USAGE, error.message, error.hint);
    if (!(error instanceof SmtpSessionUnreachableError)) throw error;
    // The caller reads SMTP on standard output: a 421 tells it the service is not available.
    process.stdout.write('421 4.3.2 Mailport sendmail cannot reach its SMTP server\r\n');
    return fail(EX_TEMPFAIL, error.message, UNREACHABLE_HINT);
  } finally {
    process.stdin.destroy();
  }
}

function localUser(): string {
  try {
    return userInfo().username;
  } catch {
    // A container user without a passwd entry has no name.
    return process.env.USER ?? process.env.LOGNAME ?? 'nobody';
  }
}

/** `caNote`: what to do instead of the explanation's fix when the CA that was trusted did not verify the server. */
function failedSubmission(server: string, result: SendResult, caNote: string | null): number {
  const error = result.attempts.at(-1)?.error as SmtpClientError;
  const reply = error.reply;
  // Without a reply, only what was refused before sending is final: a message over the server's
  // SIZE, 8-bit bytes without 8BITMIME, an address without SMTPUTF8. Trying again changes none of
  // them. The rest (unreachable, timed out) may pass later.
  const permanent =
    reply === null ? error.code === 'EMESSAGE' || error.code === 'EENVELOPE' : reply.code >= 500;
  const status = !permanent ? EX_TEMPFAIL : error.phase === 'rcpt' ? EX_NOUSER : EX_UNAVAILABLE;
  const unreachable = error.code === 'ECONNREFUSED' || error.code === 'ETIMEDOUT' || error.code === 'EDNS';
  const hint = unreachable
    ? UNREACHABLE_HINT
    : (caNote ?? result.explanation?.fix ?? 'run again with -v to see the SMTP conversation.');
  const where = error.maybeDelivered ? 'may or may not have been submitted' : 'was not submitted';
  return fail(status, `The message ${where} to ${server}: ${error.message}`, hint);
}

function fail(status: number, message: string, hint?: string): number {
  process.stderr.write(`mailport sendmail: ${message}\n${hint ? `  what to do: ${hint}\n` : ''}`);
  return status;
}

function transcriptText(result: SendResult): string {
  return result.attempts
    .flatMap((attempt) => attempt.transcript)
    .map((entry) => (entry.dir === '*' ? `* ${entry.text}` : `${entry.dir}: ${entry.text}`))
    .map((line) => `${line}\n`)
    .join('');
}
