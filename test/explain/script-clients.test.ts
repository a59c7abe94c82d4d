/**
 * The mailers of shell scripts, NAS boxes and cron (helpers/script-clients.ts: sendEmail, GNU
 * mailutils `mail`, nullmailer's smtp module), run for real against the sandbox making each usual
 * mistake and against the misconfigured servers of client-targets.ts. The session the sandbox
 * records must name the mistake with a fix that names the client's own setting, `explain` must
 * answer the client's printed output with the cause, and with the right settings the message must
 * be stored. A client that is not installed is skipped with the reason.
 *
 * Each client meets only the mistakes it can make: sendEmail has no implicit TLS (its `-o tls=yes`
 * is STARTTLS, and on port 465 it waits for a greeting); mailutils never checks a server's
 * certificate, so no certificate problem reaches it. Only sendEmail has a read timeout of its own
 * (`-o timeout`): mailutils and nullmailer wait for ever for a server that never greets, so only
 * sendEmail meets the silent server. On the sandbox's implicit-TLS port the sandbox's 421 hint ends
 * every wait for a plaintext greeting.
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
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import {
  type ScriptClient as Client,
  SCRIPT_CLIENT_SENDER,
  SCRIPT_CLIENT_SUBJECT,
  SCRIPT_CLIENTS,
  sendWithScriptClient as send,
  UNAVAILABLE_SCRIPT_CLIENTS as UNAVAILABLE,
} from '../helpers/script-clients.js';
import type { Attempt } from '../helpers/unix-clients.js';
import { nextClosedSession } from '../helpers/wait.js';
import { startTestSmtpServer, type TestSmtpServer } from '../smtp-client/test-servers.js';
import { type ClientTargets, credentials, startClientTargets, type TargetServer } from './client-targets.js';

const LOGIN = { user: 'team-a', pass: 's3cret-pass' };
/** Seconds of silence before the sandbox says 421 and hangs up. */
const IDLE_TIMEOUT_S = 4;
const RUN_BOUND_MS = 12_000;

