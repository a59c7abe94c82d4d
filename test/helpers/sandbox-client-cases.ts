/**
 * The cases every real mail client meets against a sandbox of its own: each usual mistake, whose
 * session must name it with a fix that names the client's own setting and whose printed output
 * `explain` must answer with the cause; a wrong password; optionally a recipient the sandbox
 * refuses on purpose (chaos); and the right settings, with which the message must be stored with
 * no problem on the session. A client that is not installed is skipped with the reason.
 *
 * What ends any wait is the sandbox: its 421 hint to a client that waits for a plaintext greeting
 * on the implicit-TLS port, and a short idle timeout for any other silence, which leaves an
 * `idle-timeout` diagnostic that fails the case.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { DiagnosticCode, SessionSummary } from '../../src/domain/types.js';
import { type CauseId, explainText } from '../../src/explain/index.js';
import type { ProfileName } from '../../src/profiles/port-profiles.js';
import { hasProblems } from '../../src/storage/session-record.js';
import { startTestSandbox, type TestSandbox } from './sandbox.js';
import type { Attempt } from './unix-clients.js';
import { nextClosedSession } from './wait.js';

/** The credentials every client's sandbox accepts. */
export const SANDBOX_LOGIN = { user: 'team-a', pass: 's3cret-pass' };
/** Seconds of silence before the sandbox says 421 and hangs up: what ends any wait. */
export const SANDBOX_IDLE_TIMEOUT_S = 4;

/** A client's own setting that puts each mistake right, as the fixes must name it. */
export interface ClientSettings {
  implicitTls: RegExp;
  startTls: RegExp;
  login: RegExp;
}

export interface SandboxMistake<C extends string> {
  name: string;
  /** The clients that can make it; every client when absent. */
  clients?: readonly C[];
  profile: ProfileName;
  tls: Attempt['tls'];
  login?: typeof SANDBOX_LOGIN;
  /** The diagnostic the session must carry, by client where they stumble differently. */
  diagnostic: DiagnosticCode | Partial<Record<C, DiagnosticCode>>;
  cause: CauseId;
  /** Which of the client's settings both fixes must name. */
  setting: keyof ClientSettings;
}

/** The mistakes every client makes to the same diagnostic, cause and fix (`SandboxMistake<never>`: for any client). */
export const SHARED_MISTAKES = {
  /** Plaintext on the implicit-TLS port, credentials given: the sandbox's 421 hint ends the wait. */
  plaintextOnImplicitTlsPort: (name: string, tls: 'none' | 'starttls'): SandboxMistake<never> => ({
    name,
    profile: 'submissions',
    tls,
    login: SANDBOX_LOGIN,
    diagnostic: 'plaintext-on-implicit-tls-port',
    cause: 'plaintext-on-implicit-tls-port',
    setting: 'implicitTls',
  }),
  implicitTlsOnStarttlsPort: {
    name: 'implicit TLS against the STARTTLS port',
    profile: 'submission',
    tls: 'implicit',
    login: SANDBOX_LOGIN,
    diagnostic: 'implicit-tls-on-starttls-port',
    cause: 'implicit-tls-on-starttls-port',
    setting: 'startTls',
  } satisfies SandboxMistake<never>,
  noCredentialsOnSubmissionPort: {
    name: 'no credentials on the submission port',
    profile: 'submission',
    tls: 'starttls',
    diagnostic: 'mail-before-auth',
    cause: 'auth-required',
    setting: 'login',
  } satisfies SandboxMistake<never>,
};

/** What a client printed, with the session it left. */
export interface ClientRun {
  output: string;
  session: SessionSummary;
}

/** Runs the client against its sandbox on `profile`, in bounded time. */
export type RunOnSandbox = (profile: ProfileName, settings: Partial<Attempt>) => Promise<ClientRun>;

export interface SandboxClientCases<C extends string> {
  clients: readonly C[];
  /** Why a client cannot run here, or null. */
  unavailable: Record<C, string | null>;
  /** Runs a client for one attempt and returns everything it printed. */
  send: (client: C, attempt: Attempt) => Promise<string>;
  settings: Record<C, ClientSettings>;
  mistakes: readonly SandboxMistake<C>[];
  /** The envelope sender and the Subject of the message each client sends. */
  sender: string;
  subject: (client: C) => string;
  /** Far more than any run takes; a client that waited for the idle timeout also has its diagnostic. */
  runBoundMs: number;
  /** A recipient the sandbox refuses on purpose, which each client then meets. */
  refusedRecipient?: string;
  /** The ports a client sends through with the right settings (both when absent). */
  successProfiles?: (client: C) => readonly ('submission' | 'submissions')[];
  /** Some clients print nothing when they succeed: explain their output only when there is some. */
  mayPrintNothingOnSuccess?: boolean;
  /** The client's own cases, after the shared ones. */
  clientCases?: (client: C, run: RunOnSandbox) => void;
}

export const diagnosticCodes = (session: SessionSummary): DiagnosticCode[] =>
  session.diagnostics.map((diagnostic) => diagnostic.code);

/** A client's own sandbox, with its CA as a file for the client to trust. */
interface Target {
  sandbox: TestSandbox;
  caFile: string;
}

