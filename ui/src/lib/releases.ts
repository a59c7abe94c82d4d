/** A `message.released` event applied to the open message's facts. */
import type { MessageDetail, MessageRelease } from '../api/types.js';

/**
 * The message with `release` added, unless it has it already: the tab that released also reads
 * the message back, and that answer and the event may come in either order.
 */
export function withRelease(message: MessageDetail, release: MessageRelease): MessageDetail {
  const known = message.releases.some(
    (existing) =>
      existing.at === release.at && existing.server === release.server && existing.reply === release.reply,
  );
  return known ? message : { ...message, releases: [...message.releases, release] };
}
