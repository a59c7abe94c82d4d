/**
 * git send-email, s-nail, neomutt (helpers/unix-clients.ts) and Perl's Net::SMTP
 * (helpers/clients/send-net-smtp.pl) run for real against the sandbox, each making the usual
 * mistakes: the session the sandbox records must name the client's mistake with a fix that names
 * that client's own setting, `explain` must answer the client's printed output with the matching
 * cause, and with the right settings the message must be stored with no problem on the session.
 * A client that is not installed is skipped with the reason.
 *
 * Only Net::SMTP is given a read timeout here: git send-email waits Net::SMTP's default two
 * minutes, s-nail and neomutt wait for ever. What ends a wait is the sandbox: its 421 hint to a
 * client that waits for a plaintext greeting on the implicit-TLS port, and a short idle timeout for
 * any other silence, which leaves an `idle-timeout` diagnostic that fails the case.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { DiagnosticCode, SessionSummary } from '../../src/domain/types.js';
import { type CauseId, explainText } from '../../src/explain/index.js';
import type { ProfileName } from '../../src/profiles/port-profiles.js';
import { hasProblems } from '../../src/storage/session-record.js';
import { PERL_NET_SMTP } from '../helpers/language-clients.js';
import { runClient } from '../helpers/run-client.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
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
import { nextClosedSession } from '../helpers/wait.js';

type Client = UnixClient | 'Perl Net::SMTP';

const LOGIN = { user: 'team-a', pass: 's3cret-pass' };
const REFUSED_RECIPIENT = 'nobody@example.com';
/** Seconds of silence before the sandbox says 421 and hangs up: what ends any wait. */
const IDLE_TIMEOUT_S = 4;
/** Far more than any run takes; a client that waited for the idle timeout also has its diagnostic. */
const RUN_BOUND_MS = 10_000;

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

const UNAVAILABLE: Record<Client, string | null> = {
  ...UNAVAILABLE_UNIX_CLIENTS,
  'Perl Net::SMTP': PERL_UNAVAILABLE,
};

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
      MP_TIMEOUT: String(IDLE_TIMEOUT_S * 2),
    },
  });
}

const send = (client: Client, attempt: Attempt): Promise<string> =>
  client === 'Perl Net::SMTP' ? sendPerl(attempt) : sendUnix(client, attempt);

const subjectOf = (client: Client): string =>
  client === 'Perl Net::SMTP' ? 'test' : UNIX_CLIENT_SUBJECT[client](false);

