/**
 * `explain` against the mail log of a real Postfix that relays through a provider (`relayhost`),
 * which is how servers and containers send mail and what their admins paste. A private Postfix
 * instance (helpers/postfix.ts) relays each mistake's domain to the misconfigured servers of
 * client-targets.ts with that mistake's main.cf settings; every case runs at once, and explain
 * reads the log lines of the smtp process that tried the delivery. Nothing here is typed in.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type CauseId, explainText } from '../../src/explain/index.js';
import { POSTFIX_UNAVAILABLE, PostfixInstance, type RelayRoute } from '../helpers/postfix.js';
import {
  type ClientTargets,
  credentials,
  startClientTargets,
  type TargetServer,
  tlsProblemCases,
} from './client-targets.js';

interface Mistake {
  server: TargetServer;
  settings: Record<string, string>;
  login?: typeof credentials;
  /** Whom the mail is for, when the server must refuse that address; else mistake-N.test. */
  to?: string;
  bodyBytes?: number;
  expected: CauseId;
  /** The port role the admin would name with `--port`: the log shows the loopback test port. */
  port?: number;
}

const STARTTLS = { smtp_tls_security_level: 'encrypt' };
const login = credentials;
const verifiedImplicitTls = (): Record<string, string> => ({
  smtp_tls_security_level: 'secure',
  smtp_tls_wrappermode: 'yes',
  smtp_tls_secure_cert_match: 'localhost',
  smtp_tls_CAfile: targets.caFile,
});

const MISTAKES: Record<string, () => Mistake> = {
  'implicit TLS (wrappermode) against a STARTTLS port': () => ({
    server: 'submission',
    settings: { ...STARTTLS, smtp_tls_wrappermode: 'yes' },
    login,
    expected: 'implicit-tls-on-starttls-port',
  }),
  'no wrappermode against an implicit-TLS port': () => ({
    server: 'submissions',
    settings: { smtp_tls_security_level: 'may' },
    login,
    expected: 'plaintext-on-implicit-tls-port',
    port: 465,
  }),
  'wrappermode without a mandatory TLS level': () => ({
    server: 'submissions',
    settings: { smtp_tls_security_level: 'may', smtp_tls_wrappermode: 'yes' },
    login,
    expected: 'plaintext-on-implicit-tls-port',
  }),
  'a wrong password': () => ({
    server: 'submission',
    settings: STARTTLS,
    login: { user: credentials.user, pass: 'wrong' },
    expected: 'auth-failed',
  }),
  'no password map': () => ({ server: 'submission', settings: STARTTLS, expected: 'auth-required' }),
  'TLS off, so AUTH is never offered': () => ({
    server: 'submission',
    settings: { smtp_tls_security_level: 'none' },
    login,
    expected: 'auth-before-starttls',
  }),
  'TLS required by a server without STARTTLS': () => ({
    server: 'plaintext',
    settings: STARTTLS,
    expected: 'starttls-not-offered',
  }),
  'SASL options that forbid every mechanism offered': () => ({
    server: 'submission',
    settings: { ...STARTTLS, smtp_sasl_security_options: 'noanonymous, noplaintext' },
    login,
    expected: 'auth-mechanism-unsupported',
  }),
  'relaying without AUTH': () => ({
    server: 'relay',
    settings: { smtp_tls_security_level: 'may' },
    expected: 'relay-denied',
  }),
  'an unknown recipient': () => ({
    server: 'submission',
    settings: STARTTLS,
    login,
    to: 'nobody@example.com',
    expected: 'recipient-unknown',
  }),
  'a message over the SIZE limit': () => ({
    server: 'submission',
    settings: STARTTLS,
    login,
    bodyBytes: 6000,
    expected: 'message-too-large',
  }),
  'a closed port': () => ({ server: 'closedPort', settings: {}, expected: 'connection-refused' }),
  'a port that drops the TCP handshake': () => ({
    server: 'blackhole',
    settings: {},
    expected: 'connection-timeout',
  }),
  'a listener that never greets, on a port the admin says is 587': () => ({
    server: 'silent',
    settings: {},
    expected: 'no-greeting',
    port: 587,
  }),
  'a hang-up after the final dot': () => ({
    server: 'hangUpAfterDot',
    settings: {},
    expected: 'no-reply-after-data',
  }),
  'no reply to the final dot': () => ({
    server: 'silentAfterDot',
    settings: {},
    expected: 'no-reply-after-data',
  }),
  ...tlsProblemCases(certificate),
};

function certificate(server: TargetServer, expected: CauseId): Mistake {
  return { server, settings: verifiedImplicitTls(), expected };
}

let targets: ClientTargets;
let postfix: PostfixInstance;
const outcomes = new Map<string, Promise<string>>();

describe('explain answers the mail log of a Postfix relay', { skip: POSTFIX_UNAVAILABLE ?? false }, () => {
  before(async () => {
    targets = await startClientTargets();
    postfix = await PostfixInstance.start();
    const mistakes = Object.entries(MISTAKES).map(([name, mistake], index) => ({
      name,
      mistake: mistake(),
      domain: `mistake-${index}.test`,
    }));
    const routes: RelayRoute[] = mistakes.map(({ mistake, domain }) => {
      const server = targets[mistake.server];
      return {
        domain: mistake.to?.split('@')[1] ?? domain,
        port: typeof server === 'number' ? server : server.port,
        settings: mistake.settings,
        ...(mistake.login ? { login: mistake.login } : {}),
      };
    });
    await postfix.route(routes);
    for (const { name, mistake, domain } of mistakes) {
      const to = mistake.to ?? `user@${domain}`;
      const outcome = postfix.send(to, mistake.bodyBytes).then(() => postfix.outcome(to));
      // Awaited by its test; until then a failure must not count as unhandled.
      outcome.catch(() => undefined);
      outcomes.set(name, outcome);
    }
  });

  after(async () => {
    await Promise.all([targets?.close(), postfix?.stop()]);
  });

  for (const [name, mistake] of Object.entries(MISTAKES)) {
    test(name, async () => {
      const log = (await outcomes.get(name)) ?? '';
      const { expected, port } = mistake();
      const answer = explainText(log, port === undefined ? {} : { port });
      assert.equal(answer.cause, expected, `Postfix logged:\n${log}`);
    });
  }
});
