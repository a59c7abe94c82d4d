/**
 * A fetch that also trusts given CA certificates: what the typed client uses for an https:// API
 * whose certificate a local CA signed (`mailport serve --http-tls`). The global fetch has no option
 * for a CA, so requests go through undici, the library behind Node's own fetch, with an agent whose
 * TLS connections trust the added CAs beside the usual ones (trust-store.ts).
 */
import { withDefaultTrust } from '../tls/trust-store.js';

export function fetchTrusting(ca: readonly string[]): typeof fetch {
  // Loaded on first use: only a client given a CA needs undici, and a command-line run that never
  // sends a request does not pay for loading it.
  let ready: Promise<typeof fetch> | null = null;
  const load = async (): Promise<typeof fetch> => {
    const { Agent, fetch: undiciFetch } = await import('undici');
    const dispatcher = new Agent({ connect: { ca: withDefaultTrust(ca) } });
    // undici's Request and Response types are its own; at run time they are the web's, as for the
    // global fetch, which is undici too.
    return ((input: string | URL, init?: RequestInit) =>
      undiciFetch(input, { ...(init as object), dispatcher })) as unknown as typeof fetch;
  };
  return async (input, init) => {
    ready ??= load();
    return (await ready)(input, init);
  };
}
