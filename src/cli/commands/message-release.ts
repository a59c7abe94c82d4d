/**
 * `mailport messages release ID`: asks the running sandbox to send a captured message to its
 * `--release-server`, and prints where it went and the upstream's reply, or why it did not go and
 * what to do. The work is the server's (src/release); this is its text form.
 */
import { type Command, InvalidArgumentError } from 'commander';
import { MailportApiError, type ProblemDetails, type ReleaseResult } from '../../client/api-client.js';
import { formatHostPort } from '../../config/host-port.js';
import { MailportError } from '../../errors.js';
import { type CliIo, clientFor, formatFields, printJson, recordId } from '../output.js';

export const RELEASE_HELP = `
Recipients: --to, else (only when the server has --release-allow) the message's own envelope
recipients. Every recipient must match the server's --release-allow when it is set; one that does
not, and nothing is sent. The message goes out byte for byte as captured, with its own MAIL FROM
(or the server's --release-from).

Exit codes of release: 0 the upstream server accepted it, 1 it was not released (the reason, the
cause and what to do are on stderr; with --json the problem is printed as JSON), 2 usage error.

Examples:
  $ mailport messages release 01936f0e-8c1a-7d2e-9a41-2b7c3d4e5f60 --to qa@example.com
  $ mailport messages release 01936f0e-8c1a-7d2e-9a41-2b7c3d4e5f60 --json`;

const collectAddress = (value: string, previous: string[] = []): string[] => {
  if (!value.includes('@')) throw new InvalidArgumentError('Give an e-mail address, e.g. qa@example.com.');
  return [...previous, value];
};

export function registerReleaseCommand(messages: Command, io: CliIo): void {
  messages
    .command('release')
    .description(
      "Release one message to the real SMTP server of the sandbox's --release-server, unchanged; exits 1 when it was not released.",
    )
    .argument('<id>', 'message id (from `mailport messages list`)', recordId('mailport messages list'))
    .option('--to <address>', 'release to this recipient (repeat for more)', collectAddress)
    .option('--json', 'print the result (or the problem) as JSON, as the API returns it')
    .addHelpText('after', RELEASE_HELP)
    .action(async (id: string, options: { to?: string[]; json?: boolean }, command: Command) => {
      let result: ReleaseResult;
      try {
        result = await clientFor(command).release(id, options.to === undefined ? {} : { to: options.to });
      } catch (error) {
        if (!(error instanceof MailportApiError) || !hasProblem(error)) throw error;
        if (options.json) {
          printJson(io, error.problem);
          process.exitCode = 1;
          return;
        }
        throw notReleased(error);
      }
      if (options.json) printJson(io, result);
      else io.out(formatRelease(id, result));
    });
}

function notReleased(error: MailportApiError & { problem: ProblemDetails }): MailportError {
  const { problem } = error;
  const cause = typeof problem.cause === 'string' ? ` (cause: ${problem.cause})` : '';
  const lead = problem.maybeDelivered === true ? '' : 'Not released: ';
  return new MailportError('MP_ERR_API', `${lead}${problem.detail}${cause}`, {
    ...(error.hint === undefined ? {} : { hint: error.hint }),
  });
}

function hasProblem(error: MailportApiError): error is MailportApiError & { problem: ProblemDetails } {
  return error.problem !== null;
}

export function formatRelease(id: string, result: ReleaseResult): string {
  const tls =
    result.tls.mode === 'none'
      ? 'no TLS'
      : `${result.tls.mode === 'implicit' ? 'implicit TLS' : 'STARTTLS'}, ${result.tls.protocol}`;
  return `Released message ${id} to ${formatHostPort(result.server, result.port)} (${tls}).\n${formatFields([
    ['MAIL FROM', `<${result.from}>`],
    ['RCPT TO', result.to.map((address) => `<${address}>`).join(', ')],
    ['Reply', result.reply],
  ])}`;
}
