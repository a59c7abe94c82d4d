// Built by `npm run build` as `vite build ui`: this folder is the Vite root, the bundle goes to
// dist/ui, which `mailport serve` serves at `/` (hashed assets, so they can be cached for a year).
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: '../dist/ui',
    emptyOutDir: true,
    target: 'es2022',
    // The UI is small; one chunk keeps first paint to a single round trip after index.html.
    chunkSizeWarningLimit: 200,
  },
});
