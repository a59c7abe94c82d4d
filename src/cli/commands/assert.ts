/**
 * `mailport assert`: a release gate. Waits until the expected messages reach a running sandbox
 * and exits 0, or exits 1 showing what arrived instead (the nearest messages, and the failed SMTP
 * sessions with their diagnostics), so a CI job fails with the reason in its log.
 * Exit codes: 0 arrived, 1 did not arrive (or the API is unreachable), 2 usage error.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import {
  type MailportClient,
  MailportWaitTimeoutError,
  type MessageSummary,
  type ReceivedMessage,
  type SessionSummary,
} from '../../client/api-client.js';
import {
  describeCriteria,
  type MessageCriteria,
  mismatches,
  type TextMatcher,
} from '../../client/message-filter.js';
import { parseDuration } from '../../http/duration.js';
import { checkMailbox } from '../../protocol/envelope.js';
import {
  type CliIo,
  clientFor,
  ensureApiOption,
  formatSessionChaos,
  formatTime,
  printJson,
  processIo,
} from '../output.js';

const EXAMPLES = `
Examples:
  $ mailport assert --to alice@example.com
  $ mailport assert --to alice@example.com --subject "Reset your password" --within 60s
  $ mailport assert --api http://127.0.0.1:8025 --to ops@example.com --subject '/deploy(ed)?/i' --count 2 --json

A plain --subject must equal the subject; /RE/flags is a regular expression. --to matches an
envelope recipient or a To address, ignoring case; a --to that is neither an address nor /RE/ is
a usage error at once.
Exit codes: 0 the messages arrived, 1 they did not (what arrived instead is printed), 2 usage error.`;

const DEFAULT_WITHIN = '30s';
const MAX_WITHIN_MS = 3_600_000;
const FAILED_SESSIONS_SHOWN = 10;

interface AssertOptions {
  to: TextMatcher;
  subject?: TextMatcher;
  count: number;
  within: number;
  diagnostics: boolean;
  json?: boolean;
}

/** `/reset/i` → a RegExp; anything else is literal text. */
export function parseTextMatcher(value: string): TextMatcher {
  const literal = /^\/(.+)\/([dgimsuvy]*)$/s.exec(value);
  if (literal === null) return value;
  try {
    return new RegExp(literal[1] as string, literal[2]);
  } catch (error) {
    throw new InvalidArgumentError(`${(error as Error).message}.`);
  }
}

/**
 * `--to`: an address (compared whole, ignoring case) or /RE/. Anything else could never match, so
 * it is refused here rather than after waiting out --within.
 */
export function parseAddressMatcher(value: string): TextMatcher {
  const matcher = parseTextMatcher(value);
  if (typeof matcher !== 'string') return matcher;
  const check = checkMailbox(matcher, true);
  if (check.verdict === 'too-long') throw new InvalidArgumentError(`It is too long: ${check.problem}.`);
  if (check.verdict !== 'valid') {
    throw new InvalidArgumentError(
      'It is not an e-mail address: give the address alone, e.g. alice@example.com (no name or angle brackets), or /RE/flags to match a pattern.',
    );
  }
  return matcher;
}

function parseWithin(value: string): number {
  const ms = parseDuration(value);
  if (ms === null || ms <= 0 || ms > MAX_WITHIN_MS) {
    throw new InvalidArgumentError(`"${value}" is not a duration: give e.g. 30s, 500ms or 2m (at most 60m).`);
  }
  return ms;
}

function parseCount(value: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > 500) {
    throw new InvalidArgumentError('Give a whole number from 1 to 500.');
  }
  return count;
}

export function registerAssertCommand(program: Command, io: CliIo = processIo): void {
  ensureApiOption(program);
  program
    .command('assert')
    .description(
      'Wait until the expected messages reach a running sandbox; exit 1 with what arrived instead if they do not.',
    )
    .requiredOption(
      '--to <address>',
      'a recipient address the messages must have (or /RE/)',
      parseAddressMatcher,
    )
    .option('--subject <text>', 'the subject, exactly, or /RE/flags', parseTextMatcher)
    .addOption(
      new Option('--count <n>', 'how many matching messages must arrive').argParser(parseCount).default(1),
    )
    .addOption(
      new Option('--within <duration>', 'how long to wait, e.g. 30s, 500ms, 2m')
        .argParser(parseWithin)
        .default(parseWithin(DEFAULT_WITHIN), DEFAULT_WITHIN),
    )
    .option('--no-diagnostics', 'on failure, leave out the failed SMTP sessions and their diagnostics')
    .option('--json', 'print the outcome as JSON')
    .addHelpText('after', EXAMPLES)
    .action(async (options: AssertOptions, command: Command) => {
      const client = clientFor(command);
      const criteria: MessageCriteria = {
        to: options.to,
        ...(options.subject === undefined ? {} : { subject: options.subject }),
      };
      const started = Date.now();
      try {
        const messages = await client.waitForMessages(options.count, criteria, { timeout: options.within });
        reportArrived(io, options, criteria, messages, Date.now() - started);
        process.exitCode = 0;
      } catch (error) {
        if (!(error instanceof MailportWaitTimeoutError)) throw error;
        const sessions = options.diagnostics ? await failedSessions(client) : [];
        reportMissing(io, options, criteria, error, sessions);
        process.exitCode = 1;
      }
    });
}

