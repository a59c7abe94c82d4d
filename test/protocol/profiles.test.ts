/**
 * The port-profile matrix: for each profile, the reply to each command before and after STARTTLS
 * and AUTH. One row per case, lines sent → codes expected, with the rule it checks.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DiagnosticCode } from '../../src/domain/types.js';
import type { ProfileName } from '../../src/profiles/port-profiles.js';
import { createHarness, type Harness, PASSWORD, plainResponse, USER } from './harness.js';

type Phase =
  /** Greeting sent, nothing else. */
  | 'greeted'
  /** EHLO done on the connection as it came (plaintext, or implicit TLS on submissions). */
  | 'ehlo'
  /** STARTTLS done, no EHLO since. */
  | 'tls-no-ehlo'
  /** STARTTLS and a new EHLO done. */
  | 'tls-ehlo'
  /** Everything the profile needs, including AUTH. */
  | 'authenticated';

interface Row {
  phase: Phase;
  send: string[];
  codes: number[];
  /** Enhanced code of the last reply. */
  enhanced?: string;
  diagnostic?: DiagnosticCode;
  /** The rule, with its RFC section. */
  rule: string;
}

const AUTH_GOOD = `AUTH PLAIN ${plainResponse(USER, PASSWORD)}`;
const MAIL = 'MAIL FROM:<sender@example.test>';

async function reach(profile: ProfileName, phase: Phase): Promise<Harness> {
  const harness = createHarness(profile);
  harness.sink.takeReplies();
  if (phase === 'greeted') return harness;
  await harness.exchange('EHLO client.test');
  if (phase === 'ehlo') return harness;
  if (profile !== 'submissions') await harness.upgrade();
  if (phase === 'tls-no-ehlo') return harness;
  await harness.exchange('EHLO client.test');
  if (phase === 'tls-ehlo') return harness;
  await harness.exchange(AUTH_GOOD);
  assert.ok(harness.session.auth, 'the harness authenticates');
  return harness;
}

