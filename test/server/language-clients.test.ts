/**
 * Ruby's Net::SMTP, PHPMailer, Symfony Mailer, Go's net/smtp, Jakarta Mail, aiosmtplib, Perl's
 * Net::SMTP and gen_smtp's session in Elixir (helpers/language-clients.ts) as real child processes against the sandbox: each delivers on
 * every profile with the settings the profile calls for, and each classic mistake fails with the
 * right session diagnostic on the sandbox's side and the right `explain` cause for what the
 * client printed.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DiagnosticCode } from '../../src/domain/types.js';
import { type CauseId, explainText } from '../../src/explain/index.js';
import type { ProfileName } from '../../src/profiles/port-profiles.js';
import {
  LANGUAGE_CLIENTS,
  type LanguageClient,
  type LanguageClients,
  prepareLanguageClients,
} from '../helpers/language-clients.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { nextClosedSession } from '../helpers/wait.js';

let sandbox: TestSandbox;
let clients: LanguageClients;
let dir: string;
let caFile: string;

before(async () => {
  // A JVM sends its ClientHello ~200 ms after connecting when idle, several times that on a loaded
  // machine: the production silence before the implicit-TLS hint (2 s) and more, to stay clear of it.
  [sandbox, clients] = await Promise.all([
    startTestSandbox({ implicitTlsSilenceMs: 3000 }),
    prepareLanguageClients(),
  ]);
  dir = await mkdtemp(join(tmpdir(), 'mailport-language-clients-'));
  caFile = join(dir, 'ca.pem');
  await writeFile(caFile, sandbox.caPem);
});

after(async () => {
  await Promise.all([sandbox.stop(), clients.close(), rm(dir, { recursive: true, force: true })]);
});

/** Longer than the sandbox's silence, so a client waiting for a greeting gets the 421 hint. */
const TIMEOUT = { MP_TIMEOUT: '6' };
const login = () => ({ MP_USER: sandbox.auth.user, MP_PASS: sandbox.auth.pass });
const trusted = () => ({ MP_HOST: 'localhost', MP_CA: caFile });

const RIGHT_SETTINGS: Record<ProfileName, () => Record<string, string>> = {
  relay: () => ({ MP_TLS: 'none', ...trusted() }),
  submission: () => ({ MP_TLS: 'starttls', ...trusted(), ...login() }),
  alternate: () => ({ MP_TLS: 'starttls', ...trusted(), ...login() }),
  submissions: () => ({ MP_TLS: 'implicit', ...trusted(), ...login() }),
};

const TLS_MODE: Record<ProfileName, string | undefined> = {
  relay: undefined,
  submission: 'starttls',
  alternate: 'starttls',
  submissions: 'implicit',
};

describe('other-language clients deliver with the right settings', { concurrency: 2 }, () => {
  for (const client of LANGUAGE_CLIENTS) {
    for (const profile of Object.keys(RIGHT_SETTINGS) as ProfileName[]) {
      it(`${client} on the ${profile} listener`, async () => {
        const sender = `${client}-${profile}@example.com`;
        const output = await clients.run(client, {
          ...RIGHT_SETTINGS[profile](),
          ...TIMEOUT,
          MP_PORT: String(sandbox.port(profile)),
          MP_FROM: sender,
        });
        const { items } = await sandbox.store.listMessages({ q: `from:${sender}` });
        assert.equal(items.length, 1, `output was:\n${output}`);
        const message = await sandbox.store.getMessage(items[0]?.id ?? '');
        assert.equal(message?.listener.profile, profile);
        // Symfony Mailer upgrades with STARTTLS wherever it is offered, the relay port included.
        const upgraded = client === 'symfony' && profile === 'relay';
        assert.equal(message?.tls?.mode, upgraded ? 'starttls' : TLS_MODE[profile]);
        if (profile !== 'relay') assert.equal(message?.auth?.user, sandbox.auth.user);
        if (client === 'php') assert.equal(explainText(output).cause, 'no-error', output);
      });
    }
  }
});

interface Mistake {
  name: string;
  profile: ProfileName;
  env: () => Record<string, string>;
  diagnostic: DiagnosticCode;
  cause: CauseId;
}

