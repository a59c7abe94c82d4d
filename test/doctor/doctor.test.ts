/**
 * `mailport doctor` against real servers on loopback: correct and deliberately broken SMTP set-ups
 * (wrong TLS mode, broken certificates, TLS 1.0 only, a name the server does not serve), other protocols on a mail port, a listener
 * that never greets, a closed port and a port that drops the TCP handshake.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type DoctorReport, type PortReport, runDoctor } from '../../src/doctor/index.js';
import {
  closedPort,
  createTlsFixtures,
  type RunningServer,
  startBannerServer,
  startBlackholePort,
  startHttpServer,
  startSilentServer,
  startTestSmtpServer,
  startUnrecognizedNameServer,
  type TestSmtpServer,
  type TlsFixtures,
} from '../smtp-client/test-servers.js';

const credentials = { user: 'alice', pass: 'correct-horse' };
let fixtures: TlsFixtures;
let tempDir: string;
let caFile: string;
const servers: RunningServer[] = [];

async function keep<T extends RunningServer>(server: Promise<T>): Promise<T> {
  const running = await server;
  servers.push(running);
  return running;
}

/** A 587-style server: STARTTLS then AUTH required, with `cannedReplies` for the commands it gets wrong. */
function submissionServer(cannedReplies: Record<string, string | null> = {}): Promise<TestSmtpServer> {
  return keep(
    startTestSmtpServer({
      tls: 'starttls',
      certificate: fixtures.valid,
      tlsRequired: true,
      authRequired: true,
      credentials,
      cannedReplies,
    }),
  );
}

function portOf(report: DoctorReport, port: number): PortReport {
  const found = report.ports.find((entry) => entry.port === port);
  assert.ok(found, `no report for port ${port}`);
  return found;
}

before(async () => {
  fixtures = await createTlsFixtures();
  tempDir = await mkdtemp(join(tmpdir(), 'mailport-doctor-'));
  caFile = join(tempDir, 'ca.pem');
  await writeFile(caFile, fixtures.ca.certPem);
});

after(async () => {
  await Promise.all(servers.map((server) => server.close()));
  await rm(tempDir, { recursive: true, force: true });
});

describe('doctor on healthy submission ports', () => {
  let report: DoctorReport;
  let starttls: RunningServer;
  let implicit: RunningServer;
  let relay: RunningServer;

  before(async () => {
    starttls = await submissionServer();
    implicit = await keep(
      startTestSmtpServer({ tls: 'implicit', certificate: fixtures.valid, authRequired: true, credentials }),
    );
    relay = await keep(startTestSmtpServer({ tls: 'starttls', certificate: fixtures.valid, credentials }));
    report = await runDoctor({
      host: '127.0.0.1',
      servername: 'localhost',
      ports: [relay.port, implicit.port, starttls.port],
      caFile,
      stepTimeoutMs: 2000,
      credentials,
    });
  });

  test('a STARTTLS port: TLS after the plaintext greeting, AUTH only after TLS, AUTH required and working', () => {
    const port = portOf(report, starttls.port);
    assert.equal(port.reachability, 'open');
    assert.equal(port.service, 'smtp');
    assert.equal(port.tls, 'starttls');
    assert.match(port.tlsVersion ?? '', /^TLSv1\.[23]$/);
    assert.equal(port.authBeforeTls, false);
    assert.deepEqual(port.authMechanisms, ['PLAIN', 'LOGIN']);
    assert.equal(port.authRequired, true);
    assert.equal(port.authOk, true);
    assert.deepEqual(port.certificate?.problems, []);
    assert.equal(port.certificate?.trustedBy, caFile);
    assert.equal(port.role, 'submission');
    assert.equal(port.usable, true);
    assert.ok(port.findings.some((finding) => finding.verify?.startsWith('openssl s_client -starttls smtp')));
  });

  test('an implicit-TLS port is found even though plaintext was tried at the same time', () => {
    const port = portOf(report, implicit.port);
    assert.equal(port.tls, 'implicit');
    assert.equal(port.role, 'submissions');
    assert.equal(port.authOk, true);
    assert.equal(port.usable, true);
  });

  test('a port that takes MAIL without AUTH is a relay and is not recommended for submission', () => {
    const port = portOf(report, relay.port);
    assert.equal(port.tls, 'starttls');
    assert.equal(port.authRequired, false);
    assert.equal(port.role, 'relay');
  });

  test('the verdict prefers STARTTLS, then implicit TLS, and gives settings for every client', () => {
    assert.deepEqual(
      { port: report.recommendation?.port, tls: report.recommendation?.tls },
      { port: starttls.port, tls: 'starttls' },
    );
    assert.deepEqual(Object.keys(report.settings ?? {}), [
      'nodemailer',
      'python-smtplib',
      'phpmailer',
      'laravel',
      'django',
      'rails',
      'spring-boot',
      'swoosh',
      'dotnet-mailkit',
      'curl',
      'swaks',
      'postfix',
    ]);
    assert.match(report.settings?.nodemailer ?? '', /secure: false[\s\S]*requireTLS: true/);
    // Every snippet tells how to trust the CA the doctor was given (the sandbox's, here).
    for (const [client, snippet] of Object.entries(report.settings ?? {})) {
      assert.ok(snippet.includes(caFile), `${client} does not mention ${caFile}`);
    }
    assert.ok(!JSON.stringify(report).includes(credentials.pass), 'the password never appears in the report');
  });
});