const STARTTLS_PORT_ROWS: Row[] = [
  {
    phase: 'greeted',
    send: [MAIL],
    codes: [530],
    enhanced: '5.7.0',
    diagnostic: 'mail-before-starttls',
    rule: 'RFC 3207 §4: 530 before STARTTLS, even before EHLO (Postfix too)',
  },
  {
    phase: 'greeted',
    send: ['RCPT TO:<r@example.test>', 'DATA', AUTH_GOOD],
    codes: [530, 530, 530],
    enhanced: '5.7.0',
    diagnostic: 'auth-before-starttls',
    rule: 'RFC 3207 §4: 530 to every command other than NOOP, EHLO, STARTTLS, QUIT',
  },
  {
    phase: 'greeted',
    send: ['HELO client.test', 'STARTTLS'],
    codes: [530, 503],
    enhanced: '5.5.1',
    diagnostic: 'no-ehlo',
    rule: 'RFC 3207 §4: STARTTLS is offered in the EHLO reply; HELO is refused before STARTTLS',
  },
  { phase: 'greeted', send: ['NOOP'], codes: [250], rule: 'RFC 5321 §4.1.4: NOOP at any time' },
  {
    phase: 'ehlo',
    send: [AUTH_GOOD],
    codes: [530],
    enhanced: '5.7.0',
    diagnostic: 'auth-before-starttls',
    rule: 'RFC 3207 §4: 530 until STARTTLS',
  },
  {
    phase: 'ehlo',
    send: ['AUTH LOGIN'],
    codes: [530],
    enhanced: '5.7.0',
    diagnostic: 'auth-before-starttls',
    rule: 'RFC 3207 §4',
  },
  {
    phase: 'ehlo',
    send: [MAIL],
    codes: [530],
    enhanced: '5.7.0',
    diagnostic: 'mail-before-starttls',
    rule: 'RFC 3207 §4, RFC 6409 §4.3',
  },
  { phase: 'ehlo', send: ['RCPT TO:<r@example.test>'], codes: [530], enhanced: '5.7.0', rule: 'RFC 3207 §4' },
  { phase: 'ehlo', send: ['DATA'], codes: [530], enhanced: '5.7.0', rule: 'RFC 3207 §4' },
  { phase: 'ehlo', send: ['VRFY postmaster'], codes: [530], rule: 'RFC 3207 §4' },
  {
    phase: 'ehlo',
    send: ['NOOP', 'RSET', 'HELP', 'EXPN list', 'QUIT'],
    codes: [250, 530, 530, 530, 221],
    rule: 'RFC 3207 §4: 530 to every command other than NOOP, EHLO, STARTTLS, QUIT',
  },
  {
    phase: 'greeted',
    send: ['HELO client.test', 'EHLO client.test'],
    codes: [530, 250],
    rule: 'RFC 3207 §4: HELO is not among the commands allowed before STARTTLS',
  },
  {
    phase: 'ehlo',
    send: ['STARTTLS now'],
    codes: [501],
    enhanced: '5.5.4',
    rule: 'RFC 3207 §4: STARTTLS takes no parameters',
  },
  { phase: 'ehlo', send: ['STARTTLS'], codes: [220], enhanced: '2.0.0', rule: 'RFC 3207 §4' },
  {
    phase: 'tls-no-ehlo',
    send: [MAIL],
    codes: [503],
    enhanced: '5.5.1',
    diagnostic: 'starttls-not-reissued-ehlo',
    rule: 'RFC 3207 §4.2: EHLO again',
  },
  {
    phase: 'tls-no-ehlo',
    send: [AUTH_GOOD],
    codes: [503],
    diagnostic: 'starttls-not-reissued-ehlo',
    rule: 'RFC 3207 §4.2',
  },
  {
    phase: 'tls-ehlo',
    send: ['STARTTLS'],
    codes: [503],
    enhanced: '5.5.1',
    rule: 'RFC 3207 §4: TLS already active',
  },
  {
    phase: 'tls-ehlo',
    send: [MAIL],
    codes: [530],
    enhanced: '5.7.0',
    diagnostic: 'mail-before-auth',
    rule: 'RFC 4954 §6: AUTH required',
  },
  {
    phase: 'tls-ehlo',
    send: ['RCPT TO:<r@example.test>'],
    codes: [530],
    enhanced: '5.7.0',
    rule: 'RFC 4954 §6',
  },
  {
    phase: 'tls-ehlo',
    send: [`AUTH PLAIN ${plainResponse(USER, 'wrong')}`],
    codes: [535],
    enhanced: '5.7.8',
    diagnostic: 'auth-failed',
    rule: 'RFC 4954 §6',
  },
  {
    phase: 'tls-ehlo',
    send: ['AUTH CRAM-MD5'],
    codes: [504],
    enhanced: '5.5.4',
    diagnostic: 'auth-mechanism-unsupported',
    rule: 'RFC 4954 §4',
  },
  { phase: 'tls-ehlo', send: [AUTH_GOOD], codes: [235], enhanced: '2.7.0', rule: 'RFC 4954 §4' },
  {
    phase: 'authenticated',
    send: [AUTH_GOOD],
    codes: [503],
    enhanced: '5.5.1',
    rule: 'RFC 4954 §4: one AUTH per session',
  },
  {
    phase: 'authenticated',
    send: [MAIL, 'RCPT TO:<r@example.test>', 'DATA'],
    codes: [250, 250, 354],
    rule: 'RFC 5321 §3.3',
  },
];

