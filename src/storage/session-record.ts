/** Engine-neutral rules for stored sessions. */
import type { SessionOutcome, SessionRecord, SessionSummary } from '../domain/types.js';

/** Outcomes that count as a problem for `problems: true` even without a diagnostic. */
const FAILED_OUTCOMES: ReadonlySet<SessionOutcome> = new Set(['failed', 'rejected', 'timeout']);

/**
 * A session with something for the client to fix: a diagnostic, or a failed outcome that chaos
 * rules did not cause on purpose. Node-free: the web UI uses it for its problem badge too.
 */
export function hasProblems(session: SessionSummary): boolean {
  if (session.diagnostics.length > 0) return true;
  return FAILED_OUTCOMES.has(session.outcome) && session.chaos?.failedOnPurpose !== true;
}

export function sessionSummary(session: SessionRecord): SessionSummary {
  const { transcript: _transcript, ...summary } = session;
  return summary;
}

/** Distinct diagnostic codes of a session, for the per-code index. */
export function diagnosticCodes(session: SessionRecord): string[] {
  return [...new Set(session.diagnostics.map((diagnostic) => diagnostic.code))];
}
