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
    // One JS and one CSS file (about 27 kB and 6 kB gzipped); warn if the script passes 200 kB.
    chunkSizeWarningLimit: 200,
  },
});
