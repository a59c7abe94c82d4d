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
import { after, before, test } from 'node:test';
import { type CauseId, explainText } from '../../src/explain/index.js';
import {
  type ClientSettings,
  describeSandboxClients,
  diagnosticCodes,
  SANDBOX_LOGIN,
  type SandboxMistake,
  SHARED_MISTAKES,
} from '../helpers/sandbox-client-cases.js';
import {
  type ScriptClient as Client,
  SCRIPT_CLIENT_SENDER,
  SCRIPT_CLIENT_SUBJECT,
  SCRIPT_CLIENTS,
  sendWithScriptClient as send,
  UNAVAILABLE_SCRIPT_CLIENTS,
} from '../helpers/script-clients.js';
import type { Attempt } from '../helpers/unix-clients.js';
import { startTestSmtpServer, type TestSmtpServer } from '../smtp-client/test-servers.js';
import { type ClientTargets, credentials, startClientTargets, type TargetServer } from './client-targets.js';

/** Each client's own setting that puts each mistake right, as both fixes must name it. */
const SETTINGS: Record<Client, ClientSettings> = {
  sendEmail: { implicitTls: /-o tls=yes/, startTls: /-o tls=yes/, login: /-xu USER -xp PASS/ },
  'mailutils mail': {
    implicitTls: /sendmail=smtps:\/\//,
    startTls: /sendmail=smtp:\/\/…`/,
    login: /sendmail=smtp:\/\/USER:PASS@/,
  },
  nullmailer: { implicitTls: /`--ssl`/, startTls: /`--starttls`/, login: /nullmailer `--user`/ },
};

const ALL = SCRIPT_CLIENTS;

/**
 * Without STARTTLS on the STARTTLS port, nullmailer finds no AUTH offered and leaves; sendEmail
 * and mailutils send MAIL anyway (sendEmail after its NOTICE that AUTH is not supported).
 */
const MISTAKES: SandboxMistake<Client>[] = [
  SHARED_MISTAKES.plaintextOnImplicitTlsPort('no TLS against the implicit-TLS port', 'none'),
  // sendEmail's `-o tls=yes` too: it has no other TLS.
  SHARED_MISTAKES.plaintextOnImplicitTlsPort('STARTTLS against the implicit-TLS port', 'starttls'),
  { ...SHARED_MISTAKES.implicitTlsOnStarttlsPort, clients: ['mailutils mail', 'nullmailer'] },
  // The same with credentials or without: without, nullmailer says HELO with no AUTH or STARTTLS
  // to do, which gets 530; then it leaves.
  ...[
    { name: 'no STARTTLS on the STARTTLS port, with credentials', login: SANDBOX_LOGIN },
    { name: 'no STARTTLS and no credentials on the STARTTLS port' },
  ].map(
    (variant): SandboxMistake<Client> => ({
      ...variant,
      profile: 'submission',
      tls: 'none',
      diagnostic: {
        sendEmail: 'mail-before-starttls',
        'mailutils mail': 'mail-before-starttls',
        nullmailer: 'quit-without-starttls',
      },
      cause: 'auth-before-starttls',
      setting: 'startTls',
    }),
  ),
  SHARED_MISTAKES.noCredentialsOnSubmissionPort,
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
    // sendEmail takes the sink's 250s as success; the others stop at the 250 their DATA gets.
    name: 'a sink that answers 250 to everything',
    clients: ['mailutils mail', 'nullmailer'],
    server: 'sink',
    tls: 'none',
    cause: 'server-protocol-error',
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

let targets: ClientTargets;
/** STARTTLS twins of the certificate targets, for sendEmail, which has no implicit TLS. */
let starttlsTargets: Record<
  'starttlsWrongHostname' | 'starttlsSelfSigned' | 'starttlsExpired',
  TestSmtpServer
>;

before(async () => {
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
});

describeSandboxClients<Client>('script mailers', {
  clients: SCRIPT_CLIENTS,
  unavailable: UNAVAILABLE_SCRIPT_CLIENTS,
  send,
  settings: SETTINGS,
  mistakes: MISTAKES,
  sender: SCRIPT_CLIENT_SENDER,
  subject: () => SCRIPT_CLIENT_SUBJECT,
  runBoundMs: 12_000,
  successProfiles: (client) => (client === 'sendEmail' ? ['submission'] : ['submission', 'submissions']),
  clientCases: (client, run) => {
    // mailutils takes any certificate: it would deliver here.
    if (client !== 'mailutils mail') {
      test('the sandbox CA not trusted', async () => {
        const { output, session } = await run('submission', { login: SANDBOX_LOGIN, caFile: undefined });
        assert.deepEqual(diagnosticCodes(session), ['tls-handshake-failed'], output);
        assert.equal(explainText(output).cause, 'cert-untrusted-ca', `output was:\n${output}`);
      });
    }

    // Without --debug-level, mailutils says only that the server rejected something.
    if (client === 'mailutils mail') {
      test('no credentials, without the transcript', async () => {
        const { output } = await run('submission', { terse: true });
        const answer = explainText(output);
        assert.equal(answer.cause, 'unknown', output);
        assert.match(answer.fix, /--debug-level=mailer\.prot/);
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
  },
});