/** Each client's own setting that puts each mistake right, as the diagnostic's fix must name it. */
const SETTINGS: Record<Client, { implicitTls: RegExp; startTls: RegExp; login: RegExp }> = {
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

interface Mistake {
  name: string;
  profile: ProfileName;
  tls: Attempt['tls'];
  login?: typeof LOGIN;
  /** The diagnostic the session must carry, by client where they stumble differently. */
  diagnostic: DiagnosticCode | Partial<Record<Client, DiagnosticCode>>;
  cause: CauseId;
  /** Which of the client's settings the diagnostic's fix must name. */
  setting: keyof (typeof SETTINGS)[Client];
}

/**
 * Without STARTTLS on the STARTTLS port, each client stumbles its own way: s-nail sends AUTH anyway
 * (530), the others find no AUTH offered and leave; without credentials either, s-nail and neomutt
 * say HELO, which gets 530, and hang up, while Net::SMTP (git send-email's too) says EHLO and MAIL.
 */
const MISTAKES: Mistake[] = [
  {
    name: 'plaintext against the implicit-TLS port',
    profile: 'submissions',
    tls: 'none',
    login: LOGIN,
    diagnostic: 'plaintext-on-implicit-tls-port',
    cause: 'plaintext-on-implicit-tls-port',
    setting: 'implicitTls',
  },
  {
    name: 'implicit TLS against the STARTTLS port',
    profile: 'submission',
    tls: 'implicit',
    login: LOGIN,
    diagnostic: 'implicit-tls-on-starttls-port',
    cause: 'implicit-tls-on-starttls-port',
    setting: 'startTls',
  },
  {
    name: 'no STARTTLS on the STARTTLS port, with credentials',
    profile: 'submission',
    tls: 'none',
    login: LOGIN,
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
  {
    name: 'no credentials on the submission port',
    profile: 'submission',
    tls: 'starttls',
    diagnostic: 'mail-before-auth',
    cause: 'auth-required',
    setting: 'login',
  },
];

/** A client's own sandbox, with its CA as a file for the clients to trust. */
interface Target {
  sandbox: TestSandbox;
  caFile: string;
}

function attempt(profile: ProfileName, { sandbox, caFile }: Target, settings: Partial<Attempt>): Attempt {
  return {
    host: 'localhost',
    port: sandbox.port(profile),
    tls: 'starttls',
    caFile,
    to: 'bob@example.com',
    big: false,
    ...settings,
  };
}

/** Runs the client and returns what it printed with the session it left, in bounded time. */
async function run(
  target: Target,
  client: Client,
  profile: ProfileName,
  settings: Partial<Attempt>,
): Promise<{ output: string; session: SessionSummary }> {
  const port = target.sandbox.port(profile);
  const startedAfter = Date.now();
  const closed = nextClosedSession(
    target.sandbox.bus,
    (session) => session.listener.port === port && Date.parse(session.startedAt) >= startedAfter,
  );
  const output = await send(client, attempt(profile, target, settings));
  const elapsed = Date.now() - startedAfter;
  assert.ok(elapsed < RUN_BOUND_MS, `${client} took ${elapsed} ms; it printed:\n${output}`);
  return { output, session: await closed };
}

const CLIENTS: readonly Client[] = [...UNIX_CLIENTS, 'Perl Net::SMTP'];

describe('command-line clients against the sandbox', { concurrency: CLIENTS.length }, () => {
  for (const client of CLIENTS) {
    // A sandbox per client, so that each case finds its session as the next one on the port.
    describe(client, { skip: UNAVAILABLE[client] ?? false, concurrency: 1 }, () => {
      let target: Target;
      before(async () => {
        const sandbox = await startTestSandbox({
          auth: [`${LOGIN.user}:${LOGIN.pass}`],
          idleTimeout: `${IDLE_TIMEOUT_S}s`,
          chaos: [`rcpt:550,match=${REFUSED_RECIPIENT}`],
        });
        target = { sandbox, caFile: join(dir, `${client.replace(/\W+/g, '-')}-ca.pem`) };
        await writeFile(target.caFile, sandbox.caPem);
      });
      after(() => target.sandbox.stop());

      for (const mistake of MISTAKES) {
        test(mistake.name, async () => {
          const { output, session } = await run(target, client, mistake.profile, {
            tls: mistake.tls,
            ...(mistake.login ? { login: mistake.login } : {}),
          });
          const expected =
            typeof mistake.diagnostic === 'string' ? mistake.diagnostic : mistake.diagnostic[client];
          assert.deepEqual(
            session.diagnostics.map((diagnostic) => diagnostic.code),
            [expected],
            `session ${session.id}; client output:\n${output}`,
          );
          assert.match(session.diagnostics[0]?.fix ?? '', SETTINGS[client][mistake.setting]);
          assert.equal(session.messageIds.length, 0);
          const answer = explainText(output);
          assert.equal(answer.cause, mistake.cause, `output was:\n${output}`);
          assert.match(answer.fix, SETTINGS[client][mistake.setting]);
        });
      }

      // Without --smtp-debug, git send-email prints one line that drops Net::SMTP's reason but names
      // the port (`port=465`): here an ephemeral one, so the test names it as `--port` would.
      if (client === 'git send-email') {
        test('plaintext against the implicit-TLS port, without --smtp-debug', async () => {
          const { output, session } = await run(target, client, 'submissions', {
            tls: 'none',
            login: LOGIN,
            terse: true,
          });
          assert.deepEqual(
            session.diagnostics.map((diagnostic) => diagnostic.code),
            ['plaintext-on-implicit-tls-port'],
          );
          assert.equal(explainText(output, { port: 465 }).cause, 'plaintext-on-implicit-tls-port', output);
        });
      }

      test('a wrong password', async () => {
        const { output, session } = await run(target, client, 'submission', {
          login: { user: LOGIN.user, pass: 'wrong' },
        });
        assert.deepEqual(
          session.diagnostics.map((diagnostic) => diagnostic.code),
          ['auth-failed'],
        );
        assert.equal(explainText(output).cause, 'auth-failed', `output was:\n${output}`);
      });

      test('a recipient the sandbox refuses (chaos)', async () => {
        const { output, session } = await run(target, client, 'submission', {
          login: LOGIN,
          to: REFUSED_RECIPIENT,
        });
        assert.equal(hasProblems(session), false, 'a refusal made on purpose is not the client’s mistake');
        assert.equal(session.chaos?.failedOnPurpose, true);
        assert.equal(explainText(output).cause, 'recipient-unknown', `output was:\n${output}`);
      });

      for (const profile of ['submission', 'submissions'] as const) {
        test(`the right settings on the ${profile} port`, async () => {
          const to = `${client.replace(/\W+/g, '-')}-${profile}@example.com`;
          const tls = profile === 'submissions' ? 'implicit' : 'starttls';
          const { output, session } = await run(target, client, profile, { tls, login: LOGIN, to });
          assert.equal(hasProblems(session), false, `session ${session.id}; client output:\n${output}`);
          assert.equal(session.messageIds.length, 1, output);
          const message = await target.sandbox.store.getMessage(session.messageIds[0] ?? '');
          assert.equal(message?.subject, subjectOf(client));
          assert.deepEqual(message?.envelopeTo, [to]);
          assert.equal(message?.envelopeFrom, UNIX_CLIENT_SENDER);
          assert.equal(message?.tls?.mode, tls);
          assert.equal(message?.auth?.user, LOGIN.user);
          // s-nail and neomutt print nothing when they succeed.
          if (output.trim() !== '') assert.equal(explainText(output).cause, 'no-error', output);
        });
      }
    });
  }
});
