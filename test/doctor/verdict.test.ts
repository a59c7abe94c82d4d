import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clockDriftFinding } from '../../src/doctor/clock.js';
import type { PortReport } from '../../src/doctor/index.js';
import { recommend } from '../../src/doctor/index.js';
import { conventionFinding } from '../../src/doctor/port-conventions.js';

function usable(port: number, tls: 'starttls' | 'implicit', authRequired = true): PortReport {
  return {
    port,
    reachability: 'open',
    service: 'smtp',
    tls,
    tlsVersion: 'TLSv1.3',
    tlsCipher: 'TLS_AES_256_GCM_SHA384',
    certificate: null,
    banner: '220 ready',
    starttlsOffered: tls === 'starttls',
    ehloBeforeTls: null,
    ehloAfterTls: null,
    authBeforeTls: false,
    authMechanisms: ['PLAIN'],
    authRequired,
    authOk: null,
    authError: null,
    sendOk: null,
    size: null,
    pipelining: true,
    smtputf8: true,
    role: tls === 'implicit' ? 'submissions' : 'submission',
    usable: true,
    findings: [],
  };
}

// The decision rule: 587 + STARTTLS, else 465 + implicit TLS, else 2525, never 25 (RFC 6409, RFC 8314).
const table: { name: string; ports: PortReport[]; expected: { port: number; tls: string } | null }[] = [
  {
    name: '587 beats 465 and 2525',
    ports: [usable(2525, 'starttls'), usable(465, 'implicit'), usable(587, 'starttls')],
    expected: { port: 587, tls: 'starttls' },
  },
  {
    name: '465 when 587 does not work',
    ports: [usable(2525, 'starttls'), usable(465, 'implicit'), { ...usable(587, 'starttls'), usable: false }],
    expected: { port: 465, tls: 'implicit' },
  },
  {
    name: '2525 when 587 and 465 do not work',
    ports: [usable(2525, 'starttls')],
    expected: { port: 2525, tls: 'starttls' },
  },
  {
    name: 'a 587 that speaks implicit TLS ranks with 465-style ports',
    ports: [usable(587, 'implicit'), usable(465, 'implicit')],
    expected: { port: 465, tls: 'implicit' },
  },
  { name: 'never 25', ports: [usable(25, 'starttls')], expected: null },
  {
    name: 'sandbox-style ports: STARTTLS first, AUTH-requiring first',
    ports: [usable(1025, 'starttls', false), usable(1465, 'implicit'), usable(1587, 'starttls')],
    expected: { port: 1587, tls: 'starttls' },
  },
  { name: 'nothing usable', ports: [{ ...usable(587, 'starttls'), usable: false }], expected: null },
];

for (const row of table) {
  test(`verdict: ${row.name}`, () => {
    const recommendation = recommend(row.ports);
    assert.deepEqual(
      recommendation ? { port: recommendation.port, tls: recommendation.tls } : null,
      row.expected,
    );
  });
}

test('clock drift is read from a dated greeting', () => {
  const now = new Date('2026-11-23T17:30:00Z');
  assert.equal(
    clockDriftFinding('220 mx.example.com ESMTP Sendmail 8.17.1; Mon, 23 Nov 2026 17:28:00 +0000', now),
    null,
  );
  const finding = clockDriftFinding(
    '220 mx ESMTP MAIL Service ready at Mon, 23 Nov 2026 15:30:00 +0000',
    now,
  );
  assert.match(finding?.message ?? '', /120 minutes ahead of the server's/);
  assert.equal(clockDriftFinding('220 mx.example.com ESMTP Postfix', now), null);
});

test('a 465 that speaks STARTTLS and a 587 that wants implicit TLS are called out', () => {
  assert.equal(conventionFinding(465, 'starttls')?.cause, 'implicit-tls-on-starttls-port');
  assert.equal(conventionFinding(587, 'implicit')?.cause, 'plaintext-on-implicit-tls-port');
  assert.equal(conventionFinding(2525, 'implicit')?.cause, 'plaintext-on-implicit-tls-port');
  assert.equal(conventionFinding(587, 'starttls'), null);
  assert.equal(conventionFinding(465, 'implicit'), null);
  assert.equal(conventionFinding(1587, 'implicit'), null, 'no convention for other ports');
});
