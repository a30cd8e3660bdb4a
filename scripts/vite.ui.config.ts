// Builds the server's web UI into dist/ui/, which `promlet serve` serves on
// Prometheus's UI paths (no Vite at run time). Paths are relative, so the UI
// works under any --web.route-prefix.

import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { buildReport } from './build-report.js';

const OUT = fileURLToPath(new URL('../dist/ui', import.meta.url));

export default defineConfig({
  root: fileURLToPath(new URL('../src/ui', import.meta.url)),
  base: './',
  logLevel: 'warn',
  build: {
    outDir: OUT,
    emptyOutDir: true,
    target: 'es2022',
    reportCompressedSize: false,
    chunkSizeWarningLimit: 2000,
  },
  plugins: [buildReport('web UI', OUT)],
});
