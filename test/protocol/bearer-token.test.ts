/** What can be told of an OAuth 2.0 bearer token without its issuer: slips, and a JWT's claims. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bearerTokenProblems } from '../../src/protocol/bearer-token.js';
import { jwt, microsoftSmtpToken } from '../helpers/jwt.js';

const USER = 'me@contoso.com';
const NOW = Date.parse('2026-12-07T12:00:00Z');
const nowSeconds = NOW / 1000;

function problems(token: string, user = USER): string[] {
  return bearerTokenProblems(token, user, NOW);
}

describe('bearerTokenProblems', () => {
  it('finds nothing wrong with an opaque token or a valid Exchange Online token', () => {
    assert.deepEqual(problems('ya29.a0AfB_byC-opaque'), []);
    assert.deepEqual(
      problems(microsoftSmtpToken(USER, { exp: nowSeconds + 600, nbf: nowSeconds - 60 }, NOW)),
      [],
    );
    // The user claim is compared without case, as Exchange compares mailboxes.
    assert.deepEqual(problems(microsoftSmtpToken('Me@Contoso.com', { exp: nowSeconds + 600 }, NOW)), []);
    // An application token acts for any mailbox it was granted.
    const app = microsoftSmtpToken(
      '',
      {
        scp: undefined,
        upn: undefined,
        roles: ['SMTP.SendAsApp'],
        exp: nowSeconds + 600,
      },
      NOW,
    );
    assert.deepEqual(problems(app, 'shared@contoso.com'), []);
  });

  it('names the slips of a value copied wrongly, without repeating it', () => {
    const table: [string, string][] = [
      ['', 'the token is empty (an unset variable?)'],
      [
        'Bearer ya29.x',
        'the token starts with "Bearer " again: the scheme was added to a value that already had it',
      ],
      ['ya29.x\n', 'the token ends with a line break, as a token file or secret read whole leaves it'],
      [' ya29.x', 'the token starts or ends with a space'],
      ['"ya29.x"', 'the token is wrapped in quotes'],
      ['ya29.x ya29.y', 'the token contains a space or line break: it was cut or joined wrongly'],
    ];
    for (const [token, problem] of table) {
      assert.deepEqual(problems(token), [problem], JSON.stringify(token));
      assert.ok(!problem.includes('ya29'), 'the token is not repeated');
    }
  });

  it('tells refresh and ID tokens from access tokens', () => {
    assert.match(problems('1//0gLx-refresh-token')[0] ?? '', /^the token is a Google refresh token/);
    const googleId = jwt({
      iss: 'https://accounts.google.com',
      aud: 'client.apps.googleusercontent.com',
      exp: nowSeconds + 600,
    });
    assert.match(problems(googleId)[0] ?? '', /^the token is a Google ID token/);
    const microsoftId = microsoftSmtpToken(
      USER,
      {
        aud: '6731de76-14a6-49ae-97bc-6eba6914391e',
        scp: undefined,
        exp: nowSeconds + 600,
      },
      NOW,
    );
    assert.deepEqual(problems(microsoftId), [
      'the token has neither scp nor roles: it is an ID token, not an access token; send the access_token of the token response',
    ]);
  });

  it('says when a token expired, and how long ago', () => {
    assert.deepEqual(problems(jwt({ exp: nowSeconds - 2 * 3600 - 300 })), [
      'the token expired at 2026-12-07T09:55:00Z, 2 h 5 min ago: access tokens last about an hour, so fetch a fresh one (or refresh it) before sending',
    ]);
    assert.match(problems(jwt({ exp: nowSeconds }))[0] ?? '', /expired at 2026-12-07T12:00:00Z, 0 s ago/);
    assert.match(problems(jwt({ exp: nowSeconds - 3 * 86400 }))[0] ?? '', /, 3 days ago/);
    assert.deepEqual(problems(jwt({ nbf: nowSeconds + 3600, exp: nowSeconds + 7200 })), [
      "the token is not valid before 2026-12-07T13:00:00Z: this machine's clock or the issuer's is wrong",
    ]);
    // Within the clock skew a not-before is no problem.
    assert.deepEqual(problems(jwt({ nbf: nowSeconds + 60, exp: nowSeconds + 3600 })), []);
  });

  it('checks a Microsoft token is for Exchange Online with the SMTP permission, for this user', () => {
    const exp = nowSeconds + 600;
    assert.deepEqual(
      problems(microsoftSmtpToken(USER, { aud: 'https://graph.microsoft.com', scp: 'Mail.Send', exp }, NOW)),
      [
        'the token is for Microsoft Graph (https://graph.microsoft.com), not Exchange Online: request the scope https://outlook.office.com/SMTP.Send (delegated) or https://outlook.office365.com/.default (application)',
      ],
    );
    assert.match(
      problems(microsoftSmtpToken(USER, { aud: 'api://my-app', exp }, NOW))[0] ?? '',
      /^the token is for the audience "api:\/\/my-app", not Exchange Online/,
    );
    assert.deepEqual(
      problems(
        microsoftSmtpToken(
          USER,
          {
            aud: 'https://outlook.office365.com/',
            scp: 'IMAP.AccessAsUser.All',
            exp,
          },
          NOW,
        ),
      ),
      [
        "the token's scopes (IMAP.AccessAsUser.All) lack SMTP.Send: add the delegated permission SMTP.Send and request https://outlook.office.com/SMTP.Send",
      ],
    );
    assert.deepEqual(problems(microsoftSmtpToken('other@contoso.com', { exp }, NOW)), [
      'the token was issued to "other@contoso.com", but the AUTH user is "me@contoso.com": they must be the same mailbox',
    ]);
    assert.deepEqual(
      problems(microsoftSmtpToken('', { scp: undefined, upn: undefined, roles: ['Mail.Send'], exp }, NOW)),
      [
        'the application token lacks the SMTP.SendAsApp permission: grant it (with admin consent) and register the application in Exchange Online',
      ],
    );
    // An expired Microsoft token is refused for its expiry, whatever else is wrong with it.
    assert.match(
      problems(microsoftSmtpToken(USER, { exp: nowSeconds - 60 }, NOW)).join(' | '),
      /^the token expired/,
    );
  });

  it('takes an array of audiences, and ignores dates no Date can hold (a hostile token)', () => {
    const exp = nowSeconds + 600;
    assert.deepEqual(
      problems(microsoftSmtpToken(USER, { aud: ['api://x', 'https://outlook.office.com/'], exp }, NOW)),
      [],
    );
    assert.match(
      problems(microsoftSmtpToken(USER, { aud: [], exp }, NOW))[0] ?? '',
      /^the token is for no audience, not Exchange Online/,
    );
    assert.deepEqual(problems(jwt({ exp: -1e300, nbf: 1e300 })), []);
    assert.deepEqual(problems(jwt({ exp: 'tomorrow', nbf: null })), []);
  });

  it('reads no claims from what only looks like a JWT', () => {
    assert.deepEqual(problems('eyJhbGciOi.not-json.sig'), []);
    assert.deepEqual(
      problems(
        `${Buffer.from('{"typ":"JWT"}').toString('base64url')}.${Buffer.from('{"exp":1}').toString('base64url')}.s`,
      ),
      [],
    );
  });
});
