/** The messages of an error and its causes on one line, each said once (a wrapper often repeats its cause). */
export function describeChain(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 4; depth++) {
    const message = current.message.replace(/\s+/g, ' ').trim();
    if (!parts.some((part) => part.includes(message))) parts.push(message);
    current = current.cause;
  }
  return parts.join(' | ');
}
