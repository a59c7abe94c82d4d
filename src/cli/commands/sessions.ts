/**
 * `mailport sessions list|show`: every SMTP connection the sandbox saw, with its transcript and
 * what the client did wrong, read through the HTTP API of a running `mailport serve`.
 */
import { type Command, Option } from 'commander';
import type { Page, SessionRecord, SessionSummary } from '../../client/api-client.js';
import { DIAGNOSTIC_CODES } from '../../diagnostics/catalogue.js';
import type { DiagnosticCode } from '../../domain/types.js';
import { PORT_PROFILES } from '../../profiles/port-profiles.js';
import { withDecodedChallenge } from '../../protocol/challenge-text.js';
import {
  type CliIo,
  clientFor,
  ensureApiOption,
  formatFields,
  formatSessionChaos,
  formatTable,
  formatTime,
  positiveInteger,
  printJson,
  processIo,
  recordId,
} from '../output.js';

const EXAMPLES = `
Examples:
  $ mailport sessions list
  $ mailport sessions list --problems
  $ mailport sessions list --diagnostic mail-before-starttls --json
  $ mailport sessions list --chaos
  $ mailport sessions show 01936f0e-8c1a-7d2e-9a41-2b7c3d4e5f60
  $ mailport sessions clear                       # start a test run with no old sessions
  $ mailport --api http://sandbox.internal:8025 sessions list --problems`;

export function registerSessionsCommand(program: Command, io: CliIo = processIo): void {
  ensureApiOption(program);
  const sessions = program
    .command('sessions')
    .description(
      'List, show and delete SMTP sessions with transcripts and diagnostics (needs a running `mailport serve`).',
    )
    .addHelpText('after', EXAMPLES);

  sessions
    .command('list')
    .description('List SMTP sessions, newest first.')
    .addOption(
      new Option('--diagnostic <code>', 'only sessions with this diagnostic').choices(DIAGNOSTIC_CODES),
    )
    .option(
      '--problems',
      'only sessions with a diagnostic, or a failed outcome not caused on purpose by chaos rules',
    )
    .option('--chaos', 'only sessions in which chaos rules fired')
    .option('--limit <n>', 'how many to show, 1 to 500 (default 50)', positiveInteger)
    .option('--cursor <cursor>', 'continue after the previous page (printed under the table)')
    .option('--json', 'print the page as JSON ({ items, total, nextCursor })')
    .addHelpText('after', EXAMPLES)
    .action(
      async (
        options: {
          diagnostic?: DiagnosticCode;
          problems?: boolean;
          chaos?: boolean;
          limit?: number;
          cursor?: string;
          json?: boolean;
        },
        command: Command,
      ) => {
        const page = await clientFor(command).listSessions({
          diagnostic: options.diagnostic,
          problems: options.problems,
          chaos: options.chaos,
          limit: options.limit,
          cursor: options.cursor,
        });
        if (options.json) printJson(io, page);
        else io.out(formatSessionList(page, listArguments(options)));
      },
    );

  sessions
    .command('show')
    .description('Show one session: its facts, the C:/S: transcript, and each diagnostic with its fix.')
    .argument(
      '<id>',
      'session id (from `mailport sessions list` or a message)',
      recordId('mailport sessions list'),
    )
    .option('--json', 'print the session as JSON')
    .addHelpText('after', EXAMPLES)
    .action(async (id: string, options: { json?: boolean }, command: Command) => {
      const session = await clientFor(command).getSession(id);
      if (options.json) printJson(io, session);
      else io.out(formatSession(session));
    });

  sessions
    .command('delete')
    .description('Delete one session and its transcript.')
    .argument('<id>', 'session id (from `mailport sessions list`)', recordId('mailport sessions list'))
    .addHelpText('after', EXAMPLES)
    .action(async (id: string, _options: unknown, command: Command) => {
      await clientFor(command).deleteSession(id);
      io.out(`Deleted session ${id}.\n`);
    });

  sessions
    .command('clear')
    .description('Delete every session and its transcript (the messages stay).')
    .addHelpText('after', EXAMPLES)
    .action(async (_options: unknown, command: Command) => {
      const { deleted } = await clientFor(command).clearSessions();
      io.out(`Deleted ${deleted} session${deleted === 1 ? '' : 's'}.\n`);
    });
}

