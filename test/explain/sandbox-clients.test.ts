/**
 * `explain` against what real clients print when misconfigured against the project's own sandbox
 * (each wrong TLS mode, a wrong password, no AUTH, an untrusted CA).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import { type CauseId, explainText } from '../../src/explain/index.js';
import { CLIENTS_DIR } from '../helpers/language-clients.js';
import { nodemailerOutput } from '../helpers/nodemailer-output.js';
import { runClient } from '../helpers/run-client.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

let sandbox: TestSandbox;
const credentials = { user: 'team-a', pass: 's3cret-pass' };

let caFile: string;

before(async () => {
  sandbox = await startTestSandbox({ auth: [`${credentials.user}:${credentials.pass}`] });
  caFile = join(await mkdtemp(join(tmpdir(), 'mailport-sandbox-clients-')), 'ca.pem');
  await writeFile(caFile, sandbox.caPem);
});
after(async () => {
  await Promise.all([sandbox.stop(), rm(dirname(caFile), { recursive: true, force: true })]);
});

/** nodemailer against the sandbox, trusting its CA unless told not to. */
function nodemailerClient(options: SMTPTransport.Options, trustCa = true): Promise<string> {
  return nodemailerOutput(
    {
      host: '127.0.0.1',
      greetingTimeout: 3000,
      connectionTimeout: 3000,
      ...options,
      tls: { servername: 'localhost', ...(trustCa ? { ca: sandbox.caPem } : {}) },
    },
    { from: 'app@example.com', to: 'someone@example.com', text: 'hi' },
  );
}

function python(code: string): Promise<string> {
  return new Promise((resolve) => {
    execFile(
      'python3',
      ['-c', `import smtplib, ssl\n${code}`],
      { timeout: 15_000 },
      (_error, stdout, stderr) => resolve(`${stdout}\n${stderr}`),
    );
  });
}

/** gen_smtp's session (Elixir's Swoosh and Bamboo: helpers/clients/send_gen_smtp.exs) against the sandbox. */
function genSmtp(profile: 'submission' | 'submissions', env: Record<string, string>): Promise<string> {
  return runClient('elixir', [join(CLIENTS_DIR, 'send_gen_smtp.exs')], {
    // Longer than the sandbox waits before it tells a silent client on 465 what it expects.
    env: { MP_HOST: '127.0.0.1', MP_PORT: String(sandbox.port(profile)), MP_TIMEOUT: '10', ...env },
  });
}

const cases: { name: string; expected: CauseId; output: () => Promise<string> }[] = [
  {
    name: 'nodemailer secure:true against the submission (STARTTLS) port',
    expected: 'implicit-tls-on-starttls-port',
    output: () => nodemailerClient({ port: sandbox.port('submission'), secure: true }),
  },
  {
    name: 'nodemailer secure:false against the submissions (implicit TLS) port',
    expected: 'plaintext-on-implicit-tls-port',
    output: () => nodemailerClient({ port: sandbox.port('submissions'), secure: false }),
  },
  {
    name: 'nodemailer with ignoreTLS against the submission port',
    expected: 'auth-before-starttls',
    output: () => nodemailerClient({ port: sandbox.port('submission'), ignoreTLS: true, auth: credentials }),
  },
  {
    name: 'nodemailer with a wrong password',
    expected: 'auth-failed',
    output: () =>
      nodemailerClient({ port: sandbox.port('alternate'), auth: { user: credentials.user, pass: 'wrong' } }),
  },
  {
    name: 'nodemailer without credentials',
    expected: 'auth-required',
    output: () => nodemailerClient({ port: sandbox.port('submissions'), secure: true }),
  },
  {
    name: 'nodemailer without the sandbox CA',
    expected: 'cert-untrusted-ca',
    output: () => nodemailerClient({ port: sandbox.port('submission'), auth: credentials }, false),
  },
  {
    name: 'python SMTP (plaintext) against the submissions port',
    expected: 'plaintext-on-implicit-tls-port',
    output: () => python(`smtplib.SMTP('127.0.0.1', ${sandbox.port('submissions')}, timeout=5).ehlo()`),
  },
  {
    name: 'python SMTP_SSL against the submission port',
    expected: 'implicit-tls-on-starttls-port',
    output: () => python(`smtplib.SMTP_SSL('127.0.0.1', ${sandbox.port('submission')}, timeout=5)`),
  },
  {
    name: 'python login() before starttls() on the alternate port',
    expected: 'auth-before-starttls',
    output: () =>
      python(
        `s = smtplib.SMTP('127.0.0.1', ${sandbox.port('alternate')}, timeout=5)\ns.login('team-a', 'x')`,
      ),
  },
  {
    name: 'gen_smtp without ssl: true against the submissions port',
    expected: 'plaintext-on-implicit-tls-port',
    output: () => genSmtp('submissions', { MP_TLS: 'none' }),
  },
  {
    name: 'gen_smtp with ssl: true against the submission port',
    expected: 'implicit-tls-on-starttls-port',
    output: () => genSmtp('submission', { MP_TLS: 'implicit' }),
  },
  {
    name: 'gen_smtp with tls: :never and auth: :always against the submission port',
    expected: 'auth-before-starttls',
    output: () =>
      genSmtp('submission', { MP_TLS: 'none', MP_USER: credentials.user, MP_PASS: credentials.pass }),
  },
  {
    name: 'gen_smtp with a wrong password',
    expected: 'auth-failed',
    output: () =>
      genSmtp('submission', {
        MP_TLS: 'starttls',
        MP_HOST: 'localhost',
        MP_CA: caFile,
        MP_USER: credentials.user,
        MP_PASS: 'wrong',
      }),
  },
];

describe('explain answers real client output against the sandbox', { concurrency: 4 }, () => {
  for (const testCase of cases) {
    test(testCase.name, async () => {
      const output = await testCase.output();
      assert.equal(explainText(output).cause, testCase.expected, `output was:\n${output}`);
    });
  }
});
