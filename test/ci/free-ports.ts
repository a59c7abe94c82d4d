/** Free loopback ports for child processes that take their ports from the environment. */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';

/**
 * Ports below the kernel's ephemeral range, which it never hands out by itself: between their
 * release here and their use by the child, no outgoing connection (whose local port comes from that
 * range) and no `listen(0)` of a parallel test can take one. Elsewhere the kernel chooses.
 */
const PICK_FROM = 20_000;
const PICK_BELOW = ephemeralRangeStart();
const MAX_TRIES = 100;

export async function freePorts(count: number): Promise<number[]> {
  // Held open together, so the ports are distinct; released just before use.
  const servers: Server[] = [];
  try {
    for (let tries = 0; servers.length < count; tries += 1) {
      const server = createServer();
      if (await listen(server, tries < MAX_TRIES ? randomPort() : 0)) servers.push(server);
    }
    return servers.map((server) => (server.address() as { port: number }).port);
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

function listen(server: Server, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => resolve(true));
  });
}

function randomPort(): number {
  if (PICK_BELOW === null) return 0;
  return PICK_FROM + Math.floor(Math.random() * (PICK_BELOW - PICK_FROM));
}

/** Linux's `ip_local_port_range` start, when there is room below it; else null. */
function ephemeralRangeStart(): number | null {
  try {
    const start = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').split(/\s+/)[0]);
    return Number.isInteger(start) && start > PICK_FROM + 1000 ? start : null;
  } catch {
    return null;
  }
}
