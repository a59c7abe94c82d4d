/** Durations as people type them in query strings and flags: `30s`, `500ms`, `2m`, or plain seconds. */

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000 };

/** The pattern a duration must match; also used by the route schema that validates `timeout`. */
export const DURATION_PATTERN = '^\\d+(\\.\\d+)?(ms|s|m)?$';

/** Milliseconds in `text`, or null when it is not a duration. A bare number means seconds. */
export function parseDuration(text: string): number | null {
  const match = new RegExp(DURATION_PATTERN).exec(text.trim());
  if (match === null) return null;
  const unit = match[2] ?? 's';
  return Math.round(Number.parseFloat(text) * (UNIT_MS[unit] ?? 1_000));
}
