import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * `mkdir -p`, one level at a time. Node's own `{ recursive: true }` loops forever (100% CPU, no
 * error) where the kernel answers ENOENT for a directory whose parent exists, as /proc and /sys
 * do; here that ENOENT is thrown, like any other reason the directory cannot be made.
 */
export function makeDirectory(path: string, mode?: number): void {
  try {
    mkdirSync(path, { mode });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' && statSync(path).isDirectory()) return;
    const parent = dirname(path);
    if (code !== 'ENOENT' || parent === path || exists(parent)) throw error;
    makeDirectory(parent, mode);
    mkdirSync(path, { mode });
  }
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}
