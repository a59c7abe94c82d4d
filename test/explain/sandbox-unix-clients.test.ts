/**
 * git send-email, s-nail, neomutt (helpers/unix-clients.ts) and Perl's Net::SMTP
 * (helpers/clients/send-net-smtp.pl) run for real against the sandbox, each making the usual
 * mistakes: the session the sandbox records must name the client's mistake with a fix that names
 * that client's own setting, `explain` must answer the client's printed output with the matching
 * cause, and with the right settings the message must be stored with no problem on the session.
 * A client that is not installed is skipped with the reason (helpers/sandbox-client-cases.ts).
 *
 * Only Net::SMTP is given a read timeout here: git send-email waits Net::SMTP's default two
 * minutes, s-nail and neomutt wait for ever. What ends a wait is the sandbox: its 421 hint to a
 * client that waits for a plaintext greeting on the implicit-TLS port, and a short idle timeout for
 * any other silence, which leaves an `idle-timeout` diagnostic that fails the case.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { explainText } from '../../src/explain/index.js';
import { PERL_NET_SMTP } from '../helpers/language-clients.js';
import { runClient } from '../helpers/run-client.js';
import {
  type ClientSettings,
  describeSandboxClients,
  diagnosticCodes,
  SANDBOX_IDLE_TIMEOUT_S,
  SANDBOX_LOGIN,
  type SandboxMistake,
  SHARED_MISTAKES,
} from '../helpers/sandbox-client-cases.js';
import {
  type Attempt,
  prepareUnixClients,
  UNAVAILABLE_UNIX_CLIENTS,
  UNIX_CLIENT_SENDER,
  UNIX_CLIENT_SUBJECT,
  UNIX_CLIENTS,
  type UnixClient,
  type UnixClientRun,
} from '../helpers/unix-clients.js';

type Client = UnixClient | 'Perl Net::SMTP';

let dir: string;
let sendUnix: UnixClientRun;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mailport-sandbox-unix-clients-'));
  sendUnix = await prepareUnixClients(dir);
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const PERL_UNAVAILABLE =
  spawnSync('perl', ['-MIO::Socket::SSL', '-MAuthen::SASL', '-e1']).status === 0
    ? null
    : 'libio-socket-ssl-perl or libauthen-sasl-perl is not installed (.ci/run installs them)';

/** Perl's Net::SMTP from the same attempt, through send-net-smtp.pl's MP_* settings. */
function sendPerl(attempt: Attempt): Promise<string> {
  const [command, args] = PERL_NET_SMTP;
  return runClient(command, args, {
    env: {
      MP_HOST: attempt.host,
      MP_PORT: String(attempt.port),
      MP_TLS: attempt.tls,
      ...(attempt.caFile ? { MP_CA: attempt.caFile } : {}),
      ...(attempt.login ? { MP_USER: attempt.login.user, MP_PASS: attempt.login.pass } : {}),
      MP_FROM: UNIX_CLIENT_SENDER,
      MP_TO: attempt.to,
      MP_TIMEOUT: String(SANDBOX_IDLE_TIMEOUT_S * 2),
    },
  });
}

