/** SMTP AUTH (RFC 4954) with PLAIN (RFC 4616) and LOGIN, and credential redaction in the transcript. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { microsoftSmtpToken } from '../helpers/jwt.js';
import {
  base64,
  createHarness,
  type Harness,
  PASSWORD,
  plainResponse,
  readyHarness,
  USER,
} from './harness.js';

/** The submissions (465-style) profile is TLS from the start, so AUTH is offered right after EHLO. */
async function authReady(options: Parameters<typeof createHarness>[1] = {}): Promise<Harness> {
  const harness = createHarness('submissions', options);
  await harness.exchange('EHLO client.test');
  return harness;
}

const USERNAME_PROMPT = '334 VXNlcm5hbWU6';
const PASSWORD_PROMPT = '334 UGFzc3dvcmQ6';

function lines(replies: { lines: string[] }[]): string[] {
  return replies.flatMap((reply) => reply.lines);
}

/** One AUTH command in a fresh session: its reply code, and the one diagnostic it leaves. */
async function diagnosedAuth(
  command: string,
): Promise<{ code: number; line: string; diagnostic: string; detail: string }> {
  const harness = await authReady();
  harness.sink.takeReplies();
  const [reply] = await harness.exchange(command);
  const [diagnostic] = harness.sink.diagnostics;
  return {
    code: reply?.code ?? 0,
    line: reply?.lines[0] ?? '',
    diagnostic: diagnostic?.code ?? '',
    detail: diagnostic?.detail ?? '',
  };
}

const MALFORMED_PLAIN =
  '501 5.5.2 Malformed AUTH PLAIN response (expected authzid NUL username NUL password)';
