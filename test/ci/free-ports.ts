/** Free loopback ports for child processes that take their ports from the environment. */
import { createServer, type Server } from 'node:net';

export async function freePorts(count: number): Promise<number[]> {
  // Held open together, so the kernel hands out distinct ports; released just before use.
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i += 1) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    }
    return servers.map((server) => (server.address() as { port: number }).port);
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}
