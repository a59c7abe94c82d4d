/**
 * `mailport send`: a swaks-like sender. Without a port it follows the decision rule and falls
 * back 587 → 465 → 2525, saying what it tried; on failure it prints the `explain` answer.
 * Exit codes: 0 sent, 1 not sent, 2 usage error.
 */
import { hostname, userInfo } from 'node:os';
import { type Command, Option } from 'commander';
import { DEFAULT_STEP_TIMEOUT_MS } from '../../doctor/defaults.js';
import { withDecodedChallenge } from '../../protocol/challenge-text.js';
import { describeAttempt, isSilentGreeting, type TlsChoice } from '../../send/plan.js';
import type { SendProgress, SendResult } from '../../send/send.js';
import { formatReply, formatTranscriptEntry } from '../../smtp-client/index.js';
import { caDidNotVerify, localSandboxCa, readCaFile } from '../ca-file.js';
import { type CliIo, processIo } from '../output.js';
import { formatExplanation, wrap } from './explain.js';
import {
  addTokenFetchOptions,
  formatFetchedToken,
  parseSeconds,
  parseServer,
  resolveLogin,
  type TokenFetchOptions,
} from './smtp-client-options.js';

const EXAMPLES = `
Examples:
  $ mailport send --server smtp.example.com --from me@example.com --to you@example.com --user me@example.com --pass-env SMTP_PASS
  $ mailport send --server localhost:1587 --ca .mailport/tls/ca.pem --from a@example.com --to b@example.com --user mailport --pass mailport
  $ mailport send --server smtp.example.com:465 --tls implicit --from me@example.com --to you@example.com --attach report.pdf --show-transcript
  $ mailport send --server localhost:1025 --from me@example.com --to you@example.com --data saved-message.eml
  $ mailport send --server smtp.office365.com:587 --user me@contoso.com --oauth-token-env M365_TOKEN --to you@example.com
  $ mailport send --server smtp.office365.com:587 --user me@contoso.com --oauth-token-url microsoft:contoso.onmicrosoft.com --oauth-client-id ID --oauth-refresh-token-env M365_REFRESH --to you@example.com

Without a port: 587 with STARTTLS, then 465 with implicit TLS, then 2525 with STARTTLS.
Exit codes: 0 sent, 1 not sent, 2 usage error.`;

