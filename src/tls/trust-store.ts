/**
 * The certificates a client trusts when the user adds a CA of their own (`--ca`, `--api-ca`, the
 * typed client's `ca`): Node's bundled roots, NODE_EXTRA_CA_CERTS, and the added ones. Passing `ca`
 * to Node replaces its default trust store, environment included, so each is listed again here and
 * an added CA never takes away trust the user had already configured.
 */
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';

let environmentCas: string[] | null = null;

export function withDefaultTrust(added: readonly string[]): string[] {
  return [...rootCertificates, ...extraCaFromEnvironment(), ...added];
}

function extraCaFromEnvironment(): string[] {
  if (environmentCas) return environmentCas;
  const path = process.env.NODE_EXTRA_CA_CERTS;
  try {
    environmentCas = path ? [readFileSync(path, 'utf8')] : [];
  } catch {
    // Node itself only warns about an unreadable NODE_EXTRA_CA_CERTS, and goes on without it.
    environmentCas = [];
  }
  return environmentCas;
}
