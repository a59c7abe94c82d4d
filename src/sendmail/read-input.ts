/**
 * Reads the message a sendmail caller writes to standard input. Classic sendmail stops at a line
 * holding a single dot unless told otherwise (-i): someone typing a message at a terminal ends it
 * that way, so reading stops there rather than at end of input.
 */
import { fstatSync } from 'node:fs';

const DOT_LINE = /\n\.\r?\n/;

/**
 * Node hands a directory on standard input (`sendmail you@example.com < dir/`) over as an empty
 * stream, which would submit an empty message; sendmail's own read fails there, so this refuses it.
 */
export function refuseDirectoryInput(fd: number): void {
  if (fstatSync(fd).isDirectory()) throw new Error('it is a directory (EISDIR)');
}

export async function readMessageInput(
  stream: NodeJS.ReadableStream,
  dotEndsInput: boolean,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  // The last bytes already read, searched again with each chunk since the dot line may straddle
  // two; it starts as a newline so that a dot on the very first line counts too.
  let tail = '\n';
  for await (const chunk of stream) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    chunks.push(bytes);
    if (!dotEndsInput) continue;
    const text = tail + bytes.toString('latin1');
    if (DOT_LINE.test(text)) break;
    tail = text.slice(-3);
  }
  return Buffer.concat(chunks);
}
