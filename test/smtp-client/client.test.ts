import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { OutOfStepError, SmtpClient, SmtpClientError } from '../../src/smtp-client/index.js';
import {
  closedPort,
  createTlsFixtures,
  startBannerServer,
  startBlackholePort,
  startScriptedServer,
  startSilentServer,
  startTestSmtpServer,
  type TlsFixtures,
} from './test-servers.js';

const credentials = { user: 'alice', pass: 's3cret-Passw0rd' };
let fixtures: TlsFixtures;

before(async () => {
  fixtures = await createTlsFixtures();
});

async function expectClientError(promise: Promise<unknown>): Promise<SmtpClientError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof SmtpClientError, `expected SmtpClientError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the client to fail');
}

test('AUTH PLAIN to a server that ignores the initial response: the response again, on its own line', async () => {
  const token = Buffer.from(`\0${credentials.user}\0${credentials.pass}`).toString('base64');
  const received: string[] = [];
  const server = await startScriptedServer((line, socket) => {
    received.push(line);
    if (/^EHLO/i.test(line)) socket.write('250-broken.test\r\n250 AUTH PLAIN\r\n');
    else if (/^AUTH PLAIN/i.test(line)) socket.write('334 \r\n');
    else if (line === token) socket.write('235 2.7.0 ok\r\n');
    else return false;
    return true;
  });
  try {
    const client = await SmtpClient.connect({ host: '127.0.0.1', port: server.port, implicitTls: false });
    await client.ehlo();
    assert.equal(await client.authenticate(credentials), 'PLAIN');
    await client.quit();
    assert.equal(received.at(-2), token);
    assert.ok(!client.transcript.format().includes(token), 'the response is redacted both times');
  } finally {
    await server.close();
  }
});

test('a command after the server hung up: the server closed the connection, before which command', async () => {
  const server = await startScriptedServer((line, socket) => {
    if (!/^NOOP/i.test(line)) return false;
    socket.end('250 2.0.0 Ok\r\n');
    return true;
  });
  try {
    const client = await SmtpClient.connect({ host: '127.0.0.1', port: server.port, implicitTls: false });
    await client.ehlo();
    await client.command('NOOP', 'mail');
    // Let the server's FIN arrive.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const error = await expectClientError(client.mailFrom('a@example.com'));
    assert.equal(error.code, 'ECONNRESET');
    assert.match(
      error.message,
      /127\.0\.0\.1:\d+ closed the connection unexpectedly, before Mailport could send MAIL/,
    );
  } finally {
    await server.close();
  }
});

test('a refused MAIL FROM says what was refused: the sender, the size (552), or the whole session (421)', async () => {
  const replies: Record<string, string> = {
    'size@example.com': '552 5.3.4 Message size exceeds fixed limit',
    'busy@example.com': '421 4.7.0 Too many errors, closing transmission channel',
    'spoof@example.com': '553 5.7.1 Sender address rejected: not owned by user',
  };
  const server = await startScriptedServer((line, socket) => {
    const sender = /^MAIL FROM:<([^>]*)>/i.exec(line)?.[1];
    if (sender === undefined) return false;
    socket.write(`${replies[sender]}\r\n`);
    return true;
  });
  try {
    const refusal = async (sender: string): Promise<string> => {
      const client = await SmtpClient.connect({ host: '127.0.0.1', port: server.port, implicitTls: false });
      await client.ehlo();
      const error = await expectClientError(client.mailFrom(sender));
      client.close();
      assert.equal(error.phase, 'mail');
      return error.message;
    };
    assert.match(
      await refusal('size@example.com'),
      /^The server refused the message size at MAIL FROM: 552 /,
    );
    assert.match(await refusal('busy@example.com'), /^The server closed the session at MAIL FROM: 421 /);
    assert.match(await refusal('spoof@example.com'), /^The server refused the sender: 553 /);
  } finally {
    await server.close();
  }
});

test('EHLO and HELO both refused: the error holds both replies', async () => {
  const server = await startScriptedServer((line, socket) => {
    if (/^EHLO/i.test(line)) socket.write('500 5.5.1 Command unrecognized\r\n');
    else if (/^HELO/i.test(line)) socket.write('554 5.7.1 Access denied\r\n');
    else return false;
    return true;
  });
  try {
    const client = await SmtpClient.connect({ host: '127.0.0.1', port: server.port, implicitTls: false });
    const error = await expectClientError(client.ehlo());
    client.close();
    assert.equal(error.phase, 'ehlo');
    assert.match(
      error.message,
      /refused EHLO \(500 5\.5\.1 Command unrecognized\) and HELO: 554 5\.7\.1 Access denied/,
    );
    assert.equal(error.reply?.code, 554);
  } finally {
    await server.close();
  }
});

describe('SmtpClient against a server that offers only AUTH CRAM-MD5 (RFC 2195)', () => {
  let server: Awaited<ReturnType<typeof startTestSmtpServer>>;
  before(async () => {
    server = await startTestSmtpServer({
      tls: 'implicit',
      certificate: fixtures.valid,
      authRequired: true,
      credentials,
      authMechanisms: ['CRAM-MD5'],
    });
  });
  after(() => server.close());

  async function connected(): Promise<SmtpClient> {
    const client = await SmtpClient.connect({
      host: 'localhost',
      port: server.port,
      implicitTls: true,
      tls: { ca: [fixtures.ca.certPem] },
    });
    await client.ehlo();
    return client;
  }

  test('answers the challenge with the keyed digest, and the transcript holds neither password nor digest', async () => {
    const client = await connected();
    assert.equal(await client.authenticate(credentials), 'CRAM-MD5');
    await client.mailFrom('alice@example.com');
    await client.quit();
    const clientLines = client.transcript.entries
      .filter((entry) => entry.dir === 'C')
      .map((entry) => entry.text);
    assert.deepEqual(clientLines.slice(1, 3), ['AUTH CRAM-MD5', '[redacted]']);
    assert.ok(!client.transcript.format().includes(credentials.pass));
  });

  test('a wrong password is EAUTH with the 535 reply', async () => {
    const client = await connected();
    const error = await expectClientError(client.authenticate({ user: credentials.user, pass: 'wrong' }));
    client.close();
    assert.equal(error.code, 'EAUTH');
    assert.equal(error.reply?.code, 535);
  });
});

describe('SmtpClient against a STARTTLS submission server', () => {
  let server: Awaited<ReturnType<typeof startTestSmtpServer>>;
  before(async () => {
    server = await startTestSmtpServer({
      tls: 'starttls',
      certificate: fixtures.valid,
      tlsRequired: true,
      authRequired: true,
      credentials,
    });
  });
  after(() => server.close());

  test('EHLO, STARTTLS, EHLO again, AUTH PLAIN, and a message with a dot-stuffed line', async () => {
    const client = await SmtpClient.connect({
      host: '127.0.0.1',
      port: server.port,
      implicitTls: false,
      tls: { ca: [fixtures.ca.certPem] },
    });
    assert.equal(client.greeting?.code, 220);
    const before = await client.ehlo();
    assert.equal(before.starttls, true);
    assert.deepEqual(before.authMechanisms, [], 'AUTH is hidden before TLS');
    const tls = await client.startTls();
    assert.equal(tls.chainTrusted, true);
    assert.equal(tls.hostnameError, null);
    assert.match(tls.protocol ?? '', /^TLSv1\.[23]$/);
    const after = await client.ehlo();
    assert.deepEqual(after.authMechanisms, ['PLAIN', 'LOGIN']);
    assert.equal(after.size, 10485760);
    assert.equal(await client.authenticate(credentials), 'PLAIN');
    await client.mailFrom('alice@example.com');
    await client.rcptTo('bob@example.com');
    const reply = await client.data('Subject: hi\r\n\r\n.leading dot\r\nbye\r\n');
    assert.equal(reply.enhanced, '2.0.0');
    await client.quit();
    assert.equal(server.messages[0]?.data, 'Subject: hi\r\n\r\n.leading dot\r\nbye');

    const transcript = client.transcript.format();
    assert.match(transcript, /C: AUTH PLAIN \[redacted\]/);
    assert.ok(!transcript.includes(credentials.pass), 'the password never enters the transcript');
    const plainToken = Buffer.from(`\0${credentials.user}\0${credentials.pass}`).toString('base64');
    assert.ok(!transcript.includes(plainToken), 'nor does its base64 form');
    assert.match(transcript, /C: \.\.leading dot|message data: \d+ bytes/);
  });

  test('AUTH LOGIN sends both steps redacted', async () => {
    const client = await SmtpClient.connect({
      host: 'localhost',
      port: server.port,
      implicitTls: false,
      tls: { ca: [fixtures.ca.certPem] },
    });
    await client.ehlo();
    await client.startTls();
    await client.ehlo();
    assert.equal(await client.authenticate(credentials, 'LOGIN'), 'LOGIN');
    await client.quit();
    const lines = client.transcript.entries.filter((entry) => entry.dir === 'C').map((entry) => entry.text);
    assert.deepEqual(lines.slice(-4), ['AUTH LOGIN', '[redacted]', '[redacted]', 'QUIT']);
  });

  test('MAIL before STARTTLS fails in phase mail with 530 5.7.0', async () => {
    const client = await SmtpClient.connect({ host: '127.0.0.1', port: server.port, implicitTls: false });
    await client.ehlo();
    const error = await expectClientError(client.mailFrom('alice@example.com'));
    client.close();
    assert.equal(error.code, 'EENVELOPE');
    assert.equal(error.phase, 'mail');
    assert.equal(error.reply?.code, 530);
    assert.equal(error.reply?.enhanced, '5.7.0');
  });

  test('a wrong password is EAUTH with the 535 5.7.8 reply', async () => {
    const client = await SmtpClient.connect({
      host: '127.0.0.1',
      port: server.port,
      implicitTls: false,
      tls: { ca: [fixtures.ca.certPem] },
    });
    await client.ehlo();
    await client.startTls();
    await client.ehlo();
    const error = await expectClientError(client.authenticate({ user: 'alice', pass: 'wrong' }));
    client.close();
    assert.equal(error.code, 'EAUTH');
    assert.equal(error.phase, 'auth');
    assert.equal(error.reply?.code, 535);
    assert.equal(error.reply?.enhanced, '5.7.8');
  });

  test('implicit TLS against this plaintext port fails the handshake (wrong version number)', async () => {
    const error = await expectClientError(
      SmtpClient.connect({ host: '127.0.0.1', port: server.port, implicitTls: true, stepTimeoutMs: 3000 }),
    );
    assert.equal(error.code, 'ETLS');
    assert.equal(error.phase, 'connect');
    assert.match(error.message, /wrong version number|packet length too long/);
  });
});

describe('SmtpClient with implicit TLS', () => {
  test('greets after the handshake and reports the certificate problem when not verifying', async () => {
    const server = await startTestSmtpServer({
      tls: 'implicit',
      certificate: fixtures.untrustedCa,
      credentials,
    });
    try {
      const strict = await expectClientError(
        SmtpClient.connect({
          host: '127.0.0.1',
          port: server.port,
          implicitTls: true,
          tls: { ca: [fixtures.ca.certPem] },
        }),
      );
      assert.equal(strict.code, 'ETLS');
      assert.match(strict.message, /unable to verify the first certificate|unable to get local issuer/);

      const lenient = await SmtpClient.connect({
        host: '127.0.0.1',
        port: server.port,
        implicitTls: true,
        tls: { verify: false },
      });
      assert.equal(lenient.tlsMode, 'implicit');
      assert.equal(lenient.tlsInfo?.chainTrusted, false);
      assert.match(
        lenient.tlsInfo?.chainError ?? '',
        /UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT/,
      );
      const capabilities = await lenient.ehlo();
      assert.deepEqual(capabilities.authMechanisms, ['PLAIN', 'LOGIN']);
      await lenient.quit();
    } finally {
      await server.close();
    }
  });

  test('--servername: the certificate is checked against the name asked for', async () => {
    const server = await startTestSmtpServer({ tls: 'implicit', certificate: fixtures.valid });
    try {
      const client = await SmtpClient.connect({
        host: '127.0.0.1',
        port: server.port,
        implicitTls: true,
        tls: { verify: false, servername: 'mail.example.org', ca: [fixtures.ca.certPem] },
      });
      assert.equal(client.tlsInfo?.chainTrusted, true);
      assert.equal(client.tlsInfo?.checkedName, 'mail.example.org');
      assert.match(client.tlsInfo?.hostnameError ?? '', /mail\.example\.org/);
      await client.quit();
    } finally {
      await server.close();
    }
  });
});

describe('reply lines nobody asked for: the next command never goes out', () => {
  /** Connects, lets `steps` run, and returns the error of the step that found the surplus. */
  async function outOfStep(
    answer: Parameters<typeof startScriptedServer>[0],
    steps: (client: SmtpClient) => Promise<unknown>,
    greeting?: string,
  ): Promise<{ error: OutOfStepError; received: string[] }> {
    const received: string[] = [];
    const server = await startScriptedServer((line, socket) => {
      received.push(line.split(/[ :]/)[0] ?? '');
      return answer(line, socket);
    }, greeting);
    try {
      const client = await SmtpClient.connect({ host: '127.0.0.1', port: server.port, implicitTls: false });
      // The surplus arrives with the reply it follows, or moments later.
      const error = await expectClientError(
        steps(client).then(() => new Promise((resolve) => setTimeout(resolve, 50)).then(() => client.rset())),
      );
      assert.ok(error instanceof OutOfStepError, `expected OutOfStepError, got ${error.message}`);
      assert.equal(error.code, 'EPROTOCOL');
      return { error, received };
    } finally {
      await server.close();
    }
  }

  test('after the EHLO reply: reported in phase ehlo with both lines, and RSET is not sent', async () => {
    const { error, received } = await outOfStep(
      (line, socket) => {
        if (!/^EHLO/i.test(line)) return false;
        socket.write('250 broken.test\r\n250 PIPELINING\r\n250 8BITMIME\r\n');
        return true;
      },
      (client) => client.ehlo(),
    );
    assert.equal(error.phase, 'ehlo');
    assert.deepEqual(error.surplus, {
      after: 'EHLO mailport.localhost',
      final: '250 broken.test',
      line: '250 PIPELINING',
    });
    assert.match(
      error.message,
      /^The server's reply to EHLO ended at "250 broken\.test" .*yet more lines followed: "250 PIPELINING"/,
    );
    assert.deepEqual(received, ['EHLO']);
  });

  test('after the greeting: a second 220 is no reply to EHLO', async () => {
    const { error, received } = await outOfStep(
      () => false,
      async () => undefined,
      '220 broken.test ESMTP\r\n220 broken.test ESMTP again',
    );
    assert.equal(error.phase, 'greeting');
    assert.match(
      error.message,
      /^The server's greeting ended at "220 broken\.test ESMTP" .*"220 broken\.test ESMTP again"/,
    );
    assert.deepEqual(received, []);
  });

  test('a surplus line not yet ended is reported as far as it came', async () => {
    const { error } = await outOfStep(
      (line, socket) => {
        if (!/^MAIL/i.test(line)) return false;
        socket.write('250 2.1.0 Ok\r\n250 2.1.5 O');
        return true;
      },
      async (client) => {
        await client.ehlo();
        await client.mailFrom('a@example.com');
      },
    );
    assert.equal(error.phase, 'mail');
    assert.match(
      error.message,
      /reply to MAIL FROM:<a@example\.com> ended at "250 2\.1\.0 Ok" .*yet more lines followed: "250 2\.1\.5 O"/,
    );
  });
});

describe('SmtpClient failures before SMTP starts', () => {
  test('a closed port is ECONNREFUSED in phase connect', async () => {
    const error = await expectClientError(
      SmtpClient.connect({ host: '127.0.0.1', port: await closedPort(), implicitTls: false }),
    );
    assert.equal(error.code, 'ECONNREFUSED');
    assert.equal(error.phase, 'connect');
  });

  test('a server that accepts but never greets is ETIMEDOUT in phase greeting', async () => {
    const server = await startSilentServer();
    try {
      const error = await expectClientError(
        SmtpClient.connect({ host: '127.0.0.1', port: server.port, implicitTls: false, stepTimeoutMs: 300 }),
      );
      assert.equal(error.code, 'ETIMEDOUT');
      assert.equal(error.phase, 'greeting');
    } finally {
      await server.close();
    }
  });

  test('a reply left unfinished is named as such, not as a server that stopped answering', async () => {
    const server = await startScriptedServer((line, socket) => {
      if (!/^EHLO/i.test(line)) return false;
      socket.write('250-broken.test\r\n250-PIPELINING\r\n250-SIZE 1000\r\n250-8BITMIME\r\n');
      return true;
    });
    try {
      const client = await SmtpClient.connect({
        host: '127.0.0.1',
        port: server.port,
        implicitTls: false,
        stepTimeoutMs: 300,
      });
      const error = await expectClientError(client.ehlo());
      assert.equal(error.code, 'ETIMEDOUT');
      assert.equal(error.phase, 'ehlo');
      assert.match(
        error.message,
        /left its reply to EHLO unfinished\. It sent "250-broken\.test", "250-PIPELINING", "250-SIZE 1000" and 1 more, each with a dash/,
      );
      assert.doesNotMatch(error.message, /stopped answering/);
    } finally {
      await server.close();
    }
  });

  test('a port that drops the TCP handshake is ETIMEDOUT in phase connect', async () => {
    const blackhole = await startBlackholePort();
    try {
      const error = await expectClientError(
        SmtpClient.connect({
          host: '127.0.0.1',
          port: blackhole.port,
          implicitTls: false,
          stepTimeoutMs: 400,
        }),
      );
      assert.equal(error.code, 'ETIMEDOUT');
      assert.equal(error.phase, 'connect');
    } finally {
      await blackhole.close();
    }
  });

  test('an IMAP banner is EPROTOCOL with the bytes received', async () => {
    const server = await startBannerServer('* OK [CAPABILITY IMAP4rev1] Dovecot ready.');
    try {
      const error = await expectClientError(
        SmtpClient.connect({ host: '127.0.0.1', port: server.port, implicitTls: false }),
      );
      assert.equal(error.code, 'EPROTOCOL');
      assert.equal(error.phase, 'greeting');
      assert.match(error.received?.toString() ?? '', /^\* OK \[CAPABILITY IMAP4rev1\]/);
    } finally {
      await server.close();
    }
  });
});
