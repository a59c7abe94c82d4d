/**
 * `mailport doctor` against the project's own sandbox: each of its four port profiles must be
 * reported exactly as the profile table (src/profiles/port-profiles.ts) defines it.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type DoctorReport, type PortReport, runDoctor } from '../../src/doctor/index.js';
import { PORT_PROFILES, type ProfileName } from '../../src/profiles/port-profiles.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

let sandbox: TestSandbox;
let tempDir: string;
let report: DoctorReport;
const credentials = { user: 'team-a', pass: 's3cret-pass' };

before(async () => {
  sandbox = await startTestSandbox({ auth: [`${credentials.user}:${credentials.pass}`] });
  tempDir = await mkdtemp(join(tmpdir(), 'mailport-doctor-sandbox-'));
  const caFile = join(tempDir, 'ca.pem');
  await writeFile(caFile, sandbox.caPem);
  report = await runDoctor({
    host: '127.0.0.1',
    servername: 'localhost',
    // Submission first: among equally good STARTTLS ports the order given breaks the tie.
    ports: (['submission', 'submissions', 'alternate', 'relay'] as const).map((profile) =>
      sandbox.port(profile),
    ),
    caFile,
    stepTimeoutMs: 5000,
    credentials,
  });
});

after(async () => {
  await sandbox.stop();
  await rm(tempDir, { recursive: true, force: true });
});

function reported(profile: ProfileName): PortReport {
  const found = report.ports.find((port) => port.port === sandbox.port(profile));
  assert.ok(found, `no report for the ${profile} port`);
  return found;
}

/** The facts doctor can observe, as the profile table predicts them. */
function expectedFacts(profile: ProfileName) {
  const definition = PORT_PROFILES[profile];
  return {
    reachability: 'open',
    service: 'smtp',
    tls: definition.tls === 'implicit' ? 'implicit' : definition.tls === 'none' ? 'none' : 'starttls',
    authBeforeTls: definition.tls === 'implicit' ? false : !definition.authRequiresTls,
    authRequired: definition.auth === 'required',
    authOk: true,
    certificateProblems: [],
    // An ephemeral port cannot show the 2525 role: doctor sees the alternate port behave as 587.
    role: profile === 'relay' ? 'relay' : definition.tls === 'implicit' ? 'submissions' : 'submission',
  };
}

function observedFacts(port: PortReport) {
  return {
    reachability: port.reachability,
    service: port.service,
    tls: port.tls,
    authBeforeTls: port.authBeforeTls,
    authRequired: port.authRequired,
    authOk: port.authOk,
    certificateProblems: port.certificate?.problems,
    role: port.role,
  };
}

for (const profile of ['relay', 'submissions', 'submission', 'alternate'] as const) {
  test(`the ${profile} profile is reported as the profile table defines it`, () => {
    const port = reported(profile);
    assert.deepEqual(observedFacts(port), expectedFacts(profile));
    assert.match(port.tlsVersion ?? '', /^TLSv1\.[23]$/, 'the sandbox speaks TLS 1.2 or newer only');
    assert.ok(port.authMechanisms.includes('PLAIN') && port.authMechanisms.includes('LOGIN'));
  });
}

test('the verdict is the STARTTLS submission port, and the relay is never recommended', () => {
  assert.deepEqual(
    { port: report.recommendation?.port, tls: report.recommendation?.tls },
    { port: sandbox.port('submission'), tls: 'starttls' },
  );
  // The relay takes the user's AUTH as well, so it could serve (and says so), but a port that
  // demands AUTH ranks first.
  assert.ok(reported('relay').findings.some((finding) => /Your AUTH works/.test(finding.message)));
});

test("--from: a sandbox with --sender-must-match-login refuses the application's sender after AUTH, and the doctor says so", async () => {
  const strict = await startTestSandbox({ auth: ['app@example.com:pw'], senderMustMatchLogin: true });
  try {
    const caFile = join(tempDir, 'strict-ca.pem');
    await writeFile(caFile, strict.caPem);
    const probe = (from?: string) =>
      runDoctor({
        host: '127.0.0.1',
        servername: 'localhost',
        ports: [strict.port('submission')],
        caFile,
        stepTimeoutMs: 5000,
        credentials: { user: 'app@example.com', pass: 'pw' },
        ...(from === undefined ? {} : { from }),
      });
    const refused = (await probe('noreply@example.com')).ports[0];
    const finding = refused?.findings.find((each) => each.cause === 'sender-rejected');
    assert.ok(finding, JSON.stringify(refused?.findings));
    assert.equal(finding.level, 'error');
    assert.match(
      finding.message,
      /After AUTH as app@example\.com, the server refuses the sender MAIL FROM:<noreply@example\.com>: 553 5\.7\.1/,
    );
    // Without --from the doctor tries the login itself, which the server takes.
    const own = (await probe()).ports[0];
    assert.ok(!own?.findings.some((each) => each.level === 'error'), JSON.stringify(own?.findings));
  } finally {
    await strict.stop();
  }
});
