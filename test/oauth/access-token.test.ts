import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isIssuedAccessToken, signAccessToken } from '../../src/oauth/access-token.js';
import { bearerTokenProblems } from '../../src/protocol/bearer-token.js';

const NOW = Date.parse('2026-12-08T10:00:00Z');

function token(overrides: Partial<Parameters<typeof signAccessToken>[0]> = {}): string {
  return signAccessToken({
    subject: 'alice',
    key: 'alice-password',
    scope: null,
    lifetimeSeconds: 3600,
    nowMs: NOW,
    ...overrides,
  });
}

function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8'));
}

describe('signAccessToken', () => {
  it('is a JWT with issuer, subject, scope, issue and expiry times, and a unique id', () => {
    const jwt = token({ scope: 'https://mail.google.com/' });
    const header = JSON.parse(Buffer.from(jwt.split('.')[0] ?? '', 'base64url').toString('utf8'));
    assert.deepEqual(header, { alg: 'HS256', typ: 'JWT' });
    const claims = claimsOf(jwt);
    assert.equal(claims.iss, 'mailport');
    assert.equal(claims.sub, 'alice');
    assert.equal(claims.scope, 'https://mail.google.com/');
    assert.equal(claims.iat, NOW / 1000);
    assert.equal(claims.exp, NOW / 1000 + 3600);
    assert.notEqual(claimsOf(token()).jti, claims.jti);
  });

  it('leaves the subject out for a token any login may use', () => {
    assert.equal('sub' in claimsOf(token({ subject: null })), false);
  });

  it('passes the protocol engine checks while valid, and is refused there as expired after', () => {
    assert.deepEqual(bearerTokenProblems(token(), 'alice', NOW + 1000), []);
    assert.match(
      bearerTokenProblems(token(), 'alice', NOW + 2 * 3600_000).join(),
      /the token expired at 2026-12-08T11:00:00Z, 1 h ago/,
    );
  });
});

describe('isIssuedAccessToken', () => {
  it('takes a token signed with the user password, for that user, until it expires', () => {
    assert.equal(isIssuedAccessToken(token(), 'alice', 'alice-password', NOW + 60_000), true);
    assert.equal(isIssuedAccessToken(token(), 'alice', 'alice-password', NOW + 3600_000), false);
  });

  it('refuses another user, another password, or a token without a subject signed with another key', () => {
    assert.equal(isIssuedAccessToken(token(), 'bob', 'alice-password', NOW), false);
    assert.equal(isIssuedAccessToken(token(), 'alice', 'changed-password', NOW), false);
    assert.equal(isIssuedAccessToken(token({ subject: null }), 'bob', 'alice-password', NOW), true);
    assert.equal(isIssuedAccessToken(token({ subject: null, key: '' }), 'bob', 'bob-password', NOW), false);
  });

  it('refuses a token whose claims were changed after signing', () => {
    const [header, , signature] = token().split('.');
    const forged = Buffer.from(JSON.stringify({ iss: 'mailport', sub: 'alice', exp: 9e9 })).toString(
      'base64url',
    );
    assert.equal(
      isIssuedAccessToken(`${header}.${forged}.${signature}`, 'alice', 'alice-password', NOW),
      false,
    );
  });

  it('refuses an unsigned token (alg none) and anything that is no JWT', () => {
    const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const claims = token().split('.')[1];
    for (const candidate of [`${none}.${claims}.`, 'alice-password', '', 'a.b.c', `${token()}.extra`]) {
      assert.equal(isIssuedAccessToken(candidate, 'alice', 'alice-password', NOW), false, candidate);
    }
  });
});
