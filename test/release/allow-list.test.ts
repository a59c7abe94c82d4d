/** The allow rule of release: globs on the whole address, and no default recipients without it. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReleaseAllowList } from '../../src/release/allow-list.js';
import { ReleaseRecipientsError } from '../../src/release/errors.js';
import { chooseRecipients } from '../../src/release/recipients.js';

describe('release allow-list', () => {
  const allow = new ReleaseAllowList(['*@example.com', 'qa+?@corp.example']);

  it('matches the whole address, case-insensitively; a subdomain or a look-alike is not the domain', () => {
    assert.equal(allow.permits('Alice@EXAMPLE.com'), true);
    assert.equal(allow.permits('a@sub.example.com'), false);
    assert.equal(allow.permits('a@example.com.evil.test'), false);
    assert.equal(allow.permits('qa+1@corp.example'), true);
    assert.equal(allow.permits('qa+12@corp.example'), false);
  });

  it('takes an IDN domain written in Unicode or in its xn-- form, on either side (RFC 5890)', () => {
    const idn = new ReleaseAllowList(['*@bücher.example', 'qa@*.xn--mnchen-3ya.example']);
    assert.equal(idn.permits('jörg@bücher.example'), true);
    assert.equal(idn.permits('j@xn--bcher-kva.example'), true);
    assert.equal(idn.permits('j@XN--BCHER-KVA.example'), true);
    assert.equal(idn.permits('qa@büro.münchen.example'), true);
    assert.equal(idn.permits('j@bucher.example'), false);
  });

  it('defaults to the envelope only with patterns; duplicates are dropped, the domain compared case-insensitively', () => {
    assert.deepEqual(chooseRecipients(undefined, ['a@example.com'], allow), ['a@example.com']);
    assert.deepEqual(chooseRecipients(['a@example.com', 'a@EXAMPLE.COM', 'A@example.com'], [], allow), [
      'a@example.com',
      'A@example.com',
    ]);
    assert.throws(
      () => chooseRecipients(undefined, ['a@example.com'], new ReleaseAllowList([])),
      (error: unknown) => error instanceof ReleaseRecipientsError && error.problem === 'required',
    );
  });
});
