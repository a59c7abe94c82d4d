/**
 * `mailport serve` as a user runs it: the real executable, its banner, environment variables,
 * errors that say what to do next, and a clean shutdown.
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { assertBuilt, BIN, failRun, startServeProcess, waitForExit } from '../helpers/cli-process.js';

const run = promisify(execFile);
const EPHEMERAL_PORTS = [
  '--relay-port',
  '0',
  '--submissions-port',
  '0',
  '--submission-port',
  '0',
  '--alt-port',
  '0',
  '--http-port',
  '0',
];

describe('mailport serve', () => {
  it('prints every listener, the credentials, the UI URL and how to trust the CA; SIGTERM stops it cleanly', async () => {
    const serve = await startServeProcess(['--ephemeral', ...EPHEMERAL_PORTS]);
    const banner = serve.output();
    for (const profile of ['relay', 'submissions', 'submission', 'alternate'])
      assert.ok(serve.ports[profile], `${profile} in:\n${banner}`);
    assert.match(banner, /Credentials:\s+mailport \/ mailport/);
    assert.match(banner, /XOAUTH2 and OAUTHBEARER take the password as the OAuth token/);
    assert.match(
      banner,
      /OAuth token endpoint: POST http:\/\/127\.0\.0\.1:\d+\/oauth2\/token \(a login's password is its refresh token\)/,
    );
    assert.match(banner, /NODE_EXTRA_CA_CERTS=\S+ca\.pem/);
    assert.ok(serve.httpUrl);
    const health = await fetch(`${serve.httpUrl}/healthz`);
    assert.equal(health.status, 200);
    const info = (await (await fetch(`${serve.httpUrl}/api/v1/info`)).json()) as {
      storage: { dataDir: string };
    };
    assert.ok(existsSync(info.storage.dataDir));
    serve.child.kill('SIGTERM');
    assert.equal(await waitForExit(serve.child), 0);
    assert.equal(existsSync(info.storage.dataDir), false, '--ephemeral removes its data dir on exit');
  });

  it('reads every option from MAILPORT_* environment variables', async () => {
    const serve = await startServeProcess(['--ephemeral'], {
      MAILPORT_RELAY_PORT: '0',
      MAILPORT_SUBMISSIONS_PORT: 'off',
      MAILPORT_SUBMISSION_PORT: '0',
      MAILPORT_ALT_PORT: 'off',
      MAILPORT_HTTP_PORT: '0',
      MAILPORT_AUTH: 'team-a:secret',
      MAILPORT_WEBHOOK: 'http://127.0.0.1:9/hooks/mail?token=secret,http://127.0.0.1:9/other',
      MAILPORT_WEBHOOK_EVENTS: 'message.received,session.closed',
      MAILPORT_WEBHOOK_SECRET: 'secret',
    });
    try {
      assert.deepEqual(Object.keys(serve.ports).sort(), ['relay', 'submission']);
      assert.match(serve.output(), /users team-a/);
      assert.match(
        serve.output(),
        /Webhook: +POST message\.received, session\.closed to http:\/\/127\.0\.0\.1:9\/hooks\/mail\n/,
      );
      assert.match(serve.output(), /Webhook: +POST .* to http:\/\/127\.0\.0\.1:9\/other\n/);
      assert.doesNotMatch(serve.output(), /secret/, 'neither a password nor a webhook token is printed');
    } finally {
      serve.child.kill('SIGTERM');
      await waitForExit(serve.child);
    }
  });

  it('warns when listening beyond loopback with the public default credentials and an open HTTP API', async () => {
    const serve = await startServeProcess(['--ephemeral', '--host', '0.0.0.0', ...EPHEMERAL_PORTS]);
    try {
      assert.match(serve.output(), /reachable from other machines.*--auth USER:PASS/);
      const open = serve
        .output()
        .match(
          /HTTP API and web UI on 0\.0\.0\.0 are open to anyone who can reach that address.*--http-auth USER:PASS/g,
        );
      assert.equal(open?.length, 1, serve.output());
      // The addresses printed to use are ones a client on this machine can connect to.
      assert.match(serve.output(), /Web UI \+ API: http:\/\/127\.0\.0\.1:\d+\n/);
      assert.match(serve.output(), /swaks --server 127\.0\.0\.1:\d+ --tls/);
    } finally {
      serve.child.kill('SIGTERM');
      await waitForExit(serve.child);
    }
  });

  it('warns when a login guards the HTTP API beyond loopback over plain HTTP, not over HTTPS', async () => {
    for (const tls of [false, true]) {
      const serve = await startServeProcess([
        ...['--ephemeral', '--host', '0.0.0.0', '--auth', 'app:secret', '--http-auth', 'qa:pw'],
        ...EPHEMERAL_PORTS,
        ...(tls ? ['--http-tls'] : []),
      ]);
      try {
        const plain = /asks for a login over plain HTTP.*Add --http-tls/;
        if (tls) assert.doesNotMatch(serve.output(), plain);
        else assert.match(serve.output(), plain);
        assert.doesNotMatch(serve.output(), /open to anyone/);
      } finally {
        serve.child.kill('SIGTERM');
        await waitForExit(serve.child);
      }
    }
  });

  it('an IPv6 wildcard: listeners in brackets, and addresses to use that connect', async () => {
    const serve = await startServeProcess(['--ephemeral', '--host', '::', ...EPHEMERAL_PORTS]);
    try {
      assert.match(serve.output(), /submission +\[::\]:\d+ /);
      const api = /Web UI \+ API: (http:\/\/\[::1\]:\d+)\n/.exec(serve.output())?.[1];
      assert.ok(api, serve.output());
      assert.equal((await fetch(`${api}/healthz`)).status, 200);
      // swaks reaches IPv6 only with a Perl module most machines lack; `::` takes IPv4 too.
      assert.match(serve.output(), /swaks --server 127\.0\.0\.1:\d+ --tls/);
    } finally {
      serve.child.kill('SIGTERM');
      await waitForExit(serve.child);
    }
  });

  it('a port in use, SMTP or HTTP: exit 1, and the message names the port, the flag and the usual holders', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      for (const [flag, what] of [
        ['--relay-port', 'relay listener'],
        ['--http-port', 'HTTP API'],
      ] as const) {
        // The last value of an option wins, so this one overrides its 0 in EPHEMERAL_PORTS.
        const { code, stderr } = await failRun([
          'serve',
          '--ephemeral',
          ...EPHEMERAL_PORTS,
          flag,
          String(port),
        ]);
        assert.equal(code, 1, stderr);
        assert.match(
          stderr,
          new RegExp(`Port ${port} on 127\\.0\\.0\\.1 is already in use, so the ${what} cannot start`),
        );
        assert.match(stderr, new RegExp(`what to do: .*Mailpit or MailHog.*${flag} PORT`));
      }
    } finally {
      blocker.close();
    }
  });

  it('a bad option value: exit 2 with the setting named', async () => {
    const { code, stderr } = await failRun(['serve', '--ephemeral', '--max-message-size', 'huge']);
    assert.equal(code, 2);
    assert.match(stderr, /--max-message-size must be a size such as 25MiB/);
  });

  it('a bad spamd address, from the environment: exit 2 with an example to copy', async () => {
    const { code, stderr } = await failRun(['serve', '--ephemeral'], {
      MAILPORT_SPAMASSASSIN: 'http://127.0.0.1:783',
    });
    assert.equal(code, 2);
    assert.match(
      stderr,
      /--spamassassin takes spamd's address as HOST\[:PORT\], not "http:\/\/127\.0\.0\.1:783"/,
    );
    assert.match(
      stderr,
      /what to do: e\.g\. --spamassassin 127\.0\.0\.1:783 after `spamd -L --listen=127\.0\.0\.1:783`/,
    );
  });

  it('an unknown option: exit 2, with the suggestion and where to look next', async () => {
    const { code, stderr } = await failRun(['serve', '--ephemeral', '--http-prot', '0']);
    assert.equal(code, 2);
    assert.match(stderr, /unknown option '--http-prot'/);
    assert.match(stderr, /Did you mean --http-port\?/);
    assert.match(stderr, /what to do: add --help/);
  });

  it('an unreachable PostgreSQL store: exit 1, with how to check it', async () => {
    const { code, stderr } = await failRun([
      'serve',
      '--ephemeral',
      ...EPHEMERAL_PORTS,
      '--storage',
      'postgres://postgres@127.0.0.1:1/mailport',
    ]);
    assert.equal(code, 1);
    assert.match(stderr, /ECONNREFUSED 127\.0\.0\.1:1/);
    assert.match(stderr, /what to do: .*start PostgreSQL.*pg_isready/);
  });

  const setpriv = spawnSync('setpriv', ['--version']).status === 0 && process.getuid?.() === 0;
  it('--standard-ports without privileges names the fixes', {
    skip: setpriv ? false : 'needs root and setpriv to drop privileges',
  }, async () => {
    assertBuilt();
    const result = await run(
      'setpriv',
      [
        '--reuid=65534',
        '--regid=65534',
        '--clear-groups',
        process.execPath,
        BIN,
        'serve',
        '--standard-ports',
        '--ephemeral',
        '--http-port',
        '0',
      ],
      { timeout: 20_000 },
    ).then(
      () => assert.fail('binding port 25 as nobody should fail'),
      (error: { code: number; stderr: string }) => error,
    );
    assert.equal(result.code, 1);
    assert.match(result.stderr, /needs privileges/);
    assert.match(result.stderr, /ip_unprivileged_port_start/);
    assert.match(result.stderr, /cap_net_bind_service/);
  });
});
