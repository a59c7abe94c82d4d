/**
 * The `mailport` command line: declares the commands; each command's work lives in its own module.
 */
import { basename } from 'node:path';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { MailportApiError } from '../client/errors.js';
import { MailportError } from '../errors.js';
import { VERSION } from '../version.js';
import { registerAssertCommand } from './commands/assert.js';
import { registerChaosCommand } from './commands/chaos.js';
import { registerDoctorCommand } from './commands/doctor.js';
import { registerExplainCommand } from './commands/explain.js';
import { registerMessagesCommand } from './commands/messages.js';
import { registerSendCommand } from './commands/send.js';
import { registerSendmailCommand } from './commands/sendmail.js';
import { registerServeCommand } from './commands/serve.js';
import { registerSessionsCommand } from './commands/sessions.js';

const USAGE_HINT = 'add --help to see the commands and options';

const EXAMPLES = `
Examples:
  $ mailport serve                                  # run the sandbox (ports 1025/1465/1587/2525, UI on :8025)
  $ mailport messages list --q 'to:alice@example.com'
  $ mailport sessions list --problems               # what your client did wrong
  $ mailport doctor smtp.example.com --user me --pass-env SMTP_PASS
  $ mailport explain "Error: wrong version number"
  $ mailport send --server 127.0.0.1:1587 --user mailport --pass mailport --to you@example.com
  $ printf 'Subject: hi\\n\\nHello\\n' | mailport sendmail you@example.com   # sendmail stand-in
  $ mailport assert --to reset@example.com --subject '/reset/i' --within 30s   # CI release gate
  $ mailport chaos add 'rcpt:451,times=2'           # make the sandbox fail on purpose

Every command has --help. Docs: README.md; error codes: docs/errors.md.`;

export function buildProgram(): Command {
  const program = new Command('mailport')
    .description(
      'Mailport: an SMTP sandbox, doctor and testing kit built around ports 25, 465, 587 and 2525.',
    )
    .version(VERSION, '-V, --version', 'print the version')
    .showSuggestionAfterError(true)
    // Set before the commands are added, which inherit it: a usage error says where to look next.
    .showHelpAfterError(`  what to do: ${USAGE_HINT}`)
    .exitOverride();
  registerServeCommand(program);
  registerMessagesCommand(program);
  registerSessionsCommand(program);
  registerChaosCommand(program);
  registerDoctorCommand(program);
  registerExplainCommand(program);
  registerSendCommand(program);
  registerSendmailCommand(program);
  registerAssertCommand(program);
  program.addHelpText('after', EXAMPLES);
  return program;
}

/**
 * What a `--json` command prints on stdout when it fails: the API's problem details when it sent
 * them (as `messages release --json` does; `fix` added when it has none), else the same
 * `detail`/`fix` members with the MP_ERR_* code.
 */
function errorJson(error: MailportError, hint: string | undefined): object {
  if (error instanceof MailportApiError && error.problem !== null)
    return { ...(hint === undefined ? {} : { fix: hint }), ...error.problem };
  return { code: error.code, detail: error.message, ...(hint === undefined ? {} : { fix: hint }) };
}

const USAGE_FIX = `correct it and run again; ${USAGE_HINT}`;

function printJsonError(value: object): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

function printError(error: unknown, json: boolean): number {
  // An argument parser called from an action (not by Commander, which would have printed it).
  if (error instanceof InvalidArgumentError) {
    process.stderr.write(`mailport: ${error.message}\n  what to do: ${USAGE_HINT}\n`);
    if (json) printJsonError({ code: 'MP_ERR_USAGE', detail: error.message, fix: USAGE_FIX });
    return 2;
  }
  if (error instanceof CommanderError) {
    // Commander printed it on stderr already (help and --version end with exit status 0).
    if (json && error.exitCode !== 0) {
      const detail = error.message.replace(/^error: /, '').replace(/\n/g, ' ');
      printJsonError({ code: 'MP_ERR_USAGE', detail, fix: USAGE_FIX });
    }
    // Commander's own errors exit 1; a command that chose another status (sendmail's) keeps it.
    return error.exitCode === 1 ? 2 : error.exitCode;
  }
  if (error instanceof MailportError) {
    const usage = error.code === 'MP_ERR_USAGE' || error.code === 'MP_ERR_CONFIG';
    process.stderr.write(`mailport: ${error.message}\n`);
    // A setting's own message names the accepted values; --help lists them all.
    const hint = error.hint ?? (usage ? USAGE_FIX : undefined);
    if (hint) process.stderr.write(`  what to do: ${hint}\n`);
    if (json) printJsonError(errorJson(error, hint));
    return usage ? 2 : 1;
  }
  process.stderr.write(
    `mailport: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.stderr.write(
    '  what to do: this is a bug in Mailport; please report it with the command you ran.\n',
  );
  return 1;
}

export async function main(argv: string[]): Promise<void> {
  // `mailport … | head` closes the pipe early: that ends the output, it is not an error.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw error;
    });
  }
  // Known once the options are parsed: a failing `--json` command also fails in JSON.
  let json = false;
  const program = buildProgram().hook('preAction', (_program, command) => {
    json = command.opts<{ json?: unknown }>().json === true;
  });
  const invoked = asInvoked(argv);
  // sendmail's own -V (envelope id) must not be read as the root's -V (--version), which would
  // print the version and exit 0 without submitting; no root option is meant after `sendmail`.
  if (invoked[2] === 'sendmail') program.enablePositionalOptions();
  try {
    await program.parseAsync(invoked);
  } catch (error) {
    // Commander's parse errors come before any options are known: read --json off the line.
    const parseError = error instanceof CommanderError && !(error instanceof InvalidArgumentError);
    process.exitCode = printError(error, json || (parseError && jsonRequested(program, invoked.slice(2))));
  }
}

/**
 * Whether ARGS name a command that has `--json` and give it, found as Commander dispatches: each
 * argument that names a subcommand of the command reached so far leads into it.
 */
function jsonRequested(program: Command, args: readonly string[]): boolean {
  const end = args.indexOf('--');
  const options = end === -1 ? args : args.slice(0, end);
  let command = program;
  for (const arg of options) {
    const sub = command.commands.find(
      (candidate) => candidate.name() === arg || candidate.aliases().includes(arg),
    );
    if (sub !== undefined) command = sub;
  }
  return options.includes('--json') && command.options.some((option) => option.long === '--json');
}

/** Run through a link named `sendmail` (e.g. /usr/sbin/sendmail), Mailport is `mailport sendmail`. */
function asInvoked(argv: string[]): string[] {
  const [node = 'node', script = 'mailport', ...args] = argv;
  return basename(script) === 'sendmail' ? [node, script, 'sendmail', ...args] : argv;
}
