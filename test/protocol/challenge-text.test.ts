/** 334 challenges decoded for the transcript reader. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodedChallenge, withDecodedChallenge } from '../../src/protocol/challenge-text.js';

test('decodedChallenge reads LOGIN prompts, CRAM-MD5 challenges and OAuth error statuses', () => {
  assert.equal(decodedChallenge('334 VXNlcm5hbWU6'), 'Username:');
  assert.equal(decodedChallenge('334 UGFzc3dvcmQ6'), 'Password:');
  assert.equal(decodedChallenge('334 PDEyMzQ1LjY3ODlAbWFpbC5leGFtcGxlPg=='), '<12345.6789@mail.example>');
  assert.equal(
    decodedChallenge('334 eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIn0='),
    '{"status":"401","schemes":"bearer"}',
  );
});

test('decodedChallenge leaves alone what is no printable base64 challenge', () => {
  for (const line of [
    '334 ',
    '334',
    '354 Start mail input',
    '235 2.7.0 Authentication successful',
    '334 VXNlcm5hbWU', // cut short
    '334 not base64!',
    `334 ${Buffer.from([0, 1, 2, 255]).toString('base64')}`, // binary
    `334 ${Buffer.from('line\r\nbreak').toString('base64')}`,
  ]) {
    assert.equal(decodedChallenge(line), null, line);
  }
});

test('withDecodedChallenge adds the decoded text after a challenge, and leaves any other line as it is', () => {
  assert.equal(withDecodedChallenge('334 VXNlcm5hbWU6'), '334 VXNlcm5hbWU6   (decoded: Username:)');
  assert.equal(withDecodedChallenge('250 2.0.0 OK'), '250 2.0.0 OK');
});