/** Each client's own setting that puts each mistake right, as both fixes must name it. */
const SETTINGS: Record<Client, { implicitTls: RegExp; startTls: RegExp; login: RegExp }> = {
  sendEmail: { implicitTls: /-o tls=yes/, startTls: /-o tls=yes/, login: /-xu USER -xp PASS/ },
  'mailutils mail': {
    implicitTls: /sendmail=smtps:\/\//,
    startTls: /sendmail=smtp:\/\/…`/,
    login: /sendmail=smtp:\/\/USER:PASS@/,
  },
  nullmailer: { implicitTls: /`--ssl`/, startTls: /`--starttls`/, login: /nullmailer `--user`/ },
};

interface Mistake {
  name: string;
  clients: readonly Client[];
  profile: ProfileName;
  tls: Attempt['tls'];
  login?: typeof LOGIN;
  /** The diagnostic the session must carry, by client where they stumble differently. */
  diagnostic: DiagnosticCode | Partial<Record<Client, DiagnosticCode>>;
  cause: CauseId;
  setting: keyof (typeof SETTINGS)[Client];
}

const ALL = SCRIPT_CLIENTS;

/**
 * Without STARTTLS on the STARTTLS port, nullmailer finds no AUTH offered and leaves; sendEmail
 * and mailutils send MAIL anyway (sendEmail after its NOTICE that AUTH is not supported).
 */
const MISTAKES: Mistake[] = [
  {
    name: 'no TLS against the implicit-TLS port',
    clients: ALL,
    profile: 'submissions',
    tls: 'none',
    login: LOGIN,
    diagnostic: 'plaintext-on-implicit-tls-port',
    cause: 'plaintext-on-implicit-tls-port',
    setting: 'implicitTls',
  },
  {
    // sendEmail's `-o tls=yes` too: it has no other TLS.
    name: 'STARTTLS against the implicit-TLS port',
    clients: ALL,
    profile: 'submissions',
    tls: 'starttls',
    login: LOGIN,
    diagnostic: 'plaintext-on-implicit-tls-port',
    cause: 'plaintext-on-implicit-tls-port',
    setting: 'implicitTls',
  },
  {
    name: 'implicit TLS against the STARTTLS port',
    clients: ['mailutils mail', 'nullmailer'],
    profile: 'submission',
    tls: 'implicit',
    login: LOGIN,
    diagnostic: 'implicit-tls-on-starttls-port',
    cause: 'implicit-tls-on-starttls-port',
    setting: 'startTls',
  },
  {
    name: 'no STARTTLS on the STARTTLS port, with credentials',
    clients: ALL,
    profile: 'submission',
    tls: 'none',
    login: LOGIN,
    diagnostic: {
      sendEmail: 'mail-before-starttls',
      'mailutils mail': 'mail-before-starttls',
      nullmailer: 'quit-without-starttls',
    },
    cause: 'auth-before-starttls',
    setting: 'startTls',
  },
  {
    name: 'no STARTTLS and no credentials on the STARTTLS port',
    clients: ALL,
    profile: 'submission',
    tls: 'none',
    // nullmailer says HELO without AUTH or STARTTLS to do, which gets 530; then it leaves.
    diagnostic: {
      sendEmail: 'mail-before-starttls',
      'mailutils mail': 'mail-before-starttls',
      nullmailer: 'quit-without-starttls',
    },
    cause: 'auth-before-starttls',
    setting: 'startTls',
  },
  {
    name: 'no credentials on the submission port',
    clients: ALL,
    profile: 'submission',
    tls: 'starttls',
    diagnostic: 'mail-before-auth',
    cause: 'auth-required',
    setting: 'login',
  },
];

/** The misconfigured servers each client meets, and the cause its output must be explained as. */
interface TargetCase {
  name: string;
  clients: readonly Client[];
  server: TargetServer | 'starttlsWrongHostname' | 'starttlsSelfSigned' | 'starttlsExpired';
  tls: Attempt['tls'];
  cause: CauseId;
}

const TARGET_CASES: TargetCase[] = [
  {
    name: 'a refused connection',
    clients: ALL,
    server: 'closedPort',
    tls: 'starttls',
    cause: 'connection-refused',
  },
  {
    name: 'a server that never greets',
    clients: ['sendEmail'],
    server: 'silent',
    tls: 'starttls',
    cause: 'no-greeting',
  },
  // GnuTLS's verdict, as nullmailer words it, is "untrusted" for each of these three.
  ...(['expired', 'selfSigned', 'untrustedCa'] as const).map(
    (server): TargetCase => ({
      name: `implicit TLS to ${server}`,
      clients: ['nullmailer'],
      server,
      tls: 'implicit',
      cause: 'cert-untrusted-ca',
    }),
  ),
  {
    name: 'implicit TLS to a certificate for another name',
    clients: ['nullmailer'],
    server: 'wrongHostname',
    tls: 'implicit',
    cause: 'cert-hostname-mismatch',
  },
  {
    name: 'STARTTLS to a certificate for another name',
    clients: ['sendEmail'],
    server: 'starttlsWrongHostname',
    tls: 'starttls',
    cause: 'cert-hostname-mismatch',
  },
  // sendEmail drops OpenSSL's reason: "certificate verify failed" for both.
  {
    name: 'STARTTLS to a self-signed certificate',
    clients: ['sendEmail'],
    server: 'starttlsSelfSigned',
    tls: 'starttls',
    cause: 'cert-untrusted-ca',
  },
  {
    name: 'STARTTLS to an expired certificate',
    clients: ['sendEmail'],
    server: 'starttlsExpired',
    tls: 'starttls',
    cause: 'cert-untrusted-ca',
  },
];

let dir: string;
let targets: ClientTargets;
/** STARTTLS twins of the certificate targets, for sendEmail, which has no implicit TLS. */
let starttlsTargets: Record<
  'starttlsWrongHostname' | 'starttlsSelfSigned' | 'starttlsExpired',
  TestSmtpServer
>;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mailport-script-clients-'));
  targets = await startClientTargets();
  const starttlsWith = (certificate: typeof targets.fixtures.valid) =>
    startTestSmtpServer({ tls: 'starttls', certificate, credentials, tlsRequired: true, authRequired: true });
  starttlsTargets = {
    starttlsWrongHostname: await starttlsWith(targets.fixtures.wrongHostname),
    starttlsSelfSigned: await starttlsWith(targets.fixtures.selfSigned),
    starttlsExpired: await starttlsWith(targets.fixtures.expired),
  };
});

after(async () => {
  await Promise.all(Object.values(starttlsTargets).map((server) => server.close()));
  await targets.close();
  await rm(dir, { recursive: true, force: true });
});

interface Target {
  sandbox: TestSandbox;
  caFile: string;
}

/** Runs the client against the sandbox and returns what it printed with the session it left. */
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
  const output = await send(client, {
    host: 'localhost',
    port,
    tls: 'starttls',
    caFile: target.caFile,
    to: 'bob@example.com',
    big: false,
    ...settings,
  });
  const elapsed = Date.now() - startedAfter;
  assert.ok(elapsed < RUN_BOUND_MS, `${client} took ${elapsed} ms; it printed:\n${output}`);
  return { output, session: await closed };
}

describe('script mailers', { concurrency: SCRIPT_CLIENTS.length }, () => {
  for (const client of SCRIPT_CLIENTS) {
    describe(client, { skip: UNAVAILABLE[client] ?? false, concurrency: 1 }, () => {
      let target: Target;
      before(async () => {
        const sandbox = await startTestSandbox({
          auth: [`${LOGIN.user}:${LOGIN.pass}`],
          idleTimeout: `${IDLE_TIMEOUT_S}s`,
        });
        target = { sandbox, caFile: join(dir, `${client.replace(/\W+/g, '-')}-ca.pem`) };
        await writeFile(target.caFile, sandbox.caPem);
      });
      after(() => target.sandbox.stop());

      for (const mistake of MISTAKES.filter((each) => each.clients.includes(client))) {
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

      // mailutils takes any certificate: it would deliver here.
      if (client !== 'mailutils mail') {
        test('the sandbox CA not trusted', async () => {
          const { output, session } = await run(target, client, 'submission', {
            login: LOGIN,
            caFile: undefined,
          });
          assert.deepEqual(
            session.diagnostics.map((diagnostic) => diagnostic.code),
            ['tls-handshake-failed'],
            output,
          );
          assert.equal(explainText(output).cause, 'cert-untrusted-ca', `output was:\n${output}`);
        });
      }

      // Without --debug-level, mailutils says only that the server rejected something.
      if (client === 'mailutils mail') {
        test('no credentials, without the transcript', async () => {
          const { output } = await run(target, client, 'submission', { terse: true });
          const answer = explainText(output);
          assert.equal(answer.cause, 'unknown', output);
          assert.match(answer.fix, /--debug-level=mailer\.prot/);
        });
      }

      const profiles =
        client === 'sendEmail' ? (['submission'] as const) : (['submission', 'submissions'] as const);
      for (const profile of profiles) {
        test(`the right settings on the ${profile} port`, async () => {
          const to = `${client.replace(/\W+/g, '-')}-${profile}@example.com`;
          const tls = profile === 'submissions' ? 'implicit' : 'starttls';
          const { output, session } = await run(target, client, profile, { tls, login: LOGIN, to });
          assert.equal(hasProblems(session), false, `session ${session.id}; client output:\n${output}`);
          assert.equal(session.messageIds.length, 1, output);
          const message = await target.sandbox.store.getMessage(session.messageIds[0] ?? '');
          assert.equal(message?.subject, SCRIPT_CLIENT_SUBJECT);
          assert.deepEqual(message?.envelopeTo, [to]);
          assert.equal(message?.envelopeFrom, SCRIPT_CLIENT_SENDER);
          assert.equal(message?.tls?.mode, tls);
          assert.equal(message?.auth?.user, LOGIN.user);
          assert.equal(explainText(output).cause, 'no-error', output);
        });
      }

      for (const scenario of TARGET_CASES.filter((each) => each.clients.includes(client))) {
        test(`against ${scenario.name}`, async () => {
          const port =
            scenario.server === 'closedPort'
              ? targets.closedPort
              : scenario.server in starttlsTargets
                ? starttlsTargets[scenario.server as keyof typeof starttlsTargets].port
                : targets[scenario.server as Exclude<TargetServer, 'closedPort'>].port;
          const output = await send(client, {
            host: 'localhost',
            port,
            tls: scenario.tls,
            caFile: targets.caFile,
            login: credentials,
            to: 'bob@example.com',
            big: false,
          });
          assert.equal(explainText(output).cause, scenario.cause, `output was:\n${output}`);
          // A real port 465 waits just as silently for sendEmail's plaintext; `--port` names it.
          if (scenario.server === 'silent') {
            const on465 = explainText(output, { port: 465 });
            assert.equal(on465.cause, 'plaintext-on-implicit-tls-port', output);
            assert.match(on465.fix, SETTINGS[client].implicitTls);
          }
        });
      }
    });
  }
});
