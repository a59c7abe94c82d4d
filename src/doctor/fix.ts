import type { Explanation } from '../explain/causes.js';

/**
 * What happened, then what to do about it (explain's fix). Without a cause explain can only send
 * the user back to the doctor, so what happened stands alone.
 */
export function withFix(what: string, explanation: Explanation): string {
  const sentence = what.trimEnd().replace(/\.$/, '');
  return explanation.cause === 'unknown' ? `${sentence}.` : `${sentence}. ${explanation.fix}`;
}
