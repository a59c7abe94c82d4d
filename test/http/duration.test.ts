import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDuration } from '../../src/http/duration.js';
import { DEFAULT_WAIT_MS, MAX_WAIT_MS, waitTimeoutMs } from '../../src/http/routes/message-wait.js';

test('parseDuration reads ms, s, m and bare seconds; anything else is null', () => {
  const cases: Array<[string, number | null]> = [
    ['500ms', 500],
    ['30s', 30_000],
    ['2m', 120_000],
    ['1.5s', 1_500],
    ['0.2', 200],
    ['45', 45_000],
    [' 3s ', 3_000],
    ['', null],
    ['soon', null],
    ['-1s', null],
    ['1h', null],
    ['10 s', null],
  ];
  for (const [text, expected] of cases) assert.equal(parseDuration(text), expected, JSON.stringify(text));
});

test('waitTimeoutMs defaults to 30 s and caps long waits', () => {
  assert.equal(waitTimeoutMs(undefined), DEFAULT_WAIT_MS);
  assert.equal(waitTimeoutMs('750ms'), 750);
  assert.equal(waitTimeoutMs('4m'), 240_000);
  assert.equal(waitTimeoutMs('10m'), MAX_WAIT_MS);
  assert.equal(waitTimeoutMs('86400'), MAX_WAIT_MS);
});
