/**
 * Runs the API-facing commands for the CLI tests: in-process on a fresh program (output, thrown
 * error and exit code captured), or as the real `mailport` entry point in a child process.
 */
import { Command } from 'commander';
import { registerMessagesCommand } from '../../src/cli/commands/messages.js';
import { registerSessionsCommand } from '../../src/cli/commands/sessions.js';
import { closedPort } from '../smtp-client/test-servers.js';
import { type CliRun as ProcessRun, runCli as runCliProcess } from '../testing/fixtures/run-cli.js';

export interface CliRun {
  stdout: string;
  bytes: Buffer;
  error: unknown;
  /** What the command set `process.exitCode` to (restored afterwards); undefined when it left it. */
  exitCode: string | number | null | undefined;
}

/** Runs the commands in-process on a fresh program, capturing what they print and what they throw. */
export async function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const chunks: Buffer[] = [];
  const io = { out: (text: string | Uint8Array) => chunks.push(Buffer.from(text)) };
  const program = new Command('mailport').exitOverride().configureOutput({
    writeOut: (text) => chunks.push(Buffer.from(text)),
    writeErr: (text) => chunks.push(Buffer.from(text)),
  });
  registerMessagesCommand(program, io);
  registerSessionsCommand(program, io);
  const saved = { ...process.env };
  const savedExitCode = process.exitCode;
  process.exitCode = undefined;
  Object.assign(process.env, env);
  let error: unknown = null;
  let exitCode: CliRun['exitCode'];
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (caught) {
    error = caught;
  } finally {
    process.env = saved;
    exitCode = process.exitCode;
    process.exitCode = savedExitCode;
  }
  const bytes = Buffer.concat(chunks);
  return { stdout: bytes.toString(), bytes, error, exitCode };
}

/** Runs a command that must succeed. */
export async function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const run = await runCli(args, env);
  if (run.error !== null) throw run.error;
  return run;
}

/** Runs the real `mailport` entry point as a process, with no MAILPORT_API from the environment. */
export function runProcess(args: string[]): Promise<ProcessRun> {
  return runCliProcess(args, { MAILPORT_API: '' });
}

/** The URL of a loopback port that refuses connections. */
export async function closedPortUrl(): Promise<string> {
  return `http://127.0.0.1:${await closedPort()}`;
}
