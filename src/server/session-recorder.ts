/**
 * Builds the SessionRecord of one SMTP connection: facts, transcript and diagnostics. Bounded, so a
 * hostile client cannot grow a transcript without limit.
 */
import { DIAGNOSTICS } from '../diagnostics/catalogue.js';
import type {
  AuthFacts,
  Diagnostic,
  DiagnosticCode,
  SessionOutcome,
  SessionRecord,
  TlsFacts,
  TranscriptDirection,
  TranscriptLine,
} from '../domain/types.js';
import type { ProfileName } from '../profiles/port-profiles.js';

const MAX_TRANSCRIPT_LINES = 2000;
const MAX_LINE_CHARS = 1000;
const MAX_DIAGNOSTICS = 50;

export interface SessionEndFacts {
  heloName: string | null;
  tls: TlsFacts | null;
  auth: AuthFacts | null;
  messageIds: string[];
  lastError: string | null;
  quit: boolean;
  /** Set when the server ended the session for a reason of its own. */
  endedBy: 'idle-timeout' | 'connection-limit' | 'shutdown' | null;
}

export class SessionRecorder {
  readonly id: string;
  readonly #started: number;
  readonly #listener: { profile: ProfileName; port: number };
  readonly #client: { address: string; port: number };
  readonly #transcript: TranscriptLine[] = [];
  readonly #diagnostics: Diagnostic[] = [];
  #droppedLines = 0;

  constructor(
    id: string,
    listener: { profile: ProfileName; port: number },
    client: { address: string; port: number },
    now: number = Date.now(),
  ) {
    this.id = id;
    this.#started = now;
    this.#listener = listener;
    this.#client = client;
  }

  get diagnostics(): readonly Diagnostic[] {
    return this.#diagnostics;
  }

  line(direction: TranscriptDirection, text: string): void {
    if (this.#transcript.length >= MAX_TRANSCRIPT_LINES) {
      this.#droppedLines += 1;
      return;
    }
    const printable =
      text.length > MAX_LINE_CHARS ? `${text.slice(0, MAX_LINE_CHARS)}… (${text.length} chars)` : text;
    this.#transcript.push({ t: Date.now() - this.#started, dir: direction, text: printable });
  }

  /** Records a diagnostic once per code (the first occurrence is the telling one). */
  diagnostic(code: DiagnosticCode, detail?: string): Diagnostic | null {
    if (this.#diagnostics.length >= MAX_DIAGNOSTICS || this.#diagnostics.some((d) => d.code === code))
      return null;
    const entry = DIAGNOSTICS[code];
    const diagnostic: Diagnostic = {
      code,
      message: entry.message,
      fix: entry.fix,
      t: Date.now() - this.#started,
    };
    if (detail !== undefined) diagnostic.detail = detail;
    this.#diagnostics.push(diagnostic);
    return diagnostic;
  }

  finish(facts: SessionEndFacts): SessionRecord {
    const transcript = [...this.#transcript];
    if (this.#droppedLines > 0) {
      transcript.push({
        t: Date.now() - this.#started,
        dir: '*',
        text: `${this.#droppedLines} more lines not recorded`,
      });
    }
    return {
      id: this.id,
      listener: this.#listener,
      client: this.#client,
      startedAt: new Date(this.#started).toISOString(),
      endedAt: new Date().toISOString(),
      heloName: facts.heloName,
      tls: facts.tls,
      auth: facts.auth,
      messageIds: facts.messageIds,
      outcome: this.#outcome(facts),
      lastError: facts.lastError,
      diagnostics: [...this.#diagnostics],
      transcript,
    };
  }

  #outcome(facts: SessionEndFacts): SessionOutcome {
    if (facts.endedBy === 'connection-limit') return 'rejected';
    if (facts.messageIds.length > 0) return 'delivered';
    if (facts.endedBy === 'idle-timeout') return 'timeout';
    const misconfigured = this.#diagnostics.some((d) => DIAGNOSTICS[d.code].misconfiguration);
    if (misconfigured || facts.lastError !== null) return 'failed';
    return facts.quit ? 'quit' : 'disconnected';
  }
}
