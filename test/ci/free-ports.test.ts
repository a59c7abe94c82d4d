/**
 * The ports freePorts hands to child processes: distinct, free, and on Linux below the kernel's
 * ephemeral range, so that nothing else on the machine is given one before the child binds it.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { freePorts } from './free-ports.js';

test('freePorts gives distinct free ports, below the ephemeral range where the kernel has one', async () => {
  const ports = await freePorts(20);
  assert.equal(new Set(ports).size, 20);
  const ephemeralStart = Number(
    readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').split(/\s+/)[0],
  );
  for (const port of ports) {
    assert.ok(port >= 20_000 && port < ephemeralStart, `${port} is not below ${ephemeralStart}`);
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    await new Promise((resolve) => server.close(resolve));
  }
});
