/**
 * Paths into the repository, wherever a test runs from: `npm test` runs the test files compiled
 * into .test-build/ (scripts/run-tests.mjs), `node --import tsx --test` runs them from test/, and
 * either way the fixtures, client programs and TypeScript entry points they use are the source tree's.
 */
import { join, sep } from 'node:path';

const BUILD_DIR = `${sep}.test-build${sep}`;
const here = import.meta.dirname;

export const REPO_ROOT = here.includes(BUILD_DIR)
  ? here.slice(0, here.lastIndexOf(BUILD_DIR))
  : join(here, '..', '..');

/** A path below the repository's root, e.g. `repoPath('test', 'fixtures', 'simple.eml')`. */
export function repoPath(...segments: string[]): string {
  return join(REPO_ROOT, ...segments);
}
