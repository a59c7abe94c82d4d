import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CommanderError } from 'commander';
import { registerDoctorCommand } from '../../src/cli/commands/doctor.js';
import type { MailportError } from '../../src/errors.js';
import { type CommandRun, runCommand } from '../helpers/run-command.js';
import {
  closedPort,
  createTlsFixtures,
  startScriptedServer,
  startTestSmtpServer,
  type TestSmtpServer,
} from '../smtp-client/test-servers.js';

let server: TestSmtpServer;
let tempDir: string;
let caFile: string;

before(async () => {
  const fixtures = await createTlsFixtures();
  server = await startTestSmtpServer({
    tls: 'starttls',
    certificate: fixtures.valid,
    tlsRequired: true,
    authRequired: true,
    credentials: { user: 'alice', pass: 'pw' },
  });
  tempDir = await mkdtemp(join(tmpdir(), 'mailport-doctor-cli-'));
  caFile = join(tempDir, 'ca.pem');
  await writeFile(caFile, fixtures.ca.certPem);
});

after(async () => {
  await server.close();
  await rm(tempDir, { recursive: true, force: true });
});

function doctor(args: string[]): Promise<CommandRun> {
  return runCommand(registerDoctorCommand, 'doctor', args);
}

test('--json holds the documented fields and exits 0 when a submission path works', async () => {
  const { output, exitCode } = await doctor([
    'localhost',
    '--ports',
    String(server.port),
    '--ca',
    caFile,
    '--timeout',
    '3',
    '--json',
  ]);
  assert.equal(exitCode, 0);
  const report = JSON.parse(output);
  assert.deepEqual(report.recommendation.port, server.port);
  const [port] = report.ports;
  for (const field of [
    'port',
    'reachability',
    'tls',
    'tlsVersion',
    'authBeforeTls',
    'authMechanisms',
    'authOk',
  ]) {
    assert.ok(field in port, field);
  }
  assert.deepEqual(port.certificate.problems, []);
});

test('exit code 1 when no port works; human output ends with the verdict', async () => {
  const { output, exitCode } = await doctor([
    '127.0.0.1',
    '--ports',
    String(await closedPort()),
    '--timeout',
    '1',
  ]);
  assert.equal(exitCode, 1);
  assert.match(output, /refused/);
  assert.match(output, /Verdict: no working submission path/);
});

test('the password comes from --pass-env and is never printed', async () => {
  process.env.MAILPORT_TEST_DOCTOR_PASS = 'pw';
  try {
    const { output } = await doctor([
      'localhost',
      '--ports',
      String(server.port),
      '--ca',
      caFile,
      '--user',
      'alice',
      '--pass-env',
      'MAILPORT_TEST_DOCTOR_PASS',
      '--json',
    ]);
    const report = JSON.parse(output);
    assert.equal(report.ports[0].authOk, true);
    assert.ok(!output.includes('"pw"'));
  } finally {
    delete process.env.MAILPORT_TEST_DOCTOR_PASS;
  }
});

test('HOST:PORT and a pasted smtp:// URL probe that port alone, with the URL credentials', async () => {
  const hostPort = JSON.parse((await doctor([`localhost:${server.port}`, '--ca', caFile, '--json'])).output);
  assert.deepEqual(
    hostPort.ports.map((probe: { port: number }) => probe.port),
    [server.port],
  );
  const { output } = await doctor([`smtp://alice:pw@localhost:${server.port}`, '--ca', caFile, '--json']);
  const report = JSON.parse(output);
  assert.equal(report.host, 'localhost');
  assert.equal(report.ports[0].authOk, true);
  assert.ok(!output.includes('"pw"'));
  await assert.rejects(
    doctor([`localhost:${server.port}`, '--ports', '465']),
    (error: MailportError) => error.code === 'MP_ERR_USAGE' && /names port/.test(error.message),
  );
});

test('--timeout outside 0.1 to 600 seconds is a usage error that says the range', async () => {
  for (const seconds of ['0.001', '0.0001', '0.05']) {
    await assert.rejects(
      doctor(['127.0.0.1', '--ports', String(server.port), '--timeout', seconds]),
      (error: Error) => error instanceof CommanderError && /0\.1 to 600/.test(error.message),
      `--timeout ${seconds}`,
    );
  }
});

test('usage errors: bad port list, --pass without --user, a missing --ca file, --from without AUTH or not an address', async () => {
  await assert.rejects(doctor(['localhost', '--ports', '587,x']), CommanderError);
  await assert.rejects(
    doctor(['localhost', '--pass', 'x']),
    (error: MailportError) => error.code === 'MP_ERR_USAGE',
  );
  await assert.rejects(
    doctor(['localhost', '--ca', join(tempDir, 'missing.pem')]),
    (error: MailportError) => error.code === 'MP_ERR_USAGE',
  );
  // --from is tried after AUTH, and is an address alone.
  await assert.rejects(
    doctor(['localhost', '--from', 'noreply@example.com']),
    (error: MailportError) => error.code === 'MP_ERR_USAGE' && /--from needs --user/.test(error.message),
  );
  await assert.rejects(
    doctor(['localhost', '--user', 'a', '--pass', 'b', '--from', 'App <noreply@example.com>']),
    (error: Error) => error instanceof CommanderError && /not an e-mail address/.test(error.message),
  );
});

test('--ehlo-name is the name the doctor gives in EHLO; a name that is no host name is a usage error', async () => {
  const judge = await startScriptedServer((line, socket) => {
    if (!/^(?:EHLO|HELO) /i.test(line) || / app01\.example\.com$/.test(line)) return false;
    socket.write('504 5.5.2 Helo command rejected: need fully-qualified hostname\r\n');
    return true;
  });
  try {
    const args = ['127.0.0.1', '--ports', String(judge.port), '--timeout', '2'];
    const refused = await doctor(args);
    assert.match(refused.output, /refuses the name Mailport gave in EHLO/);
    const named = await doctor([...args, '--ehlo-name', 'app01.example.com']);
    assert.doesNotMatch(named.output, /refuses the name/);
    assert.match(named.output, /Plaintext SMTP greeting/);
  } finally {
    await judge.close();
  }
  for (const name of ['two words', 'host\r\nRCPT TO:<x@example.com>', '']) {
    await assert.rejects(
      doctor(['127.0.0.1', '--ehlo-name', name]),
      (error: Error) => error instanceof CommanderError && /not an EHLO name/.test(error.message),
      JSON.stringify(name),
    );
  }
});
