/**
 * `mailport explain "<error text>"`: the most likely cause of an SMTP client error, the fix, how
 * sure Mailport is, and the references. Reads the text from the argument, or from stdin.
 */
import type { Command } from 'commander';
import { MailportError } from '../../errors.js';
import type { Explanation } from '../../explain/index.js';
import { type CliIo, printJson, processIo } from '../output.js';
import { parsePort } from './smtp-client-options.js';

const EXAMPLES = `
Examples:
  $ mailport explain "Error: Greeting never received"
  $ mailport explain "ssl.SSLError: [SSL: WRONG_VERSION_NUMBER] wrong version number"
  $ mailport explain --port 465 "TimeoutError: timed out"
  $ node send.js 2>&1 | mailport explain
  $ grep status=deferred /var/log/mail.log | tail -n 3 | mailport explain
  $ mailport explain --json "535 5.7.8 Username and Password not accepted"

Output with --json: {"cause", "confidence", "summary", "fix", "references"}; cause ids are listed
in docs/explain-causes.md.`;

export interface ExplainCommandOptions {
  json?: boolean;
  port?: number;
}

export function registerExplainCommand(
  program: Command,
  io: CliIo = processIo,
  stdin: NodeJS.ReadableStream = process.stdin,
): void {
  program
    .command('explain')
    .description(
      'Explain an SMTP client error or server reply: likely cause, fix, confidence and references.',
    )
    .argument('[text...]', 'the error message or log excerpt; read from stdin when omitted or "-"')
    .option('--port <port>', 'the port the failing client used, when the text does not say', parsePort)
    .option('--json', 'print {cause, confidence, summary, fix, references} as JSON')
    .addHelpText('after', EXAMPLES)
    .action(async (words: string[], options: ExplainCommandOptions) => {
      const fromArgument = words.length > 0 && !(words.length === 1 && words[0] === '-');
      const text = fromArgument ? words.join(' ') : await readAll(stdin);
      if (text.trim() === '') {
        throw new MailportError('MP_ERR_USAGE', 'No error text to explain.', {
          hint: 'pass the message as an argument (in quotes) or pipe the output into `mailport explain`.',
        });
      }
      // Loaded here, not at start-up: the rules take about 60 ms to compile, which every other
      // command (and `send`, which explains only a failure) would pay for nothing.
      const { explainText } = await import('../../explain/index.js');
      const explanation = explainText(text, options.port === undefined ? {} : { port: options.port });
      if (options.json) printJson(io, explanation);
      else io.out(formatExplanation(explanation));
    });
}

export function formatExplanation(explanation: Explanation): string {
  const sure =
    explanation.cause === 'unknown'
      ? 'not recognised'
      : `${Math.round(explanation.confidence * 100)}% sure: ${confidenceWord(explanation.confidence)}`;
  return [
    `Cause:      ${explanation.cause}  (${sure})`,
    '',
    wrap(explanation.summary, 'What:       '),
    wrap(explanation.fix, 'Fix:        '),
    `References: ${explanation.references.join('; ')}`,
    '',
  ].join('\n');
}

function confidenceWord(confidence: number): string {
  if (confidence >= 0.9) return 'the text names it';
  if (confidence >= 0.7) return 'likely';
  return 'a best guess: check with `mailport doctor HOST`';
}

/** `text` after `label`, wrapped at `width` columns, later lines indented under the first. */
export function wrap(text: string, label: string, width = 100): string {
  const indent = ' '.repeat(label.length);
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line !== '' && line.length + word.length + 1 > width - label.length) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines.map((text, index) => `${index === 0 ? label : indent}${text}`).join('\n');
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}
