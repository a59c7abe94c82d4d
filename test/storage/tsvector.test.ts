import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tsqueryPhrase, tsvectorLiteral } from '../../src/storage/postgres/tsvector.js';

describe('tsvectorLiteral', () => {
  it('labels positions with their column weight and leaves a gap between columns', () => {
    assert.equal(
      tsvectorLiteral([
        { words: ['invoice', 'ready'], weight: 'A' },
        { words: ['billing', 'invoice'], weight: 'B' },
        { words: ['ready'], weight: 'D' },
      ]),
      "'invoice':1A,5B 'ready':2A,7 'billing':4B",
    );
    assert.equal(tsvectorLiteral([{ words: [], weight: 'A' }]), '');
  });

  it('stays inside the tsvector limits: 16383 positions, 256 per lexeme, short lexemes', () => {
    const many = Array.from({ length: 20_000 }, () => 'same');
    const literal = tsvectorLiteral([
      { words: many, weight: 'D' },
      { words: ['x'.repeat(3000), 'tail'], weight: 'D' },
    ]);
    const positions = /^'same':([\d,]+) 'tail':(\d+)$/.exec(literal);
    assert.ok(positions, literal.slice(0, 200));
    assert.equal(positions[1]?.split(',').length, 256);
    assert.equal(positions[2], '16383');
  });

  it('stops adding new lexemes past its size budget', () => {
    const words = Array.from({ length: 100_000 }, (_, index) => `word${index}`);
    const literal = tsvectorLiteral([{ words, weight: 'D' }]);
    assert.ok(Buffer.byteLength(literal) < 1024 * 1024, 'under the 1 MiB tsvector limit');
    assert.match(literal, /^'word0':1 /);
    assert.doesNotMatch(literal, /'word99999'/);
  });
});

describe('tsqueryPhrase', () => {
  it('builds a phrase with a prefix on the last word, optionally limited to one weight', () => {
    assert.equal(tsqueryPhrase(['invo'], null), "'invo':*");
    assert.equal(tsqueryPhrase(['shop', 'example'], null), "'shop' <-> 'example':*");
    assert.equal(tsqueryPhrase(['shop', 'example'], 'B'), "'shop':B <-> 'example':*B");
  });
});
