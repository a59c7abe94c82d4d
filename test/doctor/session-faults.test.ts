/**
 * `mailport doctor` against servers that break a session already under way, each a small raw
 * server on loopback that can do STARTTLS with a real certificate: a second greeting or silence
 * after STARTTLS, AUTH offered only before STARTTLS, AUTH accepted and then MAIL refused with 530,
 * a server that judges the EHLO name, a limit of one connection at a time, a server that demands
 * a client certificate, a greeting ended with a bare CR. Each finding must blame the right party
 * and say what to do; the verdict must not recommend a port no client can send through.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { createSecureContext, type SecureContext, TLSSocket } from 'node:tls';
import { type DoctorOptions, type PortReport, runDoctor } from '../../src/doctor/index.js';
import { explainText } from '../../src/explain/index.js';
import { createTlsFixtures } from '../smtp-client/test-servers.js';

const credentials = { user: 'alice@example.com', pass: 'correct-horse' };
let context: SecureContext;
let tempDir: string;
let caFile: string;
const servers: Server[] = [];
const sockets = new Set<Socket>();

/** Keeps the connection to close it after the tests, whatever state the broken server left it in. */
function track(socket: Socket): void {
  sockets.add(socket);
  socket.on('error', () => {});
  socket.on('close', () => sockets.delete(socket));
}

before(async () => {
  const fixtures = await createTlsFixtures();
  context = createSecureContext({ cert: fixtures.valid.certPem, key: fixtures.valid.keyPem });
  tempDir = await mkdtemp(join(tmpdir(), 'mailport-session-faults-'));
  caFile = join(tempDir, 'ca.pem');
  await writeFile(caFile, fixtures.ca.certPem);
});

after(async () => {
  for (const socket of sockets) socket.destroy();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  await rm(tempDir, { recursive: true, force: true });
});

/** One connection as the script sees it: write a reply, switch to TLS, and whether it is encrypted. */
interface Session {
  write(text: string): void;
  /** Starts TLS on this connection (after the script's 220); `secured` runs once it is up. */
  startTls(secured?: (session: Session) => void): void;
  readonly secure: boolean;
  readonly socket: Socket;
}

/**
 * A server that greets with `greeting` and hands each command line to `answer`; QUIT is answered
 * for it. `answer` writes whatever its broken server does.
 */
async function startServer(
  answer: (line: string, session: Session) => void,
  greeting: (socket: Socket) => void = (socket) => socket.write('220 broken.test ESMTP\r\n'),
): Promise<number> {
  const server = createServer((raw) => {
    track(raw);
    greeting(raw);
    serve(raw, false);
  });
  function serve(socket: Socket, secure: boolean): void {
    const lines = createInterface({ input: socket, crlfDelay: Number.POSITIVE_INFINITY });
    lines.on('error', () => socket.destroy());
    const session: Session = {
      write: (text) => socket.write(text),
      secure,
      socket,
      startTls(secured) {
        lines.close();
        socket.removeAllListeners('data');
        const tls = new TLSSocket(socket, { isServer: true, secureContext: context });
        tls.on('error', () => socket.destroy());
        tls.once('secure', () => {
          serve(tls, true);
          secured?.({ ...session, secure: true, socket: tls, write: (text) => tls.write(text) });
        });
      },
    };
    lines.on('line', (line) => {
      if (socket.destroyed) return;
      if (/^QUIT/i.test(line)) socket.end('221 bye\r\n');
      else answer(line, session);
    });
  }
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert.ok(address && typeof address === 'object');
  return address.port;
}

/**
 * A 587-style server: STARTTLS, then AUTH PLAIN taking any password, MAIL refused with 530 until
 * AUTH. `override` answers first; returning true means it handled the line.
 */
function submission(override: (line: string, session: Session) => boolean = () => false) {
  const authenticated = new WeakSet<Socket>();
  return (line: string, session: Session): void => {
    if (override(line, session)) return;
    if (/^EHLO/i.test(line)) {
      session.write(
        session.secure ? '250-broken.test\r\n250 AUTH PLAIN\r\n' : '250-broken.test\r\n250 STARTTLS\r\n',
      );
    } else if (/^STARTTLS/i.test(line)) {
      session.write('220 2.0.0 go ahead\r\n');
      session.startTls();
    } else if (/^AUTH PLAIN/i.test(line) && session.secure) {
      authenticated.add(session.socket);
      session.write('235 2.7.0 Authentication successful\r\n');
    } else if (/^MAIL/i.test(line) && !authenticated.has(session.socket)) {
      session.write('530 5.7.0 Authentication required\r\n');
    } else {
      session.write('250 2.0.0 ok\r\n');
    }
  };
}

