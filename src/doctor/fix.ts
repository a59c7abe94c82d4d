import type { Explanation } from '../explain/causes.js';

/** Who is at fault when a reply does not answer its command (a 250 where only 220 may come). */
export const PROTOCOL_BROKEN_UPSTREAM = 'The server, or a proxy rewriting its replies, breaks the protocol.';

/**
 * What happened, then what to do about it (explain's fix). Without a cause explain can only send
 * the user back to the doctor, so what happened stands alone.
 */
export function withFix(what: string, explanation: Explanation): string {
  const sentence = what.trimEnd().replace(/\.$/, '');
  return explanation.cause === 'unknown' ? `${sentence}.` : `${sentence}. ${explanation.fix}`;
}
