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
  /** Every error reply was a chaos refusal or followed only from one (true when there was none). */
  errorsOnlyFromChaos: boolean;
}

export class SessionRecorder {
  readonly id: string;
  readonly #started: number;
  readonly #listener: { profile: ProfileName; port: number };
  readonly #client: { address: string; port: number };
  readonly #transcript: TranscriptLine[] = [];
  readonly #diagnostics: Diagnostic[] = [];
  /** Ids of the chaos rules that fired, each once. */
  readonly #chaosRules = new Set<string>();
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

  /** A chaos rule fired: its transcript line is written by the caller. */
  chaosFired(ruleId: string): void {
    this.#chaosRules.add(ruleId);
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
    const outcome = this.#outcome(facts);
    const record: SessionRecord = {
      id: this.id,
      listener: this.#listener,
      client: this.#client,
      startedAt: new Date(this.#started).toISOString(),
      endedAt: new Date().toISOString(),
      heloName: facts.heloName,
      tls: facts.tls,
      auth: facts.auth,
      messageIds: facts.messageIds,
      outcome,
      lastError: facts.lastError,
      diagnostics: [...this.#diagnostics],
      transcript,
    };
    if (this.#chaosRules.size > 0) {
      record.chaos = {
        rules: [...this.#chaosRules],
        // The outcome stays `failed`, which is true; whose fault it was is what this says.
        failedOnPurpose: outcome === 'failed' && facts.errorsOnlyFromChaos && !this.#misconfigured(),
      };
    }
    return record;
  }

  #misconfigured(): boolean {
    return this.#diagnostics.some((d) => DIAGNOSTICS[d.code].misconfiguration);
  }

  #outcome(facts: SessionEndFacts): SessionOutcome {
    if (facts.endedBy === 'connection-limit') return 'rejected';
    if (facts.messageIds.length > 0) return 'delivered';
    if (facts.endedBy === 'idle-timeout') return 'timeout';
    if (this.#misconfigured() || facts.lastError !== null) return 'failed';
    return facts.quit ? 'quit' : 'disconnected';
  }
}
