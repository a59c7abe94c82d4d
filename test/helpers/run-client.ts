/** Runs a real client program as a child process and keeps everything it printed. */
import { execFile } from 'node:child_process';

export interface RunOptions {
  input?: string;
  env?: Record<string, string>;
}

/** Runs a client and returns everything it printed (the exit status is the failure itself). */
export function runClient(command: string, args: string[], options: RunOptions = {}): Promise<string> {
  return new Promise((resolve) => {
    const child = execFile(
      command,
      args,
      { timeout: 15_000, env: { ...process.env, ...options.env } },
      (_error, stdout, stderr) => resolve(`${stdout}\n${stderr}`),
    );
    // A client that exits before reading its input must not fail the test with EPIPE.
    child.stdin?.on('error', () => {});
    child.stdin?.end(options.input ?? '');
  });
}