/**
 * The filters of a `sessions list`, as options: the next page (`--cursor`) continues after an id,
 * so it must repeat them, or it would list every session from there on.
 */
function listArguments(options: {
  diagnostic?: DiagnosticCode;
  problems?: boolean;
  chaos?: boolean;
}): string[] {
  return [
    ...(options.diagnostic === undefined ? [] : [`--diagnostic ${options.diagnostic}`]),
    ...(options.problems === true ? ['--problems'] : []),
    ...(options.chaos === true ? ['--chaos'] : []),
  ];
}

/** `filters`: the filter options the page was listed with, repeated in the next page's command. */
export function formatSessionList(page: Page<SessionSummary>, filters: readonly string[]): string {
  if (page.items.length === 0) {
    return filters.length > 0
      ? 'No sessions match these filters.\n'
      : 'No SMTP sessions yet. Connect a client to one of the ports `mailport serve` printed.\n';
  }
  const table = formatTable(
    [
      { header: 'ID' },
      { header: 'STARTED' },
      { header: 'PORT' },
      { header: 'CLIENT' },
      { header: 'TLS' },
      { header: 'AUTH', maxWidth: 20 },
      { header: 'OUTCOME' },
      { header: 'DIAGNOSTICS', maxWidth: 60 },
    ],
    page.items.map((session) => [
      session.id,
      formatTime(session.startedAt),
      `${session.listener.port} ${session.listener.profile}`,
      session.client.address,
      session.tls ? session.tls.protocol : '-',
      session.auth ? session.auth.user : '-',
      session.outcome,
      session.diagnostics.map((diagnostic) => diagnostic.code).join(', ') || '-',
    ]),
  );
  const more =
    page.nextCursor === null
      ? ''
      : `\nMore: mailport sessions list ${[...filters, `--cursor ${page.nextCursor}`].join(' ')}`;
  return `${table}\n${page.items.length} of ${page.total} session${page.total === 1 ? '' : 's'}.${more}\n`;
}

export function formatSession(session: SessionRecord): string {
  const profile = PORT_PROFILES[session.listener.profile];
  const header = formatFields([
    ['Session', session.id],
    ['Listener', `${profile.label} port ${session.listener.port}`],
    [
      'Client',
      `${session.client.address}:${session.client.port}${session.heloName ? ` (EHLO ${session.heloName})` : ''}`,
    ],
    ['Started', `${formatTime(session.startedAt)} UTC`],
    ['Ended', session.endedAt === null ? 'still open' : `${formatTime(session.endedAt)} UTC`],
    [
      'TLS',
      session.tls
        ? `${session.tls.mode === 'implicit' ? 'implicit TLS' : 'STARTTLS'}, ${session.tls.protocol}, ${session.tls.cipher}`
        : 'none',
    ],
    ['AUTH', session.auth ? `${session.auth.user} (${session.auth.mechanism})` : 'none'],
    ['Outcome', session.outcome],
    ['Last error', session.lastError],
    ['Chaos', session.chaos === undefined ? null : formatSessionChaos(session.chaos)],
    ['Messages', session.messageIds.length === 0 ? 'none' : session.messageIds.join(', ')],
  ]);
  const transcript =
    session.transcript.length === 0
      ? '  (empty)\n'
      : `${session.transcript.map(transcriptLine).join('\n')}\n`;
  const diagnostics =
    session.diagnostics.length === 0
      ? 'No diagnostics: the client followed the protocol.\n'
      : `Diagnostics:\n${session.diagnostics
          .map(
            (diagnostic) =>
              `  ${diagnostic.code} (at +${diagnostic.t}ms)\n    ${diagnostic.message}${diagnostic.detail ? `\n    Detail: ${diagnostic.detail}` : ''}\n    Fix: ${diagnostic.fix}`,
          )
          .join('\n')}\n`;
  return `${header}\nTranscript:\n${transcript}\n${diagnostics}`;
}

/** `    +12ms S: 334 VXNlcm5hbWU6   (decoded: Username:)`: a 334 challenge is shown decoded too. */
function transcriptLine(line: SessionRecord['transcript'][number]): string {
  const text = line.dir === 'S' ? withDecodedChallenge(line.text) : line.text;
  return `  ${`+${line.t}ms`.padStart(9)} ${line.dir}: ${text}`;
}