async function diagnose(port: number, options: Partial<DoctorOptions> = {}) {
  const report = await runDoctor({
    host: '127.0.0.1',
    servername: 'localhost',
    caFile,
    ports: [port],
    stepTimeoutMs: 1500,
    ...options,
  });
  const [found] = report.ports;
  assert.ok(found);
  return { report, port: found };
}

function errors(port: PortReport): { message: string; cause?: string }[] {
  return port.findings.filter((finding) => finding.level === 'error');
}

describe('doctor on sessions that break after they start', () => {
  test('a second 220 greeting after STARTTLS: named, blamed on the server, not an unknown EHLO refusal', async () => {
    const port = await startServer(
      submission((line, session) => {
        if (!/^STARTTLS/i.test(line)) return false;
        session.write('220 2.0.0 go ahead\r\n');
        session.startTls((secured) => secured.write('220 broken.test ESMTP again\r\n'));
        return true;
      }),
    );
    const { report, port: found } = await diagnose(port);
    const [finding] = errors(found);
    assert.match(finding?.message ?? '', /After STARTTLS the server greeted a second time .*RFC 3207 §4\.2/);
    assert.equal(finding?.cause, 'server-protocol-error');
    assert.equal(report.recommendation, null);
  });

  test('silence after the STARTTLS handshake: the server, not a firewall, and no wait beyond one step', async () => {
    const port = await startServer(
      // Inside TLS the server reads and never answers.
      submission((_line, session) => session.secure),
    );
    const started = Date.now();
    const { port: found } = await diagnose(port);
    assert.ok(Date.now() - started < 3000);
    const [finding] = errors(found);
    assert.match(
      finding?.message ?? '',
      /TLS handshake after STARTTLS succeeded, but the server then answered nothing to EHLO/,
    );
    assert.doesNotMatch(finding?.message ?? '', /firewall egress|security groups/);
    assert.equal(finding?.cause, 'starttls-not-offered');
  });

  test('a hang-up at the EHLO after the STARTTLS handshake: the TLS layer, not the EHLO name', async () => {
    const port = await startServer(
      submission((_line, session) => {
        if (!session.secure) return false;
        session.socket.end();
        return true;
      }),
    );
    const [finding] = errors((await diagnose(port)).port);
    assert.match(
      finding?.message ?? '',
      /TLS handshake after STARTTLS succeeded, but the server then hung up on EHLO without a reply/,
    );
    assert.doesNotMatch(finding?.message ?? '', /--ehlo-name/);
    assert.equal(finding?.cause, 'starttls-not-offered');
  });

  test('a server that stops answering in plaintext mid-session is not sent to check its firewall', async () => {
    const port = await startServer((line, session) => {
      if (/^EHLO/i.test(line)) session.write('250-broken.test\r\n250 SIZE 1000\r\n');
      // MAIL and everything after it: never answered.
    });
    const { port: found } = await diagnose(port, { stepTimeoutMs: 1000 });
    const finding = errors(found).find((entry) => /stopped answering/.test(entry.message));
    assert.match(finding?.message ?? '', /stopped answering: no reply to MAIL within 1 s.*not a firewall/);
    assert.notEqual(finding?.cause, 'connection-timeout');
  });

  test('AUTH offered only before STARTTLS: said so, not "no AUTH even over TLS"', async () => {
    const port = await startServer(
      submission((line, session) => {
        if (!/^EHLO/i.test(line)) return false;
        session.write(
          session.secure
            ? '250-broken.test\r\n250 SIZE 1000\r\n'
            : '250-broken.test\r\n250-AUTH PLAIN LOGIN\r\n250 STARTTLS\r\n',
        );
        return true;
      }),
    );
    const { port: found } = await diagnose(port, { credentials });
    const finding = errors(found).find((entry) => entry.cause === 'auth-mechanism-unsupported');
    assert.match(
      finding?.message ?? '',
      /offers AUTH \(PLAIN LOGIN\) only before STARTTLS, not in its EHLO reply after it/,
    );
    assert.doesNotMatch(finding?.message ?? '', /even over TLS/);
    assert.equal(found.usable, false);
  });

  test('only password-less AUTH (XOAUTH2, NTLM): a password cannot log in, and what each one needs', async () => {
    const port = await startServer(
      submission((line, session) => {
        if (!/^EHLO/i.test(line) || !session.secure) return false;
        session.write('250-broken.test\r\n250 AUTH XOAUTH2 NTLM\r\n');
        return true;
      }),
    );
    const anonymous = await diagnose(port);
    const warning = anonymous.port.findings.find((entry) => entry.cause === 'auth-mechanism-unsupported');
    assert.equal(warning?.level, 'warning');
    assert.match(
      warning?.message ?? '',
      /only AUTH XOAUTH2 NTLM, no password mechanism .*OAuth2 access token.*Windows-domain/,
    );

    const withPassword = await diagnose(port, { credentials });
    const [finding] = errors(withPassword.port);
    assert.equal(finding?.cause, 'auth-mechanism-unsupported');
    assert.doesNotMatch(finding?.message ?? '', /Use a mechanism listed after/);
    assert.equal(withPassword.port.authOk, false);
    assert.equal(withPassword.report.recommendation, null);
  });

  test('AUTH accepted, then 530 to MAIL: the port is not recommended, and the login is not blamed', async () => {
    const port = await startServer(
      submission((line, session) => {
        if (!/^MAIL/i.test(line)) return false;
        session.write('530 5.7.0 Authentication required\r\n');
        return true;
      }),
    );
    const { report, port: found } = await diagnose(port, { credentials });
    assert.equal(found.authOk, true);
    const [finding] = errors(found);
    assert.match(
      finding?.message ?? '',
      /accepted AUTH as alice@example\.com, yet answered MAIL FROM:<alice@example\.com> with 530/,
    );
    assert.equal(found.usable, false);
    assert.equal(report.recommendation, null);

    const sent = await diagnose(port, { credentials, sendTo: 'bob@example.org' });
    const [refusal] = errors(sent.port);
    assert.match(refusal?.message ?? '', /yet answered MAIL FROM/);
    assert.doesNotMatch(refusal?.message ?? '', /Configure a username and password/);
  });

  test('AUTH answered 334 to every response: the exchange never ends, the password is not blamed', async () => {
    const port = await startServer(
      submission((line, session) => {
        if (!session.secure || /^(EHLO|MAIL|RCPT|DATA|RSET)/i.test(line)) return false;
        // AUTH PLAIN, then the same response again on its own line: a challenge each time.
        session.write('334 \r\n');
        return true;
      }),
    );
    const { port: found } = await diagnose(port, { credentials });
    const [finding] = errors(found);
    assert.match(finding?.message ?? '', /asked for more \(334\)/);
    assert.notEqual(finding?.cause, 'auth-failed');
    assert.equal(found.usable, false);
  });

  test('235 to AUTH LOGIN before the password is asked: a warning, the password was never checked', async () => {
    const port = await startServer(
      submission((line, session) => {
        if (!session.secure) return false;
        if (/^EHLO/i.test(line)) session.write('250-broken.test\r\n250 AUTH LOGIN\r\n');
        else if (/^AUTH LOGIN/i.test(line)) session.write('334 VXNlcm5hbWU6\r\n');
        // The username (base64) is all it wants.
        else if (/^[A-Za-z0-9+/]+=*$/.test(line)) session.write('235 2.7.0 Authentication successful\r\n');
        else return false;
        return true;
      }),
    );
    const { port: found } = await diagnose(port, { credentials });
    const warning = found.findings.find((finding) => finding.level === 'warning');
    assert.match(
      warning?.message ?? '',
      /accepted AUTH LOGIN as alice@example\.com after the username alone/,
    );
    assert.match(warning?.message ?? '', /never sent one/);
  });

  test('a sender the account does not own, at MAIL after AUTH: refused, with the own-address fix', async () => {
    const port = await startServer(
      submission((line, session) => {
        if (!/^MAIL/i.test(line) || !session.secure) return false;
        session.write('550 5.7.1 <alice@example.com>: Sender address rejected: not owned by user alice\r\n');
        return true;
      }),
    );
    const { port: found } = await diagnose(port, { credentials });
    const [finding] = errors(found);
    assert.match(finding?.message ?? '', /After AUTH as alice@example\.com, the server refuses the sender/);
    assert.equal(finding?.cause, 'sender-rejected');
    assert.equal(found.usable, false);
  });
});