test('--send-to sends a real test message once AUTH works', async () => {
  /** Doctor on one port with credentials, sending the test message to bob@example.com. */
  const sendTo = (port: number, login = credentials): Promise<DoctorReport> =>
    runDoctor({
      host: 'localhost',
      ports: [port],
      caFile,
      stepTimeoutMs: 2000,
      credentials: login,
      sendTo: 'bob@example.com',
    });
  const server = await submissionServer();
  const report = await sendTo(server.port, { user: 'alice@example.com', pass: credentials.pass });
  const port = portOf(report, server.port);
  assert.equal(port.authOk, false, 'alice@example.com is not a known user');
  assert.equal(port.sendOk, null, 'nothing is sent without AUTH');

  const sent = await sendTo(server.port);
  assert.equal(portOf(sent, server.port).sendOk, true);
  assert.deepEqual(server.messages.at(-1)?.to, ['bob@example.com']);
  assert.match(
    server.messages.at(-1)?.data ?? '',
    new RegExp(`Subject: mailport doctor test via localhost:${server.port}`),
  );

  const silent = await keep(
    startTestSmtpServer({
      tls: 'implicit',
      certificate: fixtures.valid,
      authRequired: true,
      credentials,
      hangUpAfterData: true,
    }),
  );
  const unanswered = await sendTo(silent.port);
  const unansweredPort = portOf(unanswered, silent.port);
  assert.equal(unansweredPort.sendOk, false);
  const finding = unansweredPort.findings.find((entry) => entry.cause === 'no-reply-after-data');
  assert.match(
    finding?.message ?? '',
    /^The test message went out unacknowledged: .*after the whole message was sent/,
  );
});

test("a port that also takes mail without AUTH is usable once the user's own AUTH and send work", async () => {
  // An IP-allowlisted relay (smtp-relay.gmail.com, Postfix mynetworks) that also does AUTH.
  const server = await keep(
    startTestSmtpServer({ tls: 'starttls', certificate: fixtures.valid, credentials }),
  );
  const report = await runDoctor({
    host: 'localhost',
    ports: [server.port],
    caFile,
    stepTimeoutMs: 2000,
    credentials,
    sendTo: 'bob@example.com',
  });
  const port = portOf(report, server.port);
  assert.equal(port.authRequired, false);
  assert.equal(port.authOk, true);
  assert.equal(port.sendOk, true);
  assert.equal(port.usable, true);
  assert.equal(report.recommendation?.port, server.port);
  const note = port.findings.find((finding) => /without AUTH/.test(finding.message));
  assert.equal(note?.level, 'info');
  assert.match(note?.message ?? '', /AUTH works/);

  // Without credentials the doctor cannot tell, and says how to find out.
  const unchecked = await runDoctor({ host: 'localhost', ports: [server.port], caFile, stepTimeoutMs: 2000 });
  assert.equal(portOf(unchecked, server.port).usable, false);
  assert.ok(portOf(unchecked, server.port).findings.some((finding) => /--user/.test(finding.message)));
});

