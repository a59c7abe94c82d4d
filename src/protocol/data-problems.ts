/**
 * Why a message text has to be refused, and where: the DATA reader and the BDAT collector find the
 * same problems, and the reply names the first line that has each one, so the sender can find it.
 * Both readers tell it where each text line ends, so the line count lives here once.
 */

/** Why a message has to be refused once its end arrives. */
export type DataProblem = 'too-large' | 'bare-lf' | 'line-too-long';

/** The first line of the message text, counted from 1, on which each line problem was found. */
export type ProblemLines = Readonly<Partial<Record<DataProblem, number>>>;

/** How the text's lines ended: a message built with Unix line endings has no CRLF at all. */
export interface LineEndings {
  /** Lines ended by an LF without its CR. */
  readonly lfOnly: number;
  /** Every line ended so far. */
  readonly total: number;
}

/** The problems of a message text, most important first, with their first lines. */
export interface ProblemReport {
  readonly problems: readonly DataProblem[];
  readonly lines: ProblemLines;
  readonly endings: LineEndings;
}

/** A message text that has to be refused: its problems, most important first, and where they are. */
export interface TextRefusal extends ProblemReport {
  readonly problems: readonly [DataProblem, ...DataProblem[]];
}

/** What a text with no problem (or no text) reports. */
export const NO_PROBLEMS: ProblemReport = Object.freeze({
  problems: [],
  lines: {},
  endings: { lfOnly: 0, total: 0 },
});

/**
 * The order in which problems decide the reply: the size limit is what clients handle specially
 * (RFC 1870 §6), then the line-ending problem that enables smuggling, then the line length.
 */
const PROBLEM_PRIORITY: readonly DataProblem[] = ['too-large', 'bare-lf', 'line-too-long'];

export class DataProblems {
  /** Each problem found, with the first line that has it (null for the size, which no line has). */
  readonly #found = new Map<DataProblem, number | null>();
  /** The text line being read, counted from 1. */
  #line = 1;
  #lfOnly = 0;

  get none(): boolean {
    return this.#found.size === 0;
  }

  /** Records `problem` on the line being read; the first line found is the one kept. */
  add(problem: DataProblem): void {
    if (!this.#found.has(problem)) this.#found.set(problem, problem === 'too-large' ? null : this.#line);
  }

  /** The line being read ended, with CRLF or with an LF alone. */
  lineEnded(crlf: boolean): void {
    this.#line += 1;
    if (!crlf) this.#lfOnly += 1;
  }

  report(): ProblemReport {
    const lines: Partial<Record<DataProblem, number>> = {};
    for (const [problem, line] of this.#found) if (line !== null) lines[problem] = line;
    return {
      problems: PROBLEM_PRIORITY.filter((problem) => this.#found.has(problem)),
      lines,
      endings: { lfOnly: this.#lfOnly, total: this.#line - 1 },
    };
  }

  clear(): void {
    this.#found.clear();
    this.#line = 1;
    this.#lfOnly = 0;
  }
}

/**
 * What the line endings say about a text refused for a bare LF or CR: Unix line endings throughout
 * (a message built with `\n`), a few lines that lost their CR (a value with a raw line break), or
 * no LF alone at all (a CR inside a line).
 */
export function describeBareLineEndings({ lfOnly, total }: LineEndings): string {
  if (lfOnly === 0) return 'a CR not followed by LF';
  const count = `${lfOnly} of ${total} ${total === 1 ? 'line ends' : 'lines end'} in LF alone`;
  // Only CRLF "." CRLF ends DATA, so a text written with `\n` has one CRLF line: the one before the dot.
  return total > 2 && lfOnly >= total - 1 ? `${count}: Unix line endings` : count;
}
