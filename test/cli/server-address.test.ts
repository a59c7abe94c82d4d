/** `--server` and doctor's HOST as users write them: host, host:port, IPv6, and pasted SMTP URLs. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseServer } from '../../src/cli/commands/smtp-client-options.js';
import type { MailportError } from '../../src/errors.js';

test('host, host:port and IPv6 forms', () => {
  assert.deepEqual(parseServer('smtp.example.com'), { host: 'smtp.example.com' });
  assert.deepEqual(parseServer('smtp.example.com:587'), { host: 'smtp.example.com', port: 587 });
  assert.deepEqual(parseServer('[::1]:1587'), { host: '::1', port: 1587 });
  assert.deepEqual(parseServer('::1'), { host: '::1' });
});

test('SMTP URLs: the port, implicit TLS for smtps, percent-decoded credentials', () => {
  assert.deepEqual(parseServer('SMTPS://User%40x.com:a%2Fb@mail.x.com'), {
    host: 'mail.x.com',
    implicitTls: true,
    user: 'User@x.com',
    pass: 'a/b',
  });
  assert.deepEqual(parseServer('smtp://[::1]:1587/?pool=true'), { host: '::1', port: 1587 });
  // A % that starts no escape is part of the password as typed.
  assert.equal(parseServer('smtp://u:p%zz@h').pass, 'p%zz');
});

test('what is no server is a usage error that never prints the password', () => {
  for (const value of ['smtp://', 'smtp://u:hunter2@h:99999', 'smtp://u:hunter2@h:0', 'h:x', ':25']) {
    assert.throws(
      () => parseServer(value),
      (error: MailportError) =>
        error.code === 'MP_ERR_USAGE' && !error.message.includes('hunter2') && /HOST/.test(error.hint ?? ''),
      value,
    );
  }
});
