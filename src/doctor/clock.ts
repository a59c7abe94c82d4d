/**
 * Clock drift: many servers (Sendmail, Exchange) put their date in the greeting. A local clock
 * far from the server's makes valid certificates look expired or not yet valid.
 */
import type { Finding } from './report.js';

// RFC 5322 §3.3 date-time, as greetings carry it: `Mon, 23 Nov 2026 17:26:00 +0000`.
const GREETING_DATE =
  /\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}\b/;
const TOLERANCE_MS = 5 * 60 * 1000;

export function clockDriftFinding(banner: string, now: Date): Finding | null {
  const match = GREETING_DATE.exec(banner);
  if (!match) return null;
  const serverTime = Date.parse(match[0]);
  if (Number.isNaN(serverTime)) return null;
  const drift = now.getTime() - serverTime;
  if (Math.abs(drift) <= TOLERANCE_MS) return null;
  const minutes = Math.round(Math.abs(drift) / 60_000);
  return {
    level: 'warning',
    message: `This machine's clock is ${minutes} minutes ${drift > 0 ? 'ahead of' : 'behind'} the server's (its greeting says ${match[0]}): certificate dates will be judged wrongly. Sync the clock (timedatectl set-ntp true).`,
    verify: 'date -u',
  };
}
