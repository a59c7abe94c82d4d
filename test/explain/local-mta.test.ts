/**
 * `explain` on programs that hand mail to a local sendmail program instead of speaking SMTP: PHP's
 * mail(), Ruby's mail gem with `:sendmail`, nodemailer's sendmail transport and GNU mailutils
 * `mail`, each run for real with a sendmail that is not there. Then the fix the answer gives,
 * `mailport sendmail` as PHP's sendmail_path, delivers the same mail() call to a sandbox.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { explainText } from '../../src/explain/index.js';
import { assertBuilt, BIN } from '../helpers/cli-process.js';
import { nodemailerOutput } from '../helpers/nodemailer-output.js';
import { runClient } from '../helpers/run-client.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

const MISSING = '/nonexistent/sbin/sendmail';

function phpMail(sendmailPath: string, subject: string): Promise<string> {
  return runClient('php', [
    ...['-d', `sendmail_path=${sendmailPath}`, '-d', 'display_errors=stderr'],
    ...[
      '-r',
      `var_dump(mail('bob@example.com', '${subject}', 'Hello from mail().', 'From: app@example.com'));`,
    ],
  ]);
}

const CASES: { name: string; output: () => Promise<string>; printed: RegExp }[] = [
  {
    name: "PHP's mail() with sendmail_path pointing nowhere",
    output: () => phpMail(`${MISSING} -t -i`, 'nowhere'),
    printed: /sh: 1: \/nonexistent\/sbin\/sendmail: not found/,
  },
  {
    name: "Ruby's mail gem delivering with :sendmail",
    output: () =>
      runClient('ruby', [
        '-e',
        `require 'mail'; Mail.defaults { delivery_method :sendmail, location: '${MISSING}' }; Mail.new(from: 'app@example.com', to: 'bob@example.com', subject: 's', body: 'b').deliver`,
      ]),
    printed: /sendmail: not found/,
  },
  {
    name: "nodemailer's sendmail transport",
    output: () => nodemailerOutput({ sendmail: true, path: MISSING }),
    printed: /spawn \/nonexistent\/sbin\/sendmail ENOENT/,
  },
  {
    name: 'GNU mailutils mail',
    output: () =>
      runClient('mail', ['-s', 'subject', '-E', `set sendmail=${MISSING}`, 'bob@example.com'], {
        input: 'body\n',
      }),
    printed: /mail: cannot send message/,
  },
];

describe('explain on a sendmail program that is not there', () => {
  for (const { name, output, printed } of CASES) {
    test(name, async () => {
      const text = await output();
      assert.match(text, printed);
      const answer = explainText(text);
      assert.equal(answer.cause, 'no-local-mta', text);
      assert.match(answer.fix, /mailport sendmail/);
    });
  }
});

describe("the fix: mailport sendmail as PHP's sendmail_path", () => {
  let sandbox: TestSandbox;

  before(async () => {
    assertBuilt();
    sandbox = await startTestSandbox();
  });

  after(() => sandbox?.stop());

  test('the same mail() call reaches the sandbox', async () => {
    const path = `${process.execPath} ${BIN} sendmail -t -i -S 127.0.0.1:${sandbox.port('relay')}`;
    const output = await phpMail(path, 'Through mailport sendmail');
    assert.match(output, /bool\(true\)/, output);
    const { items } = await sandbox.store.listMessages({ limit: 10 });
    const message = items.find((item) => item.subject === 'Through mailport sendmail');
    assert.ok(message, 'the message is in the sandbox');
    assert.deepEqual(message.envelopeTo, ['bob@example.com']);
  });
});
