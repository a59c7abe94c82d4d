/**
 * The doctor and `mailport send` against a real Postfix smtpd, an implementation of its own, set
 * up with the mistakes production submission servers really have: implicit TLS on 587 and none on
 * 465, no STARTTLS with AUTH in the clear, no AUTH, a certificate for another name, expired or
 * self-signed, TLS 1.0/1.1 only, a client access rule that refuses the address, and a relay policy
 * that leaves out authenticated clients. One private Postfix (helpers/postfix.ts) runs an smtpd
 * listener for each, with Cyrus SASL checking logins against a sasldb; every case runs at once.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { DoctorOptions } from '../../src/doctor/doctor.js';
import { runDoctor } from '../../src/doctor/index.js';
import type { PortReport } from '../../src/doctor/report.js';
import { explainText } from '../../src/explain/index.js';
import type { PemPair } from '../../src/tls/certificates.js';
import { PostfixInstance, SASL_UNAVAILABLE } from '../helpers/postfix.js';
import { runSend } from '../helpers/run-command.js';
import { createTlsFixtures } from '../smtp-client/test-servers.js';

const DOMAIN = 'example.test';
const credentials = { user: `alice@${DOMAIN}`, pass: 's3cret' };
/** A loopback address of this run's own, for the listeners that must sit on 587 and 465. */
const CONVENTIONAL_HOST = `127.${2 + Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.1`;
const LEGACY_TLS_ONLY = {
  smtpd_tls_protocols: '>=TLSv1, <=TLSv1.1',
  smtpd_tls_mandatory_protocols: '>=TLSv1, <=TLSv1.1',
  // OpenSSL 3 refuses TLS 1.0/1.1 (their SHA-1 signatures) at the default security level.
  tls_medium_cipherlist: 'DEFAULT:@SECLEVEL=0',
};

let postfix: PostfixInstance;
let dir: string;
let caFile: string;
/** Each case's port, by name. */
const ports: Record<string, number> = {};
/** Why 587 and 465 on CONVENTIONAL_HOST could not be had, if they could not. */
let conventionalPortsUnavailable: string | null = null;

