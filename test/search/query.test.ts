import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isEmptyQuery, parseDate, parseSearchQuery, type SearchTerm } from '../../src/search/query.js';
import { foldText, searchWords } from '../../src/search/words.js';

const NOW = new Date('2026-11-23T12:00:00.000Z');
const hoursAgo = (hours: number): Date => new Date(NOW.getTime() - hours * 3_600_000);

const text = (value: string, negated = false): SearchTerm => ({ type: 'text', value, negated });

const cases: [string, SearchTerm[]][] = [
  ['', []],
  ['   \t ', []],
  ['invoice', [text('invoice')]],
  ['invoice  overdue', [text('invoice'), text('overdue')]],
  ['"password reset"', [text('password reset')]],
  ['"unclosed phrase', [text('unclosed phrase')]],
  ['""', []],
  ['"say \\"hi\\" \\\\ bye"', [text('say "hi" \\ bye')]],
  ['-spam', [text('spam', true)]],
  ['- spam', [text('-'), text('spam')]],
  ['-"out of office"', [text('out of office', true)]],
  ['from:alice@example.com', [{ type: 'field', field: 'from', value: 'alice@example.com', negated: false }]],
  ['FROM:Alice', [{ type: 'field', field: 'from', value: 'Alice', negated: false }]],
  ['-from:noreply', [{ type: 'field', field: 'from', value: 'noreply', negated: true }]],
  ['to:bob@example.com', [{ type: 'field', field: 'to', value: 'bob@example.com', negated: false }]],
  [
    'subject:"password reset"',
    [{ type: 'field', field: 'subject', value: 'password reset', negated: false }],
  ],
  ['subject:reset', [{ type: 'field', field: 'subject', value: 'reset', negated: false }]],
  ['inbox:team-a', [{ type: 'field', field: 'inbox', value: 'team-a', negated: false }]],
  ['from:', [text('from:')]],
  ['subject:""', [text('subject:')]],
  ['port:1587', [{ type: 'port', port: 1587, negated: false }]],
  ['-port:25', [{ type: 'port', port: 25, negated: true }]],
  ['port:0', [text('port:0')]],
  ['port:65536', [text('port:65536')]],
  ['port:abc', [text('port:abc')]],
  ['port:15870', [{ type: 'port', port: 15_870, negated: false }]],
  ['profile:submission', [{ type: 'profile', profile: 'submission', negated: false }]],
  ['profile:Relay', [{ type: 'profile', profile: 'relay', negated: false }]],
  ['profile:smtp', [text('profile:smtp')]],
  ['profile:toString', [text('profile:toString')]],
  ['has:attachment', [{ type: 'hasAttachment', negated: false }]],
  ['has:attachments', [{ type: 'hasAttachment', negated: false }]],
  ['-has:attachment', [{ type: 'hasAttachment', negated: true }]],
  ['has:stars', [text('has:stars')]],
  ['is:read', [{ type: 'read', read: true }]],
  ['is:unread', [{ type: 'read', read: false }]],
  ['-is:read', [{ type: 'read', read: false }]],
  ['-is:unread', [{ type: 'read', read: true }]],
  ['is:starred', [text('is:starred')]],
  [
    'before:2026-01-31',
    [{ type: 'date', op: 'before', at: new Date('2026-01-31T00:00:00.000Z'), negated: false }],
  ],
  [
    'after:2026-11-20T08:30:00Z',
    [{ type: 'date', op: 'after', at: new Date('2026-11-20T08:30:00Z'), negated: false }],
  ],
  ['after:1h', [{ type: 'date', op: 'after', at: hoursAgo(1), negated: false }]],
  ['after:2d', [{ type: 'date', op: 'after', at: hoursAgo(48), negated: false }]],
  ['before:1w', [{ type: 'date', op: 'before', at: hoursAgo(168), negated: false }]],
  ['after:30m', [{ type: 'date', op: 'after', at: hoursAgo(0.5), negated: false }]],
  ['after:90s', [{ type: 'date', op: 'after', at: new Date(NOW.getTime() - 90_000), negated: false }]],
  ['-after:2D', [{ type: 'date', op: 'after', at: hoursAgo(48), negated: true }]],
  ['before:2026-02-30', [text('before:2026-02-30')]],
  ['before:yesterday', [text('before:yesterday')]],
  ['after:2h30m', [text('after:2h30m')]],
  ['unknown:thing', [text('unknown:thing')]],
  ['http://example.com/reset', [text('http://example.com/reset')]],
  ['x-mailer:"Acme Mailer"', [text('x-mailer:"Acme'), text('Mailer"')]],
  ['label:"two words"', [text('label:two words')]],
  [
    'invoice from:shop.example -is:read port:1587 has:attachment after:2d',
    [
      text('invoice'),
      { type: 'field', field: 'from', value: 'shop.example', negated: false },
      { type: 'read', read: false },
      { type: 'port', port: 1587, negated: false },
      { type: 'hasAttachment', negated: false },
      { type: 'date', op: 'after', at: hoursAgo(48), negated: false },
    ],
  ],
];