test('a port that demands AUTH but offers no mechanism is not usable, and says why', async () => {
  const server = await keep(
    startTestSmtpServer({ tls: 'starttls', certificate: fixtures.valid, authRequired: true }),
  );
  const report = await runDoctor({ host: 'localhost', ports: [server.port], caFile, stepTimeoutMs: 2000 });
  const port = portOf(report, server.port);
  assert.equal(port.authRequired, true);
  assert.deepEqual(port.authMechanisms, []);
  assert.equal(port.usable, false);
  assert.equal(report.recommendation, null);
  const finding = port.findings.find((entry) => entry.level === 'error');
  assert.equal(finding?.cause, 'auth-mechanism-unsupported');
  assert.match(finding?.message ?? '', /refuses mail without AUTH .* but offers no AUTH mechanism/);
});

describe('doctor on broken servers', () => {
  test('certificate problems are named with their cause ids; the CA-less run names the untrusted CA', async () => {
    const tls = (certificate: typeof fixtures.valid) =>
      keep(startTestSmtpServer({ tls: 'implicit', certificate, authRequired: true, credentials }));
    const [expired, notYetValid, wrongHostname, selfSigned, untrustedCa] = await Promise.all([
      tls(fixtures.expired),
      tls(fixtures.notYetValid),
      tls(fixtures.wrongHostname),
      tls(fixtures.selfSigned),
      tls(fixtures.untrustedCa),
    ]);
    const report = await runDoctor({
      host: 'localhost',
      ports: [expired.port, notYetValid.port, wrongHostname.port, selfSigned.port, untrustedCa.port],
      caFile,
      stepTimeoutMs: 2000,
    });
    assert.deepEqual(portOf(report, expired.port).certificate?.problems, ['cert-expired']);
    assert.deepEqual(portOf(report, notYetValid.port).certificate?.problems, ['cert-not-yet-valid']);
    assert.match(
      portOf(report, notYetValid.port).findings.find((finding) => finding.cause === 'cert-not-yet-valid')
        ?.message ?? '',
      /clock/,
    );
    assert.deepEqual(portOf(report, wrongHostname.port).certificate?.problems, ['cert-hostname-mismatch']);
    assert.deepEqual(portOf(report, wrongHostname.port).certificate?.names, ['mail.example.net']);
    assert.deepEqual(portOf(report, selfSigned.port).certificate?.problems, ['cert-self-signed']);
    assert.deepEqual(portOf(report, untrustedCa.port).certificate?.problems, ['cert-untrusted-ca']);
    for (const port of report.ports) assert.equal(port.usable, false);
    assert.equal(report.recommendation, null);

    const withoutCa = await runDoctor({ host: 'localhost', ports: [expired.port], stepTimeoutMs: 2000 });
    assert.deepEqual(portOf(withoutCa, expired.port).certificate?.problems, [
      'cert-expired',
      'cert-untrusted-ca',
    ]);
  });

  test('--servername checks another name than the host dialled', async () => {
    const server = await keep(startTestSmtpServer({ tls: 'implicit', certificate: fixtures.wrongHostname }));
    const report = await runDoctor({
      host: '127.0.0.1',
      servername: 'mail.example.net',
      ports: [server.port],
      caFile,
      stepTimeoutMs: 2000,
    });
    assert.equal(portOf(report, server.port).certificate?.hostnameMatch, true);
    assert.equal(portOf(report, server.port).certificate?.checkedName, 'mail.example.net');
  });

  /** Doctor on one loopback port, checking certificates for `servername`. */
  const doctorAs = (servername: string, port: number): Promise<DoctorReport> =>
    runDoctor({ host: '127.0.0.1', servername, ports: [port], caFile, stepTimeoutMs: 5000 });

  test('a server that does not serve the name sent as SNI: its TLS alert is reported, without waiting', async () => {
    const server = await keep(startUnrecognizedNameServer(fixtures.valid));
    const started = Date.now();
    const report = await doctorAs('mail.example.com', server.port);
    const port = portOf(report, server.port);
    assert.equal(port.reachability, 'open');
    const [finding] = port.findings.filter((entry) => entry.level === 'error');
    assert.equal(finding?.cause, 'cert-hostname-mismatch');
    assert.match(finding?.message ?? '', /no certificate for that name .*unrecognized name/);
    assert.ok(Date.now() - started < 4000, 'the plaintext attempt waited for a greeting that cannot come');
    const served = await doctorAs('localhost', server.port);
    assert.equal(portOf(served, server.port).tls, 'implicit');
  });

  test('the same alert after STARTTLS is named by its reason, without OpenSSL error-queue noise', async () => {
    const server = await keep(startUnrecognizedNameServer(fixtures.valid, 'starttls'));
    const report = await doctorAs('mail.example.com', server.port);
    const [finding] = portOf(report, server.port).findings.filter((entry) => entry.level === 'error');
    assert.match(
      finding?.message ?? '',
      /^STARTTLS is offered but .*no certificate for that name .*unrecognized name/,
    );
    assert.doesNotMatch(finding?.message ?? '', /SSL routines|error:/);
    assert.equal(finding?.cause, 'cert-hostname-mismatch');
  });

  test('a TLS 1.0-only server is reached with a legacy handshake and reported as too old', async () => {
    const server = await keep(
      startTestSmtpServer({
        tls: 'starttls',
        certificate: fixtures.valid,
        credentials,
        // Node refuses TLS 1.0 unless the OpenSSL security level is lowered too.
        secureOptions: { minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' },
      }),
    );
    const report = await runDoctor({ host: 'localhost', ports: [server.port], caFile, stepTimeoutMs: 2000 });
    const port = portOf(report, server.port);
    assert.equal(port.tls, 'starttls');
    assert.equal(port.tlsVersion, 'TLSv1');
    assert.ok(port.findings.some((finding) => finding.cause === 'tls-version-too-old'));
    assert.equal(port.usable, false);
  });

  test('AUTH offered in cleartext is a warning; a wrong password is told apart from TLS problems', async () => {
    const server = await keep(
      startTestSmtpServer({
        tls: 'starttls',
        certificate: fixtures.valid,
        authInCleartext: true,
        authRequired: true,
        credentials,
      }),
    );
    const report = await runDoctor({
      host: 'localhost',
      ports: [server.port],
      caFile,
      stepTimeoutMs: 2000,
      credentials: { user: 'alice', pass: 'wrong' },
    });
    const port = portOf(report, server.port);
    assert.equal(port.authBeforeTls, true);
    assert.ok(
      port.findings.some((finding) => finding.level === 'warning' && /cleartext/.test(finding.message)),
    );
    assert.equal(port.authOk, false);
    assert.equal(port.authError?.cause, 'auth-failed');
    assert.match(port.authError?.reply ?? '', /^535 5\.7\.8/);
    assert.equal(report.recommendation, null);
  });

  test('a server that offers only CRAM-MD5: the credentials are still checked, with CRAM-MD5', async () => {
    const server = await keep(
      startTestSmtpServer({
        tls: 'implicit',
        certificate: fixtures.valid,
        authRequired: true,
        credentials,
        authMechanisms: ['CRAM-MD5'],
      }),
    );
    const report = await runDoctor({
      host: 'localhost',
      ports: [server.port],
      caFile,
      stepTimeoutMs: 2000,
      credentials,
    });
    const port = portOf(report, server.port);
    assert.deepEqual(port.authMechanisms, ['CRAM-MD5']);
    assert.equal(port.authOk, true);
    const success = port.findings.find((finding) => /AUTH CRAM-MD5 as alice succeeded/.test(finding.message));
    // The command that verifies it by hand uses the mechanism that worked.
    assert.match(success?.verify ?? '', /swaks .* --auth CRAM-MD5 --auth-user alice/);
  });

  test('AUTH refusals are told apart: app password (534), temporary (454), encryption the server does not see (538)', async () => {
    const refusing = (reply: string) => submissionServer({ AUTH: reply });
    const [appPassword, temporary, encryption, working] = await Promise.all([
      refusing(
        '534-5.7.9 Application-specific password required. Learn more at\n534 5.7.9  https://support.google.com/mail/?p=InvalidSecondFactor',
      ),
      refusing('454 4.7.0 Temporary authentication failure'),
      refusing('538 5.7.11 Encryption required for requested authentication mechanism'),
      submissionServer(),
    ]);
    const report = await runDoctor({
      host: 'localhost',
      ports: [appPassword.port, temporary.port, encryption.port, working.port],
      caFile,
      stepTimeoutMs: 2000,
      credentials,
    });
    const authFinding = (port: number) =>
      portOf(report, port).findings.find((finding) => /^AUTH failed/.test(finding.message));

    assert.equal(portOf(report, appPassword.port).authError?.cause, 'auth-failed');
    assert.match(authFinding(appPassword.port)?.message ?? '', /create an app password/);

    // A 4xx is "try again": the password was not judged, so it is not called wrong.
    assert.equal(portOf(report, temporary.port).authError?.cause, 'temporary-failure');
    assert.match(authFinding(temporary.port)?.message ?? '', /temporary refusal .* not known to be wrong/);
    assert.doesNotMatch(authFinding(temporary.port)?.message ?? '', /username or password/);

    // The doctor authenticates only over TLS: "encrypt first" means the server does not see that TLS.
    assert.equal(portOf(report, encryption.port).authError?.cause, 'auth-before-starttls');
    assert.match(
      authFinding(encryption.port)?.message ?? '',
      /this session is encrypted \(TLSv1\.[23]\).*proxy/,
    );
    assert.doesNotMatch(authFinding(encryption.port)?.message ?? '', /requireTLS|starttls\(\)/);

    assert.match(authFinding(temporary.port)?.verify ?? '', /--auth --auth-user alice/);
    assert.equal(report.recommendation?.port, working.port);
  });

  test('a hang-up after AUTH and a 421 to MAIL: said where, the port is not usable, the working one is recommended', async () => {
    const [hangUp, closing, working] = await Promise.all([
      submissionServer({ AUTH: null }),
      submissionServer({ MAIL: '421 4.7.0 Too many errors, closing transmission channel' }),
      submissionServer(),
    ]);
    const report = await runDoctor({
      host: 'localhost',
      ports: [hangUp.port, closing.port, working.port],
      caFile,
      stepTimeoutMs: 2000,
      credentials,
    });
    const errorOf = (port: number) =>
      portOf(report, port).findings.find((finding) => finding.level === 'error');

    assert.equal(errorOf(hangUp.port)?.cause, 'connection-closed');
    assert.match(
      errorOf(hangUp.port)?.message ?? '',
      /closed the connection after AUTH PLAIN, without replying to it/,
    );
    assert.doesNotMatch(errorOf(hangUp.port)?.message ?? '', /mailport doctor/);

    const closed = errorOf(closing.port);
    assert.match(
      closed?.message ?? '',
      /closed the session in reply to MAIL FROM:<>: 421 4\.7\.0 Too many errors/,
    );
    assert.notEqual(closed?.cause, 'unknown');
    assert.equal(portOf(report, closing.port).usable, false);
    assert.equal(report.recommendation?.port, working.port);
    // Without credentials too: a session that broke off proves nothing works.
    const anonymous = await runDoctor({
      host: 'localhost',
      ports: [closing.port],
      caFile,
      stepTimeoutMs: 2000,
    });
    assert.equal(portOf(anonymous, closing.port).usable, false);
    assert.equal(anonymous.recommendation, null);
  });

  test('a server whose TLS takes no cipher any client offers: said so, on both TLS modes', async () => {
    const nullCiphers = { maxVersion: 'TLSv1.2', ciphers: 'NULL-SHA256:@SECLEVEL=0' } as const;
    const [starttls, implicit] = await Promise.all([
      keep(startTestSmtpServer({ tls: 'starttls', certificate: fixtures.valid, secureOptions: nullCiphers })),
      keep(startTestSmtpServer({ tls: 'implicit', certificate: fixtures.valid, secureOptions: nullCiphers })),
    ]);
    const report = await runDoctor({
      host: 'localhost',
      ports: [starttls.port, implicit.port],
      caFile,
      stepTimeoutMs: 2000,
    });
    for (const server of [starttls, implicit]) {
      const finding = portOf(report, server.port).findings.find((entry) => entry.level === 'error');
      assert.equal(finding?.cause, 'tls-version-too-old');
      assert.match(finding?.message ?? '', /not even with TLS 1\.0 and legacy ciphers allowed/);
      assert.match(finding?.message ?? '', /no client setting fixes it/);
    }
  });

  test('a plaintext-only server: no TLS, never recommended', async () => {
    const server = await keep(startTestSmtpServer({ tls: 'none', credentials, authInCleartext: true }));
    const report = await runDoctor({
      host: 'localhost',
      ports: [server.port],
      stepTimeoutMs: 2000,
      credentials,
    });
    const port = portOf(report, server.port);
    assert.equal(port.tls, 'none');
    assert.equal(port.starttlsOffered, false);
    assert.equal(port.authOk, null, 'AUTH is not attempted without TLS');
    assert.ok(port.findings.some((finding) => finding.cause === 'starttls-not-offered'));
    assert.equal(report.recommendation, null);
  });

  test('other protocols on mail ports are named: IMAP, IMAP inside TLS, POP3, HTTP', async () => {
    const imap = await keep(startBannerServer('* OK [CAPABILITY IMAP4rev1] Dovecot ready.'));
    const imaps = await keep(startBannerServer('* OK [CAPABILITY IMAP4rev1] Dovecot ready.', fixtures.valid));
    const pop3 = await keep(startBannerServer('+OK Dovecot ready.'));
    const http = await keep(startHttpServer());
    const report = await runDoctor({
      host: 'localhost',
      ports: [imap.port, imaps.port, pop3.port, http.port],
      caFile,
      stepTimeoutMs: 1000,
    });
    assert.deepEqual(
      report.ports.map((port) => [port.reachability, port.service]),
      [
        ['open', 'imap'],
        ['open', 'imap'],
        ['open', 'pop3'],
        ['open', 'http'],
      ],
    );
    assert.match(portOf(report, imaps.port).findings[0]?.message ?? '', /inside TLS/);
    assert.ok(report.ports.every((port) => port.findings.some((finding) => finding.cause === 'not-smtp')));
  });

  test('refused, timed out (dropped TCP handshake) and no greeting', async () => {
    const silent = await keep(startSilentServer());
    // Stands in for a firewalled port: SYNs beyond the full accept queue are dropped (test-servers.ts).
    const blackhole = await keep(startBlackholePort());
    const refused = await closedPort();
    const report = await runDoctor({
      host: '127.0.0.1',
      ports: [silent.port, blackhole.port, refused],
      stepTimeoutMs: 500,
    });
    assert.equal(portOf(report, silent.port).reachability, 'no-greeting');
    assert.equal(portOf(report, blackhole.port).reachability, 'timeout');
    assert.equal(portOf(report, refused).reachability, 'refused');
    assert.equal(portOf(report, blackhole.port).findings[0]?.cause, 'connection-timeout');
    assert.match(portOf(report, blackhole.port).findings[0]?.verify ?? '', /^nc -vz/);
    assert.equal(report.recommendation, null);
  });

  test('a host name that does not resolve is a host-level finding', async () => {
    const report = await runDoctor({ host: 'no-such-host.invalid', ports: [587], stepTimeoutMs: 500 });
    assert.equal(report.findings[0]?.cause, 'dns-failure');
    assert.deepEqual(report.ports, []);
    assert.equal(report.recommendation, null);
  });
});
