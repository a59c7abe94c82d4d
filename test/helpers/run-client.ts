/** Runs a real client program as a child process and keeps everything it printed. */
import { execFile } from 'node:child_process';

export interface RunOptions {
  input?: string;
  env?: Record<string, string>;
}

/** Generous: a loaded CI machine can take seconds just to start an interpreter. */
const CLIENT_TIMEOUT_MS = 30_000;

/**
 * Runs a client and returns everything it printed (its exit status is the failure itself). A client
 * still running at the timeout is an error of its own, not an empty output to explain.
 */
export function runClient(command: string, args: string[], options: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      command,
      args,
      { timeout: CLIENT_TIMEOUT_MS, env: { ...process.env, ...options.env } },
      (error, stdout, stderr) => {
        if (error?.killed) {
          reject(
            new Error(
              `${command} was still running after ${CLIENT_TIMEOUT_MS} ms; it printed:\n${stdout}\n${stderr}`,
            ),
          );
        } else resolve(`${stdout}\n${stderr}`);
      },
    );
    // A client that exits before reading its input must not fail the test with EPIPE.
    child.stdin?.on('error', () => {});
    child.stdin?.end(options.input ?? '');
  });
}