/**
 * The newest sessions with problems, and among the newest sessions chaos rules fired in those they
 * failed on purpose: not the client's doing, so not problems, but they may well be why a message
 * is missing.
 */
async function failedSessions(client: MailportClient): Promise<SessionSummary[]> {
  const [problems, chaos] = await Promise.all([
    client.listSessions({ problems: true, limit: FAILED_SESSIONS_SHOWN }),
    client.listSessions({ chaos: true, limit: FAILED_SESSIONS_SHOWN }),
  ]);
  const onPurpose = chaos.items.filter((session) => session.chaos?.failedOnPurpose === true);
  // Ids are time-sortable (UUIDv7): newest first, as each list is.
  return [...problems.items, ...onPurpose]
    .sort((a, b) => (a.id < b.id ? 1 : -1))
    .slice(0, FAILED_SESSIONS_SHOWN);
}

function reportArrived(
  io: CliIo,
  options: AssertOptions,
  criteria: MessageCriteria,
  messages: ReceivedMessage[],
  waitedMs: number,
): void {
  if (options.json) {
    printJson(io, {
      ok: true,
      expected: expectation(options),
      waitedMs,
      messages: messages.map((m) => m.detail),
    });
    return;
  }
  const lines = [
    `OK: ${messages.length} message(s) ${describeCriteria(criteria)} arrived (waited ${waitedMs} ms).`,
  ];
  for (const message of messages) {
    const { detail } = message;
    const tls = detail.tls
      ? `${detail.tls.mode === 'implicit' ? 'implicit TLS' : 'STARTTLS'} ${detail.tls.protocol}`
      : 'no TLS';
    const auth = detail.auth ? `AUTH ${detail.auth.mechanism} as ${detail.auth.user}` : 'no AUTH';
    lines.push(
      `  - ${JSON.stringify(detail.subject ?? '')} from ${detail.envelopeFrom || '<>'} to ${detail.envelopeTo.join(', ')}`,
      `    via ${detail.listener.profile} port ${detail.listener.port}, ${tls}, ${auth}, at ${formatTime(detail.receivedAt)}`,
    );
  }
  io.out(`${lines.join('\n')}\n`);
}

function reportMissing(
  io: CliIo,
  options: AssertOptions,
  criteria: MessageCriteria,
  error: MailportWaitTimeoutError,
  sessions: SessionSummary[],
): void {
  const nearest = error.nearest.map((message) => ({ message, mismatches: mismatches(message, criteria) }));
  if (options.json) {
    printJson(io, {
      ok: false,
      expected: expectation(options),
      matched: error.matched,
      nearest: nearest.map(({ message, mismatches }) => ({ ...message, mismatches })),
      ...(options.diagnostics ? { failedSessions: sessions } : {}),
    });
    return;
  }
  const lines = [
    `FAILED: expected ${options.count} message(s) ${describeCriteria(criteria)} within ${options.within} ms; ${error.matched.length} arrived.`,
    '',
    nearest.length === 0 ? 'No messages arrived at all.' : 'Nearest messages (newest first):',
    ...nearest.map(
      ({ message, mismatches }) =>
        `  - ${describeMessage(message)}\n    ${mismatches.length === 0 ? 'matches' : mismatches.join('; ')}`,
    ),
  ];
  if (options.diagnostics) {
    lines.push(
      '',
      sessions.length === 0 ? 'No failed SMTP sessions.' : 'Failed SMTP sessions (newest first):',
    );
    // Each diagnostic's sentence and fix once: a client repeating its mistake fills the list.
    const explained = new Set<string>();
    for (const session of sessions) {
      lines.push(
        `  - ${session.listener.profile} port ${session.listener.port} from ${session.client.address} at ${formatTime(session.startedAt)}: ${session.outcome}${session.lastError ? `, last reply ${session.lastError}` : ''}${session.chaos ? `\n    ${formatSessionChaos(session.chaos)}` : ''}`,
      );
      for (const diagnostic of session.diagnostics) {
        if (explained.has(diagnostic.code)) {
          lines.push(`    ${diagnostic.code} (see above)`);
          continue;
        }
        explained.add(diagnostic.code);
        lines.push(`    ${diagnostic.code}: ${diagnostic.message}`, `      fix: ${diagnostic.fix}`);
      }
    }
  }
  io.out(`${lines.join('\n')}\n`);
}

function describeMessage(message: MessageSummary): string {
  return `${JSON.stringify(message.subject ?? '')} from ${message.envelopeFrom || '<>'} to ${message.envelopeTo.join(', ') || '(no recipients)'} via ${message.listener.profile} port ${message.listener.port} at ${formatTime(message.receivedAt)}`;
}

function expectation(options: AssertOptions): Record<string, unknown> {
  return {
    to: String(options.to),
    subject: options.subject === undefined ? null : String(options.subject),
    count: options.count,
    withinMs: options.within,
  };
}
