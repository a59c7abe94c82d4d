/**
 * Which recipients a release may go to. Releasing sandbox mail to arbitrary real addresses is how
 * test mail reaches customers, so the rule is strict either way:
 * - with `--release-allow` patterns, every recipient must match one, and a message's own envelope
 *   recipients are the default;
 * - without them, there is no default: a release goes only to the addresses its request names,
 *   typed by a person or a test on purpose.
 * Pure (no Node APIs): the web UI uses it to prefill the recipients it offers.
 */
import { Glob } from '../chaos/glob.js';

export class ReleaseAllowList {
  readonly patterns: readonly string[];
  readonly #globs: readonly Glob[];

  constructor(patterns: readonly string[]) {
    this.patterns = [...patterns];
    this.#globs = patterns.map((pattern) => new Glob(withAsciiDomain(pattern)));
  }

  /** False when no pattern was configured: only recipients named in the request may be used. */
  get configured(): boolean {
    return this.#globs.length > 0;
  }

  /** Case-insensitive, on the whole address (`*@example.com` does not take `a@sub.example.com`). */
  permits(address: string): boolean {
    const ascii = withAsciiDomain(address);
    return this.#globs.some((glob) => glob.matches(ascii));
  }

  /** The recipients a release defaults to: the envelope's, only where an allow-list says who may get mail. */
  defaultRecipients(envelopeTo: readonly string[]): string[] {
    return this.configured ? [...envelopeTo] : [];
  }

  /** How the rule reads to a person, for refusals and the UI. */
  describe(): string {
    return this.configured
      ? `recipients must match --release-allow ${this.patterns.join(', ')}`
      : 'without --release-allow, a release goes only to the recipients its request names';
  }
}

/**
 * `bücher.example` and `xn--bcher-kva.example` are one domain (IDNA, RFC 5890), written either way
 * in patterns and addresses: both are compared in the ASCII form. Label by label, so that a
 * wildcard label (`*.bücher.example`) stays a wildcard; URL does IDNA in Node and browsers alike.
 */
function withAsciiDomain(address: string): string {
  const at = address.lastIndexOf('@');
  const labels = address
    .slice(at + 1)
    .split('.')
    .map((label) => (/[^ -~]/.test(label) ? asciiLabel(label) : label));
  return `${address.slice(0, at + 1)}${labels.join('.')}`;
}

function asciiLabel(label: string): string {
  try {
    return new URL(`http://${label}/`).hostname;
  } catch {
    // Not a valid IDN label: it matches only itself, as written.
    return label;
  }
}
