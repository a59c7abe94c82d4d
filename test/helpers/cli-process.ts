/**
 * Runs the real `bin/mailport` executable (built by `npm run build`, which `npm test` runs first).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { repoPath } from './repo-paths.js';

export const BIN = repoPath('bin', 'mailport');
const BUILT_ENTRY = repoPath('dist', 'src', 'cli', 'main.js');

/** A sandbox of its own with only the relay listener, on an ephemeral port. */
export const RELAY_ONLY_EPHEMERAL = [
  '--ephemeral',
  '--relay-port',
  '0',
  '--submissions-port',
  'off',
  '--submission-port',
  'off',
  // Off too: another sandbox on this machine may hold the default 2525.
  '--alt-port',
  'off',
];

export interface ServeProcess {
  child: ChildProcess;
  ports: Record<string, number>;
  httpUrl: string | null;
  output(): string;
}

export function assertBuilt(): void {
  if (!existsSync(BUILT_ENTRY))
    throw new Error('dist/ is missing: run `npm run build` (npm test does it first).');
}

/**
 * Starts `mailport serve ARGS` and resolves once its banner names the bound ports. `prefix` runs it
 * under another command, e.g. strace.
 */
export async function startServeProcess(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  prefix: string[] = [],
): Promise<ServeProcess> {
  assertBuilt();
  const [command = process.execPath, ...commandArgs] = [...prefix, process.execPath, BIN, 'serve', ...args];
  const child = spawn(command, commandArgs, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer): void => {
    output += chunk.toString();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`mailport serve did not start within 20 s:\n${output}`)),
      20_000,
    );
    const check = (): void => {
      if (output.includes('Press Ctrl+C to stop.')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`mailport serve exited with ${code}:\n${output}`));
    });
  });
  const ports: Record<string, number> = {};
  for (const match of output.matchAll(/^\s{4}(relay|submissions|submission|alternate)\s+\S+:(\d+)/gm)) {
    ports[match[1] as string] = Number(match[2]);
  }
  const httpUrl = /Web UI \+ API: (https?:\/\/\S+)/.exec(output)?.[1] ?? null;
  return { child, ports, httpUrl, output: () => output };
}

export function waitForExit(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** Runs the built `mailport ARGS`: resolves with its exit code and what it printed, whether it failed or not. */
export function runMailport(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  assertBuilt();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, ...env }, timeout: 20_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Runs `mailport ARGS`, which must fail: resolves with its exit code and what it printed on stderr. */
export async function failRun(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stderr: string }> {
  const { code, stderr } = await runMailport(args, env);
  if (code === 0) throw new Error(`mailport ${args.join(' ')} should have failed`);
  return { code, stderr };
}