const MATRIX: Record<ProfileName, Row[]> = {
  relay: [
    {
      phase: 'greeted',
      send: [MAIL],
      codes: [503],
      enhanced: '5.5.1',
      diagnostic: 'no-ehlo',
      rule: 'RFC 5321 §4.1.4',
    },
    {
      phase: 'greeted',
      send: ['STARTTLS'],
      codes: [503],
      enhanced: '5.5.1',
      diagnostic: 'no-ehlo',
      rule: 'RFC 3207 §4: STARTTLS is offered in the EHLO reply',
    },
    {
      phase: 'ehlo',
      send: [MAIL, 'RCPT TO:<anyone@anywhere.example>', 'DATA'],
      codes: [250, 250, 354],
      rule: 'relay: no AUTH needed, any recipient',
    },
    {
      phase: 'ehlo',
      send: [AUTH_GOOD],
      codes: [530],
      enhanced: '5.7.0',
      diagnostic: 'auth-without-tls',
      rule: 'RFC 4954 §4: AUTH only over TLS here',
    },
    {
      phase: 'ehlo',
      send: ['STARTTLS'],
      codes: [220],
      enhanced: '2.0.0',
      rule: 'RFC 3207: STARTTLS offered',
    },
    {
      phase: 'tls-no-ehlo',
      send: [MAIL],
      codes: [503],
      diagnostic: 'starttls-not-reissued-ehlo',
      rule: 'RFC 3207 §4.2',
    },
    { phase: 'tls-ehlo', send: [MAIL], codes: [250], rule: 'relay: AUTH optional after TLS' },
    { phase: 'tls-ehlo', send: ['STARTTLS'], codes: [503], rule: 'RFC 3207 §4' },
    { phase: 'tls-ehlo', send: [AUTH_GOOD], codes: [235], rule: 'RFC 4954 §4' },
    {
      phase: 'tls-ehlo',
      send: [`AUTH PLAIN ${plainResponse(USER, 'wrong')}`],
      codes: [535],
      diagnostic: 'auth-failed',
      rule: 'RFC 4954 §6',
    },
  ],
  submissions: [
    { phase: 'greeted', send: [AUTH_GOOD], codes: [503], diagnostic: 'no-ehlo', rule: 'RFC 5321 §4.1.4' },
    {
      phase: 'ehlo',
      send: ['STARTTLS'],
      codes: [503],
      enhanced: '5.5.1',
      rule: 'RFC 8314 §3.3: already TLS',
    },
    {
      phase: 'ehlo',
      send: [MAIL],
      codes: [530],
      enhanced: '5.7.0',
      diagnostic: 'mail-before-auth',
      rule: 'RFC 4954 §6',
    },
    { phase: 'ehlo', send: ['RCPT TO:<r@example.test>'], codes: [530], rule: 'RFC 4954 §6' },
    {
      phase: 'ehlo',
      send: [`AUTH PLAIN ${plainResponse(USER, 'wrong')}`],
      codes: [535],
      enhanced: '5.7.8',
      diagnostic: 'auth-failed',
      rule: 'RFC 4954 §6',
    },
    {
      phase: 'ehlo',
      send: ['AUTH CRAM-MD5 abc'],
      codes: [504],
      enhanced: '5.5.4',
      diagnostic: 'auth-mechanism-unsupported',
      rule: 'RFC 4954 §4',
    },
    { phase: 'ehlo', send: [AUTH_GOOD, MAIL], codes: [235, 250], rule: 'RFC 4954 §4' },
  ],
  submission: STARTTLS_PORT_ROWS,
  alternate: STARTTLS_PORT_ROWS,
};

for (const [profile, rows] of Object.entries(MATRIX) as [ProfileName, Row[]][]) {
  describe(`profile ${profile}: replies before and after STARTTLS and AUTH`, () => {
    for (const row of rows) {
      it(`${row.phase}: ${row.send.join(' / ').slice(0, 60)} → ${row.codes.join(',')} (${row.rule})`, async () => {
        const harness = await reach(profile, row.phase);
        const replies = await harness.exchange(...row.send);
        assert.deepEqual(
          replies.map((reply) => reply.code),
          row.codes,
        );
        const last = replies.at(-1)?.lines.at(-1) ?? '';
        if (row.enhanced !== undefined)
          assert.equal(last.slice(4, 4 + row.enhanced.length), row.enhanced, last);
        if (row.diagnostic !== undefined)
          assert.ok(harness.sink.diagnosticCodes.includes(row.diagnostic), last);
      });
    }
  });
}

function ehloKeywords(lines: string[]): string[] {
  return lines.slice(1).map((line) => line.slice(4));
}

