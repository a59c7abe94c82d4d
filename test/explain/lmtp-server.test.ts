/**
 * A client pointed at an LMTP port (RFC 2033) instead of submission: a real Dovecot LMTP service
 * refuses EHLO and HELO as unknown commands. Real clients' errors, `mailport send` and
 * `mailport doctor` against it must all say `not-smtp`, and Mailport's own client names LMTP.
 * Dovecot's master runs as root; DOVECOT_UNAVAILABLE says why the tests skip otherwise.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import nodemailer from 'nodemailer';
import { runDoctor } from '../../src/doctor/index.js';
import { explainText } from '../../src/explain/index.js';
import { sendMessage } from '../../src/send/index.js';
import { freePorts } from '../ci/free-ports.js';
import { runClient } from '../helpers/run-client.js';

const run = promisify(execFile);

const DOVECOT_UNAVAILABLE: string | null =
  userInfo().uid !== 0
    ? "Dovecot's master runs as root"
    : existsSync('/usr/sbin/dovecot') && existsSync('/usr/lib/dovecot/lmtp')
      ? null
      : 'Dovecot LMTP is not installed (.ci/run installs dovecot-lmtpd)';

let dir: string;
let port: number;
let config: string;

before(async () => {
  if (DOVECOT_UNAVAILABLE) return;
  dir = await mkdtemp(join(tmpdir(), 'mailport-lmtp-'));
  [port] = (await freePorts(1)) as [number];
  await mkdir(join(dir, 'run'));
  config = join(dir, 'dovecot.conf');
  await writeFile(
    config,
    `base_dir = ${dir}/run
log_path = ${dir}/log
protocols = lmtp
listen = 127.0.0.1
ssl = no
mail_location = maildir:${dir}/mail/%u
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=${dir}/mail/%u
}
passdb {
  driver = static
  args = nopassword=y
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = ${port}
  }
}
`,
  );
  // The master daemonises and keeps no pipe of ours open; its listener is up once it has.
  const master = spawn('/usr/sbin/dovecot', ['-c', config], { stdio: 'ignore' });
  const [status] = await once(master, 'exit');
  assert.equal(status, 0, `dovecot exited with ${status}; see ${dir}/log`);
});

after(async () => {
  if (DOVECOT_UNAVAILABLE) return;
  await run('/usr/sbin/dovecot', ['-c', config, 'stop']).catch(() => {});
  await rm(dir, { recursive: true, force: true });
});

describe('a client pointed at a real LMTP server (Dovecot)', { skip: DOVECOT_UNAVAILABLE ?? false }, () => {
  test('it is really LMTP: EHLO and HELO unknown, LHLO answered', async () => {
    const transcript = await runClient('python3', [
      '-c',
      `import smtplib
s = smtplib.SMTP('127.0.0.1', ${port})
for verb in ('ehlo', 'helo'):
    print(verb, s.docmd(verb, 'client.test'))
print('lhlo', s.docmd('LHLO', 'client.test'))`,
    ]);
    assert.match(transcript, /ehlo \(500, b'5\.5\.1 Unknown command'\)/);
    assert.match(transcript, /helo \(500, b'5\.5\.1 Unknown command'\)/);
    assert.match(transcript, /lhlo \(250, /);
  });

  const clients: [string, () => Promise<string>][] = [
    [
      'nodemailer',
      async () => {
        const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false });
        try {
          await transport.sendMail({ from: 'a@example.com', to: 'b@example.com', subject: 'x', text: 'y' });
          return 'sent';
        } catch (error) {
          return String(error);
        } finally {
          transport.close();
        }
      },
    ],
    [
      'Python smtplib',
      () =>
        runClient('python3', [
          '-c',
          `import smtplib\nsmtplib.SMTP('127.0.0.1', ${port}).sendmail('a@example.com', ['b@example.com'], b'Subject: x\\r\\n\\r\\ny\\r\\n')`,
        ]),
    ],
    [
      'curl',
      () =>
        runClient('curl', [
          '-sS',
          `smtp://127.0.0.1:${port}`,
          '--mail-from',
          'a@example.com',
          '--mail-rcpt',
          'b@example.com',
          '-T',
          '/dev/null',
        ]),
    ],
    [
      'swaks',
      () =>
        runClient('swaks', [
          '--server',
          `127.0.0.1:${port}`,
          '--from',
          'a@example.com',
          '--to',
          'b@example.com',
        ]),
    ],
    [
      'msmtp',
      () =>
        runClient('msmtp', [`--host=127.0.0.1`, `--port=${port}`, '--from=a@example.com', 'b@example.com'], {
          input: 'Subject: x\n\ny\n',
        }),
    ],
  ];
  for (const [client, send] of clients) {
    test(`${client}'s error is explained as not-smtp, with LMTP and the submission ports in the fix`, async () => {
      const output = await send();
      assert.match(output, /\b500\b/, `${client} printed the refusal: ${output}`);
      const explanation = explainText(output);
      assert.equal(explanation.cause, 'not-smtp', output);
      assert.match(explanation.fix, /LMTP server \(RFC 2033/);
      assert.match(explanation.fix, /587 with STARTTLS, or 465/);
    });
  }

  test('mailport send and mailport doctor say the port speaks LMTP', async () => {
    const result = await sendMessage({
      host: '127.0.0.1',
      port,
      tls: 'none',
      from: 'a@example.com',
      to: ['b@example.com'],
      message: Buffer.from('Subject: x\r\n\r\ny\r\n'),
      stepTimeoutMs: 5000,
    });
    assert.equal(result.ok, false);
    assert.match(result.attempts[0]?.error?.message ?? '', /^The server speaks LMTP \(RFC 2033\), not SMTP/);
    assert.equal(result.explanation?.cause, 'not-smtp');

    const report = await runDoctor({ host: '127.0.0.1', ports: [port], stepTimeoutMs: 5000 });
    const finding = report.ports[0]?.findings.find((entry) => entry.level === 'error');
    assert.match(finding?.message ?? '', /speaks LMTP/);
    assert.equal(finding?.cause, 'not-smtp');
    assert.equal(report.ports[0]?.service, 'lmtp');
    assert.match(await readFile(join(dir, 'log'), 'utf8'), /starting up for lmtp/);
  });
});