describe("doctor on servers that judge the client's EHLO name", () => {
  /** Refuses every EHLO/HELO name but `app01.example.com`, as reject_unknown_helo_hostname does. */
  const judgesName = submission((line, session) => {
    const name = /^(?:EHLO|HELO) (\S+)/i.exec(line)?.[1];
    if (name === undefined || name === 'app01.example.com') return false;
    session.write(`504 5.5.2 <${name}>: Helo command rejected: need fully-qualified hostname\r\n`);
    return true;
  });

  test('a refused EHLO name: the name used is said, with where to set it; not an IP blocklist', async () => {
    const port = await startServer(judgesName);
    const { port: found } = await diagnose(port);
    const [finding] = errors(found);
    assert.match(finding?.message ?? '', /refuses the name Mailport gave in EHLO: 504 5\.5\.2/);
    assert.match(finding?.message ?? '', /"EHLO mailport-doctor\.invalid"/);
    assert.match(finding?.message ?? '', /nodemailer `name`.*--ehlo-name/);
    assert.doesNotMatch(finding?.message ?? '', /blocklist/);
    assert.equal(finding?.cause, 'sender-rejected');

    const named = await diagnose(port, { ehloName: 'app01.example.com', credentials });
    assert.equal(named.port.authOk, true);
    assert.deepEqual(errors(named.port), []);
    assert.equal(named.report.recommendation?.port, port);
  });

  test('a proxy that hangs up on "EHLO localhost": the hang-up names the EHLO name as a suspect', async () => {
    const port = await startServer(
      submission((line, session) => {
        if (!/^EHLO localhost$/i.test(line)) return false;
        session.socket.destroy();
        return true;
      }),
    );
    const { port: found } = await diagnose(port, { ehloName: 'localhost' });
    const [finding] = errors(found);
    assert.match(finding?.message ?? '', /closed the connection after EHLO/);
    assert.match(finding?.message ?? '', /"EHLO localhost"/);
    assert.equal(finding?.cause, 'connection-closed');
  });

  test('explain gives the EHLO-name fix for a HELO refusal, not the blocklist one', () => {
    for (const reply of [
      '504 5.5.2 <localhost>: Helo command rejected: need fully-qualified hostname',
      '501 5.5.2 Invalid HELO name (See RFC2821 4.1.1.1)',
    ]) {
      const answer = explainText(reply);
      assert.equal(answer.cause, 'sender-rejected');
      assert.match(answer.fix, /EHLO\/HELO/);
      assert.doesNotMatch(answer.fix, /delisting/);
    }
  });
});

