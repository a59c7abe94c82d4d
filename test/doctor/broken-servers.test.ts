/**
 * `mailport doctor` against SMTP servers that break the protocol in ways real ones do: STARTTLS
 * refused or agreed to and then not done, a hang-up after EHLO, a reply that never ends, a reply
 * code outside SMTP's range, a 421 to EHLO, a hang-up before the greeting, a greeting that never
 * ends or comes too late, reply lines beyond the reply. Each gets a finding that blames the server,
 * not the user's client, says what was wrong, and comes within the step timeout; the doctor leaves
 * no connection open behind it. An old server without EHLO is still spoken to, with HELO.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { type DoctorReport, formatDoctorReport, type PortReport, runDoctor } from '../../src/doctor/index.js';
import {
  createTlsFixtures,
  type ScriptedServer,
  startScriptedServer,
  startTlsFrontWithoutBackend,
} from '../smtp-client/test-servers.js';

const servers: ScriptedServer[] = [];
after(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

async function diagnose(
  answer: (line: string, socket: Socket) => boolean,
  stepTimeoutMs = 2000,
): Promise<{ port: PortReport; server: ScriptedServer; report: DoctorReport }> {
  const server = await startScriptedServer(answer);
  servers.push(server);
  const report = await runDoctor({ host: '127.0.0.1', ports: [server.port], stepTimeoutMs });
  const [port] = report.ports;
  assert.ok(port);
  return { port, server, report };
}

/** A server that does its own talking from the first byte: `greet` gets each new connection. */
async function startRawServer(greet: (socket: Socket) => void): Promise<ScriptedServer> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    // Read (and drop) what the doctor sends, so its hang-up is noticed.
    socket.resume();
    greet(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert.ok(address && typeof address === 'object');
  const running: ScriptedServer = {
    port: address.port,
    openConnections: () => sockets.size,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  servers.push(running);
  return running;
}

/** Writes `chunk` every `ms` until the connection closes (a tarpit). */
function drip(socket: Socket, chunk: string, ms: number): void {
  const timer = setInterval(() => socket.write(chunk), ms);
  socket.on('close', () => clearInterval(timer));
}

/** The doctor on one raw server's port with a 1 s step timeout; fails if it took much longer. */
async function diagnoseGreeting(server: ScriptedServer): Promise<PortReport> {
  const started = Date.now();
  const report = await runDoctor({ host: '127.0.0.1', ports: [server.port], stepTimeoutMs: 1000 });
  const elapsed = Date.now() - started;
  assert.ok(elapsed < 1600, `the doctor took ${elapsed} ms with a 1 s step timeout`);
  await connectionsCloseSoon(server);
  const [port] = report.ports;
  assert.ok(port);
  return port;
}

function errors(port: PortReport): { message: string; cause?: string }[] {
  return port.findings.filter((finding) => finding.level === 'error');
}

async function connectionsCloseSoon(server: ScriptedServer): Promise<void> {
  for (let waited = 0; server.openConnections() > 0 && waited < 2000; waited += 20) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.equal(server.openConnections(), 0, 'the doctor left a connection open');
}

const EHLO_WITH_STARTTLS = '250-broken.test\r\n250-AUTH PLAIN\r\n250 STARTTLS\r\n';

describe('doctor on broken SMTP servers', () => {
  test('STARTTLS offered, then refused with 454: says so, and closes its connection', async () => {
    const { port, server, report } = await diagnose((line, socket) => {
      if (/^EHLO/i.test(line)) socket.write(EHLO_WITH_STARTTLS);
      else if (/^STARTTLS/i.test(line)) socket.write('454 4.7.0 TLS not available due to local problem\r\n');
      else return false;
      return true;
    });
    const [finding] = errors(port);
    assert.match(finding?.message ?? '', /offered but the server refuses it: 454 4\.7\.0/);
    assert.equal(finding?.cause, 'starttls-not-offered');
    // Only the mechanisms before TLS are known: the summary must not claim the port has none.
    const summary = formatDoctorReport({ ...report, ports: [port] }).split('\n');
    const extensions = summary[summary.findIndex((line) => line.startsWith(`Port ${port.port}`)) + 1];
    assert.equal(extensions?.trim(), 'AUTH offered before TLS');
    await connectionsCloseSoon(server);
  });

  test('250 to STARTTLS: a reply no client starts TLS on, named as the server breaking the protocol', async () => {
    const { port, server } = await diagnose((line, socket) => {
      if (/^EHLO/i.test(line)) socket.write(EHLO_WITH_STARTTLS);
      else if (/^STARTTLS/i.test(line)) socket.write('250 OK\r\n');
      else return false;
      return true;
    });
    const [finding, ...others] = errors(port);
    assert.deepEqual(others, []);
    assert.match(finding?.message ?? '', /answers it with 250 OK instead of 220 \(RFC 3207 §4\)/);
    assert.doesNotMatch(finding?.message ?? '', /refuses/);
    assert.equal(finding?.cause, 'server-protocol-error');
    // The server said nothing like TLS: the doctor did not start a handshake on the 250.
    assert.equal(port.tlsVersion, null);
    await connectionsCloseSoon(server);
  });

  test('220 to STARTTLS, then plaintext: the server is blamed, not the client TLS mode', async () => {
    const { port } = await diagnose((line, socket) => {
      if (/^EHLO/i.test(line)) socket.write(EHLO_WITH_STARTTLS);
      else if (/^STARTTLS/i.test(line)) {
        socket.write('220 2.0.0 go ahead\r\n');
        // After our ClientHello arrives: plaintext where a TLS record should be.
        socket.once('data', () => socket.write('250 this is not TLS\r\n'));
      } else return false;
      return true;
    });
    const [finding] = errors(port);
    assert.match(finding?.message ?? '', /answered 220 to STARTTLS but then did not speak TLS/);
    assert.equal(finding?.cause, 'starttls-not-offered');
  });

  test('220 to STARTTLS, then silence: the server is blamed, not the network', async () => {
    let agreed = false;
    const { port } = await diagnose((line, socket) => {
      // Once it has agreed, the server ignores everything, the ClientHello included.
      if (agreed) return true;
      if (/^EHLO/i.test(line)) socket.write(EHLO_WITH_STARTTLS);
      else if (/^STARTTLS/i.test(line)) {
        socket.write('220 2.0.0 go ahead\r\n');
        agreed = true;
      } else return false;
      return true;
    });
    const [finding] = errors(port);
    assert.match(
      finding?.message ?? '',
      /answered 220 to STARTTLS but then answered nothing to the TLS handshake/,
    );
    assert.equal(finding?.cause, 'starttls-not-offered');
  });

  test('a hang-up right after EHLO is not read as a wrong TLS mode', async () => {
    const { port } = await diagnose((line, socket) => {
      if (!/^EHLO/i.test(line)) return false;
      socket.destroy();
      return true;
    });
    const [finding] = errors(port);
    assert.match(finding?.message ?? '', /closed the connection/);
    assert.notEqual(finding?.cause, 'plaintext-on-implicit-tls-port');
    assert.notEqual(finding?.cause, 'implicit-tls-on-starttls-port');
  });

  test('a multi-line reply that never ends is cut off, not buffered', async () => {
    const { port, server } = await diagnose((line, socket) => {
      if (!/^EHLO/i.test(line)) return false;
      socket.write('250-broken.test\r\n'.repeat(5000));
      return true;
    });
    const [finding] = errors(port);
    assert.match(finding?.message ?? '', /more than 1000 lines/);
    assert.equal(finding?.cause, 'server-protocol-error');
    await connectionsCloseSoon(server);
  });

  test('an EHLO continuation line without its code: the EHLO reply breaks SMTP, the server did speak it', async () => {
    const { port } = await diagnose((line, socket) => {
      if (!/^EHLO/i.test(line)) return false;
      socket.write('250-broken.test\r\nSTARTTLS\r\n250 SIZE 1000\r\n');
      return true;
    });
    const [finding] = errors(port);
    assert.match(finding?.message ?? '', /reply to EHLO breaks SMTP: Not an SMTP reply line: "STARTTLS"/);
    assert.doesNotMatch(finding?.message ?? '', /did not speak SMTP/);
    assert.equal(finding?.cause, 'server-protocol-error');
  });

  test('EHLO and HELO both refused: both replies are shown', async () => {
    const { port } = await diagnose((line, socket) => {
      if (/^EHLO/i.test(line)) socket.write('502 5.5.2 Error: command not recognized\r\n');
      else if (/^HELO/i.test(line)) socket.write('550 5.7.1 Client host rejected: access denied\r\n');
      else return false;
      return true;
    });
    const [finding] = errors(port);
    assert.match(
      finding?.message ?? '',
      /refused EHLO \(502 5\.5\.2 Error: command not recognized\) and HELO/,
    );
    assert.match(finding?.message ?? '', /550 5\.7\.1 Client host rejected/);
  });

  test('EHLO and HELO unknown commands but LHLO answered: an LMTP server, named as such (not-smtp)', async () => {
    const lmtp = (lhlo: string) => (line: string, socket: Socket) => {
      // Dovecot 2.3's LMTP service, verbatim.
      if (/^(?:EHLO|HELO)/i.test(line)) socket.write('500 5.5.1 Unknown command\r\n');
      else if (/^LHLO/i.test(line)) socket.write(lhlo);
      else return false;
      return true;
    };
    const { port, report } = await diagnose(lmtp('250-vm\r\n250-8BITMIME\r\n250 PIPELINING\r\n'));
    const [finding] = errors(port);
    assert.match(
      finding?.message ?? '',
      /^The session failed: The server speaks LMTP \(RFC 2033\), not SMTP/,
    );
    assert.equal(finding?.cause, 'not-smtp');
    // Its greeting was SMTP's; the port line names what LHLO showed.
    assert.equal(port.service, 'lmtp');
    assert.match(formatDoctorReport(report), new RegExp(`Port ${port.port} {2}open · LMTP \\(not SMTP\\)\n`));

    // Without an LHLO answer, the two refusals alone still say "not an SMTP server for clients".
    const { port: neither } = await diagnose(lmtp('500 5.5.1 Unknown command\r\n'));
    const [refusal] = errors(neither);
    assert.match(refusal?.message ?? '', /refused EHLO \(500 5\.5\.1 Unknown command\) and HELO: 500/);
    assert.doesNotMatch(refusal?.message ?? '', /LMTP \(RFC 2033\), not SMTP/);
    assert.equal(refusal?.cause, 'not-smtp');
    assert.equal(neither.service, 'smtp');
  });

  test('a reply code outside 2xx-5xx is a protocol error, not a working server', async () => {
    const { port } = await diagnose((line, socket) => {
      if (!/^EHLO/i.test(line)) return false;
      socket.write('999 what\r\n');
      return true;
    });
    const [finding] = errors(port);
    assert.match(finding?.message ?? '', /Reply code 999 is not an SMTP reply code/);
    assert.equal(finding?.cause, 'server-protocol-error');
  });

  test('a 421 to EHLO, then a hang-up: the 421 is the finding, HELO is not tried', async () => {
    const commands: string[] = [];
    const { port, server } = await diagnose((line, socket) => {
      commands.push(line.split(' ')[0] ?? '');
      if (!/^EHLO/i.test(line)) return false;
      socket.end('421 4.7.0 Too many connections, try again later\r\n');
      return true;
    });
    const [finding] = errors(port);
    assert.match(finding?.message ?? '', /refused EHLO: 421 4\.7\.0 Too many connections/);
    assert.equal(finding?.cause, 'rate-limited');
    assert.ok(!commands.includes('HELO'), `commands sent: ${commands.join(', ')}`);
    await connectionsCloseSoon(server);
  });

  test('a server that hangs up before greeting: said at once, not after the timeout', async () => {
    const server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    assert.ok(address && typeof address === 'object');
    try {
      const started = Date.now();
      const report = await runDoctor({ host: '127.0.0.1', ports: [address.port], stepTimeoutMs: 5000 });
      const [finding] = errors(report.ports[0] as PortReport);
      assert.match(finding?.message ?? '', /closed the connection without a greeting/);
      assert.equal(finding?.cause, 'no-greeting');
      assert.ok(Date.now() - started < 4000, 'the doctor waited for a greeting that could not come');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test('a 554 or 421 greeting: the refusal, and what to do about it', async () => {
    const blocked = await startRawServer((socket) =>
      socket.end('554 5.7.1 Service unavailable; Client host [127.0.0.1] blocked using zen.spamhaus.org\r\n'),
    );
    const busy = await startRawServer((socket) =>
      socket.end('421 4.3.2 Service not available, closing transmission channel\r\n'),
    );
    const refused = errors(await diagnoseGreeting(blocked))[0];
    assert.equal(refused?.cause, 'sender-rejected');
    assert.match(
      refused?.message ?? '',
      /refused the session in its greeting: 554 5\.7\.1 .*\. .*blocklist.*submission server/,
    );
    const later = errors(await diagnoseGreeting(busy))[0];
    assert.equal(later?.cause, 'temporary-failure');
    assert.match(later?.message ?? '', /greeting: 421 4\.3\.2 .*\. Retry later/);
  });

  test('a positive greeting other than 220: the server breaking SMTP, not refusing the session', async () => {
    const server = await startRawServer((socket) => socket.write('250 mx.broken.test ready\r\n'));
    const [finding, ...others] = errors(await diagnoseGreeting(server));
    assert.deepEqual(others, []);
    assert.equal(finding?.cause, 'server-protocol-error');
    assert.match(
      finding?.message ?? '',
      /greets with "250 mx\.broken\.test ready" instead of 220 \(RFC 5321 §4\.3\.2/,
    );
    assert.doesNotMatch(finding?.message ?? '', /refused the session/);
  });

  test('a multi-line greeting is shown as one reply', async () => {
    const server = await startScriptedServer(() => false, '220-multi.test ESMTP\r\n220 ready');
    servers.push(server);
    const report = await runDoctor({ host: '127.0.0.1', ports: [server.port], stepTimeoutMs: 2000 });
    assert.equal(report.ports[0]?.banner, '220 multi.test ESMTP');
  });

  test('an old server that does not know EHLO (500) is spoken to with HELO', async () => {
    const { port } = await diagnose((line, socket) => {
      if (/^EHLO/i.test(line)) socket.write('500 5.5.1 Command unrecognized\r\n');
      else if (/^HELO/i.test(line)) socket.write('250 old.test\r\n');
      else return false;
      return true;
    });
    assert.equal(port.service, 'smtp');
    assert.deepEqual(port.ehloBeforeTls?.extensions, []);
    const finding = port.findings.find((entry) => entry.cause === 'starttls-not-offered');
    // Why there is no STARTTLS (nor AUTH): the server does not speak ESMTP at all.
    assert.match(finding?.message ?? '', /refused EHLO \(500 5\.5\.1 Command unrecognized\)/);
    assert.match(finding?.message ?? '', /neither STARTTLS nor AUTH/);
  });

  test('220 to STARTTLS, then a hang-up: the server broke the handshake, not a wrong TLS mode', async () => {
    const { port } = await diagnose((line, socket) => {
      if (/^EHLO/i.test(line)) socket.write(EHLO_WITH_STARTTLS);
      else if (/^STARTTLS/i.test(line)) socket.end('220 go\r\n');
      else return false;
      return true;
    });
    const [finding] = errors(port);
    assert.match(finding?.message ?? '', /answered 220 to STARTTLS but then closed the connection/);
    assert.equal(finding?.cause, 'starttls-not-offered');
  });

  test('a multi-line EHLO reply left unfinished is said so, not blamed on a firewall', async () => {
    const { port, server } = await diagnose((line, socket) => {
      if (!/^EHLO/i.test(line)) return false;
      socket.write('250-mail.test\r\n250-STARTTLS\r\n');
      return true;
    }, 1000);
    const [finding] = errors(port);
    assert.match(finding?.message ?? '', /left its reply to EHLO unfinished/);
    assert.match(finding?.message ?? '', /250-STARTTLS/);
    assert.notEqual(finding?.cause, 'connection-timeout');
    await connectionsCloseSoon(server);
  });

  test('a hang-up in the middle of the EHLO reply: cut off mid-reply, not a refusal of the EHLO name', async () => {
    const { port, server } = await diagnose((line, socket) => {
      if (!/^EHLO/i.test(line)) return false;
      socket.end('250-mail.test\r\n250-PIPELINING\r\n250-SI');
      return true;
    });
    const [finding] = errors(port);
    assert.match(
      finding?.message ?? '',
      /in the middle of its reply to EHLO: it sent "250-mail\.test", "250-PIPELINING"/,
    );
    assert.doesNotMatch(finding?.message ?? '', /after its reply to EHLO|name they give in EHLO/);
    assert.equal(finding?.cause, 'connection-closed');
    await connectionsCloseSoon(server);
  });

  test('lines after the final line of the EHLO reply: a malformed reply, not "STARTTLS not offered"', async () => {
    const commands: string[] = [];
    const { port, server } = await diagnose((line, socket) => {
      commands.push(line.split(' ')[0] ?? '');
      if (!/^EHLO/i.test(line)) return false;
      socket.write('250-mail.test\r\n250 PIPELINING\r\n250-STARTTLS\r\n250 8BITMIME\r\n');
      return true;
    });
    const [finding] = errors(port);
    assert.match(finding?.message ?? '', /reply to EHLO ended at "250 PIPELINING".*"250-STARTTLS"/);
    assert.equal(finding?.cause, 'server-protocol-error');
    assert.ok(!port.findings.some((entry) => /STARTTLS is not offered/.test(entry.message)));
    assert.equal(port.usable, false);
    // The leftover lines were not taken for the replies to a MAIL/RCPT probe.
    assert.ok(!commands.includes('MAIL'), `commands sent: ${commands.join(', ')}`);
    await connectionsCloseSoon(server);
  });

  test('two replies to one MAIL: the shift is reported, not read as the answer to RCPT', async () => {
    const { port } = await diagnose((line, socket) => {
      if (!/^MAIL/i.test(line)) return false;
      socket.write('250 2.1.0 Ok\r\n250 2.1.0 Ok\r\n');
      return true;
    });
    const finding = errors(port).find((entry) => entry.cause === 'server-protocol-error');
    assert.match(finding?.message ?? '', /reply to MAIL FROM:<> ended at "250 2\.1\.0 Ok".*"250 2\.1\.0 Ok"/);
    assert.equal(port.authRequired, null, 'nothing is concluded from out-of-step replies');
  });

  test('MAIL answered 354: the server is out of step, and nothing is concluded about AUTH', async () => {
    const { port } = await diagnose((line, socket) => {
      if (!/^MAIL/i.test(line)) return false;
      socket.write('354 Start mail input\r\n');
      return true;
    });
    const finding = errors(port).find((entry) => entry.cause === 'server-protocol-error');
    assert.match(finding?.message ?? '', /answered MAIL FROM with 354, which is no answer to MAIL FROM/);
    assert.equal(port.authRequired, null);
  });

  test("a Cisco firewall's SMTP inspection hiding STARTTLS is named, with the setting to change", async () => {
    const server = await startScriptedServer((line, socket) => {
      if (!/^EHLO/i.test(line)) return false;
      socket.write('250-mail.example.com Hello\r\n250-SIZE 37748736\r\n250-XXXXXXXA\r\n250 8BITMIME\r\n');
      return true;
    }, '220 ****************************************0**0***********2002*******2***0*00');
    servers.push(server);
    const report = await runDoctor({ host: '127.0.0.1', ports: [server.port], stepTimeoutMs: 2000 });
    const finding = report.ports[0]?.findings.find((entry) => entry.cause === 'starttls-not-offered');
    assert.match(
      finding?.message ?? '',
      /greeting masked with asterisks, EHLO keywords turned into XXXXXXXA/,
    );
    assert.match(finding?.message ?? '', /no inspect esmtp/);
  });

  test('a greeting without a line end: said so, within the step timeout', async () => {
    const server = await startRawServer((socket) => socket.write('220 mail.test ESMTP'));
    const port = await diagnoseGreeting(server);
    assert.equal(port.service, 'smtp');
    const [finding] = errors(port);
    assert.match(finding?.message ?? '', /never ended the line.*"220 mail\.test ESMTP"/);
    assert.doesNotMatch(finding?.message ?? '', /not SMTP|answers with an SMTP server/);
  });

  test('a tarpit dripping one byte a second: the greeting line never ends', async () => {
    const server = await startRawServer((socket) => {
      socket.write('220 ');
      drip(socket, 'x', 200);
    });
    const [finding] = errors(await diagnoseGreeting(server));
    assert.match(finding?.message ?? '', /never ended the line.*"220 x+"/);
  });

  test('a tarpit sending continuation lines: the multi-line greeting never finishes', async () => {
    const server = await startRawServer((socket) => {
      socket.write('220-still here\r\n');
      drip(socket, '220-still here\r\n', 200);
    });
    const [finding] = errors(await diagnoseGreeting(server));
    assert.match(finding?.message ?? '', /multi-line greeting.*"220-still here".*never the final line/);
  });

  test('a greeting line over 64 KiB: the reason is shown, the server is not called "not SMTP"', async () => {
    const server = await startRawServer((socket) => socket.write(`220 ${'x'.repeat(200_000)}\r\n`));
    const port = await diagnoseGreeting(server);
    assert.equal(port.service, 'smtp');
    const [finding] = errors(port);
    assert.match(finding?.message ?? '', /breaks SMTP: a reply line is longer than 64 KiB/);
    assert.doesNotMatch(finding?.message ?? '', /answers with an SMTP server/);
  });

  test('a greeting slower than the timeout: a slow greeting, and a longer --timeout to try', async () => {
    const server = await startRawServer((socket) => {
      const timer = setTimeout(() => socket.write('220 slow.test ESMTP\r\n'), 1500);
      socket.on('close', () => clearTimeout(timer));
    });
    const [finding] = errors(await diagnoseGreeting(server));
    assert.match(finding?.message ?? '', /slow to greet/);
    assert.match(finding?.message ?? '', /--timeout 30/);
  });

  test('a TLS proxy whose SMTP service is down: TLS worked, the service behind it did not', async () => {
    const fixtures = await createTlsFixtures();
    const caDir = await mkdtemp(join(tmpdir(), 'mailport-doctor-front-'));
    const caFile = join(caDir, 'ca.pem');
    await writeFile(caFile, fixtures.ca.certPem);
    const fronts = {
      'hang-up': await startTlsFrontWithoutBackend(fixtures.valid, 'hang-up'),
      silence: await startTlsFrontWithoutBackend(fixtures.valid, 'silence'),
    };
    try {
      const findings = await Promise.all(
        Object.values(fronts).map(async (front) => {
          const report = await runDoctor({
            host: '127.0.0.1',
            ports: [front.port],
            stepTimeoutMs: 1000,
            caFile,
          });
          const port = report.ports[0] as PortReport;
          assert.equal(port.reachability, 'no-greeting');
          const [finding] = errors(port);
          assert.equal(finding?.cause, 'no-greeting');
          return finding?.message ?? '';
        }),
      );
      const [hungUp, silent] = findings;
      assert.match(
        hungUp ?? '',
        /TLS handshake succeeded \(implicit TLS is the right mode here\), then the server hung up/,
      );
      assert.match(hungUp ?? '', /TLS proxy/);
      assert.doesNotMatch(hungUp ?? '', /--timeout/);
      assert.match(silent ?? '', /no SMTP greeting followed within 1 s/);
      assert.match(silent ?? '', /--timeout 30/);
    } finally {
      await Promise.all([
        ...Object.values(fronts).map((front) => front.close()),
        rm(caDir, { recursive: true, force: true }),
      ]);
    }
  });
});
