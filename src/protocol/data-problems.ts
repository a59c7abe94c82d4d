/**
 * Why a message text has to be refused, and where: the DATA reader and the BDAT collector find the
 * same problems, and the reply names the first line that has each one, so the sender can find it.
 */

/** Why a message has to be refused once its end arrives. */
export type DataProblem = 'too-large' | 'bare-lf' | 'line-too-long';

/** The first line of the message text, counted from 1, on which each line problem was found. */
export type ProblemLines = Readonly<Partial<Record<DataProblem, number>>>;

/** The problems of a message text, most important first, with their first lines. */
export interface ProblemReport {
  readonly problems: readonly DataProblem[];
  readonly lines: ProblemLines;
}

/** A message text that has to be refused: its problems, most important first, and where they are. */
export interface TextRefusal {
  readonly problems: readonly [DataProblem, ...DataProblem[]];
  readonly lines: ProblemLines;
}

/**
 * The order in which problems decide the reply: the size limit is what clients handle specially
 * (RFC 1870 §6), then the line-ending problem that enables smuggling, then the line length.
 */
const PROBLEM_PRIORITY: readonly DataProblem[] = ['too-large', 'bare-lf', 'line-too-long'];

export class DataProblems {
  /** Each problem found, with the first line that has it (null for the size, which no line has). */
  readonly #found = new Map<DataProblem, number | null>();

  get none(): boolean {
    return this.#found.size === 0;
  }

  /** Records `problem`, on `line` of the message text; the first line found is the one kept. */
  add(problem: DataProblem, line: number | null): void {
    if (!this.#found.has(problem)) this.#found.set(problem, line);
  }

  report(): ProblemReport {
    const lines: Partial<Record<DataProblem, number>> = {};
    for (const [problem, line] of this.#found) if (line !== null) lines[problem] = line;
    return { problems: PROBLEM_PRIORITY.filter((problem) => this.#found.has(problem)), lines };
  }

  clear(): void {
    this.#found.clear();
  }
}
