import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    setupFiles: ['./setup.ts'],
    // Each worker starts its own sandbox (startSandbox uses free ports), so files run in parallel.
    fileParallelism: true,
  },
});
