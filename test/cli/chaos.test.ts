/**
 * `mailport serve --chaos` as a user runs it: the real executable, rules from flags and from
 * MAILPORT_CHAOS, the banner naming them, and exit 2 with an example for a bad rule. Then
 * `mailport chaos` changing the rules of a running sandbox, as a CI step would.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import nodemailer from 'nodemailer';
import {
  BIN,
  failRun,
  RELAY_ONLY_EPHEMERAL,
  runMailport,
  startServeProcess,
  waitForExit,
} from '../helpers/cli-process.js';
import { closedPort } from '../smtp-client/test-servers.js';

const run = promisify(execFile);

describe('mailport serve --chaos', () => {
  it('applies the rules, names them in the banner and reports them at /api/v1/chaos', async () => {
    const serve = await startServeProcess([
      ...RELAY_ONLY_EPHEMERAL,
      '--alt-port',
      'off',
      '--http-port',
      '0',
      '--chaos',
      'rcpt:451,match=*@flaky.test,times=1',
      '--chaos',
      'message:554,p=0,id=never',
    ]);
    try {
      assert.match(serve.output(), /Chaos rule: +chaos-1 rcpt:451\/4\.3\.0,times=1,match=\*@flaky\.test/);
      assert.match(serve.output(), /Chaos rule: +never message:554\/5\.7\.1,p=0/);
      const transport = nodemailer.createTransport({
        host: '127.0.0.1',
        port: serve.ports.relay,
        ignoreTLS: true,
      });
      const message = { from: 'app@example.com', to: 'bob@flaky.test', subject: 'cli', text: 'x' };
      await assert.rejects(
        transport.sendMail(message),
        (error: { responseCode?: number }) => error.responseCode === 451,
      );
      assert.match((await transport.sendMail(message)).response, /^250 /);
      transport.close();
      const { rules } = (await (await fetch(`${serve.httpUrl}/api/v1/chaos`)).json()) as {
        rules: { id: string; fired: number }[];
      };
      assert.deepEqual(
        rules.map(({ id, fired }) => ({ id, fired })),
        [
          { id: 'chaos-1', fired: 1 },
          { id: 'never', fired: 0 },
        ],
      );
    } finally {
      serve.child.kill('SIGTERM');
      await waitForExit(serve.child);
    }
  });

  it('a bad rule exits 2, says what is wrong and shows a correct example', async () => {
    const { code, stderr } = await failRun(['serve', ...RELAY_ONLY_EPHEMERAL, '--chaos', 'rcpt:451/5.1.1']);
    assert.equal(code, 2);
    assert.match(
      stderr,
      /mailport: --chaos "rcpt:451\/5\.1\.1": the enhanced code 5\.1\.1 must have the class of the reply code 451 \(RFC 3463 §2\): 4\.x\.x, e\.g\. 4\.3\.0\./,
    );
    assert.match(
      stderr,
      /what to do: A rule is STAGE:ACTION\[,OPTION=VALUE\.\.\.\], e\.g\. --chaos 'rcpt:451,match=\*@flaky\.test,times=2'/,
    );
  });

  it('a bad client= network exits 2 naming the option with an example; --help shows the option', async () => {
    const { code, stderr } = await failRun([
      'serve',
      ...RELAY_ONLY_EPHEMERAL,
      '--chaos',
      'connect:421,client=10.0.0.0/33',
    ]);
    assert.equal(code, 2);
    assert.match(
      stderr,
      /--chaos "connect:421,client=10\.0\.0\.0\/33": client must be an IPv4 or IPv6 address, or a network in CIDR notation \(e\.g\. 10\.0\.0\.0\/8, 192\.0\.2\.7 or fd00::\/8\), not "10\.0\.0\.0\/33"\./,
    );
    const { stdout } = await run(process.execPath, [BIN, 'serve', '--help']);
    assert.match(
      stdout,
      /client=10\.0\.0\.0\/8 +only connections from this network or single address, IPv4 or/,
    );
  });

  it('MAILPORT_CHAOS takes several rules separated by ";" and names the bad one', async () => {
    const { code, stderr } = await failRun(['serve', ...RELAY_ONLY_EPHEMERAL], {
      MAILPORT_CHAOS: 'connect:421;connect:delay=soon',
    });
    assert.equal(code, 2);
    assert.match(
      stderr,
      /--chaos "connect:delay=soon": the delay must be a duration such as 10s, 1500ms or 2m, not "soon"\./,
    );
  });
});

describe('mailport chaos', () => {
  it('adds, lists, removes and clears the rules of a running sandbox, which act at once', async () => {
    const serve = await startServeProcess([...RELAY_ONLY_EPHEMERAL, '--http-port', '0']);
    const mailport = (...args: string[]) =>
      runMailport(['chaos', ...args], { MAILPORT_API: serve.httpUrl ?? '' });
    try {
      assert.deepEqual(await mailport('list'), {
        code: 0,
        stdout: 'No chaos rules in force: the sandbox answers as it would without them.\n',
        stderr: '',
      });
      const added = await mailport(
        'add',
        'rcpt:451,match=*@flaky.test,times=2',
        'message:554/5.7.1,p=0,id=never',
      );
      assert.equal(added.code, 0, added.stderr);
      assert.match(
        added.stdout,
        /^ID +RULE +FIRED +LEFT\nchaos-1 +rcpt:451\/4\.3\.0,times=2,match=\*@flaky\.test +0 +2\nnever +message:554\/5\.7\.1,p=0 +0 +-\n$/,
      );

      const transport = nodemailer.createTransport({
        host: '127.0.0.1',
        port: serve.ports.relay,
        ignoreTLS: true,
      });
      await assert.rejects(
        transport.sendMail({ from: 'app@example.com', to: 'bob@flaky.test', subject: 'chaos', text: 'x' }),
        (error: { responseCode?: number }) => error.responseCode === 451,
      );
      transport.close();
      assert.match(
        (await mailport('list')).stdout,
        /chaos-1 +rcpt:451\/4\.3\.0,times=2,match=\*@flaky\.test +1 +1\n/,
      );

      // A rule added later keeps what the others had left: chaos-1 one firing, not two again.
      const more = await mailport('add', 'connect:421', '--json');
      const { rules } = JSON.parse(more.stdout) as { rules: { id: string; times?: number; fired: number }[] };
      assert.deepEqual(
        rules.map(({ id, times, fired }) => ({ id, times, fired })),
        [
          { id: 'chaos-1', times: 1, fired: 0 },
          { id: 'never', times: undefined, fired: 0 },
          { id: 'chaos-3', times: undefined, fired: 0 },
        ],
      );

      const removed = await mailport('remove', 'chaos-3', 'never');
      assert.equal(removed.code, 0, removed.stderr);
      assert.match(
        removed.stdout,
        /^ID +RULE +FIRED +LEFT\nchaos-1 +rcpt:451\/4\.3\.0,times=1,match=\*@flaky\.test +0 +1\n$/,
      );

      const unknown = await mailport('remove', 'chaos-9');
      assert.equal(unknown.code, 1);
      assert.match(
        unknown.stderr,
        /^mailport: No chaos rule chaos-9 is in force \(the rules are chaos-1\)\.\n {2}what to do: Give the ids `mailport chaos list` prints; nothing was removed\.\n$/,
      );
      const taken = await mailport('add', 'data:451,id=chaos-1');
      assert.equal(taken.code, 2);
      assert.match(
        taken.stderr,
        /A chaos rule chaos-1 is already in force\.\n {2}what to do: Give the new rule another id=, or remove the old one first: mailport chaos remove chaos-1\./,
      );

      const cleared = await mailport('clear');
      assert.match(cleared.stdout, /^Removed:\nID +RULE +FIRED +LEFT\nchaos-1 /);
      assert.equal((await mailport('clear')).stdout, 'No chaos rules were in force.\n');
      const { rules: none } = (await (await fetch(`${serve.httpUrl}/api/v1/chaos`)).json()) as {
        rules: unknown[];
      };
      assert.deepEqual(none, []);
    } finally {
      serve.child.kill('SIGTERM');
      await waitForExit(serve.child);
    }
  });

  it('a bad rule exits 2 with a correct example before the sandbox is asked', async () => {
    const { code, stderr } = await failRun(['chaos', 'add', 'rcpt:451', 'rcpt:4511'], {
      MAILPORT_API: `http://127.0.0.1:${await closedPort()}`,
    });
    assert.equal(code, 2);
    assert.match(
      stderr,
      /^mailport: mailport chaos add "rcpt:4511": the reply code must be a failure from 400 to 599 \(4xx temporary, 5xx permanent\), not 4511\.\n {2}what to do: A rule is STAGE:ACTION\[,OPTION=VALUE\.\.\.\], e\.g\. mailport chaos add 'rcpt:451,match=\*@flaky\.test,times=2'/,
    );
  });
});
