/**
 * Runs a mailport command in-process, as the command line would: its output and the exit code it
 * set, so tests need no build of dist/.
 */
import { Command } from 'commander';
import { registerSendCommand } from '../../src/cli/commands/send.js';
import type { CliIo } from '../../src/cli/output.js';

export interface CommandRun {
  output: string;
  exitCode: number | undefined;
}

/** `register` adds the command `name` to a program; `args` follow the command's name. */
export async function runCommand(
  register: (program: Command, io: CliIo) => void,
  name: string,
  args: string[],
): Promise<CommandRun> {
  let output = '';
  // Usage errors are thrown (exitOverride) and asserted; commander need not print them too.
  const program = new Command().exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  register(program, {
    out: (text) => {
      output += String(text);
    },
  });
  const previous = process.exitCode;
  try {
    await program.parseAsync([name, ...args], { from: 'user' });
    return { output, exitCode: process.exitCode as number | undefined };
  } finally {
    process.exitCode = previous;
  }
}

export function runSend(args: string[]): Promise<CommandRun> {
  return runCommand(registerSendCommand, 'send', args);
}
