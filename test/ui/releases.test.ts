/**
 * A `message.released` event on the open message: the tab that released also reads the message
 * back, and the event may come before or after that answer; either way the release shows once.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MessageDetail, MessageRelease } from '../../src/domain/types.js';
import { withRelease } from '../../ui/src/lib/releases.js';

const first: MessageRelease = {
  at: '2026-12-06T07:00:00.000Z',
  to: ['ada@example.com'],
  server: 'smtp.example.com:587',
  reply: '250 2.0.0 Ok: queued as A1',
};
const second: MessageRelease = {
  ...first,
  at: '2026-12-06T07:00:05.000Z',
  reply: '250 2.0.0 Ok: queued as B2',
};

function message(releases: MessageRelease[]): MessageDetail {
  return { id: 'm1', releases } as MessageDetail;
}

test('a new release is added after the ones shown, without changing the message it came to', () => {
  const shown = message([first]);
  const updated = withRelease(shown, second);
  assert.deepEqual(updated.releases, [first, second]);
  assert.deepEqual(shown.releases, [first]);
});

test('a release the message already shows (read back before the event came) is not added again', () => {
  const readBack = message([first, second]);
  assert.equal(withRelease(readBack, { ...second, to: [...second.to] }), readBack);
});

test('two releases to the same server with the same reply but at different times are both kept', () => {
  const again = { ...first, at: '2026-12-06T07:01:00.000Z' };
  assert.deepEqual(withRelease(message([first]), again).releases, [first, again]);
});
