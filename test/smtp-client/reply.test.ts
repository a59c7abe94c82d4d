import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseEhlo } from '../../src/smtp-client/ehlo.js';
import { ReplyAssembler } from '../../src/smtp-client/reply.js';

// RFC 5321 §4.2.1: continuation lines use `ddd-`, the last line `ddd `; RFC 3463 codes lead the text.
test('multi-line replies are assembled and the enhanced code is split off', () => {
  const assembler = new ReplyAssembler();
  assert.equal(assembler.push('535-5.7.8 Username and Password not accepted.'), null);
  const reply = assembler.push('535 5.7.8 Learn more at https://support.example');
  assert.equal(reply?.code, 535);
  assert.equal(reply?.enhanced, '5.7.8');
  assert.deepEqual(reply?.lines, [
    'Username and Password not accepted.',
    'Learn more at https://support.example',
  ]);
});

test('a reply without an enhanced code keeps its text', () => {
  const reply = new ReplyAssembler().push('220 mx.example.com ESMTP');
  assert.equal(reply?.enhanced, null);
  assert.deepEqual(reply?.lines, ['mx.example.com ESMTP']);
});

test('a bare code is a complete reply', () => {
  assert.equal(new ReplyAssembler().push('250')?.code, 250);
});

test('lines that are not replies and code changes inside a reply are refused', () => {
  assert.throws(() => new ReplyAssembler().push('* OK IMAP4rev1 ready'), SyntaxError);
  const assembler = new ReplyAssembler();
  assembler.push('250-first');
  assert.throws(() => assembler.push('550 second'), SyntaxError);
});

// RFC 5321 §4.1.1.1 (EHLO), RFC 4954 §3 (AUTH), RFC 1870 (SIZE).
test('EHLO extensions, including the old AUTH= form', () => {
  const assembler = new ReplyAssembler();
  for (const line of [
    '250-mx.example.com Hello',
    '250-SIZE 35882577',
    '250-AUTH LOGIN PLAIN XOAUTH2',
    '250-AUTH=LOGIN',
    '250-STARTTLS',
    '250 PIPELINING',
  ]) {
    const reply = assembler.push(line);
    if (!reply) continue;
    const capabilities = parseEhlo(reply);
    assert.equal(capabilities.serverName, 'mx.example.com');
    assert.equal(capabilities.size, 35882577);
    assert.deepEqual(capabilities.authMechanisms, ['LOGIN', 'PLAIN', 'XOAUTH2']);
    assert.equal(capabilities.starttls, true);
    assert.equal(capabilities.pipelining, true);
    assert.equal(capabilities.smtputf8, false);
  }
});
