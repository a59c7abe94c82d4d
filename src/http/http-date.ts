/**
 * HTTP-dates (RFC 9110 §5.6.7): written as IMF-fixdate, read in all three forms a recipient must
 * accept. Anything else is not a date at all: `Date.parse` would take `1` for the year 2001, and a
 * conditional header holding such a value must be ignored, not obeyed.
 */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTH = `(${MONTHS.join('|')})`;
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';

/** `Sun, 06 Nov 1994 08:49:37 GMT` */
const IMF_FIXDATE = new RegExp(`^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`);
/** `Sunday, 06-Nov-94 08:49:37 GMT` (obsolete) */
const RFC850_DATE = new RegExp(
  `^(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day, (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`,
);
/** `Sun Nov  6 08:49:37 1994` (ANSI C's asctime) */
const ASCTIME_DATE = new RegExp(`^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ${MONTH} ([ \\d]\\d) ${TIME} (\\d{4})$`);

/** `date` as an IMF-fixdate: whole seconds, as HTTP dates have no finer resolution. */
export function httpDate(date: Date): string {
  return date.toUTCString();
}

/** The time (epoch ms, whole seconds) an HTTP-date names, or null when `text` is not one. */
export function parseHttpDate(text: string): number | null {
  const value = text.trim();
  const imf = IMF_FIXDATE.exec(value);
  if (imf !== null) return timeOf(imf[3], imf[2], imf[1], imf.slice(4));
  const rfc850 = RFC850_DATE.exec(value);
  if (rfc850 !== null) return timeOf(fullYear(Number(rfc850[3])), rfc850[2], rfc850[1], rfc850.slice(4));
  const asctime = ASCTIME_DATE.exec(value);
  if (asctime !== null) return timeOf(asctime[6], asctime[1], asctime[2], asctime.slice(3, 6));
  return null;
}

/** A two-digit year more than 50 years ahead is the latest past year that ends in it (§5.6.7). */
function fullYear(twoDigits: number): number {
  const now = new Date().getUTCFullYear();
  const year = now - (now % 100) + twoDigits;
  return year > now + 50 ? year - 100 : year;
}

function timeOf(
  year: string | number | undefined,
  month: string | undefined,
  day: string | undefined,
  [hours, minutes, seconds]: (string | undefined)[],
): number | null {
  const parts = [year, MONTHS.indexOf(month ?? ''), day, hours, minutes, seconds].map(Number);
  const [y = 0, m = 0, d = 0, h = 0, min = 0, s = 0] = parts;
  const time = Date.UTC(y, m, d, h, min, s);
  const date = new Date(time);
  // Date.UTC rolls `31 Feb` over into March: only a date that names itself is one.
  const names =
    date.getUTCFullYear() === y &&
    date.getUTCMonth() === m &&
    date.getUTCDate() === d &&
    date.getUTCHours() === h &&
    date.getUTCMinutes() === min &&
    date.getUTCSeconds() === s;
  return names ? time : null;
}