describe('AUTH exchanges (RFC 4954 §4)', () => {
  const table: { name: string; send: string[]; expect: string[]; authenticated: boolean }[] = [
    {
      name: 'PLAIN with initial response',
      send: [`AUTH PLAIN ${plainResponse(USER, PASSWORD)}`],
      expect: ['235 2.7.0 Authentication successful'],
      authenticated: true,
    },
    {
      name: 'PLAIN without initial response: empty 334 challenge',
      send: ['AUTH PLAIN', plainResponse(USER, PASSWORD)],
      expect: ['334 ', '235 2.7.0 Authentication successful'],
      authenticated: true,
    },
    {
      name: 'PLAIN with an authorization identity',
      send: [`AUTH plain ${plainResponse(USER, PASSWORD, 'admin')}`],
      expect: ['235 2.7.0 Authentication successful'],
      authenticated: true,
    },
    {
      name: 'LOGIN without initial response',
      send: ['AUTH LOGIN', base64(USER), base64(PASSWORD)],
      expect: [USERNAME_PROMPT, PASSWORD_PROMPT, '235 2.7.0 Authentication successful'],
      authenticated: true,
    },
    {
      name: 'LOGIN with initial response (the username)',
      send: [`AUTH LOGIN ${base64(USER)}`, base64(PASSWORD)],
      expect: [PASSWORD_PROMPT, '235 2.7.0 Authentication successful'],
      authenticated: true,
    },
    {
      name: 'cancel with * after the PLAIN challenge',
      send: ['AUTH PLAIN', '*'],
      expect: ['334 ', '501 5.7.0 Authentication cancelled'],
      authenticated: false,
    },
    {
      name: 'cancel with * at the LOGIN password prompt',
      send: ['AUTH LOGIN', base64(USER), '*'],
      expect: [USERNAME_PROMPT, PASSWORD_PROMPT, '501 5.7.0 Authentication cancelled'],
      authenticated: false,
    },
    {
      name: 'undecodable base64 as initial response',
      send: ['AUTH PLAIN not*base64!'],
      expect: [
        '501 5.5.2 Cannot decode the base64 response; the AUTH response has characters base64 does not use, as when a user name or password is sent unencoded',
      ],
      authenticated: false,
    },
    {
      name: 'undecodable base64 as a response (bad padding)',
      send: ['AUTH LOGIN', 'YWxpY2U'],
      expect: [
        USERNAME_PROMPT,
        '501 5.5.2 Cannot decode the base64 response; the AUTH response is not whole base64: its length or its = padding is wrong (cut short, or the padding stripped)',
      ],
      authenticated: false,
    },
    {
      name: 'wrong password',
      send: [`AUTH PLAIN ${plainResponse(USER, 'nope')}`],
      expect: ['535 5.7.8 Authentication credentials invalid'],
      authenticated: false,
    },
    {
      name: 'PLAIN message without the NUL separators',
      send: [`AUTH PLAIN ${base64('alice password')}`],
      expect: [
        `${MALFORMED_PLAIN}; the AUTH PLAIN response has no NUL separators, as when "user:password" or the password alone is encoded`,
      ],
      authenticated: false,
    },
    {
      name: 'an empty initial response (=) is an empty PLAIN message',
      send: ['AUTH PLAIN ='],
      expect: [`${MALFORMED_PLAIN}; the AUTH PLAIN response is empty`],
      authenticated: false,
    },
    {
      name: 'an empty line after a 334 is an empty response, not bad base64 (RFC 4954 section 8)',
      send: ['AUTH LOGIN', base64(USER), '', 'AUTH PLAIN', ''],
      expect: [
        USERNAME_PROMPT,
        PASSWORD_PROMPT,
        '535 5.7.8 Authentication credentials invalid; the password is empty (an unset variable?)',
        '334 ',
        `${MALFORMED_PLAIN}; the AUTH PLAIN response is empty`,
      ],
      authenticated: false,
    },
    {
      name: 'unsupported mechanism',
      send: ['AUTH CRAM-MD5'],
      expect: [
        '504 5.5.4 Unrecognized authentication mechanism (use PLAIN or LOGIN, or XOAUTH2 or OAUTHBEARER with an OAuth 2.0 token)',
      ],
      authenticated: false,
    },
    {
      name: 'no mechanism',
      send: ['AUTH'],
      expect: ['501 5.5.2 Syntax: AUTH mechanism [initial-response]'],
      authenticated: false,
    },
  ];

  for (const row of table) {
    it(row.name, async () => {
      const harness = await authReady();
      harness.sink.takeReplies();
      assert.deepEqual(lines(await harness.exchange(...row.send)), row.expect);
      assert.equal(harness.session.auth !== null, row.authenticated);
    });
  }

  it('records the AUTH facts and hands the authorization identity to the hook', async () => {
    const harness = await authReady();
    await harness.exchange(`AUTH PLAIN ${plainResponse(USER, PASSWORD, 'admin')}`);
    assert.deepEqual(harness.session.auth, { user: USER, mechanism: 'PLAIN' });
    assert.deepEqual(harness.credentialsSeen, [
      { mechanism: 'PLAIN', authzid: 'admin', username: USER, password: PASSWORD },
    ]);
    const login = await authReady();
    await login.exchange('AUTH LOGIN', base64(USER), base64(PASSWORD));
    assert.deepEqual(login.session.auth, { user: USER, mechanism: 'LOGIN' });
  });

  it('a cancelled or failed exchange can be retried', async () => {
    const harness = await authReady();
    harness.sink.takeReplies();
    const codes = await harness.codes(
      'AUTH LOGIN',
      '*',
      `AUTH PLAIN ${plainResponse(USER, 'bad')}`,
      `AUTH PLAIN ${plainResponse(USER, PASSWORD)}`,
    );
    assert.deepEqual(codes, [334, 501, 535, 235]);
  });

  it('a "*" after a refused AUTH (Go net/smtp cancels an exchange already over) gets 500, and no syntax-error', async () => {
    const harness = await authReady();
    harness.sink.takeReplies();
    assert.deepEqual(await harness.codes(`AUTH PLAIN ${plainResponse(USER, 'bad')}`, '*'), [535, 500]);
    assert.deepEqual(harness.sink.diagnosticCodes, ['auth-failed']);
    // Outside that moment a lone "*" is an unknown command like any other.
    const fresh = await authReady();
    assert.deepEqual(await fresh.codes('*'), [500]);
    assert.ok(fresh.sink.diagnosticCodes.includes('syntax-error'));
  });

  it('names the slip that makes a right password wrong: a trailing line break, a space, an empty value', async () => {
    const table: [string, RegExp][] = [
      [`${USER}`, new RegExp(`^user "${USER}"$`)],
      [`${USER}|${PASSWORD}\n`, /the password ends with a line break, as `echo` without -n/],
      [`${USER}|${PASSWORD} `, /the password starts or ends with a space/],
      [`${USER}|`, /the password is empty \(an unset variable\?\)/],
      [`${USER}\r\n|${PASSWORD}`, /the user name ends with a line break/],
    ];
    for (const [login, slip] of table) {
      const [user = '', password = 'bad'] = login.split('|');
      const failed = await diagnosedAuth(`AUTH PLAIN ${plainResponse(user, password)}`);
      assert.deepEqual([failed.code, failed.diagnostic], [535, 'auth-failed']);
      assert.match(failed.detail, slip);
      // The client's own error shows the slip too: it names what was sent, never the password.
      if (login.includes('|'))
        assert.match(
          failed.line,
          new RegExp(`^535 5\\.7\\.8 Authentication credentials invalid; ${slip.source}`),
        );
      assert.ok(!failed.line.includes(PASSWORD));
    }
  });

  it('says how an AUTH response it could not read is wrong, without repeating it', async () => {
    const table: [string, RegExp][] = [
      [base64(`${USER}:${PASSWORD}`), /no NUL separators, as when "user:password"/],
      [base64(`${USER}\0${PASSWORD}`), /one NUL separator where two belong/],
      [base64(`\0\0${PASSWORD}`), /names no user/],
      [
        `${USER}:${PASSWORD}`,
        /characters base64 does not use, as when a user name or password is sent unencoded/,
      ],
      ['YWxpY2U', /length or its = padding is wrong/],
    ];
    for (const [response, mistake] of table) {
      const refused = await diagnosedAuth(`AUTH PLAIN ${response}`);
      assert.deepEqual([refused.code, refused.diagnostic], [501, 'syntax-error']);
      assert.match(refused.detail, mistake);
      assert.match(refused.line, mistake);
      assert.ok(!refused.detail.includes(PASSWORD) && !refused.line.includes(PASSWORD));
    }
  });

  it('closes with 421 4.7.0 after more than maxAuthFailures wrong passwords', async () => {
    const harness = await authReady({ limits: { maxAuthFailures: 2 } });
    harness.sink.takeReplies();
    const wrong = `AUTH PLAIN ${plainResponse(USER, 'bad')}`;
    assert.deepEqual(await harness.codes(wrong, wrong, wrong, 'NOOP'), [535, 535, 421]);
    assert.equal(harness.sink.closed, true);
    assert.deepEqual(
      harness.sink.diagnosticCodes.filter((code) => code === 'auth-failed'),
      ['auth-failed'],
    );
  });

  it('waits for an asynchronous check and answers pipelined commands in order (RFC 2920)', async () => {
    let release: (accepted: boolean) => void = () => {};
    const harness = await authReady({
      authenticate: () =>
        new Promise<boolean>((resolve) => {
          release = resolve;
        }),
    });
    harness.sink.takeReplies();
    harness.send(`AUTH PLAIN ${plainResponse(USER, PASSWORD)}\r\nMAIL FROM:<a@example.test>\r\nNOOP\r\n`);
    assert.deepEqual(harness.sink.takeReplies(), [], 'nothing answered while the check is pending');
    release(true);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(
      harness.sink.takeReplies().map((reply) => reply.code),
      [235, 250, 250],
    );
  });

  it('a failing check is a temporary error, 454 4.7.0 (RFC 4954 §6)', async () => {
    const harness = await authReady({
      authenticate: () => {
        throw new Error('database down');
      },
    });
    harness.sink.takeReplies();
    assert.deepEqual(lines(await harness.exchange(`AUTH PLAIN ${plainResponse(USER, PASSWORD)}`)), [
      '454 4.7.0 Temporary authentication failure, please try again later',
    ]);
    const rejecting = await authReady({ authenticate: () => Promise.reject(new Error('down')) });
    rejecting.sink.takeReplies();
    assert.deepEqual(await rejecting.codes(`AUTH PLAIN ${plainResponse(USER, PASSWORD)}`), [454]);
  });

  it('accepts AUTH lines longer than 512 octets, up to 12288 (RFC 4954 §4)', async () => {
    const longPassword = 'p'.repeat(3000);
    const harness = await authReady({
      authenticate: (credentials) => 'password' in credentials && credentials.password === longPassword,
    });
    harness.sink.takeReplies();
    assert.deepEqual(await harness.codes(`AUTH PLAIN ${plainResponse(USER, longPassword)}`), [235]);
  });

  it('answers an AUTH command or SASL response over 12288 octets with 500 5.5.6 (RFC 4954 §4, §6)', async () => {
    const harness = await authReady();
    harness.sink.takeReplies();
    const overLimit = 'A'.repeat(12288);
    const replies = await harness.exchange(
      `auth PLAIN ${overLimit}`,
      'AUTH LOGIN',
      overLimit,
      `NOOP ${overLimit}`,
      `AUTH PLAIN ${plainResponse(USER, PASSWORD)}`,
    );
    assert.deepEqual(
      replies.map((reply) => reply.lines[0]),
      [
        '500 5.5.6 Authentication exchange line is too long',
        USERNAME_PROMPT,
        '500 5.5.6 Authentication exchange line is too long',
        '500 5.5.2 Line too long: this command may have 512 octets with its CRLF (RFC 5321 section 4.5.3.1.4)',
        '235 2.7.0 Authentication successful',
      ],
    );
    assert.equal(harness.sink.diagnostics[0]?.detail, 'AUTH exchange line of 12301 octets');
  });

  it('refuses AUTH after HELO, which offers no extensions (503 5.5.1)', async () => {
    const harness = createHarness('submissions');
    await harness.exchange('HELO client.test');
    const [refusal] = await harness.exchange(`AUTH PLAIN ${plainResponse(USER, PASSWORD)}`);
    assert.equal(refusal?.lines[0]?.slice(0, 10), '503 5.5.1 ');
    assert.equal(harness.session.auth, null);
    await harness.exchange('EHLO client.test');
    assert.deepEqual(await harness.codes(`AUTH PLAIN ${plainResponse(USER, PASSWORD)}`), [235]);
  });

  it('takes the AUTH= parameter of MAIL FROM where AUTH is offered (RFC 4954 §5)', async () => {
    const harness = await authReady();
    await harness.exchange(`AUTH PLAIN ${plainResponse(USER, PASSWORD)}`);
    assert.deepEqual(await harness.codes('MAIL FROM:<sender@example.test> AUTH=<>'), [250]);
  });

  it('refuses AUTH during a mail transaction (RFC 4954 §4)', async () => {
    const harness = await readyHarness('relay');
    await harness.upgrade();
    await harness.exchange('EHLO client.test');
    assert.deepEqual(
      await harness.codes('MAIL FROM:<a@example.test>', `AUTH PLAIN ${plainResponse(USER, PASSWORD)}`),
      [250, 503],
    );
  });
});

