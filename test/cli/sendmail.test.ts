/**
 * `mailport sendmail` end to end: the real executable fed by PHP's mail(), Ruby's mail gem and a
 * `sendmail` symlink, submitting to a real sandbox; its exit codes for the failures its callers
 * must tell apart.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, open, rm, symlink, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { SessionRecord } from '../../src/domain/types.js';
import { type Sandbox, startSandbox } from '../../src/testing/sandbox.js';
import { createCertificateAuthority } from '../../src/tls/certificates.js';
import { assertBuilt, BIN } from '../helpers/cli-process.js';
import { startTestSmtpServer } from '../smtp-client/test-servers.js';
import { runCli } from '../testing/fixtures/run-cli.js';

const run = promisify(execFile);

let sandbox: Sandbox;
let relay: string;
let scratch: string;

before(async () => {
  assertBuilt();
  sandbox = await startSandbox({ chaos: ['rcpt:550,match=*@gone.test', 'rcpt:451,match=*@busy.test'] });
  relay = `127.0.0.1:${sandbox.ports.relay}`;
  scratch = await mkdtemp(join(tmpdir(), 'mailport-sendmail-'));
});
after(async () => {
  await sandbox.stop();
  await rm(scratch, { recursive: true, force: true });
});

function sessionOf(messageId: string): Promise<SessionRecord> {
  return sandbox.client.waitForSession((session) => session.messageIds.includes(messageId), {
    timeout: 10_000,
  });
}

describe('mailport sendmail', () => {
  it("delivers PHP's mail() with -t -i: Bcc recipients get it, the Bcc header does not, nothing to fix", async () => {
    const sendmailPath = `${process.execPath} ${BIN} sendmail -t -i --smtp-addr ${relay}`;
    const php = `var_dump(mail("php@example.com", "Invoice 7", "Line one\\n.\\nafter a lone dot", "From: Shop <shop@php.test>\\r\\nBcc: audit@example.com"));`;
    const { stdout } = await run('php', ['-d', `sendmail_path=${sendmailPath}`, '-r', php]);
    assert.equal(stdout.trim(), 'bool(true)');

    const message = await sandbox.client.waitForMessage({ subject: 'Invoice 7' }, { timeout: 10_000 });
    assert.deepEqual(message.envelopeTo, ['php@example.com', 'audit@example.com']);
    const raw = (await sandbox.client.getRaw(message.id)).toString();
    assert.doesNotMatch(raw, /^Bcc:/im);
    assert.match(raw, /^Message-ID: <.+>\r$/m, 'a Message-ID was added, as a local MTA does');
    assert.match(raw, /\r\n\r\nLine one\r\n\.\r\nafter a lone dot\r\n$/, 'with -i a lone dot is text');
    const session = await sessionOf(message.id);
    assert.deepEqual(session.diagnostics, [], 'LF line endings from PHP went out as CRLF');
  });

  it("delivers Ruby's mail gem (delivery_method :sendmail), with its envelope sender", async () => {
    const script = `
      require "mail"
      m = Mail.new do
        from "Ruby App <ruby@ruby.test>"
        to "ruby@example.com"
        subject "Welcome from Ruby"
        body "hello"
      end
      m.delivery_method :sendmail, location: ARGV[0], arguments: "#{ARGV[1]} sendmail -i --smtp-addr #{ARGV[2]}"
      m.deliver!
    `;
    await run('ruby', ['-e', script, process.execPath, BIN, relay]);
    const message = await sandbox.client.waitForMessage(
      { subject: 'Welcome from Ruby' },
      { timeout: 10_000 },
    );
    assert.equal(message.envelopeFrom, 'ruby@ruby.test');
    assert.deepEqual(message.envelopeTo, ['ruby@example.com']);
  });

  it('runs as sendmail through a symlink of that name, reading MAILPORT_SMTP', async () => {
    const link = join(scratch, 'sendmail');
    await symlink(BIN, link);
    const child = execFile(link, ['-f', 'cron@host.test', 'ops@example.com'], {
      env: { ...process.env, MAILPORT_SMTP: relay },
    });
    child.stdin?.end('Subject: cron job output\n\nall good\n');
    const code = await new Promise((resolve) => child.once('close', resolve));
    assert.equal(code, 0);
    const message = await sandbox.client.waitForMessage({ subject: 'cron job output' }, { timeout: 10_000 });
    assert.equal(message.envelopeFrom, 'cron@host.test');
    assert.equal(
      message.headers.get('from'),
      'cron@host.test',
      'a From header was added from the envelope sender',
    );
  });

  it("delivers cron's mail to a bare user name (sendmail -FCronDaemon -i -B8BITMIME -oem root)", async () => {
    const output = 'From: root (Cron Daemon)\nTo: root\nSubject: Cron <root@host> backup.sh\n\ndone\n';
    const cron = await runCli(
      ['sendmail', '-FCronDaemon', '-i', '-B8BITMIME', '-oem', '-S', relay, 'root'],
      {},
      output,
    );
    assert.equal(cron.code, 0, cron.stderr);
    const message = await sandbox.client.waitForMessage(
      { subject: 'Cron <root@host> backup.sh' },
      { timeout: 10_000 },
    );
    assert.deepEqual(message.envelopeTo, [`root@${hostname()}`]);
  });

  it('accepts the sendmail options that change nothing here, -V included (not the version)', async () => {
    const ignored = '-V envid-7 -N never -R hdrs -L tag -h 5 -U -G'.split(' ');
    const result = await runCli(
      ['sendmail', ...ignored, 'dsn@example.com'],
      { MAILPORT_SMTP: relay },
      'To: dsn@example.com\nSubject: Sent with -V\n\nhello\n',
    );
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, '', 'no version number printed');
    const message = await sandbox.client.waitForMessage({ subject: 'Sent with -V' }, { timeout: 10_000 });
    assert.deepEqual(message.envelopeTo, ['dsn@example.com']);
  });

  it("relays the caller's own SMTP with -bs, as Laravel's and Symfony's sendmail transports speak it", async () => {
    // What Symfony Mailer's SendmailTransport does with its default command `sendmail -bs`.
    const php = `
      $p = proc_open($argv[1], [["pipe", "r"], ["pipe", "w"], STDERR], $pipes);
      $read = function () use ($pipes) { do { $line = fgets($pipes[1]); echo $line; } while ($line !== false && $line[3] === "-"); };
      $read();
      foreach (["HELO app.test", "MAIL FROM:<laravel@app.test>", "RCPT TO:<bs@example.com>", "DATA",
                "Subject: Sent with -bs\r\n\r\nHello\r\n.", "QUIT"] as $command) {
        fwrite($pipes[0], "$command\r\n");
        $read();
      }
      fclose($pipes[0]);
      echo "exit ", proc_close($p), "\n";`;
    const command = `${process.execPath} ${BIN} sendmail -bs -i --smtp-addr`;
    const { stdout } = await run('php', ['-r', php, `${command} ${relay}`]);
    assert.match(stdout, /^220 /);
    assert.match(stdout, /^250 2\.0\.0 OK: queued as /m);
    assert.match(stdout, /^221 2\.0\.0 .*\r\nexit 0\n$/m);
    const message = await sandbox.client.waitForMessage({ subject: 'Sent with -bs' }, { timeout: 10_000 });
    assert.equal(message.envelopeFrom, 'laravel@app.test');
    const session = await sessionOf(message.id);
    assert.equal(session.heloName, 'app.test', 'the sandbox saw the caller’s own session');

    const down = await run('php', ['-r', php, `${command} 127.0.0.1:1`]).catch((error) => error);
    assert.match(down.stdout, /^421 4\.3\.2 .*\r\n/, 'an SMTP reply the caller understands');
    assert.match(down.stdout, /exit 75\n$/, 'EX_TEMPFAIL');
  });

  it('without -i, a lone dot ends the message; -v shows the conversation on stderr', async () => {
    const result = await runCli(
      ['sendmail', '-v', '--smtp-addr', relay, 'dot@example.com'],
      {},
      'Subject: dot ends it\n\nkept\n.\ndropped\n',
    );
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^C: RCPT TO:<dot@example\.com>$/m);
    assert.match(result.stderr, /^S: 250 2\.0\.0 /m);
    const message = await sandbox.client.waitForMessage({ subject: 'dot ends it' }, { timeout: 10_000 });
    const raw = (await sandbox.client.getRaw(message.id)).toString();
    assert.ok(raw.endsWith('\r\n\r\nkept\r\n'), JSON.stringify(raw.slice(-40)));
    assert.equal(message.detail.envelope.mailFrom.params.BODY, undefined, 'a 7-bit message declares no BODY');
  });

  it('a server without 8BITMIME or SMTPUTF8 is sent nothing it cannot carry: EX_UNAVAILABLE, not try again', async () => {
    const old = await startTestSmtpServer({ tls: 'none', withoutExtensions: ['8BITMIME', 'SMTPUTF8'] });
    try {
      const server = `127.0.0.1:${old.port}`;
      const eightBit = await runCli(
        ['sendmail', '-S', server, 'a@example.com'],
        {},
        'Subject: s\n\nPrix : 12 \u20ac\n',
      );
      assert.equal(eightBit.code, 69, eightBit.stderr);
      assert.match(eightBit.stderr, /was not submitted .* 8-bit bytes .* does not offer 8BITMIME/);
      const international = await runCli(
        ['sendmail', '-S', server, 'j\u00f6rg@b\u00fccher.example'],
        {},
        'Subject: s\n\nx\n',
      );
      assert.equal(international.code, 69, international.stderr);
      assert.match(international.stderr, /is not ASCII and the server does not offer SMTPUTF8/);
      assert.equal(old.messages.length, 0);
    } finally {
      await old.close();
    }
  });

  it('a sandbox CA of this directory that did not sign the server: EX_TEMPFAIL, and the hint names that file', async () => {
    // Another sandbox's data dir: its CA has the same name as this sandbox's, and a key of its own.
    const dataDir = join(scratch, 'other-sandbox');
    await mkdir(join(dataDir, 'tls'), { recursive: true });
    await writeFile(join(dataDir, 'tls', 'ca.pem'), (await createCertificateAuthority()).certPem);
    const submission = `127.0.0.1:${sandbox.ports.submission}`;
    const login = ['--user', sandbox.auth.user, '--pass', sandbox.auth.pass];
    const result = await runCli(
      ['sendmail', '-S', submission, '--tls', 'starttls', ...login, 'a@example.com'],
      { MAILPORT_DATA_DIR: dataDir },
      'Subject: s\n\nx\n',
    );
    assert.equal(result.code, 75, result.stderr);
    assert.match(result.stderr, /TLS handshake failed: unable to verify the first certificate/);
    assert.match(
      result.stderr,
      /what to do: .*other-sandbox\/tls\/ca\.pem, trusted because the server is on this machine, did not verify this server's certificate\./,
    );
  });

  it('exits with the sysexits code a caller can act on, and says what to do', async () => {
    const message = 'Subject: s\n\nx\n';
    const refused = await runCli(['sendmail', '-S', relay, 'someone@gone.test'], {}, message);
    assert.equal(refused.code, 67, 'EX_NOUSER: a recipient was refused');
    assert.match(
      refused.stderr,
      /^mailport sendmail: The message was not submitted to 127\.0\.0\.1:\d+: .*550/m,
    );
    assert.match(refused.stderr, /^ {2}what to do: /m);

    const later = await runCli(['sendmail', '-S', relay, 'someone@busy.test'], {}, message);
    assert.equal(later.code, 75, 'EX_TEMPFAIL: a 4xx reply means try again');

    // Over the sandbox's SIZE, refused before DATA: trying again cannot help, so not EX_TEMPFAIL.
    const huge = `Subject: huge\n\n${'y'
      .repeat(76)
      .concat('\n')
      .repeat(26 * 13_800)}`;
    const tooLarge = await runCli(['sendmail', '-i', '-S', relay, 'a@example.com'], {}, huge);
    assert.equal(tooLarge.code, 69, 'EX_UNAVAILABLE: larger than the server takes');
    assert.match(tooLarge.stderr, /accepts at most 26214400 \(SIZE 26214400/);

    // PHP's mail() with HTML on one line: the sandbox refuses it, and the hint says why and what to do.
    const oneLine = `Subject: long\nContent-Type: text/html\n\n<p>${'x'.repeat(2000)}</p>\n`;
    const long = await runCli(['sendmail', '-i', '-S', relay, 'a@example.com'], {}, oneLine);
    assert.equal(long.code, 69, 'EX_UNAVAILABLE: the message was refused');
    assert.match(long.stderr, /554 5\.6\.0 Message refused: a line is longer than 1000 octets/);
    assert.match(long.stderr, /what to do: A line of the message is longer .* quoted-printable/);

    const down = await runCli(['sendmail', '-S', '127.0.0.1:1', 'a@example.com'], {}, message);
    assert.equal(down.code, 75, 'EX_TEMPFAIL: nothing listens there');
    assert.match(down.stderr, /what to do: start the sandbox \(mailport serve/);

    const nobody = await runCli(['sendmail', '-S', relay], {}, message);
    assert.equal(nobody.code, 64, 'EX_USAGE: no recipients');
    assert.match(nobody.stderr, /^mailport sendmail: No recipients\.\n {2}what to do: .*add -t/m);

    const bad = await runCli(['sendmail', '-S', relay, 'bad addr'], {}, message);
    assert.equal(bad.code, 64, 'EX_USAGE: a recipient that is not an address');
    assert.match(
      bad.stderr,
      /^mailport sendmail: The recipient "bad addr" is not a valid address\.\n {2}what to do: give each recipient as local@domain/m,
    );
    const badSender = await runCli(['sendmail', '-S', relay, '-f', 'bad addr', 'a@example.com'], {}, message);
    assert.equal(badSender.code, 64, 'EX_USAGE: an -f that is not an address, not a refused message (69)');
    assert.match(badSender.stderr, /The envelope sender "bad addr" \(-f\) is not a valid address\./);
    const badHeader = await runCli(['sendmail', '-t', '-S', relay], {}, `To: not an address\n${message}`);
    assert.equal(badHeader.code, 64, 'EX_USAGE: -t with a header address that is not one');
    assert.match(badHeader.stderr, /the To: header holds "not an address", which is not a valid address/);

    // Node reads a directory on standard input as an empty stream: that must not become an empty message.
    const directory = await open(scratch, 'r');
    const unreadable = spawn(process.execPath, [BIN, 'sendmail', '-S', relay, 'a@example.com'], {
      stdio: [directory.fd, 'ignore', 'pipe'],
    });
    let unreadableStderr = '';
    unreadable.stderr?.on('data', (chunk: Buffer) => {
      unreadableStderr += chunk.toString();
    });
    const unreadableCode = await new Promise((resolve) => unreadable.once('close', resolve));
    await directory.close();
    assert.equal(unreadableCode, 74, 'EX_IOERR: standard input is a directory');
    assert.match(
      unreadableStderr,
      /standard input: it is a directory \(EISDIR\)\n {2}what to do: pipe or redirect/,
    );

    const mode = await runCli(['sendmail', '-bp', 'a@example.com'], {}, message);
    assert.equal(mode.code, 64, 'EX_USAGE: an unknown option or mode');
    assert.match(mode.stderr, /what to do: add --help/);
  });
});
