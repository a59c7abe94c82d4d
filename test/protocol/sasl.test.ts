/** SASL pieces: strict base64 (RFC 4954 §4), the PLAIN message (RFC 4616 §2) and the LOGIN exchange. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeSaslResponse, parsePlainResponse, SaslExchange } from '../../src/protocol/sasl.js';

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