describe('doctor on connection-level limits', () => {
  test("a limit of one connection at a time: the doctor's own second connection is not the verdict", async () => {
    let open = 0;
    const answer = submission();
    const port = await startServer(answer, (socket) => {
      if (open >= 1) {
        socket.end('421 4.7.0 broken.test Error: too many connections from 127.0.0.1\r\n');
        return;
      }
      open += 1;
      socket.on('close', () => {
        open -= 1;
      });
      socket.write('220 broken.test ESMTP\r\n');
    });
    const { report, port: found } = await diagnose(port, { credentials });
    assert.equal(found.tls, 'starttls');
    assert.equal(found.authOk, true);
    const warning = found.findings.find((finding) => finding.cause === 'rate-limited');
    assert.equal(warning?.level, 'warning');
    assert.match(warning?.message ?? '', /refused a second connection .*one connection alone works/);
    assert.equal(report.recommendation?.port, port);
  });

  test('a port that demands a client certificate: said so, with where clients set one', async () => {
    const server = createServer((raw) => {
      track(raw);
      const tls = new TLSSocket(raw, {
        isServer: true,
        secureContext: context,
        requestCert: true,
        rejectUnauthorized: true,
      });
      tls.on('error', () => raw.destroy());
      tls.once('secure', () => tls.write('220 broken.test ESMTP\r\n'));
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    assert.ok(address && typeof address === 'object');
    const { port: found } = await diagnose(address.port);
    const [finding] = errors(found);
    assert.match(finding?.message ?? '', /demands a client certificate .*nodemailer `tls: \{ cert, key \}`/);
    assert.doesNotMatch(finding?.message ?? '', /its TLS set-up is at fault/);
    assert.equal(finding?.cause, 'client-certificate-required');
  });

  test('a client certificate demanded after STARTTLS (TLS 1.3: the alert comes at EHLO): the same finding', async () => {
    const port = await startServer((line, session) => {
      if (/^EHLO/i.test(line)) session.write('250-broken.test\r\n250 STARTTLS\r\n');
      else if (/^STARTTLS/i.test(line)) {
        session.write('220 2.0.0 go ahead\r\n');
        session.socket.removeAllListeners('data');
        const tls = new TLSSocket(session.socket, {
          isServer: true,
          secureContext: context,
          requestCert: true,
          rejectUnauthorized: true,
        });
        tls.on('error', () => session.socket.destroy());
      }
    });
    const { port: found } = await diagnose(port);
    const [finding] = errors(found);
    assert.match(finding?.message ?? '', /seemed complete, but then the server demands a client certificate/);
    assert.doesNotMatch(finding?.message ?? '', /SSL routines/);
    assert.equal(finding?.cause, 'client-certificate-required');
  });

  test('a greeting ended with a bare CR: the missing LF is named', async () => {
    const port = await startServer(
      () => {},
      (socket) => socket.write('220 broken.test ESMTP\r'),
    );
    const { port: found } = await diagnose(port, { stepTimeoutMs: 1000 });
    const [finding] = errors(found);
    assert.match(
      finding?.message ?? '',
      /ended the line "220 broken\.test ESMTP" with a bare CR, without the LF/,
    );
  });
});