async function run<C extends string>(
  cases: SandboxClientCases<C>,
  target: Target,
  client: C,
  profile: ProfileName,
  settings: Partial<Attempt>,
): Promise<ClientRun> {
  const port = target.sandbox.port(profile);
  const startedAfter = Date.now();
  const closed = nextClosedSession(
    target.sandbox.bus,
    (session) => session.listener.port === port && Date.parse(session.startedAt) >= startedAfter,
  );
  const output = await cases.send(client, {
    host: 'localhost',
    port,
    tls: 'starttls',
    caFile: target.caFile,
    to: 'bob@example.com',
    big: false,
    ...settings,
  });
  const elapsed = Date.now() - startedAfter;
  assert.ok(elapsed < cases.runBoundMs, `${client} took ${elapsed} ms; it printed:\n${output}`);
  return { output, session: await closed };
}

/** A `describe` per client, run side by side, each with the cases above against a sandbox of its own. */
export function describeSandboxClients<C extends string>(title: string, cases: SandboxClientCases<C>): void {
  const { clients, settings, refusedRecipient } = cases;
  describe(title, { concurrency: clients.length }, () => {
    for (const client of clients) {
      // A sandbox per client, so that each case finds its session as the next one on the port.
      describe(client, { skip: cases.unavailable[client] ?? false, concurrency: 1 }, () => {
        let caDir: string;
        let target: Target;
        before(async () => {
          const sandbox = await startTestSandbox({
            auth: [`${SANDBOX_LOGIN.user}:${SANDBOX_LOGIN.pass}`],
            idleTimeout: `${SANDBOX_IDLE_TIMEOUT_S}s`,
            ...(refusedRecipient ? { chaos: [`rcpt:550,match=${refusedRecipient}`] } : {}),
          });
          caDir = await mkdtemp(join(tmpdir(), 'mailport-sandbox-client-'));
          target = { sandbox, caFile: join(caDir, 'ca.pem') };
          await writeFile(target.caFile, sandbox.caPem);
        });
        after(async () => {
          await target.sandbox.stop();
          await rm(caDir, { recursive: true, force: true });
        });
        const runHere: RunOnSandbox = (profile, attempt) => run(cases, target, client, profile, attempt);

        for (const mistake of cases.mistakes.filter((each) => each.clients?.includes(client) ?? true)) {
          test(mistake.name, async () => {
            const { output, session } = await runHere(mistake.profile, {
              tls: mistake.tls,
              ...(mistake.login ? { login: mistake.login } : {}),
            });
            const expected =
              typeof mistake.diagnostic === 'string' ? mistake.diagnostic : mistake.diagnostic[client];
            assert.deepEqual(
              diagnosticCodes(session),
              [expected],
              `session ${session.id}; client output:\n${output}`,
            );
            assert.match(session.diagnostics[0]?.fix ?? '', settings[client][mistake.setting]);
            assert.equal(session.messageIds.length, 0);
            const answer = explainText(output);
            assert.equal(answer.cause, mistake.cause, `output was:\n${output}`);
            assert.match(answer.fix, settings[client][mistake.setting]);
          });
        }

        test('a wrong password', async () => {
          const { output, session } = await runHere('submission', {
            login: { user: SANDBOX_LOGIN.user, pass: 'wrong' },
          });
          assert.deepEqual(diagnosticCodes(session), ['auth-failed']);
          assert.equal(explainText(output).cause, 'auth-failed', `output was:\n${output}`);
        });

        if (refusedRecipient) {
          test('a recipient the sandbox refuses (chaos)', async () => {
            const { output, session } = await runHere('submission', {
              login: SANDBOX_LOGIN,
              to: refusedRecipient,
            });
            assert.equal(
              hasProblems(session),
              false,
              'a refusal made on purpose is not the client’s mistake',
            );
            assert.equal(session.chaos?.failedOnPurpose, true);
            assert.equal(explainText(output).cause, 'recipient-unknown', `output was:\n${output}`);
          });
        }

        const profiles = cases.successProfiles?.(client) ?? (['submission', 'submissions'] as const);
        for (const profile of profiles) {
          test(`the right settings on the ${profile} port`, async () => {
            const to = `${client.replace(/\W+/g, '-')}-${profile}@example.com`;
            const tls = profile === 'submissions' ? 'implicit' : 'starttls';
            const { output, session } = await runHere(profile, { tls, login: SANDBOX_LOGIN, to });
            assert.equal(hasProblems(session), false, `session ${session.id}; client output:\n${output}`);
            assert.equal(session.messageIds.length, 1, output);
            const message = await target.sandbox.store.getMessage(session.messageIds[0] ?? '');
            assert.equal(message?.subject, cases.subject(client));
            assert.deepEqual(message?.envelopeTo, [to]);
            assert.equal(message?.envelopeFrom, cases.sender);
            assert.equal(message?.tls?.mode, tls);
            assert.equal(message?.auth?.user, SANDBOX_LOGIN.user);
            if (!cases.mayPrintNothingOnSuccess || output.trim() !== '') {
              assert.equal(explainText(output).cause, 'no-error', output);
            }
          });
        }

        cases.clientCases?.(client, runHere);
      });
    }
  });
}