interface SendCommandOptions extends TokenFetchOptions {
  server: string;
  from?: string;
  to: string[];
  subject: string;
  body: string;
  html?: string;
  data?: string;
  attach: string[];
  header: string[];
  user?: string;
  pass?: string;
  passEnv?: string;
  oauthToken?: string;
  oauthTokenEnv?: string;
  tls: TlsChoice;
  timeout: number;
  ca?: string;
  servername?: string;
  showTranscript?: boolean;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function registerSendCommand(program: Command, io: CliIo = processIo): void {
  const send = program
    .command('send')
    .description(
      'Send a test message through an SMTP server, choosing and falling back between ports like a careful client.',
    )
    .requiredOption(
      '--server <host[:port]>',
      'the SMTP server, HOST[:PORT] or smtp(s)://[user:pass@]HOST[:PORT]; without a port, 587 → 465 → 2525 are tried',
    )
    .option(
      '--from <address>',
      'envelope and header sender, "Name <address>" allowed (default: --user when it is an address, else USER@HOSTNAME)',
    )
    .requiredOption(
      '--to <address>',
      'recipient (repeat for more; "Name <address>" and comma-separated lists allowed)',
      collect,
      [],
    )
    .option('--subject <text>', 'subject line', 'Test message from mailport send')
    .option('--body <text>', 'plain-text body', 'This is a test message sent by mailport send.')
    .option('--html <html>', 'an HTML alternative to the plain-text body')
    .option('--attach <file>', 'attach a file (repeatable)', collect, [])
    .option('--header <"Name: value">', 'add a header (repeatable)', collect, [])
    .addOption(
      new Option(
        '--data <file>',
        'send this RFC 5322 message as it is (an .eml file, or - for stdin); --from and --to give the envelope',
      ).conflicts(['subject', 'body', 'html', 'attach', 'header']),
    )
    .option('--user <user>', 'AUTH username')
    .option('--pass <password>', 'AUTH password (prefer --pass-env; never printed)')
    .option('--pass-env <var>', 'read the AUTH password from this environment variable')
    .option(
      '--oauth-token <token>',
      'log in with this OAuth 2.0 access token (AUTH XOAUTH2, else OAUTHBEARER) instead of a password; prefer --oauth-token-env',
    )
    .option('--oauth-token-env <var>', 'read the OAuth 2.0 access token from this environment variable');
  addTokenFetchOptions(send)
    .addOption(
      new Option(
        '--tls <mode>',
        'TLS mode: auto (465 and 1465 implicit, others STARTTLS; the other mode once more if the server asks for it or sends no plaintext greeting), starttls, implicit, none',
      )
        .choices(['auto', 'starttls', 'implicit', 'none'])
        .default('auto'),
    )
    .addOption(
      new Option('--timeout <seconds>', 'bound for each step: connect, TLS handshake, each reply')
        .argParser(parseSeconds)
        .default(DEFAULT_STEP_TIMEOUT_MS, '10'),
    )
    .option('--ca <file>', 'also trust this CA certificate (PEM), e.g. a sandbox CA')
    .option('--servername <name>', 'check the certificate for this name instead of the server host')
    .option('--show-transcript', 'print the SMTP conversation (AUTH redacted, message data elided)')
    .addHelpText('after', EXAMPLES)
    .action(async (options: SendCommandOptions) => {
      const server = parseServer(options.server);
      const { host, port } = server;
      const caFile = options.ca ?? localSandboxCa(host);
      if (caFile && !options.ca) io.out(`Trusting the local Mailport sandbox CA ${caFile}\n`);
      const ca = caFile ? [readCaFile(caFile)] : [];
      const { credentials, fetched } = await resolveLogin(options, server, options.timeout, ca);
      if (fetched !== null) io.out(formatFetchedToken(fetched));
      const from = options.from ?? defaultSender(credentials?.user);
      // Loaded here, not with the command table: nodemailer's composer added 40–50 ms to every command.
      const { buildMessage, envelopeAddresses, readMessageFile } = await import('../../send/message.js');
      const message =
        options.data === undefined
          ? await buildMessage({
              from,
              to: options.to,
              subject: options.subject,
              body: options.body,
              ...(options.html === undefined ? {} : { html: options.html }),
              attachments: options.attach,
              headers: options.header,
            })
          : await readMessageFile(options.data);
      const { sendMessage } = await import('../../send/send.js');
      const result = await sendMessage({
        host,
        ...(port === undefined ? {} : { port }),
        // A pasted smtps:// URL says implicit TLS, as --tls implicit would.
        tls: options.tls === 'auto' && server.implicitTls ? 'implicit' : options.tls,
        // The headers keep "Name <address>"; the envelope takes the addresses alone.
        from: envelopeAddresses(from)[0] ?? from,
        to: options.to.flatMap(envelopeAddresses),
        message,
        ...(credentials ? { credentials } : {}),
        ...(ca.length > 0 ? { ca } : {}),
        ...(options.servername ? { servername: options.servername } : {}),
        stepTimeoutMs: options.timeout,
        onProgress: (event) => io.out(formatProgress(host, event)),
      });
      io.out(formatResult(result, options.showTranscript === true));
      if (caFile && result.explanation?.cause === 'cert-untrusted-ca')
        io.out(`${wrap(caDidNotVerify(caFile, options.ca === undefined), 'Note:       ')}\n`);
      process.exitCode = result.ok ? 0 : 1;
    });
}

/** Like swaks: the AUTH user when it is an address, else the local user at this host. */
function defaultSender(user: string | undefined): string {
  if (user?.includes('@')) return user;
  return `${userInfo().username}@${hostname()}`;
}

function formatProgress(host: string, event: SendProgress): string {
  const target = `${host}:${event.attempt.port} (${describeAttempt(event.attempt)})`;
  if (event.kind === 'trying') return `Trying ${target}...\n`;
  const { next } = event;
  const then =
    next === null
      ? ''
      : next.port === event.attempt.port
        ? `\n  ${isSilentGreeting(event.error) ? 'no greeting in plaintext, as from an implicit-TLS server' : 'the server wants the other TLS mode'}: trying ${describeAttempt(next)} on the same port`
        : '\n  falling back to the next port';
  return `  failed in ${event.error.phase}: ${event.error.message}${then}\n`;
}

function formatResult(result: SendResult, showTranscript: boolean): string {
  const lines: string[] = [];
  if (showTranscript) {
    for (const attempt of result.attempts) {
      lines.push(`--- transcript, port ${attempt.port} ---`);
      lines.push(
        ...attempt.transcript.map((entry) =>
          formatTranscriptEntry(
            entry.dir === 'S' ? { ...entry, text: withDecodedChallenge(entry.text) } : entry,
          ),
        ),
      );
    }
    lines.push('---');
  }
  const sent = result.attempts.find((attempt) => attempt.ok);
  if (result.ok && sent) {
    lines.push(
      `Sent via port ${sent.port} (${sent.tlsVersion ?? 'no TLS'}): ${result.reply ? formatReply(result.reply) : ''}`,
    );
  } else {
    const unanswered = result.attempts.find((attempt) => attempt.error?.maybeDelivered);
    lines.push(
      unanswered
        ? `Perhaps sent: the whole message went out on port ${unanswered.port}, but the server never acknowledged it. Check whether it arrived before sending it again.`
        : `Not sent (tried port${result.attempts.length === 1 ? '' : 's'} ${result.attempts.map((attempt) => attempt.port).join(', ')}).`,
      '',
    );
    if (result.explanation) lines.push(formatExplanation(result.explanation));
  }
  return `${lines.join('\n')}\n`;
}
