/** SASL pieces: strict base64 (RFC 4954 §4), the PLAIN message (RFC 4616 §2) and the LOGIN exchange. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeSaslResponse,
  parseOauthbearerResponse,
  parsePlainResponse,
  parseXoauth2Response,
  SaslExchange,
} from '../../src/protocol/sasl.js';

describe('decodeSaslResponse', () => {
  const table: [string, string | null][] = [
    ['YWJj', 'abc'],
    ['YWI=', 'ab'],
    ['YQ==', 'a'],
    ['=', ''],
    ['', ''],
    ['YWJ', null],
    ['YW=j', null],
    ['YWJj\t', null],
    ['YW Jj', null],
    ['YWJj====', null],
    ['Y!Jj', null],
  ];
  for (const [input, expected] of table) {
    it(`${JSON.stringify(input)} → ${JSON.stringify(expected)}`, () => {
      assert.equal(decodeSaslResponse(input)?.toString() ?? null, expected);
    });
  }
});

describe('parsePlainResponse (RFC 4616 §2)', () => {
  it('splits authzid, username and password', () => {
    assert.deepEqual(parsePlainResponse(Buffer.from('admin\0alice\0pw')), {
      authzid: 'admin',
      username: 'alice',
      password: 'pw',
    });
    assert.deepEqual(parsePlainResponse(Buffer.from('\0alice\0p\u00e4ss')), {
      authzid: null,
      username: 'alice',
      password: 'p\u00e4ss',
    });
  });

  it('refuses a message without exactly two NULs or without a username', () => {
    for (const text of ['alice', 'alice\0pw', '\0\0pw', 'a\0b\0c\0d']) {
      assert.equal(parsePlainResponse(Buffer.from(text)), null, JSON.stringify(text));
    }
  });
});

describe('SaslExchange', () => {
  const b64 = (text: string) => Buffer.from(text).toString('base64');

  it('LOGIN asks for the username, then the password', () => {
    const exchange = new SaslExchange('LOGIN');
    assert.deepEqual(exchange.start(undefined), { kind: 'challenge', text: b64('Username:') });
    assert.deepEqual(exchange.respond(b64('alice')), { kind: 'challenge', text: b64('Password:') });
    assert.deepEqual(exchange.respond(b64('pw')), {
      kind: 'credentials',
      credentials: { mechanism: 'LOGIN', authzid: null, username: 'alice', password: 'pw' },
    });
  });

  it('PLAIN completes from the initial response, or after an empty challenge', () => {
    const credentials = { mechanism: 'PLAIN', authzid: null, username: 'alice', password: 'pw' };
    assert.deepEqual(new SaslExchange('PLAIN').start(b64('\0alice\0pw')), {
      kind: 'credentials',
      credentials,
    });
    const exchange = new SaslExchange('PLAIN');
    assert.deepEqual(exchange.start(undefined), { kind: 'challenge', text: '' });
    assert.deepEqual(exchange.respond(b64('\0alice\0pw')), { kind: 'credentials', credentials });
  });

  it('reports cancel, bad base64 and malformed PLAIN', () => {
    assert.deepEqual(new SaslExchange('LOGIN').respond('*'), { kind: 'cancelled' });
    assert.equal(new SaslExchange('LOGIN').start('%%%').kind, 'invalid-base64');
    assert.equal(new SaslExchange('PLAIN').start(b64('no-nuls')).kind, 'malformed');
  });
});

describe('parseXoauth2Response (user=USER ^A auth=Bearer TOKEN ^A ^A)', () => {
  const table: { name: string; message: string; expected: ReturnType<typeof parseXoauth2Response> }[] = [
    {
      name: 'the documented form',
      message: 'user=me@example.com\x01auth=Bearer ya29.token\x01\x01',
      expected: { username: 'me@example.com', token: 'ya29.token' },
    },
    {
      name: 'the scheme in any case',
      message: 'user=me@example.com\x01auth=bearer ya29.token\x01\x01',
      expected: { username: 'me@example.com', token: 'ya29.token' },
    },
    {
      name: '^A written as text',
      message: 'user=me@example.com^Aauth=Bearer ya29.token^A^A',
      expected: {
        mistake:
          'the XOAUTH2 response has the separator written as text (such as "^A" or "\\x01") where the byte 0x01 belongs',
      },
    },
    {
      name: '\\x01 written as text',
      message: 'user=me@example.com\\x01auth=Bearer ya29.token\\x01\\x01',
      expected: {
        mistake:
          'the XOAUTH2 response has the separator written as text (such as "^A" or "\\x01") where the byte 0x01 belongs',
      },
    },
    {
      name: 'no separators at all',
      message: 'ya29.token',
      expected: { mistake: 'the XOAUTH2 response has no 0x01 separators between its fields' },
    },
    {
      name: 'one final ^A',
      message: 'user=me@example.com\x01auth=Bearer ya29.token\x01',
      expected: { mistake: 'the XOAUTH2 response does not end with two 0x01 bytes' },
    },
    {
      name: 'no user',
      message: 'user=\x01auth=Bearer ya29.token\x01\x01',
      expected: { mistake: 'the XOAUTH2 response names no user (user= is missing or empty)' },
    },
    {
      name: 'no auth field',
      message: 'user=me@example.com\x01\x01',
      expected: { mistake: 'the XOAUTH2 response has no auth= field' },
    },
    {
      name: 'the token without its scheme',
      message: 'user=me@example.com\x01auth=ya29.token\x01\x01',
      expected: { mistake: `the XOAUTH2 response's auth= field must be "Bearer " and the token` },
    },
  ];
  for (const { name, message, expected } of table) {
    it(name, () => assert.deepEqual(parseXoauth2Response(Buffer.from(message)), expected));
  }
});

describe('parseOauthbearerResponse (RFC 7628 §3.1)', () => {
  it('takes the user from the GS2 header, decoding =2C and =3D (RFC 5801 §4)', () => {
    assert.deepEqual(
      parseOauthbearerResponse(
        Buffer.from('n,a=odd=2Cname=3Dx@example.com,\x01host=mx\x01port=587\x01auth=Bearer tok\x01\x01'),
      ),
      { username: 'odd,name=x@example.com', token: 'tok' },
    );
  });
  const mistakes: [string, string][] = [
    [
      '\x01auth=Bearer tok\x01\x01',
      'the OAUTHBEARER response does not start with a GS2 header such as n,a=USER,',
    ],
    [
      'n,,\x01auth=Bearer tok\x01\x01',
      'the OAUTHBEARER response names no user: its GS2 header must be n,a=USER,',
    ],
    [
      'p=tls-unique,a=me@example.com,\x01auth=Bearer tok\x01\x01',
      'the OAUTHBEARER response asks for channel binding (p=), which this server does not offer',
    ],
    [
      'n,a=me@example.com,auth=Bearer tok\x01\x01',
      'the OAUTHBEARER response needs a 0x01 byte between its GS2 header and its fields',
    ],
    [
      'n,a=me@example.com,\x01auth=Bearer tok\x01',
      'the OAUTHBEARER response does not end with two 0x01 bytes',
    ],
    ['n,a=me@example.com,\x01host=mx\x01\x01', 'the OAUTHBEARER response has no auth= field'],
  ];
  for (const [message, mistake] of mistakes) {
    it(`${JSON.stringify(message)}: ${mistake}`, () => {
      assert.deepEqual(parseOauthbearerResponse(Buffer.from(message)), { mistake });
    });
  }
});

describe('SaslExchange with a bearer token', () => {
  const xoauth2 = Buffer.from('user=me@example.com\x01auth=Bearer tok\x01\x01').toString('base64');

  it('XOAUTH2 without an initial response sends an empty challenge, then yields the token', () => {
    const exchange = new SaslExchange('XOAUTH2');
    assert.deepEqual(exchange.start(undefined), { kind: 'challenge', text: '' });
    assert.deepEqual(exchange.respond(xoauth2), {
      kind: 'credentials',
      credentials: { mechanism: 'XOAUTH2', authzid: null, username: 'me@example.com', token: 'tok' },
    });
  });

  it('a refused token gets the JSON error challenge, and any answer ends the exchange', () => {
    const exchange = new SaslExchange('XOAUTH2');
    exchange.start(xoauth2);
    const challenge = exchange.refuseToken('me@example.com', ['expired']);
    assert.deepEqual(JSON.parse(Buffer.from(challenge, 'base64').toString()), {
      status: '401',
      schemes: 'bearer',
    });
    assert.equal(exchange.awaitsTokenErrorAnswer, true);
    assert.deepEqual(exchange.respond(''), {
      kind: 'token-refused',
      username: 'me@example.com',
      reasons: ['expired'],
      acknowledged: true,
    });
    const bearer = new SaslExchange('OAUTHBEARER');
    assert.deepEqual(JSON.parse(Buffer.from(bearer.refuseToken('u', []), 'base64').toString()), {
      status: 'invalid_token',
    });
    assert.equal((bearer.respond('RSET') as { acknowledged: boolean }).acknowledged, false);
    assert.throws(() => new SaslExchange('PLAIN').refuseToken('u', []), /PLAIN carries no token/);
  });
});