describe('doctor and send against a misconfigured Postfix', {
  skip: SASL_UNAVAILABLE ?? false,
  concurrency: true,
}, () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mailport-postfix-doctor-'));
    const certificates = await createTlsFixtures();
    caFile = join(dir, 'ca.pem');
    await writeFile(caFile, certificates.ca.certPem);
    const tls = async (name: string, pair: PemPair): Promise<Record<string, string>> => {
      const cert = join(dir, `${name}.pem`);
      const key = join(dir, `${name}.key`);
      await writeFile(cert, pair.certPem);
      await writeFile(key, pair.keyPem, { mode: 0o600 });
      return { smtpd_tls_cert_file: cert, smtpd_tls_key_file: key };
    };
    postfix = await PostfixInstance.start({
      // Loopback is no trusted network here, as the internet is not for a real submission server.
      mynetworks: '192.0.2.1/32',
      transport_maps: 'inline:{ sender.test=discard:, inbox.test=discard: }',
    });
    const sasl = await postfix.useSasldb(DOMAIN, { alice: credentials.pass });
    const submission = {
      ...sasl,
      ...(await tls('valid', certificates.valid)),
      smtpd_tls_security_level: 'encrypt',
      smtpd_tls_auth_only: 'yes',
      smtpd_relay_restrictions: 'permit_sasl_authenticated, reject',
    };
    const implicit = { ...submission, smtpd_tls_wrappermode: 'yes' };
    const cases: Record<string, Record<string, string>> = {
      submission,
      implicit,
      'plaintext AUTH, no STARTTLS': {
        ...sasl,
        smtpd_tls_security_level: 'none',
        smtpd_tls_auth_only: 'no',
        smtpd_relay_restrictions: 'permit_sasl_authenticated, reject',
      },
      'no AUTH': { ...submission, smtpd_tls_security_level: 'may', smtpd_sasl_auth_enable: 'no' },
      'wrong name': { ...submission, ...(await tls('wrong-name', certificates.wrongHostname)) },
      expired: { ...submission, ...(await tls('expired', certificates.expired)) },
      'self-signed': { ...submission, ...(await tls('self-signed', certificates.selfSigned)) },
      'TLS 1.1, STARTTLS': { ...submission, ...LEGACY_TLS_ONLY },
      'TLS 1.1, implicit': { ...implicit, ...LEGACY_TLS_ONLY },
      'client refused at the greeting': {
        ...submission,
        smtpd_client_restrictions: 'reject',
        smtpd_delay_reject: 'no',
      },
      'client refused at RCPT': { ...submission, smtpd_client_restrictions: 'reject' },
      'no relay for logins': { ...submission, smtpd_relay_restrictions: 'reject_unauth_destination' },
    };
    const listeners = await postfix.listen(Object.values(cases).map((settings) => ({ settings })));
    for (const [index, name] of Object.keys(cases).entries()) ports[name] = listeners[index]?.port ?? 0;
    conventionalPortsUnavailable = await unavailable(CONVENTIONAL_HOST, [587, 465]);
    if (conventionalPortsUnavailable === null) {
      await postfix.listen([
        { at: { host: CONVENTIONAL_HOST, port: 587 }, settings: implicit },
        { at: { host: CONVENTIONAL_HOST, port: 465 }, settings: submission },
      ]);
    }
  });
  after(async () => {
    await postfix?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  function doctor(name: string, options: Partial<DoctorOptions> = {}): Promise<PortReport> {
    return runDoctor({
      host: '127.0.0.1',
      servername: 'localhost',
      ports: [ports[name] ?? 0],
      caFile,
      credentials,
      stepTimeoutMs: 5000,
      ...options,
    }).then((report) => report.ports[0] as PortReport);
  }

  const causes = (report: PortReport, level: string): string[] =>
    report.findings
      .filter((finding) => finding.level === level)
      .map((finding) => finding.cause ?? finding.message);

  test('a correct 587-style port, and a correct implicit-TLS one, are usable with the login', async () => {
    const [starttls, implicit] = await Promise.all([doctor('submission'), doctor('implicit')]);
    for (const [report, mode] of [
      [starttls, 'starttls'],
      [implicit, 'implicit'],
    ] as const) {
      assert.equal(report.tls, mode);
      assert.equal(report.authOk, true);
      assert.deepEqual(causes(report, 'error'), []);
      assert.equal(report.usable, true, JSON.stringify(report.findings));
    }
  });

  test('implicit TLS on 587 and plaintext on 465 are named; the verdict is the mode that works', async (t) => {
    if (conventionalPortsUnavailable) return t.skip(conventionalPortsUnavailable);
    const report = await runDoctor({
      host: CONVENTIONAL_HOST,
      servername: 'localhost',
      ports: [587, 465],
      caFile,
      credentials,
      stepTimeoutMs: 5000,
    });
    const [on587, on465] = report.ports as [PortReport, PortReport];
    assert.equal(on587.tls, 'implicit');
    assert.ok(causes(on587, 'warning').includes('plaintext-on-implicit-tls-port'));
    assert.equal(on465.tls, 'starttls');
    assert.ok(causes(on465, 'warning').includes('implicit-tls-on-starttls-port'));
    // Either works once the client is set for it; STARTTLS ranks first, on whichever port.
    assert.deepEqual(report.recommendation && [report.recommendation.port, report.recommendation.tls], [
      465,
      'starttls',
    ]);
  });

  test('no STARTTLS with AUTH in the clear: the password would travel unencrypted', async () => {
    const report = await doctor('plaintext AUTH, no STARTTLS');
    assert.equal(report.authBeforeTls, true);
    assert.ok(causes(report, 'error').includes('starttls-not-offered'));
    assert.equal(report.authOk, null, 'the doctor must not send the password in the clear');
    assert.equal(report.usable, false);
  });

  test('STARTTLS but no AUTH at all', async () => {
    const report = await doctor('no AUTH');
    assert.equal(report.tls, 'starttls');
    assert.ok(causes(report, 'error').includes('auth-mechanism-unsupported'));
    assert.equal(report.usable, false);
  });

  test('a certificate for another name, an expired one and a self-signed one', async () => {
    const expected = {
      'wrong name': 'cert-hostname-mismatch',
      expired: 'cert-expired',
      'self-signed': 'cert-self-signed',
    };
    await Promise.all(
      Object.entries(expected).map(async ([name, cause]) => {
        const report = await doctor(name);
        assert.ok(causes(report, 'error').includes(cause), `${name}: ${JSON.stringify(report.findings)}`);
        assert.equal(report.usable, false);
      }),
    );
  });

  test('TLS 1.0/1.1 only is a server too old, not something other than SMTP', async () => {
    await Promise.all(
      ['TLS 1.1, STARTTLS', 'TLS 1.1, implicit'].map(async (name) => {
        const report = await doctor(name);
        assert.equal(report.service, 'smtp', name);
        assert.ok(causes(report, 'error').includes('tls-version-too-old'), JSON.stringify(report.findings));
        assert.equal(report.usable, false);
      }),
    );
  });

  test('a client access rule at the greeting is the address refused, not a blocklist', async () => {
    const report = await doctor('client refused at the greeting');
    const refusal = report.findings.find((finding) => finding.cause === 'sender-rejected');
    assert.ok(refusal, JSON.stringify(report.findings));
    assert.match(refusal.message, /access policy refuses your client's IP address/);
    assert.doesNotMatch(refusal.message, /named blocklist/);
  });

  test('a client access rule at RCPT is found after AUTH, without sending', async () => {
    const report = await doctor('client refused at RCPT');
    assert.equal(report.authOk, true);
    assert.ok(causes(report, 'error').includes('sender-rejected'), JSON.stringify(report.findings));
    assert.equal(report.usable, false);
  });

  test('a relay policy without permit_sasl_authenticated is found after AUTH, without sending', async () => {
    const report = await doctor('no relay for logins');
    assert.equal(report.authOk, true);
    const refusal = report.findings.find((finding) => finding.cause === 'relay-denied');
    assert.ok(refusal && refusal.level === 'error', JSON.stringify(report.findings));
    assert.match(refusal.message, /permit_sasl_authenticated/);
    assert.doesNotMatch(refusal.message, /Authenticate \(AUTH/, 'AUTH already worked');
    assert.equal(report.usable, false);
  });

  test('with --send-to, the refused relay is the server policy, not a missing login', async () => {
    const report = await doctor('no relay for logins', { sendTo: 'bob@elsewhere.test' });
    assert.equal(report.sendOk, false);
    const refusal = report.findings.find((finding) => finding.cause === 'relay-denied');
    assert.ok(refusal, JSON.stringify(report.findings));
    assert.match(refusal.message, /accepted your login and still refuses to relay/);
  });

  test('send: a relay refused after AUTH is explained as the server policy', async () => {
    const { output, exitCode } = await runSend([
      ...['--server', `127.0.0.1:${ports['no relay for logins']}`, '--servername', 'localhost'],
      ...['--ca', caFile, '--user', credentials.user, '--pass', credentials.pass],
      ...['--from', credentials.user, '--to', 'bob@elsewhere.test', '--timeout', '5'],
    ]);
    assert.equal(exitCode, 1);
    assert.match(output, /Cause: +relay-denied/);
    assert.match(output, /permit_sasl_authenticated/);
    // Its printed error, pasted into explain, gets the same answer.
    const printed = output.split('\n').find((line) => line.includes('Relay access denied')) ?? '';
    assert.match(explainText(printed).fix, /accepted your login/);
  });

  test('send: both correct ports deliver, the implicit one after its silent plaintext greeting', async () => {
    const common = ['--ca', caFile, '--servername', 'localhost', '--user', credentials.user];
    const envelope = ['--pass', credentials.pass, '--from', credentials.user, '--to', 'bob@inbox.test'];
    const [starttls, implicit] = await Promise.all(
      ['submission', 'implicit'].map((name) =>
        runSend(['--server', `127.0.0.1:${ports[name]}`, '--timeout', '4', ...common, ...envelope]),
      ),
    );
    assert.equal(starttls?.exitCode ?? 0, 0, starttls?.output);
    // Not 465, so STARTTLS first; Postfix's wrappermode waits in silence for the TLS handshake.
    // The timeout leaves a cold smtpd (SASL plugins, TLS keys) time to answer on a loaded machine.
    assert.equal(implicit?.exitCode ?? 0, 0, implicit?.output);
    assert.match(
      implicit?.output ?? '',
      /no greeting in plaintext[^\n]*: trying implicit TLS on the same port/,
    );
  });

  test('send: no AUTH even over TLS is AUTH turned off on the port, not a mechanism mismatch', async () => {
    const { output, exitCode } = await runSend([
      ...['--server', `127.0.0.1:${ports['no AUTH']}`, '--ca', caFile, '--servername', 'localhost'],
      ...['--user', credentials.user, '--pass', credentials.pass, '--from', credentials.user],
      ...['--to', 'bob@inbox.test', '--timeout', '5'],
    ]);
    assert.equal(exitCode, 1);
    assert.match(output, /failed in auth: .*no AUTH offered, even over TLS/);
    assert.match(output, /Cause: +auth-mechanism-unsupported/);
    assert.match(output, /smtpd_sasl_auth_enable = yes/);
  });

  test('send: the printed greeting refusal, pasted into explain, is an access rule', async () => {
    const { output, exitCode } = await runSend([
      ...['--server', `127.0.0.1:${ports['client refused at the greeting']}`, '--ca', caFile],
      ...['--servername', 'localhost', '--user', credentials.user, '--pass', credentials.pass],
      ...['--from', credentials.user, '--to', 'bob@inbox.test', '--timeout', '5'],
    ]);
    assert.equal(exitCode, 1);
    const printed = output.split('\n').find((line) => line.includes('Client host rejected')) ?? '';
    const explanation = explainText(printed);
    assert.equal(explanation.cause, 'sender-rejected');
    assert.match(explanation.fix, /access policy/);
  });
});

/** Why these ports cannot be listened on at host now, or null when they can. */
async function unavailable(host: string, wanted: number[]): Promise<string | null> {
  for (const port of wanted) {
    const reason = await new Promise<string | null>((resolve) => {
      const server = createServer();
      server.once('error', (error: NodeJS.ErrnoException) => resolve(`${host}:${port}: ${error.code}`));
      server.listen(port, host, () => server.close(() => resolve(null)));
    });
    if (reason) return reason;
  }
  return null;
}
