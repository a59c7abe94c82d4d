/**
 * `mailport doctor HOST`: what is really on the SMTP ports of a host, and how to configure a
 * client for it. Exit codes: 0 a working submission path exists, 1 none does, 2 usage error.
 */
import { type Command, Option } from 'commander';
import { DEFAULT_DOCTOR_PORTS, DEFAULT_STEP_TIMEOUT_MS } from '../../doctor/defaults.js';
import { COLOURS, formatDoctorReport, NO_COLOURS } from '../../doctor/format.js';
import { MailportError } from '../../errors.js';
import { localSandboxCa, readCaFile } from '../ca-file.js';
import { type CliIo, printJson, processIo } from '../output.js';
import {
  addTokenFetchOptions,
  formatFetchedToken,
  parseEhloName,
  parseMailbox,
  parsePortList,
  parseSeconds,
  parseServer,
  resolveLogin,
  type ServerAddress,
  type TokenFetchOptions,
} from './smtp-client-options.js';

const EXAMPLES = `
Examples:
  $ mailport doctor smtp.gmail.com
  $ mailport doctor smtp.example.com --user me@example.com --pass-env SMTP_PASS
  $ mailport doctor 127.0.0.1 --ports 1587,1465,2525,1025 --ca .mailport/tls/ca.pem --servername localhost
  $ mailport doctor mail.example.com --ports 587 --timeout 5 --json
  $ mailport doctor mail.example.com --ehlo-name app01.example.com
  $ mailport doctor smtp.office365.com --user app@example.com --pass-env SMTP_PASS --from noreply@example.com
  $ mailport doctor smtp.office365.com --ports 587 --user me@contoso.com --oauth-token-env M365_TOKEN
  $ mailport doctor smtp.gmail.com --user me@gmail.com --oauth-token-url google --oauth-client-id ID --oauth-client-secret-env GOOGLE_SECRET --oauth-refresh-token-env GOOGLE_REFRESH

Exit codes: 0 a working submission path exists, 1 none does, 2 usage error.
JSON schema: docs/explain-causes.md#doctor-json.`;

interface DoctorCommandOptions extends TokenFetchOptions {
  ports: number[];
  ca?: string;
  servername?: string;
  ehloName?: string;
  timeout: number;
  user?: string;
  pass?: string;
  passEnv?: string;
  oauthToken?: string;
  oauthTokenEnv?: string;
  from?: string;
  sendTo?: string;
  json?: boolean;
}

export function registerDoctorCommand(program: Command, io: CliIo = processIo): void {
  const doctor = program
    .command('doctor')
    .description(
      'Probe the SMTP ports of HOST: reachability, TLS mode, certificate, AUTH; then recommend settings.',
    )
    .argument(
      '<host>',
      'the SMTP server: HOST, HOST:PORT (that port alone) or smtp(s)://[user:pass@]HOST[:PORT]',
    )
    .option('--ports <list>', 'comma-separated ports to probe', parsePortList, [...DEFAULT_DOCTOR_PORTS])
    .option('--ca <file>', 'also trust this CA certificate (PEM), e.g. a sandbox CA')
    .option('--servername <name>', 'check certificates (and send SNI) for this name instead of HOST')
    .option(
      '--ehlo-name <name>',
      'introduce the doctor with this name in EHLO (default mailport-doctor.invalid), e.g. the one your client sends',
      parseEhloName,
    )
    .addOption(
      new Option('--timeout <seconds>', 'bound for each step: connect, TLS handshake, each reply')
        .argParser(parseSeconds)
        .default(DEFAULT_STEP_TIMEOUT_MS, '10'),
    )
    .option('--user <user>', 'check AUTH with this username on every working port')
    .option('--pass <password>', 'the password (prefer --pass-env; never printed)')
    .option('--pass-env <var>', 'read the password from this environment variable')
    .option(
      '--oauth-token <token>',
      'check AUTH XOAUTH2 (or OAUTHBEARER) with this OAuth 2.0 access token instead of a password; prefer --oauth-token-env',
    )
    .option('--oauth-token-env <var>', 'read the OAuth 2.0 access token from this environment variable');
  addTokenFetchOptions(doctor)
    .option(
      '--from <address>',
      "after AUTH, check the server takes MAIL FROM this address, your application's sender (default: --user when it is an address)",
      parseMailbox,
    )
    .option(
      '--send-to <address>',
      'after AUTH succeeds, send a real test message to this address',
      parseMailbox,
    )
    .option('--json', 'print the report as JSON (schema in docs/explain-causes.md)')
    .addHelpText('after', EXAMPLES)
    .action(async (target: string, options: DoctorCommandOptions, command: Command) => {
      const server = parseServer(target);
      const { host } = server;
      const ports = doctorPorts(server, options.ports, command.getOptionValueSource('ports') === 'cli');
      const caFile = options.ca ?? localSandboxCa(host);
      const { credentials, fetched } = await resolveLogin(
        options,
        server,
        options.timeout,
        caFile ? [readCaFile(caFile)] : [],
      );
      if (fetched !== null && !options.json) io.out(formatFetchedToken(fetched));
      const afterAuth = options.sendTo ? '--send-to' : options.from ? '--from' : null;
      if (afterAuth !== null && credentials === undefined) {
        throw new MailportError(
          'MP_ERR_USAGE',
          `${afterAuth} needs --user and a password or OAuth token: the doctor tries it after AUTH.`,
          {
            hint: 'add --user USERNAME --pass-env VAR (or --oauth-token-env VAR).',
          },
        );
      }
      // Loaded when run, so that every other command starts without the doctor's TLS code.
      const { runDoctor } = await import('../../doctor/doctor.js');
      const report = await runDoctor({
        host,
        ports,
        stepTimeoutMs: options.timeout,
        ...(caFile ? { caFile } : {}),
        ...(options.servername ? { servername: options.servername } : {}),
        ...(options.ehloName ? { ehloName: options.ehloName } : {}),
        ...(credentials ? { credentials } : {}),
        ...(options.from ? { from: options.from } : {}),
        ...(options.sendTo ? { sendTo: options.sendTo } : {}),
      });
      if (options.json) printJson(io, report);
      else
        io.out(
          formatDoctorReport(report, process.stdout.isTTY && !process.env.NO_COLOR ? COLOURS : NO_COLOURS),
        );
      process.exitCode = report.recommendation ? 0 : 1;
    });
}

/** `HOST:PORT` (or a URL's port) probes that port alone; naming ports twice is a mistake to say. */
function doctorPorts(server: ServerAddress, ports: number[], portsGiven: boolean): number[] {
  if (server.port === undefined) return ports;
  if (portsGiven) {
    throw new MailportError(
      'MP_ERR_USAGE',
      `The host already names port ${server.port}, and --ports names others.`,
      {
        hint: `give the host alone with --ports ${ports.join(',')}, or HOST:${server.port} without --ports.`,
      },
    );
  }
  return [server.port];
}
