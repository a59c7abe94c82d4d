/** Engine-neutral rules for stored sessions. */
import type { SessionOutcome, SessionRecord, SessionSummary } from '../domain/types.js';

/** Outcomes that count as a problem for `problems: true` even without a diagnostic. */
const FAILED_OUTCOMES: ReadonlySet<SessionOutcome> = new Set(['failed', 'rejected', 'timeout']);

export function hasProblems(session: SessionRecord): boolean {
  return session.diagnostics.length > 0 || FAILED_OUTCOMES.has(session.outcome);
}

export function sessionSummary(session: SessionRecord): SessionSummary {
  const { transcript: _transcript, ...summary } = session;
  return summary;
}

/** Distinct diagnostic codes of a session, for the per-code index. */
export function diagnosticCodes(session: SessionRecord): string[] {
  return [...new Set(session.diagnostics.map((diagnostic) => diagnostic.code))];
}