/** Each client's own setting that puts each mistake right, as the diagnostic's fix must name it. */
const SETTINGS: Record<Client, ClientSettings> = {
  'git send-email': {
    implicitTls: /--smtp-encryption=ssl/,
    startTls: /--smtp-encryption=tls/,
    login: /--smtp-user/,
  },
  's-nail': { implicitTls: /mta=smtps:\/\//, startTls: /smtp-use-starttls/, login: /smtp-auth=plain/ },
  neomutt: {
    implicitTls: /smtp_url="smtps:\/\//,
    startTls: /ssl_starttls=yes/,
    login: /smtp_pass/,
  },
  'Perl Net::SMTP': {
    implicitTls: /SSL => 1/,
    startTls: /Net::SMTP `starttls\(\)`/,
    login: /Net::SMTP `auth\(\)`/,
  },
};

/**
 * Without STARTTLS on the STARTTLS port, each client stumbles its own way: s-nail sends AUTH anyway
 * (530), the others find no AUTH offered and leave; without credentials either, s-nail and neomutt
 * say HELO, which gets 530, and hang up, while Net::SMTP (git send-email's too) says EHLO and MAIL.
 */
const MISTAKES: SandboxMistake<Client>[] = [
  SHARED_MISTAKES.plaintextOnImplicitTlsPort('plaintext against the implicit-TLS port', 'none'),
  SHARED_MISTAKES.implicitTlsOnStarttlsPort,
  {
    name: 'no STARTTLS on the STARTTLS port, with credentials',
    profile: 'submission',
    tls: 'none',
    login: SANDBOX_LOGIN,
    diagnostic: {
      'git send-email': 'quit-without-starttls',
      's-nail': 'auth-before-starttls',
      neomutt: 'quit-without-starttls',
      'Perl Net::SMTP': 'quit-without-starttls',
    },
    cause: 'auth-before-starttls',
    setting: 'startTls',
  },
  {
    name: 'no STARTTLS and no credentials on the STARTTLS port',
    profile: 'submission',
    tls: 'none',
    diagnostic: {
      'git send-email': 'mail-before-starttls',
      's-nail': 'quit-without-starttls',
      neomutt: 'quit-without-starttls',
      'Perl Net::SMTP': 'mail-before-starttls',
    },
    cause: 'auth-before-starttls',
    setting: 'startTls',
  },
  SHARED_MISTAKES.noCredentialsOnSubmissionPort,
];

describeSandboxClients<Client>('command-line clients against the sandbox', {
  clients: [...UNIX_CLIENTS, 'Perl Net::SMTP'],
  unavailable: { ...UNAVAILABLE_UNIX_CLIENTS, 'Perl Net::SMTP': PERL_UNAVAILABLE },
  send: (client, attempt) => (client === 'Perl Net::SMTP' ? sendPerl(attempt) : sendUnix(client, attempt)),
  settings: SETTINGS,
  mistakes: MISTAKES,
  sender: UNIX_CLIENT_SENDER,
  subject: (client) => (client === 'Perl Net::SMTP' ? 'test' : UNIX_CLIENT_SUBJECT[client](false)),
  runBoundMs: 10_000,
  refusedRecipient: 'nobody@example.com',
  // s-nail and neomutt print nothing when they succeed.
  mayPrintNothingOnSuccess: true,
  clientCases: (client, run) => {
    // Without --smtp-debug, git send-email prints one line that drops Net::SMTP's reason but names
    // the port (`port=465`): here an ephemeral one, so the test names it as `--port` would.
    if (client === 'git send-email') {
      const terse = (profile: 'submission' | 'submissions', tls: 'implicit' | 'none') =>
        run(profile, { tls, login: SANDBOX_LOGIN, terse: true });
      test('plaintext against the implicit-TLS port, without --smtp-debug', async () => {
        const { output, session } = await terse('submissions', 'none');
        assert.deepEqual(diagnosticCodes(session), ['plaintext-on-implicit-tls-port']);
        assert.equal(explainText(output, { port: 465 }).cause, 'plaintext-on-implicit-tls-port', output);
      });
      // IO::Socket::SSL still prints its "wrong version number" line; users often paste only the
      // last line, which names the encryption and the port.
      test('implicit TLS against the STARTTLS port, without --smtp-debug, and its last line alone', async () => {
        const { output, session } = await terse('submission', 'implicit');
        assert.deepEqual(diagnosticCodes(session), ['implicit-tls-on-starttls-port']);
        assert.equal(explainText(output, { port: 587 }).cause, 'implicit-tls-on-starttls-port', output);
        const lastLine = /Unable to initialize SMTP properly[^\n]*encryption=ssl [^\n]*/.exec(output)?.[0];
        assert.ok(lastLine, output);
        assert.equal(explainText(lastLine, { port: 587 }).cause, 'implicit-tls-on-starttls-port', lastLine);
        assert.equal(explainText(lastLine, { port: 465 }).cause, 'unknown', lastLine);
      });
    }
  },
});
