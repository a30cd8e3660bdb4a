// Builds the playground into dist/playground/: static files any file server
// can host (relative paths, so any directory works).

import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import { buildReport } from './build-report.js';

const OUT = fileURLToPath(new URL('../dist/playground', import.meta.url));

const DEFERRED_RE2 = fileURLToPath(new URL('../src/playground/re2js-deferred.ts', import.meta.url));

/** Every import of re2js but the stand-in's own gets the stand-in, which loads re2js later. */
const deferRegexEngine: Plugin = {
  name: 'promlet-defer-re2js',
  enforce: 'pre',
  resolveId(source, importer) {
    if (source === 're2js' && importer && importer !== DEFERRED_RE2) return DEFERRED_RE2;
    return null;
  },
};

export default defineConfig({
  root: fileURLToPath(new URL('../src/playground', import.meta.url)),
  base: './',
  logLevel: 'warn',
  build: {
    outDir: OUT,
    emptyOutDir: true,
    target: 'es2022',
    reportCompressedSize: false,
    chunkSizeWarningLimit: 2000,
  },
  plugins: [deferRegexEngine, buildReport('playground', OUT)],
  worker: { format: 'es', plugins: () => [deferRegexEngine] },
});