describe('parseSearchQuery', () => {
  for (const [q, terms] of cases) {
    it(`parses ${JSON.stringify(q)}`, () => {
      assert.deepEqual(parseSearchQuery(q, NOW).terms, terms);
    });
  }

  it('notes each key:value searched as text instead, with why and what to write', () => {
    const notes = (q: string): string[] => parseSearchQuery(q, NOW).notes;
    assert.deepEqual(notes('invoice from:shop.example -is:read port:1587 has:attachment after:2d'), []);
    assert.deepEqual(notes('after:zzz'), [
      'after:zzz is not a date, so it was searched as text: use YYYY-MM-DD, an ISO 8601 date-time, or an age like 30m, 2h, 1d, 1w.',
    ]);
    assert.deepEqual(notes('invoice -before:2026-02-30 port:abc'), [
      '-before:2026-02-30 is not a date, so it was searched as text: use YYYY-MM-DD, an ISO 8601 date-time, or an age like 30m, 2h, 1d, 1w.',
      'port:abc is not a port, so it was searched as text: use a number from 1 to 65535, e.g. port:1587.',
    ]);
    assert.deepEqual(notes('profile:nope'), [
      'profile:nope is not a listener profile, so it was searched as text: use one of profile:relay, profile:submissions, profile:submission, profile:alternate.',
    ]);
    assert.match(
      notes('has:x')[0] ?? '',
      /^has:x is not .*, so it was searched as text: use has:attachment\.$/,
    );
    assert.match(notes('is:maybe')[0] ?? '', /^is:maybe .* use is:read or is:unread\.$/);
    assert.deepEqual(notes('subject:""'), [
      'subject: has no value, so it was searched as text: write the value right after the colon.',
    ]);
    assert.deepEqual(notes('label:"two words"'), [
      'label:two words uses no search key (label: is none), so it was searched as text: the keys are from: to: subject: inbox: port: profile: has: is: before: after:; quote it ("label:two words") to search for it as text.',
    ]);
    // A link is searched for, not a mistyped key; a quoted phrase is text by intent.
    assert.deepEqual(notes('https://example.com/reset "port:abc" x-mailer:Acme'), []);
  });

  it('reports an empty query', () => {
    assert.equal(isEmptyQuery(parseSearchQuery('  ', NOW)), true);
    assert.equal(isEmptyQuery(parseSearchQuery('a', NOW)), false);
  });

  it('uses the current time when none is given', () => {
    const before = Date.now();
    const [term] = parseSearchQuery('after:0s').terms;
    assert.equal(term?.type, 'date');
    if (term?.type === 'date') assert.ok(term.at.getTime() >= before && term.at.getTime() <= Date.now());
  });
});

describe('parseDate', () => {
  it('reads calendar dates as midnight UTC and rejects impossible ones', () => {
    assert.deepEqual(parseDate('2024-02-29', NOW), new Date('2024-02-29T00:00:00.000Z'));
    assert.equal(parseDate('2023-02-29', NOW), null);
    assert.equal(parseDate('2026-13-01', NOW), null);
    assert.equal(parseDate('2026-11-20T25:00:00Z', NOW), null);
    assert.equal(parseDate('', NOW), null);
  });
});

describe('searchWords', () => {
  it('splits on anything but letters and digits, lower-cases and removes accents', () => {
    assert.deepEqual(searchWords('Alice <alice@Example.com>, #1042'), [
      'alice',
      'alice',
      'example',
      'com',
      '1042',
    ]);
    assert.deepEqual(searchWords('Grüße aus Köln – Élodie'), ['gruße', 'aus', 'koln', 'elodie']);
    assert.deepEqual(searchWords('東京 2026'), ['東京', '2026']);
    assert.deepEqual(searchWords('*** --- ***'), []);
  });

  it('folds case and accents but keeps punctuation for substring matching', () => {
    assert.equal(foldText('Jörg Müller <JOERG@Beispiel.example>'), 'jorg muller <joerg@beispiel.example>');
    assert.equal(foldText('ﬁle'), 'file');
  });
});