describe('EHLO advertisement per profile (RFC 5321 §4.1.1.1, RFC 3207 §4, RFC 4954 §3)', () => {
  const base = ['PIPELINING', 'SIZE 100000', '8BITMIME', 'ENHANCEDSTATUSCODES', 'SMTPUTF8', 'CHUNKING'];
  const cases: { profile: ProfileName; before: string[]; after: string[] }[] = [
    {
      profile: 'relay',
      before: [...base, 'STARTTLS'],
      after: [...base, 'AUTH PLAIN LOGIN XOAUTH2 OAUTHBEARER'],
    },
    {
      profile: 'submission',
      before: [...base, 'STARTTLS'],
      after: [...base, 'AUTH PLAIN LOGIN XOAUTH2 OAUTHBEARER'],
    },
    {
      profile: 'alternate',
      before: [...base, 'STARTTLS'],
      after: [...base, 'AUTH PLAIN LOGIN XOAUTH2 OAUTHBEARER'],
    },
  ];
  for (const { profile, before, after } of cases) {
    it(`${profile}: STARTTLS before TLS, AUTH only after`, async () => {
      const harness = createHarness(profile);
      harness.sink.takeReplies();
      const [first] = await harness.exchange('EHLO client.test');
      assert.deepEqual(ehloKeywords(first?.lines ?? []), before);
      await harness.upgrade();
      const [second] = await harness.exchange('EHLO client.test');
      assert.deepEqual(ehloKeywords(second?.lines ?? []), after);
    });
  }

  it('submissions: TLS from the first byte, so AUTH and no STARTTLS', async () => {
    const harness = createHarness('submissions');
    harness.sink.takeReplies();
    const [reply] = await harness.exchange('EHLO client.test');
    assert.deepEqual(ehloKeywords(reply?.lines ?? []), [...base, 'AUTH PLAIN LOGIN XOAUTH2 OAUTHBEARER']);
    assert.equal(reply?.lines[0], '250-mx.test greets client.test');
  });

  it('the STARTTLS-first reply carries the hint for the wrong-port mistake', async () => {
    const harness = createHarness('submission');
    harness.sink.takeReplies();
    const [, reply] = await harness.exchange('EHLO c', MAIL);
    assert.equal(
      reply?.lines[0],
      '530 5.7.0 Must issue a STARTTLS command first (this is a STARTTLS port: enable STARTTLS in your client)',
    );
    assert.equal(harness.session.lastError, reply?.lines[0]);
  });

  it('the AUTH-required reply carries the hint', async () => {
    const harness = await reach('submissions', 'ehlo');
    const [reply] = await harness.exchange(MAIL);
    assert.match(reply?.lines[0] ?? '', /^530 5\.7\.0 Authentication required \(.+username and password/);
  });
});

describe('the EHLO/HELO argument (RFC 5321 §4.1.1.1)', () => {
  const valid = [
    'client.example.com',
    'localhost',
    'my_app_1',
    'xn--bcher-kva.example',
    'bücher.example',
    '[192.0.2.1]',
    '[IPv6:2001:db8::1]',
    'DESKTOP-4F2K9',
  ];
  const invalid = [
    '!!!@@@',
    'a..b',
    '-x-',
    '"quoted"',
    'a.b c.d',
    'host.',
    '[999.1.1.1]',
    '[foo]',
    `${'a'.repeat(64)}.example`,
  ];
  for (const name of valid) {
    it(`accepts EHLO ${name} and HELO ${name}`, async () => {
      assert.deepEqual(await createHarness('relay').codes(`EHLO ${name}`, `HELO ${name}`), [220, 250, 250]);
    });
  }
  for (const name of invalid) {
    it(`refuses EHLO ${name.slice(0, 20)} with 501 5.5.4, and the session goes on`, async () => {
      const harness = createHarness('relay');
      harness.sink.takeReplies();
      const [refusal, helo] = await harness.exchange(`EHLO ${name}`, `HELO ${name}`);
      assert.match(refusal?.lines[0] ?? '', /^501 5\.5\.4 Invalid EHLO\/HELO argument/);
      assert.equal(helo?.code, 501);
      assert.ok(harness.sink.diagnosticCodes.includes('syntax-error'));
      assert.deepEqual(await harness.codes('EHLO client.example'), [250]);
    });
  }
});

describe('an invalid EHLO/HELO argument is refused with what is wrong with it', () => {
  const cases: [string, RegExp][] = [
    [
      'My Computer',
      /: it is more than one word: a computer name with spaces is no host name \(set the client's EHLO name/,
    ],
    ['[::1]', /: an IPv6 address literal carries its tag: \[IPv6:::1\] \(RFC 5321 section 4\.1\.3\);/],
    ['::1', /: an IPv6 address goes in brackets with its tag: \[IPv6:::1\];/],
    ['[999.1.1.1]', /: \[999\.1\.1\.1\] is no IPv4 or IPv6 address literal/],
    ['host.', /: it has an empty label: a dot at its start or end, or two dots in a row;/],
    [`${'a'.repeat(64)}.example`, /: a label is over 63 octets/],
    ['"quoted"', /: it holds a double quote: a host name has only letters, digits, hyphens and dots;/],
    ['-x-', /: a label starts or ends with a hyphen, which a host name cannot;/],
  ];
  for (const [name, expected] of cases) {
    it(`EHLO ${name.slice(0, 20)}`, async () => {
      const harness = createHarness('relay');
      harness.sink.takeReplies();
      const [refusal] = await harness.exchange(`EHLO ${name}`);
      assert.match(refusal?.lines[0] ?? '', /^501 5\.5\.4 Invalid EHLO\/HELO argument: /);
      assert.match(refusal?.lines[0] ?? '', expected);
      assert.match(
        refusal?.lines[0] ?? '',
        /; give one domain name or address literal, such as mail\.example\.com or \[192\.0\.2\.1\]$/,
      );
      const diagnostic = harness.sink.diagnostics.find((entry) => entry.code === 'syntax-error');
      assert.match(diagnostic?.detail ?? '', /^EHLO .+ \(.+\)$/);
    });
  }
});

describe('policies outside the four profiles come from the profile data too', () => {
  it('auth off: AUTH neither advertised nor accepted (502 5.5.1)', async () => {
    const harness = createHarness('relay', { profileOverrides: { auth: 'off' } });
    harness.sink.takeReplies();
    await harness.upgrade();
    const [ehlo, auth] = await harness.exchange('EHLO client.test', AUTH_GOOD);
    assert.ok(!ehlo?.lines.some((line) => line.includes('AUTH')));
    assert.equal(auth?.lines[0], '502 5.5.1 AUTH is not available on this port');
  });

  it('tls none: STARTTLS neither advertised nor accepted (502 5.5.1)', async () => {
    const harness = createHarness('relay', { profileOverrides: { tls: 'none' } });
    harness.sink.takeReplies();
    const [ehlo, starttls, auth] = await harness.exchange('EHLO client.test', 'STARTTLS', AUTH_GOOD);
    assert.ok(!ehlo?.lines.some((line) => line.includes('STARTTLS')));
    assert.equal(starttls?.lines[0], '502 5.5.1 STARTTLS is not offered on this port');
    // AUTH needs TLS here and TLS cannot be had: not available, rather than "issue STARTTLS first".
    assert.equal(auth?.lines[0], '502 5.5.1 AUTH is not available on this port');
    assert.ok(harness.sink.diagnosticCodes.includes('auth-without-tls'));
  });

  it('authRequiresTls false: AUTH offered and accepted in plaintext', async () => {
    const harness = createHarness('relay', { profileOverrides: { authRequiresTls: false } });
    harness.sink.takeReplies();
    const [ehlo, auth] = await harness.exchange('EHLO client.test', AUTH_GOOD);
    assert.ok(
      ehlo?.lines.includes('250-AUTH PLAIN LOGIN XOAUTH2 OAUTHBEARER') ||
        ehlo?.lines.includes('250 AUTH PLAIN LOGIN XOAUTH2 OAUTHBEARER'),
    );
    assert.equal(auth?.code, 235);
  });
});