const MISTAKES: Mistake[] = [
  {
    name: 'implicit TLS against the STARTTLS port',
    profile: 'submission',
    env: () => ({ MP_TLS: 'implicit', ...trusted(), ...login() }),
    diagnostic: 'implicit-tls-on-starttls-port',
    cause: 'implicit-tls-on-starttls-port',
  },
  {
    name: 'plaintext against the implicit-TLS port',
    profile: 'submissions',
    env: () => ({ MP_TLS: 'none', ...trusted(), ...login() }),
    diagnostic: 'plaintext-on-implicit-tls-port',
    cause: 'plaintext-on-implicit-tls-port',
  },
  {
    name: 'a wrong password',
    profile: 'alternate',
    env: () => ({ MP_TLS: 'starttls', ...trusted(), MP_USER: sandbox.auth.user, MP_PASS: 'wrong' }),
    diagnostic: 'auth-failed',
    cause: 'auth-failed',
  },
  {
    name: 'no STARTTLS on the STARTTLS port, no credentials',
    profile: 'submission',
    env: () => ({ MP_TLS: 'none', ...trusted() }),
    diagnostic: 'mail-before-starttls',
    cause: 'auth-before-starttls',
  },
  {
    name: 'the sandbox CA not trusted',
    profile: 'submission',
    env: () => ({ MP_TLS: 'starttls', MP_HOST: 'localhost', ...login() }),
    diagnostic: 'tls-handshake-failed',
    cause: 'cert-untrusted-ca',
  },
];

/**
 * No STARTTLS but credentials: each client stumbles differently, and the sandbox says so. Symfony
 * Mailer cannot make this mistake: it upgrades whenever STARTTLS is offered.
 */
const NO_STARTTLS_WITH_LOGIN: Partial<Record<LanguageClient, DiagnosticCode>> = {
  ruby: 'auth-before-starttls', // sends AUTH anyway: 530
  go: 'auth-before-starttls', // likewise (PLAIN is allowed to localhost)
  java: 'mail-before-starttls', // skips AUTH when it is not offered, then MAIL: 530
  php: 'quit-without-starttls', // finds no AUTH and quits: "Could not authenticate"
  aiosmtplib: 'quit-without-starttls', // finds no AUTH and hangs up: "Try connecting via TLS"
  elixir: 'quit-without-starttls', // gen_smtp finds no AUTH and quits: {missing_requirement, Host, auth}
  emailjs: 'quit-without-starttls', // finds no AUTH and quits: "no form of authorization supported"
};

/** emailjs given `tls: true` checks no certificate at all, so an untrusted CA is no mistake to it. */
const CHECKS_NO_CERTIFICATE: readonly LanguageClient[] = ['emailjs'];

/** Without credentials, Symfony Mailer's automatic upgrade turns "no STARTTLS" into "no AUTH". */
const SYMFONY_WITHOUT_LOGIN: Partial<Mistake> = { diagnostic: 'mail-before-auth', cause: 'auth-required' };

// One at a time: each case finds its session as the next one to start on the port.
describe('other-language clients: each mistake is named on both sides', () => {
  for (const client of LANGUAGE_CLIENTS) {
    const withLogin = NO_STARTTLS_WITH_LOGIN[client];
    const mistakes: Mistake[] = [
      ...MISTAKES.filter(
        (mistake) =>
          !(CHECKS_NO_CERTIFICATE.includes(client) && mistake.name === 'the sandbox CA not trusted'),
      ).map((mistake) =>
        client === 'symfony' && mistake.name === 'no STARTTLS on the STARTTLS port, no credentials'
          ? { ...mistake, ...SYMFONY_WITHOUT_LOGIN }
          : mistake,
      ),
      ...(withLogin
        ? [
            {
              name: 'no STARTTLS on the STARTTLS port, with credentials',
              profile: 'submission',
              env: () => ({ MP_TLS: 'none', ...trusted(), ...login() }),
              diagnostic: withLogin,
              cause: 'auth-before-starttls',
            } satisfies Mistake,
          ]
        : []),
    ];
    for (const mistake of mistakes) {
      it(`${client}: ${mistake.name}`, async () => {
        const port = sandbox.port(mistake.profile);
        const startedAfter = Date.now();
        const closed = nextClosedSession(
          sandbox.bus,
          (session) => session.listener.port === port && Date.parse(session.startedAt) >= startedAfter,
        );
        const output = await clients.run(client, { ...mistake.env(), ...TIMEOUT, MP_PORT: String(port) });
        assert.equal(explainText(output).cause, mistake.cause, `output was:\n${output}`);
        const session = await closed;
        assert.deepEqual(
          session.diagnostics.map((diagnostic) => diagnostic.code),
          [mistake.diagnostic],
          `transcript of ${session.id}; client output:\n${output}`,
        );
        assert.equal(session.messageIds.length, 0);
      });
    }
  }
});