describe('--sender-must-match-login: after AUTH, MAIL FROM must be the login', () => {
  const login = `AUTH PLAIN ${plainResponse(USER, PASSWORD)}`;

  it('refuses another sender with 553 5.7.1 in Postfix words, and says what to do', async () => {
    const harness = await authReady({ senderMustMatchLogin: true });
    const [, refused] = await harness.exchange(login, 'MAIL FROM:<noreply@example.test>');
    assert.deepEqual(refused?.lines, [
      `553 5.7.1 <noreply@example.test>: Sender address rejected: not owned by user ${USER} (send from the address you log in with)`,
    ]);
    assert.deepEqual(harness.sink.diagnosticCodes, ['sender-not-owned']);
    // The transaction did not start: a RCPT now gets 503, and the login's own address goes. That RCPT
    // is what a pipelining client (RFC 2920: nodemailer, msmtp) sent with the MAIL: no mistake of its own.
    assert.deepEqual(
      await harness.codes('RCPT TO:<bob@example.test>', `MAIL FROM:<${USER.toUpperCase()}>`),
      [503, 250],
    );
    assert.deepEqual(harness.sink.diagnosticCodes, ['sender-not-owned']);
  });

  it('takes the null sender, and checks nothing when off or before AUTH', async () => {
    const on = await authReady({ senderMustMatchLogin: true });
    assert.deepEqual(await on.codes(login, 'MAIL FROM:<>'), [235, 250]);
    const off = await authReady();
    assert.deepEqual(await off.codes(login, 'MAIL FROM:<noreply@example.test>'), [235, 250]);
    // The relay port needs no AUTH: an unauthenticated client owns no login to compare with.
    const relay = createHarness('relay', { senderMustMatchLogin: true });
    relay.sink.takeReplies();
    assert.deepEqual(await relay.codes('EHLO client.test', 'MAIL FROM:<noreply@example.test>'), [250, 250]);
  });

  it('a login that is not an address owns no sender, and the reply says so', async () => {
    const harness = await authReady({
      senderMustMatchLogin: true,
      authenticate: (credentials) => credentials.username === 'app-user',
    });
    const [, refused] = await harness.exchange(
      `AUTH PLAIN ${plainResponse('app-user', PASSWORD)}`,
      'MAIL FROM:<app-user@example.test>',
    );
    assert.match(
      refused?.lines[0] ?? '',
      /^553 5\.7\.1 .*not owned by user app-user \(a login that is not an address owns no sender/,
    );
  });
});

describe('transcript redaction (never the password, nor its base64)', () => {
  const secrets = [PASSWORD, base64(PASSWORD), plainResponse(USER, PASSWORD), base64(USER)];

  /** Case-insensitive, so an upper-cased verb echo cannot hide a leak either. */
  function assertNoSecrets(harness: Harness, extraSecrets: string[] = []): void {
    const recorded = [
      ...harness.sink.transcriptLines.map((line) => line.text),
      ...harness.sink.diagnostics.map((diagnostic) => diagnostic.detail ?? ''),
      harness.session.lastError ?? '',
    ]
      .join('\n')
      .toLowerCase();
    for (const secret of [...secrets, ...extraSecrets]) {
      assert.ok(!recorded.includes(secret.toLowerCase()), `recorded text leaks ${secret}`);
    }
  }

  it('redacts PLAIN and LOGIN payloads, successful or not', async () => {
    const harness = await authReady();
    await harness.exchange(`AUTH PLAIN ${plainResponse(USER, PASSWORD)}`);
    const login = await authReady();
    await login.exchange('AUTH LOGIN', base64(USER), base64(PASSWORD));
    const failed = await authReady();
    await failed.exchange(
      'AUTH PLAIN',
      plainResponse(USER, PASSWORD.toUpperCase()),
      `AUTH LOGIN ${base64(USER)}`,
      '*',
    );
    for (const each of [harness, login, failed]) assertNoSecrets(each);
    assert.ok(
      harness.sink.transcriptLines.some((line) => line.dir === 'C' && line.text === 'AUTH PLAIN <redacted>'),
    );
    assert.ok(login.sink.transcriptLines.some((line) => line.dir === 'C' && line.text === '<redacted>'));
  });

  it('redacts credentials a client sends blindly after its AUTH was refused', async () => {
    const harness = createHarness('submission');
    await harness.exchange('EHLO client.test', 'AUTH LOGIN', base64(USER), base64(PASSWORD), 'QUIT');
    assertNoSecrets(harness);
    assert.ok(harness.sink.transcriptLines.some((line) => line.text === 'QUIT'));
  });

  it('redacts AUTH lines that are refused for a bare LF or a wrong mechanism', async () => {
    const harness = await authReady();
    harness.send(`AUTH PLAIN ${plainResponse(USER, PASSWORD)}\n`);
    // A credential where the mechanism belongs, made of mechanism-name characters only.
    const credentialAsMechanism = 'YWxpY2U6aHVudGVy';
    await harness.exchange(`AUTH ${base64(PASSWORD)}`, `AUTH ${credentialAsMechanism}`);
    assertNoSecrets(harness, [credentialAsMechanism]);
    assert.ok(harness.sink.transcriptLines.some((line) => line.text === 'AUTH <redacted>'));
  });

  it('redacts credentials after AUTH glued into another word, and PLAIN responses anywhere', async () => {
    const harness = await authReady();
    const plain = plainResponse(USER, PASSWORD);
    await harness.exchange(
      `AUTHPLAIN ${plain}`,
      `NOOPAUTH PLAIN ${plain}`,
      `AUTHPLAIN${plain}`,
      `NOOP ${plain}`,
      'MAIL FROM:<author@example.com> AUTH=<>',
    );
    assertNoSecrets(harness, [plain]);
    const client = harness.sink.transcriptLines.filter((line) => line.dir === 'C').map((line) => line.text);
    assert.deepEqual(client.slice(-5), [
      'AUTHPLAIN <redacted>',
      'NOOPAUTH <redacted>',
      'AUTH<redacted>',
      'NOOP <redacted>',
      'MAIL FROM:<author@example.com> AUTH=<>',
    ]);
  });

  it('shows the mechanism, normalised, when it is one', async () => {
    const harness = await authReady();
    await harness.exchange('AUTH login', '*', 'AUTH CRAM-MD5');
    const client = harness.sink.transcriptLines.filter((line) => line.dir === 'C').map((line) => line.text);
    assert.deepEqual(client.slice(-3), ['AUTH LOGIN', '*', 'AUTH CRAM-MD5']);
  });
});

describe('AUTH XOAUTH2 and OAUTHBEARER: OAuth 2.0 bearer tokens (RFC 7628)', () => {
  const TOKEN = PASSWORD;
  const xoauth2 = (user: string, token: string) => base64(`user=${user}\x01auth=Bearer ${token}\x01\x01`);
  const oauthbearer = (user: string, token: string) =>
    base64(`n,a=${user},\x01host=mx.example\x01port=465\x01auth=Bearer ${token}\x01\x01`);
  const XOAUTH2_ERROR = `334 ${base64('{"status":"401","schemes":"bearer"}')}`;
  const OAUTHBEARER_ERROR = `334 ${base64('{"status":"invalid_token"}')}`;

  it('accepts a token for the user, with or without an initial response', async () => {
    for (const send of [
      [`AUTH XOAUTH2 ${xoauth2(USER, TOKEN)}`],
      ['AUTH XOAUTH2', xoauth2(USER, TOKEN)],
      [`AUTH OAUTHBEARER ${oauthbearer(USER, TOKEN)}`],
    ]) {
      const harness = await authReady();
      harness.sink.takeReplies();
      const replies = lines(await harness.exchange(...send));
      assert.equal(replies.at(-1), '235 2.7.0 Authentication successful');
      assert.equal(harness.session.auth?.user, USER);
      assert.deepEqual(harness.credentialsSeen.at(-1), {
        mechanism: send[0]?.includes('XOAUTH2') ? 'XOAUTH2' : 'OAUTHBEARER',
        authzid: null,
        username: USER,
        token: TOKEN,
      });
    }
  });

  it('refuses a token with the JSON error challenge, then 535 with the reason after the empty answer', async () => {
    const harness = await authReady();
    harness.sink.takeReplies();
    assert.deepEqual(lines(await harness.exchange(`AUTH XOAUTH2 ${xoauth2(USER, 'ya29.other')}`, '')), [
      XOAUTH2_ERROR,
      "535 5.7.8 Authentication credentials invalid; the token is not one this server accepts for the user: it takes the user's password as the token, a token its POST /oauth2/token issued for the user, or any unexpired token when started with --auth-any",
    ]);
    assert.deepEqual(harness.sink.diagnosticCodes, ['auth-failed']);
    const bearer = await authReady();
    bearer.sink.takeReplies();
    assert.deepEqual(
      await bearer.codes(`AUTH OAUTHBEARER ${oauthbearer(USER, 'ya29.other')}`, 'AQ=='),
      [334, 535],
    );
    assert.equal(
      bearer.sink.transcriptLines.find((line) => line.dir === 'S' && line.text.startsWith('334'))?.text,
      OAUTHBEARER_ERROR,
    );
    // The exchange is over: the session takes the next AUTH.
    assert.deepEqual(await bearer.codes(`AUTH OAUTHBEARER ${oauthbearer(USER, TOKEN)}`), [235]);
  });

  it('refuses an expired or wrong-audience JWT before checking it, and says why', async () => {
    let checked = 0;
    const harness = await authReady({ authenticate: () => ++checked > 0 });
    harness.sink.takeReplies();
    const expired = microsoftSmtpToken(USER, { exp: Math.floor(Date.now() / 1000) - 7200 });
    const [challenge, refusal] = lines(await harness.exchange(`AUTH XOAUTH2 ${xoauth2(USER, expired)}`, ''));
    assert.equal(challenge, XOAUTH2_ERROR);
    assert.match(
      refusal ?? '',
      /^535 5\.7\.8 Authentication credentials invalid; the token expired at \S+Z, 2 h ago: access tokens last about an hour/,
    );
    const graph = microsoftSmtpToken(USER, { aud: 'https://graph.microsoft.com' });
    const [, graphRefusal] = lines(await harness.exchange(`AUTH XOAUTH2 ${xoauth2(USER, graph)}`, ''));
    assert.equal(checked, 0, 'the hook never saw a token that no server would take');
    assert.match(
      graphRefusal ?? '',
      /^535 5\.7\.8 Authentication credentials invalid; the token is for Microsoft Graph/,
    );
    assert.match(harness.sink.diagnostics[0]?.detail ?? '', /^user "[^"]+"; the token expired/);
    // A valid token goes to the hook like a password.
    await harness.exchange(`AUTH XOAUTH2 ${xoauth2(USER, microsoftSmtpToken(USER))}`);
    assert.equal(checked, 1);
    assert.equal(harness.session.auth?.mechanism, 'XOAUTH2');
  });

  it('ends the exchange when a client answers the error challenge with a command (Symfony Mailer sends RSET)', async () => {
    const harness = await authReady();
    harness.sink.takeReplies();
    assert.deepEqual(
      await harness.codes(`AUTH XOAUTH2 ${xoauth2(USER, 'ya29.other')}`, 'RSET', 'RSET'),
      [334, 535, 250],
    );
    assert.match(
      harness.sink.diagnostics[0]?.detail ?? '',
      /the client answered the 334 error challenge with more than the empty \(XOAUTH2\) or \^A \(OAUTHBEARER\) response it asks for$/,
    );
    const recorded = harness.sink.transcriptLines.filter((line) => line.dir === 'C').map((line) => line.text);
    assert.deepEqual(recorded.slice(1), ['AUTH XOAUTH2 <redacted>', 'RSET', 'RSET']);
  });

  it('says what is wrong with a malformed message, and counts each refusal toward the limit', async () => {
    const refused = await diagnosedAuth(`AUTH XOAUTH2 ${base64(`user=${USER}^Aauth=Bearer ${TOKEN}^A^A`)}`);
    assert.deepEqual([refused.code, refused.diagnostic], [501, 'syntax-error']);
    assert.equal(
      refused.line,
      '501 5.5.2 Malformed AUTH XOAUTH2 response (expected user=USER ^A auth=Bearer TOKEN ^A ^A, where ^A is the byte 0x01); the XOAUTH2 response has the separator written as text (such as "^A" or "\\x01") where the byte 0x01 belongs',
    );
    const bearer = await diagnosedAuth(`AUTH OAUTHBEARER ${base64(`n,,\x01auth=Bearer ${TOKEN}\x01\x01`)}`);
    assert.match(
      bearer.line,
      /^501 5\.5\.2 Malformed AUTH OAUTHBEARER response \(expected n,a=USER, .*names no user/,
    );
    const limited = await authReady({ limits: { maxAuthFailures: 1 } });
    limited.sink.takeReplies();
    const wrong = `AUTH XOAUTH2 ${xoauth2(USER, 'ya29.other')}`;
    assert.deepEqual(await limited.codes(wrong, '', wrong, ''), [334, 535, 334, 421]);
  });

  it('never records the token', async () => {
    const token = microsoftSmtpToken(USER);
    const harness = await authReady();
    await harness.exchange(
      'AUTH XOAUTH2',
      xoauth2(USER, token),
      `AUTH OAUTHBEARER ${oauthbearer(USER, 'ya29.other')}`,
      'AQ==',
    );
    const recorded = [
      ...harness.sink.transcriptLines.map((line) => line.text),
      ...harness.sink.diagnostics.map((diagnostic) => diagnostic.detail ?? ''),
    ].join('\n');
    for (const secret of [token, 'ya29.other', xoauth2(USER, token)]) assert.ok(!recorded.includes(secret));
    assert.ok(recorded.includes('AQ=='), 'the dummy answer to the error challenge is no secret');
  });
});
