/**
 * Chaos rules as data: the text syntax, the one validator every entry point uses, the default
 * enhanced codes and texts, globs, and the decider with its counters.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseClientNetwork } from '../../src/chaos/client-network.js';
import { Glob } from '../../src/chaos/glob.js';
import { ChaosRuleSet, describeFiring } from '../../src/chaos/rule-set.js';
import { CHAOS_STAGES, type ChaosRule, ChaosRuleError } from '../../src/chaos/rules.js';
import { formatChaosRule, readChaosRules, splitChaosRules } from '../../src/chaos/syntax.js';
import { resolveServeConfig } from '../../src/config/serve-config.js';
import { ConfigError } from '../../src/errors.js';
import type { ProfileName } from '../../src/profiles/port-profiles.js';

function rule(text: string): ChaosRule {
  const [parsed] = readChaosRules([text]);
  assert.ok(parsed);
  return parsed;
}

function refusal(inputs: readonly unknown[]): ChaosRuleError {
  try {
    readChaosRules(inputs as never);
  } catch (error) {
    assert.ok(error instanceof ChaosRuleError, String(error));
    return error;
  }
  assert.fail(`${JSON.stringify(inputs)} should have been refused`);
}

describe('chaos rule syntax', () => {
  it('accepts every stage', () => {
    for (const stage of CHAOS_STAGES) assert.equal(rule(`${stage}:451`).stage, stage);
  });

  it('reads each action: a reply with or without its enhanced code, a delay, a disconnect', () => {
    assert.deepEqual(rule('message:554/5.7.1').action, {
      type: 'reply',
      code: 554,
      enhancedCode: '5.7.1',
      text: 'Permanent failure injected on purpose by Mailport chaos rule chaos-1 (stage message)',
    });
    assert.deepEqual(rule('rcpt:451').action, {
      type: 'reply',
      code: 451,
      enhancedCode: '4.3.0',
      text: 'Temporary failure injected on purpose by Mailport chaos rule chaos-1 (stage rcpt)',
    });
    assert.deepEqual(rule('connect:delay=10s').action, { type: 'delay', delayMs: 10_000 });
    assert.deepEqual(rule('ehlo:delay=1500ms').action, { type: 'delay', delayMs: 1500 });
    assert.deepEqual(rule('mail:delay=2m').action, { type: 'delay', delayMs: 120_000 });
    assert.deepEqual(rule('data:disconnect').action, { type: 'disconnect' });
  });

  it('reads every filter, and text= takes the rest of the rule, commas included', () => {
    assert.deepEqual(
      rule(
        'rcpt:452,p=0.25,times=2,match=*@Flaky.test,client=10.0.0.0/8,profile=submission,id=flaky,text=Busy, try later',
      ),
      {
        id: 'flaky',
        stage: 'rcpt',
        action: { type: 'reply', code: 452, enhancedCode: '4.5.3', text: 'Busy, try later' },
        probability: 0.25,
        times: 2,
        match: '*@Flaky.test',
        client: '10.0.0.0/8',
        profile: 'submission',
      },
    );
    assert.equal(rule('auth:454,probability=0.5').probability, 0.5);
    assert.equal(rule('auth:454').probability, 1, 'probability defaults to 1');
  });

  it('numbers rules without an id by position, and splits MAILPORT_CHAOS values on ";"', () => {
    const texts = splitChaosRules(['connect:421; data:disconnect;', 'message:554']);
    assert.deepEqual(texts, ['connect:421', 'data:disconnect', 'message:554']);
    assert.deepEqual(
      readChaosRules(texts).map((r) => r.id),
      ['chaos-1', 'chaos-2', 'chaos-3'],
    );
  });

  it('picks the enhanced code a production server pairs with each code at each stage', () => {
    const cases: [string, string][] = [
      ['mail:451', '4.3.0'],
      ['connect:421', '4.3.2'],
      ['rcpt:452', '4.5.3'],
      ['message:452', '4.3.1'],
      ['auth:454', '4.7.0'],
      ['auth:535', '5.7.8'],
      ['rcpt:550', '5.1.1'],
      ['mail:550', '5.7.1'],
      ['message:552', '5.3.4'],
      ['rcpt:552', '5.2.2'],
      ['message:554', '5.7.1'],
      ['connect:554', '5.3.2'],
      ['mail:553', '5.1.7'],
      ['rcpt:553', '5.1.3'],
      ['rcpt:450', '4.2.0'],
      ['data:499', '4.0.0'],
      ['data:599', '5.0.0'],
    ];
    for (const [text, enhanced] of cases) {
      const { action } = rule(text);
      assert.equal(action.type === 'reply' && action.enhancedCode, enhanced, text);
    }
  });

  it('writes a rule back in the text form it reads', () => {
    for (const text of [
      'rcpt:451/4.3.0,times=2,match=*@flaky.test',
      'message:554/5.7.1,p=0.1,profile=relay',
      'connect:delay=10s',
      'data:delay=1500ms',
      'data:disconnect',
      'auth:535/5.7.8,text=No, not today',
      'connect:421/4.3.2,client=192.0.2.7',
      'rcpt:550/5.1.1,match=*@x.test,client=2001:db8::/32,profile=relay',
    ]) {
      assert.equal(formatChaosRule(rule(text)), text);
    }
  });
});

describe('chaos rule errors', () => {
  const cases: [string, string, RegExp][] = [
    ['rcpt:399', 'action.code', /400 to 599.*not 399/],
    ['rcpt:600', 'action.code', /not 600/],
    ['rcpt:maybe', 'action', /reply code \(451.*delay=DURATION or disconnect, not "maybe"/],
    [
      'rcpt:451/5.1.1',
      'action.enhancedCode',
      /5\.1\.1 must have the class of the reply code 451.*4\.x\.x, e\.g\. 4\.3\.0/,
    ],
    ['rcpt:550/4.1.1', 'action.enhancedCode', /class of the reply code 550/],
    ['rcpt:451/4.3', 'action.enhancedCode', /RFC 3463 code such as 4\.3\.0/],
    [
      'greeting:421',
      'stage',
      /unknown stage "greeting"; the stages are connect, ehlo, auth, mail, rcpt, data, message/,
    ],
    ['451', '', /not a rule: write STAGE:ACTION/],
    ['rcpt:451,p=1.5', 'probability', /from 0 to 1.*not 1\.5/],
    ['rcpt:451,p=often', 'probability', /not "often"/],
    ['rcpt:451,times=0', 'times', /whole number from 1/],
    ['rcpt:451,times=1.5', 'times', /whole number/],
    ['connect:delay=soon', 'action.delayMs', /duration such as 10s, 1500ms or 2m, not "soon"/],
    ['connect:delay=11m', 'action.delayMs', /from 1 to 600000 \(10 minutes\), not 660000/],
    ['connect:421,match=*@x.test', 'match', /cannot be used at connect/],
    ['rcpt:451,match=a b', 'match', /without spaces/],
    [
      'rcpt:451,client=10.0.0.0/33',
      'client',
      /client must be an IPv4 or IPv6 address.*e\.g\. 10\.0\.0\.0\/8.*not "10\.0\.0\.0\/33"/,
    ],
    ['rcpt:451,client=localhost', 'client', /CIDR notation/],
    ['connect:421,client=', 'client', /not ""/],
    ['rcpt:451,profile=smtps', 'profile', /relay, submissions, submission, alternate, not "smtps"/],
    ['rcpt:451,retries=2', '', /unknown option "retries"/],
    ['rcpt:451,times=1,times=2', 'times', /given twice/],
    ['rcpt:451,id=no spaces', 'id', /letters, digits/],
    ['data:disconnect,text=bye', 'action.text', /only goes with a reply action/],
    ['rcpt:451,text=caf\u00e9', 'action.text', /printable US-ASCII/],
  ];
  for (const [text, field, message] of cases) {
    it(`${text} -> ${field || 'the rule'}`, () => {
      const error = refusal([text]);
      assert.equal(error.field, field);
      assert.match(error.problem, message);
      assert.equal(error.index, 0);
    });
  }

  it('checks the JSON form with the same validator, unknown fields and duplicate ids included', () => {
    const mismatch = refusal([
      'rcpt:451',
      { stage: 'rcpt', action: { type: 'reply', code: 451, enhancedCode: '5.1.1' } },
    ]);
    assert.equal(mismatch.index, 1);
    assert.equal(mismatch.field, 'action.enhancedCode');
    assert.match(mismatch.message, /^Chaos rule 2: the enhanced code 5\.1\.1/);
    assert.equal(
      refusal([{ stage: 'rcpt', action: { type: 'reply', code: 451 }, probabilty: 1 }]).field,
      'probabilty',
    );
    assert.equal(
      refusal([{ stage: 'rcpt', action: { type: 'delay', delayMs: 5, code: 451 } }]).field,
      'action.code',
    );
    assert.equal(refusal([{ stage: 'rcpt', action: { type: 'explode' } }]).field, 'action.type');
    assert.equal(refusal([{ stage: 'rcpt' }]).field, 'action');
    assert.equal(refusal([42]).field, '');
    assert.equal(refusal([{ stage: 'rcpt', action: { type: 'disconnect' }, client: 10 }]).field, 'client');
    const duplicate = refusal(['rcpt:451,id=x', 'mail:451,id=x']);
    assert.equal(duplicate.index, 1);
    assert.equal(duplicate.field, 'id');
    assert.match(refusal(Array.from({ length: 101 }, () => 'rcpt:451')).problem, /at most 100 rules/);
  });

  it('--chaos errors say which rule, what is wrong and show a correct example', () => {
    assert.throws(
      () => resolveServeConfig({ chaos: ['rcpt:451,times=1', 'rcpt:451/5.1.1'] }, null),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(
          error.message,
          /^--chaos "rcpt:451\/5\.1\.1": the enhanced code 5\.1\.1 must have the class/,
        );
        assert.match(error.hint ?? '', /e\.g\. --chaos 'rcpt:451,match=\*@flaky\.test,times=2'/);
        return true;
      },
    );
    const config = resolveServeConfig({ chaos: ['connect:421;data:disconnect'] }, null);
    assert.deepEqual(
      config.chaos.map((r) => r.stage),
      ['connect', 'data'],
    );
  });
});

describe('chaos client networks', () => {
  it('read an address or a CIDR network of either family, in the canonical form', () => {
    assert.deepEqual(parseClientNetwork('127.0.0.0/8'), { address: '127.0.0.0', prefix: 8, family: 'ipv4' });
    assert.deepEqual(parseClientNetwork('192.0.2.7'), { address: '192.0.2.7', prefix: 32, family: 'ipv4' });
    assert.deepEqual(parseClientNetwork('0.0.0.0/0'), { address: '0.0.0.0', prefix: 0, family: 'ipv4' });
    assert.deepEqual(parseClientNetwork('::1'), { address: '::1', prefix: 128, family: 'ipv6' });
    assert.deepEqual(parseClientNetwork('2001:DB8:0::/32'), {
      address: '2001:db8::',
      prefix: 32,
      family: 'ipv6',
    });
    assert.deepEqual(parseClientNetwork('::ffff:10.0.0.0/104'), {
      address: '::ffff:a00:0',
      prefix: 104,
      family: 'ipv6',
    });
  });

  it('refuse anything else, shorthand and octal IPv4 and IPv6 zones included', () => {
    for (const text of [
      '',
      'localhost',
      '10.0.0.0/33',
      '::/129',
      '10.0.0.0/',
      '10.0.0.0/8/8',
      '10.0.0.0/-1',
      '10.0.0.0/x',
      '256.0.0.1',
      '127.1',
      '010.0.0.1',
      '0x7f.0.0.1',
      '10.0.0.0.',
      '1::2::3',
      '1:2:3:4:5:6:7:8:9',
      'fe80::1%eth0',
      '::1]/x?[',
      ' 10.0.0.0/8',
    ]) {
      assert.equal(parseClientNetwork(text), null, JSON.stringify(text));
    }
  });
});

describe('chaos globs', () => {
  it('match case-insensitively with * and ?, anchored at both ends', () => {
    const glob = new Glob('*@Flaky.test');
    assert.equal(glob.matches('bob@flaky.test'), true);
    assert.equal(glob.matches('BOB@FLAKY.TEST'), true);
    assert.equal(glob.matches('@flaky.test'), true);
    assert.equal(glob.matches('bob@flaky.test.example'), false);
    assert.equal(glob.matches('bob@notflaky.test'), false);
    assert.equal(new Glob('user?@x').matches('user1@x'), true);
    assert.equal(new Glob('user?@x').matches('user@x'), false);
    assert.equal(new Glob('*').matches(''), true, 'the null sender <> matches *');
    assert.equal(new Glob('a*b*c').matches('aXXbYYc'), true);
    assert.equal(new Glob('a*b*c').matches('aXXbYY'), false);
    assert.equal(new Glob('jos\u00e9@*').matches('JOS\u00c9@x.test'), true);
  });

  it('stay fast on patterns built to make a regex backtrack', () => {
    const glob = new Glob(`${'*a'.repeat(120)}b`);
    const started = performance.now();
    assert.equal(glob.matches('a'.repeat(256)), false);
    assert.ok(performance.now() - started < 200, 'well under a fraction of a second');
  });
});

describe('chaos decider', () => {
  const facts = (
    stage: ChaosRule['stage'],
    subjects: string[] = [],
    profile: ProfileName = 'relay',
    client = '127.0.0.1',
  ) => ({ stage, subjects, profile, client });

  it('fires only for the first `times` matches, counting fired and remaining', () => {
    const set = new ChaosRuleSet(readChaosRules(['rcpt:451,times=2,match=*@flaky.test']));
    assert.equal(set.decide(facts('rcpt', ['a@ok.test'])), null, 'another recipient');
    assert.equal(set.decide(facts('mail', ['a@flaky.test'])), null, 'another stage');
    assert.equal(set.decide(facts('rcpt', ['a@flaky.test']))?.subject, 'a@flaky.test');
    assert.deepEqual(
      set.list().map(({ fired, remaining }) => ({ fired, remaining })),
      [{ fired: 1, remaining: 1 }],
    );
    assert.ok(set.decide(facts('rcpt', ['b@flaky.test'])));
    assert.equal(set.decide(facts('rcpt', ['c@flaky.test'])), null, 'spent');
    assert.deepEqual(
      set.clear().map(({ fired, remaining }) => ({ fired, remaining })),
      [{ fired: 2, remaining: 0 }],
    );
    assert.deepEqual(set.list(), []);
  });

  it('rolls the probability per match; 0 never fires and 1 always does', () => {
    const rolls = [0.05, 0.5, 0.09];
    const set = new ChaosRuleSet(readChaosRules(['message:554,p=0.1']), () => rolls.shift() ?? 0.99);
    const results = [1, 2, 3, 4].map(() => set.decide(facts('message', ['a@x.test'])) !== null);
    assert.deepEqual(results, [true, false, true, false]);
    const never = new ChaosRuleSet(readChaosRules(['mail:451,p=0']), () => 0);
    assert.equal(never.decide(facts('mail', [''])), null);
    const always = new ChaosRuleSet(readChaosRules(['mail:451']), () => 0.999999);
    assert.ok(always.decide(facts('mail', [''])));
  });

  it('filters by profile, matches any subject at data and message, and the first rule that fires wins', () => {
    const set = new ChaosRuleSet(
      readChaosRules(['data:451,profile=submission', 'message:552,match=*@big.test', 'message:554']),
    );
    assert.equal(set.decide(facts('data')), null);
    assert.ok(set.decide(facts('data', [], 'submission')));
    assert.equal(set.decide(facts('message', ['a@x.test', 'b@big.test']))?.rule.id, 'chaos-2');
    assert.equal(set.decide(facts('message', ['a@x.test']))?.rule.id, 'chaos-3');
  });

  it('filters by client network at every stage, IPv4-mapped IPv6 addresses included', () => {
    const set = new ChaosRuleSet(
      readChaosRules([
        'connect:421,client=127.0.0.0/8',
        'connect:554,client=2001:db8::/32',
        'rcpt:451,client=::1',
      ]),
    );
    const at = (client: string, stage: ChaosRule['stage'] = 'connect') =>
      set.decide(facts(stage, ['a@x.test'], 'relay', client))?.rule.id ?? null;
    assert.equal(at('127.0.0.1'), 'chaos-1');
    assert.equal(at('127.255.0.9'), 'chaos-1');
    assert.equal(at('::ffff:127.0.0.1'), 'chaos-1', 'a dual-stack listener reports IPv4 clients mapped');
    assert.equal(at('10.0.0.1'), null);
    assert.equal(at('::ffff:10.0.0.1'), null);
    assert.equal(at('2001:db8::25'), 'chaos-2');
    assert.equal(at('2001:db9::25'), null);
    assert.equal(at('::1'), null, '::1 is not in 127.0.0.0/8');
    assert.equal(at('::1', 'rcpt'), 'chaos-3');
    assert.equal(at('127.0.0.1', 'rcpt'), null);
    assert.equal(at('unknown'), null, 'a socket without an address is in no network');
    const mapped = new ChaosRuleSet(readChaosRules(['mail:451,client=::ffff:192.0.2.0/120']));
    assert.ok(mapped.decide(facts('mail', [''], 'relay', '192.0.2.200')), 'and the other way round');
  });

  it('describes a firing for the transcript: the rule, the subject and what the server did', () => {
    const set = new ChaosRuleSet(readChaosRules(['rcpt:550,match=*@flaky.test,id=bounce']));
    const firing = set.decide(facts('rcpt', ['bob@flaky.test']));
    assert.ok(firing);
    assert.equal(
      describeFiring(firing),
      'chaos rule bounce (rcpt:550/5.1.1,match=*@flaky.test) fired for <bob@flaky.test>: the server replies 550 5.1.1 instead of accepting RCPT TO on purpose',
    );
  });
});
