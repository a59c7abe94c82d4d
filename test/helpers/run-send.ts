/**
 * Runs `mailport send` in-process, as the command line would: its output and the exit code it
 * set, so tests need no build of dist/.
 */
import { Command } from 'commander';
import { registerSendCommand } from '../../src/cli/commands/send.js';

export async function runSend(args: string[]): Promise<{ output: string; exitCode: number | undefined }> {
  let output = '';
  // Usage errors are thrown (exitOverride) and asserted; commander need not print them too.
  const program = new Command().exitOverride().configureOutput({ writeErr: () => undefined });
  registerSendCommand(program, {
    out: (text) => {
      output += String(text);
    },
  });
  const previous = process.exitCode;
  try {
    await program.parseAsync(['send', ...args], { from: 'user' });
    return { output, exitCode: process.exitCode as number | undefined };
  } finally {
    process.exitCode = previous;
  }
}
