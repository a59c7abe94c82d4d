import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isIssuedAccessToken } from '../../src/oauth/access-token.js';
import { OAuthError, TokenIssuer, type TokenRequest } from '../../src/oauth/token-issuer.js';

const NOW = Date.parse('2026-12-08T10:00:00Z');
const logins = new Map([
  ['alice', 'alice-password'],
  ['bob', 'bob-password'],
  ['carol', 'shared'],
  ['dave', 'shared'],
]);
const issuer = new TokenIssuer({ logins, lifetimeSeconds: 600 });

function refusal(request: TokenRequest, from: TokenIssuer = issuer): OAuthError {
  try {
    from.grant(request, NOW);
  } catch (error) {
    if (error instanceof OAuthError) return error;
    throw error;
  }
  assert.fail(`granted: ${JSON.stringify(request)}`);
}

describe('TokenIssuer', () => {
  it('refresh_token grant: the refresh token is a login password, and the token is for that login', () => {
    const grant = issuer.grant(
      { grant_type: 'refresh_token', refresh_token: 'bob-password', client_id: 'app' },
      NOW,
    );
    assert.equal(grant.subject, 'bob');
    assert.equal(grant.token_type, 'Bearer');
    assert.equal(grant.expires_in, 600);
    assert.equal('scope' in grant, false);
    assert.equal(isIssuedAccessToken(grant.access_token, 'bob', 'bob-password', NOW + 599_000), true);
    assert.equal(isIssuedAccessToken(grant.access_token, 'alice', 'alice-password', NOW), false);
  });

  it('client_credentials grant: the client secret is a login password; the scope is echoed', () => {
    const grant = issuer.grant(
      {
        grant_type: 'client_credentials',
        client_id: 'app',
        client_secret: 'alice-password',
        scope: 'https://outlook.office365.com/.default',
      },
      NOW,
    );
    assert.equal(grant.subject, 'alice');
    assert.equal(grant.scope, 'https://outlook.office365.com/.default');
  });

  it('password grant: the login itself', () => {
    const grant = issuer.grant(
      { grant_type: 'password', username: 'alice', password: 'alice-password' },
      NOW,
    );
    assert.equal(grant.subject, 'alice');
    assert.equal(
      refusal({ grant_type: 'password', username: 'alice', password: 'bob-password' }).code,
      'invalid_grant',
    );
    assert.equal(refusal({ grant_type: 'password', username: 'alice' }).code, 'invalid_request');
  });

  it('a password shared by logins gives a token any of them may use', () => {
    const grant = issuer.grant(
      { grant_type: 'refresh_token', refresh_token: 'shared', client_id: 'app' },
      NOW,
    );
    assert.equal(grant.subject, null);
    assert.equal(isIssuedAccessToken(grant.access_token, 'carol', 'shared', NOW), true);
    assert.equal(isIssuedAccessToken(grant.access_token, 'dave', 'shared', NOW), true);
  });

  it('under --auth-any takes any secret, for any login', () => {
    const open = new TokenIssuer({ logins: null, lifetimeSeconds: 60 });
    assert.equal(
      open.grant({ grant_type: 'refresh_token', refresh_token: 'x', client_id: 'a' }, NOW).subject,
      null,
    );
    assert.equal(open.grant({ grant_type: 'password', username: 'u', password: 'p' }, NOW).subject, 'u');
    assert.equal(refusal({ grant_type: 'client_credentials', client_id: 'a' }, open).code, 'invalid_client');
  });

  it('refuses with the RFC 6749 code and names the logins, never a password but the public default', () => {
    const wrongRefresh = refusal({ grant_type: 'refresh_token', refresh_token: 'nope', client_id: 'app' });
    assert.equal(wrongRefresh.code, 'invalid_grant');
    assert.match(wrongRefresh.description, /one of the --auth logins: alice, bob, carol, dave\)\.$/);
    assert.doesNotMatch(wrongRefresh.description, /password\b.*-password|shared/);
    const wrongSecret = refusal({
      grant_type: 'client_credentials',
      client_id: 'app',
      client_secret: 'nope',
    });
    assert.equal(wrongSecret.code, 'invalid_client');
    const byDefault = new TokenIssuer({ logins: new Map([['mailport', 'mailport']]), lifetimeSeconds: 60 });
    assert.match(
      refusal({ grant_type: 'refresh_token', refresh_token: 'nope', client_id: 'a' }, byDefault).description,
      /\(mailport for the default login mailport:mailport\)\.$/,
    );
  });

  it('names a missing grant_type, client_id, refresh token or client secret, and unsupported grants', () => {
    assert.equal(refusal({}).code, 'invalid_request');
    assert.match(refusal({}).description, /refresh_token, client_credentials, password/);
    assert.equal(
      refusal({ grant_type: 'refresh_token', refresh_token: 'bob-password' }).code,
      'invalid_client',
    );
    assert.equal(refusal({ grant_type: 'refresh_token', client_id: 'app' }).code, 'invalid_request');
    assert.equal(refusal({ grant_type: 'client_credentials', client_id: 'app' }).code, 'invalid_client');
    const jwtBearer = refusal({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer' });
    assert.equal(jwtBearer.code, 'unsupported_grant_type');
    assert.match(jwtBearer.description, /not urn:ietf:params:oauth:grant-type:jwt-bearer/);
  });
});
