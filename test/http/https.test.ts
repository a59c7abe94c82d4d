/**
 * `mailport serve --http-tls`: the HTTP API and web UI over HTTPS with the SMTP listeners'
 * certificate. Checked with real clients: Node's TLS stack with the sandbox CA (TLS 1.2+ only, the
 * names the certificate holds), the API's event stream, the `mailport` CLI with and without the CA
 * trusted, curl over plain http:// to that port (answered with the https:// address), and Chromium
 * showing mail live.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import { get } from 'node:https';
import { type AddressInfo, createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { connect } from 'node:tls';
import { MailportClient, MailportNetworkError } from '../../src/client/api-client.js';
import { createCertificateAuthority } from '../../src/tls/certificates.js';
import { launchChromium } from '../helpers/chromium.js';
import {
  RELAY_ONLY_EPHEMERAL,
  runMailport,
  type ServeProcess,
  startServeProcess,
} from '../helpers/cli-process.js';
import { runClient } from '../helpers/run-client.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

const UI_DIR = resolve('dist/ui');

function httpsGet(url: string, ca: string): Promise<{ response: IncomingMessage; body: string }> {
  return new Promise((resolvePromise, reject) => {
    get(url, { ca }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => resolvePromise({ response, body }));
    }).on('error', reject);
  });
}

describe('the HTTP API over HTTPS (--http-tls)', () => {
  let serve: ServeProcess;
  let url: string;
  let caFile: string;
  let ca: string;

  before(async () => {
    serve = await startServeProcess([...RELAY_ONLY_EPHEMERAL, '--http-port', '0', '--http-tls']);
    url = serve.httpUrl ?? '';
    const printedCa = /TLS CA: +(\S+)/.exec(serve.output())?.[1];
    assert.ok(printedCa, serve.output());
    caFile = printedCa;
    ca = await readFile(caFile, 'utf8');
  });

  after(() => {
    serve?.child.kill('SIGINT');
  });

  test('the banner prints an https:// address, which answers with the sandbox CA, for localhost too', async () => {
    assert.match(url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const health = await httpsGet(`${url}/healthz`, ca);
    assert.equal(health.response.statusCode, 200);
    const info = JSON.parse(
      (await httpsGet(`${url.replace('127.0.0.1', 'localhost')}/api/v1/info`, ca)).body,
    );
    assert.equal(info.http.url, url);
  });

  test('TLS 1.2 and newer only: a TLS 1.1 client is refused in the handshake', async () => {
    const port = Number(new URL(url).port);
    const refused = await new Promise<Error | null>((done) => {
      const socket = connect({ host: '127.0.0.1', port, ca, maxVersion: 'TLSv1.1', minVersion: 'TLSv1' });
      socket.once('secureConnect', () => {
        socket.destroy();
        done(null);
      });
      socket.once('error', done);
    });
    assert.ok(refused, 'a TLS 1.1 handshake succeeded');
  });

  test('the event stream works over HTTPS', async () => {
    const stream = await new Promise<IncomingMessage>((resolvePromise, reject) => {
      get(`${url}/api/v1/events`, { ca, headers: { accept: 'text/event-stream' } }, resolvePromise).on(
        'error',
        reject,
      );
    });
    try {
      assert.equal(stream.statusCode, 200);
      assert.match(stream.headers['content-type'] ?? '', /^text\/event-stream/);
      const received = new Promise<string>((resolvePromise) => {
        let text = '';
        stream.on('data', (chunk: Buffer) => {
          text += chunk.toString();
          if (text.includes('event: message.received')) resolvePromise(text);
        });
      });
      const sent = await runClient('swaks', [
        ...['--server', `127.0.0.1:${serve.ports.relay}`, '--from', 'app@example.com'],
        ...['--to', 'alice@example.com', '--header', 'Subject: over https'],
      ]);
      assert.match(sent, /<- {2}250 2\.0\.0/);
      assert.match(await received, /"subject":"over https"/);
    } finally {
      stream.destroy();
    }
  });

  test('the CLI: trusted with NODE_EXTRA_CA_CERTS it works; untrusted, or over http://, it says what to do', async () => {
    const listed = await runMailport(['--api', url, 'messages', 'list', '--json'], {
      NODE_EXTRA_CA_CERTS: caFile,
    });
    assert.equal(listed.code, 0, listed.stderr);
    // The message of the event-stream test above.
    const { items } = JSON.parse(listed.stdout) as { items: { subject: string }[] };
    assert.ok(
      items.some((item) => item.subject === 'over https'),
      listed.stdout,
    );

    const untrusted = await runMailport(['--api', url, 'messages', 'list'], { NODE_EXTRA_CA_CERTS: '' });
    assert.equal(untrusted.code, 1);
    assert.match(untrusted.stderr, /its HTTPS certificate is not trusted here/);
    assert.match(untrusted.stderr, /NODE_EXTRA_CA_CERTS/);

    const plain = url.replace('https:', 'http:');
    const overHttp = await runMailport(['--api', plain, 'messages', 'list']);
    assert.equal(overHttp.code, 1);
    assert.match(overHttp.stderr, /failed with 400: This port speaks HTTPS only/);
    assert.match(overHttp.stderr, new RegExp(`use ${url.replace(/\./g, '\\.')}/api/v1/messages`));
    assert.match(overHttp.stderr, /NODE_EXTRA_CA_CERTS/);
  });

  test('the CLI trusts the CA given with --api-ca or MAILPORT_API_CA, and a sandbox CA of its data dir by itself', async () => {
    const noEnvironmentCa = { NODE_EXTRA_CA_CERTS: '', MAILPORT_DATA_DIR: '/nonexistent' };
    const listedWith = async (args: string[], env: NodeJS.ProcessEnv): Promise<void> => {
      const result = await runMailport([...args, 'messages', 'list', '--json'], {
        ...noEnvironmentCa,
        ...env,
      });
      assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
      assert.ok(Array.isArray(JSON.parse(result.stdout).items), result.stdout);
    };
    await listedWith(['--api', url, '--api-ca', caFile], {});
    await listedWith(['--api', url], { MAILPORT_API_CA: caFile });
    // `mailport serve` run from a directory keeps its CA in <data dir>/tls/ca.pem: a loopback
    // https:// API is then trusted with no option, by address or by name.
    const dataDir = dirname(dirname(caFile));
    await listedWith(['--api', url], { MAILPORT_DATA_DIR: dataDir });
    await listedWith(['--api', url.replace('127.0.0.1', 'localhost')], { MAILPORT_DATA_DIR: dataDir });

    const missing = await runMailport(['--api', url, '--api-ca', '/nonexistent/ca.pem', 'messages', 'list']);
    assert.equal(missing.code, 2, missing.stderr);
    assert.match(missing.stderr, /Cannot read --api-ca \/nonexistent\/ca\.pem/);

    const otherCaDir = await mkdtemp(join(tmpdir(), 'mailport-other-ca-'));
    const otherCaFile = join(otherCaDir, 'ca.pem');
    await writeFile(otherCaFile, (await createCertificateAuthority()).certPem);
    const wrongCa = await runMailport(
      ['--api', url, '--api-ca', otherCaFile, 'messages', 'list'],
      noEnvironmentCa,
    );
    await rm(otherCaDir, { recursive: true });
    assert.equal(wrongCa.code, 1);
    assert.match(wrongCa.stderr, /its HTTPS certificate is not trusted here/);
    assert.match(wrongCa.stderr, /--api-ca FILE/);
  });

  test('the typed client trusts the CA given as `ca`: requests, waits and the event stream', async () => {
    const client = new MailportClient(url, { ca });
    assert.equal((await client.info()).http.url, url);
    const arrived = client.waitForMessage({ subject: 'typed client over https' }, { timeout: 10_000 });
    const sent = await runClient('swaks', [
      ...['--server', `127.0.0.1:${serve.ports.relay}`, '--from', 'app@example.com'],
      ...['--to', 'alice@example.com', '--header', 'Subject: typed client over https'],
    ]);
    assert.match(sent, /<- {2}250 2\.0\.0/);
    assert.equal((await arrived).subject, 'typed client over https');

    // Through undici as through the global fetch, an untrusted certificate is named as such.
    for (const untrusted of [
      new MailportClient(url),
      new MailportClient(url, { ca: (await createCertificateAuthority()).certPem }),
    ]) {
      await assert.rejects(untrusted.info(), (error: Error) => {
        assert.ok(error instanceof MailportNetworkError, String(error));
        assert.match(error.message, /its HTTPS certificate is not trusted here/);
        assert.match(error.hint ?? '', /MailportClient as `ca`/);
        return true;
      });
    }
    assert.throws(
      () => new MailportClient(url, { ca: caFile }),
      /`ca` must be PEM certificate text, not a file name/,
    );
    assert.throws(() => new MailportClient(url, { ca, fetch }), /takes `fetch` or `ca`, not both/);
  });

  test('the CLI pointed with https:// at a plain HTTP port says to use http://', async () => {
    const plainServer = createServer((_request, response) => response.end('{}'));
    await new Promise<void>((done) => plainServer.listen(0, '127.0.0.1', done));
    const { port } = plainServer.address() as AddressInfo;
    try {
      const result = await runMailport(['--api', `https://127.0.0.1:${port}`, 'messages', 'list']);
      assert.equal(result.code, 1);
      assert.match(result.stderr, /it answers plain HTTP, not HTTPS/);
      assert.match(result.stderr, new RegExp(`Use http:// \\(http://127\\.0\\.0\\.1:${port}\\)`));
    } finally {
      plainServer.close();
    }
  });

  test('plain http:// gets a 400 naming the https:// address, as problem+json or a page; https:// still works', async () => {
    const plain = url.replace('https:', 'http:');
    const api = await runClient('curl', ['-sS', '-i', '--max-time', '5', `${plain}/healthz`]);
    assert.match(api, /^HTTP\/1\.1 400 Bad Request\r\n/);
    assert.match(api, /content-type: application\/problem\+json/i);
    const problem = JSON.parse(api.slice(api.indexOf('{'))) as { detail: string; fix: string };
    assert.equal(
      problem.detail,
      `This port speaks HTTPS only (mailport serve --http-tls): use ${url}/healthz`,
    );
    assert.match(problem.fix, /NODE_EXTRA_CA_CERTS/);
    const page = await runClient('curl', ['-sS', '--max-time', '5', '-H', 'Accept: text/html', `${plain}/`]);
    assert.match(page, new RegExp(`<a href="${url.replace(/\./g, '\\.')}/">`));
    // A Host header that could inject markup is not echoed: the listener's own address is used.
    const hostile = await runClient('curl', [
      ...[
        '-sS',
        '--max-time',
        '5',
        '-H',
        'Accept: text/html',
        '-H',
        'Host: "><script>x</script>',
        `${plain}/`,
      ],
    ]);
    assert.doesNotMatch(hostile, /script/);
    assert.match(hostile, new RegExp(`<a href="${url.replace(/\./g, '\\.')}/">`));
    const secure = await runClient('curl', ['-sS', '--cacert', caFile, `${url}/healthz`]);
    assert.match(secure, /"status":"ok"/);
  });
});

test('closing does not wait for a client on the HTTPS port that is silent, or has not hung up after its 400', async () => {
  const sandbox = await startTestSandbox({ httpTls: true });
  const { hostname, port } = new URL(sandbox.apiUrl);
  const silent = createConnection({ host: hostname, port: Number(port) });
  const answered = createConnection({ host: hostname, port: Number(port) });
  // Both are ended by the server, the silent one with a reset or an end of stream.
  for (const socket of [silent, answered]) socket.on('error', () => {});
  // The request goes out and the client keeps its side open after it.
  answered.write(`GET / HTTP/1.1\r\nHost: ${hostname}\r\n\r\n`);
  let answer = '';
  answered.setEncoding('utf8').on('data', (chunk: string) => {
    answer += chunk;
  });
  await Promise.all([once(silent, 'connect'), once(answered, 'end')]);
  assert.match(answer, /^HTTP\/1\.1 400 /);
  const silentClosed = once(silent, 'close');
  const started = performance.now();
  await sandbox.stop();
  // Each would otherwise hold the close up for the 10 s the port waits for a client's first bytes.
  const elapsed = performance.now() - started;
  assert.ok(elapsed < 5_000, `closing took ${Math.round(elapsed)} ms`);
  await silentClosed;
  answered.destroy();
});

describe('the web UI over HTTPS, in Chromium', () => {
  let sandbox: TestSandbox;

  before(async () => {
    assert.ok(existsSync(join(UI_DIR, 'index.html')), 'dist/ui is missing: run `npm run build` first');
    sandbox = await startTestSandbox({ uiDir: UI_DIR, httpTls: true });
  });

  after(async () => {
    await sandbox?.stop();
  });

  test('shows mail live over the event stream, the page served over HTTPS', async () => {
    assert.match(sandbox.apiUrl, /^https:/);
    const browser = await launchChromium();
    // Chromium trusts one more CA only through a certificate database of its own: it accepts any
    // certificate here, and the test checks that the page came over TLS.
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    try {
      const page = await context.newPage();
      // Typed as http://, the address answers with a page that links to the https:// one.
      const plainResponse = await page.goto(sandbox.apiUrl.replace('https:', 'http:'));
      assert.equal(plainResponse?.status(), 400);
      const [response] = await Promise.all([
        page.waitForResponse(`${sandbox.apiUrl}/`),
        page.getByRole('link', { name: `${sandbox.apiUrl}/` }).click(),
      ]);
      assert.equal(response.status(), 200);
      assert.equal((await response.securityDetails())?.protocol?.startsWith('TLS 1.'), true);
      await page.getByText('No mail yet.').waitFor();
      await page.locator('.live-live').waitFor();
      const sent = await runClient('swaks', [
        ...['--server', `127.0.0.1:${sandbox.port('relay')}`, '--from', 'app@example.com'],
        ...['--to', 'alice@example.com', '--header', 'Subject: Live over HTTPS'],
      ]);
      assert.match(sent, /<- {2}250 2\.0\.0/);
      const row = page.locator('.row-link', { hasText: 'Live over HTTPS' });
      await row.waitFor();
      await row.click();
      await page.getByRole('heading', { name: 'Live over HTTPS' }).waitFor();
    } finally {
      await context.close();
      await browser.close();
    }
  });
});
