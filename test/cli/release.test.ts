/**
 * Release from the command line, as a user runs it: a real `mailport serve` with `--release-*`
 * flags and environment variables, its banner, `mailport messages release` as a process, and a
 * real upstream sandbox that refuses one recipient on purpose. The password shows nowhere.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import nodemailer from 'nodemailer';
import type { MessageRelease } from '../../src/domain/types.js';
import { type Sandbox, startSandbox } from '../../src/testing/sandbox.js';
import {
  RELAY_ONLY_EPHEMERAL,
  type ServeProcess,
  startServeProcess,
  waitForExit,
} from '../helpers/cli-process.js';
import { runCli } from '../testing/fixtures/run-cli.js';

const PASS = 'Cli-Release-Secret-51d2';

let upstream: Sandbox;
let serve: ServeProcess;
let messageId: string;

function release(args: string[]) {
  return runCli(['--api', serve.httpUrl ?? '', 'messages', 'release', ...args], { MAILPORT_API: '' });
}

before(async () => {
  upstream = await startSandbox({
    auth: [{ user: 'cli-user', pass: PASS }],
    chaos: ['rcpt:550,match=*@refused.example'],
  });
  const caPath = `${upstream.info.storage.dataDir}/ca-for-release.pem`;
  await writeFile(caPath, upstream.caPem);
  serve = await startServeProcess(
    [
      ...RELAY_ONLY_EPHEMERAL,
      '--alt-port',
      'off',
      '--http-port',
      '0',
      '--release-server',
      `127.0.0.1:${upstream.ports.submission}`,
      '--release-user',
      'cli-user',
      '--release-pass-env',
      'CLI_RELEASE_PASS',
    ],
    {
      CLI_RELEASE_PASS: PASS,
      MAILPORT_RELEASE_CA: caPath,
      MAILPORT_RELEASE_ALLOW: '*@example.com,*@refused.example',
    },
  );
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port: serve.ports.relay,
    secure: false,
    ignoreTLS: true,
  });
  await transport.sendMail({
    from: 'app@shop.example',
    to: ['alice@example.com', 'gone@refused.example'],
    subject: 'CLI release',
    text: 'x',
    messageId: '<cli-release@shop.example>',
  });
  transport.close();
  const response = await fetch(`${serve.httpUrl}/api/v1/messages/wait?q=subject:"CLI release"&timeout=10s`);
  const page = (await response.json()) as { items: { id: string }[] };
  messageId = page.items[0]?.id ?? assert.fail('the message was not captured');
});

after(async () => {
  if (serve) {
    serve.child.kill('SIGTERM');
    await waitForExit(serve.child);
  }
  await upstream?.stop();
});

describe('mailport messages release', () => {
  it('the serve banner says where releases go and to whom, never the password', () => {
    assert.match(
      serve.output(),
      new RegExp(
        `Release: +to 127\\.0\\.0\\.1:${upstream.ports.submission} \\(TLS auto\\); recipients matching \\*@example\\.com, \\*@refused\\.example`,
      ),
    );
  });

  it('prints where it went and the upstream reply; exit 0', async () => {
    const run = await release([messageId, '--to', 'alice@example.com']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stdout,
      new RegExp(
        `^Released message ${messageId} to 127\\.0\\.0\\.1:${upstream.ports.submission} \\(STARTTLS, TLSv1\\.3\\)\\.\\n`,
      ),
    );
    assert.match(run.stdout, /^MAIL FROM +<app@shop\.example>$/m);
    assert.match(run.stdout, /^RCPT TO +<alice@example\.com>$/m);
    assert.match(run.stdout, /^Reply +250 2\.0\.0 /m);
    const arrived = await upstream.client.waitForMessage({ subject: 'CLI release' }, { timeout: 10_000 });
    assert.equal(arrived.headers.get('message-id'), '<cli-release@shop.example>');
  });

  it('an upstream refusal: exit 1 with the reason, the explain cause and what to do', async () => {
    const run = await release([messageId, '--to', 'gone@refused.example']);
    assert.equal(run.code, 1);
    assert.match(
      run.stderr,
      /^mailport: Not released: The upstream server 127\.0\.0\.1 did not take the message .*550 5\.1\.1 .*\(cause: recipient-unknown\)$/m,
    );
    assert.match(run.stderr, /^ {2}what to do: Check the recipient address/m);
  });

  it('a recipient outside --release-allow: exit 1 naming it; --json prints the problem', async () => {
    const run = await release([messageId, '--to', 'ceo@customer.example']);
    assert.equal(run.code, 1);
    assert.match(
      run.stderr,
      /Not allowed by --release-allow \*@example\.com, \*@refused\.example: ceo@customer\.example/,
    );
    const json = await release([messageId, '--to', 'ceo@customer.example', '--json']);
    assert.equal(json.code, 1);
    const problem = JSON.parse(json.stdout) as { status: number; recipients: string[]; fix: string };
    assert.equal(problem.status, 403);
    assert.deepEqual(problem.recipients, ['ceo@customer.example']);
  });

  it('without --to, the message’s own recipients, all or nothing: one refused upstream fails the release', async () => {
    const run = await release([messageId, '--json']);
    assert.equal(run.code, 1);
    assert.equal((JSON.parse(run.stdout) as { cause: string }).cause, 'recipient-unknown');
  });

  it('messages show lists the one successful release, with --json as `releases`', async () => {
    const show = (args: string[]) =>
      runCli(['--api', serve.httpUrl ?? '', 'messages', 'show', messageId, ...args], { MAILPORT_API: '' });
    const json = await show(['--json']);
    assert.equal(json.code, 0, json.stderr);
    const { releases } = JSON.parse(json.stdout) as { releases: MessageRelease[] };
    const server = `127.0.0.1:${upstream.ports.submission}`;
    assert.equal(releases.length, 1, 'the refused releases are not recorded');
    const [release] = releases;
    assert.ok(release);
    assert.deepEqual(release.to, ['alice@example.com']);
    assert.equal(release.server, server);
    assert.match(release.reply, /^250 2\.0\.0 /);

    const human = await show([]);
    assert.equal(human.code, 0, human.stderr);
    const at = release.at.replace('T', ' ').slice(0, 19);
    assert.ok(
      human.stdout
        .split('\n')
        .includes(`Released    ${at} UTC to alice@example.com via ${server}: ${release.reply}`),
      human.stdout,
    );
  });

  it('the password appears in none of the output of mailport serve', () => {
    assert.ok(!serve.output().includes(PASS), serve.output());
  });

  it('warns when the API listens beyond loopback with release on and no --release-allow', async () => {
    const open = await startServeProcess([
      ...RELAY_ONLY_EPHEMERAL,
      '--alt-port',
      'off',
      '--http-port',
      '0',
      '--host',
      '0.0.0.0',
      '--auth',
      'team:secret',
      '--release-server',
      'smtp.example.com',
    ]);
    try {
      assert.match(
        open.output(),
        /Release is on without --release-allow and the API listens on 0\.0\.0\.0: anyone who can reach it can send mail through smtp\.example\.com to any address/,
      );
      assert.match(
        open.output(),
        /Release: +to smtp\.example\.com \(TLS auto\); only to the recipients each release names/,
      );
    } finally {
      open.child.kill('SIGTERM');
      await waitForExit(open.child);
    }
  });

  it('a --release-user without its password variable stops mailport serve with exit 2 and what to do', async () => {
    const failed = await runCli(
      [
        'serve',
        ...RELAY_ONLY_EPHEMERAL,
        '--release-server',
        'smtp.example.com',
        '--release-user',
        'qa',
        '--release-pass-env',
        'UNSET_RELEASE_PASS',
      ],
      {
        UNSET_RELEASE_PASS: '',
      },
    );
    assert.equal(failed.code, 2);
    assert.match(
      failed.stderr,
      /The environment variable UNSET_RELEASE_PASS \(from --release-pass-env\) is not set/,
    );
    assert.match(failed.stderr, /what to do: export UNSET_RELEASE_PASS=/);
  });
});
