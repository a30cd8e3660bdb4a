// A Vite plugin that says where a build went and how big it is (Vite itself
// is kept quiet): the folder, the file count, bytes and gzipped bytes, and
// the largest files.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

export function buildReport(what: string, outDir: string): Plugin {
  return {
    name: 'promlet-build-report',
    apply: 'build',
    closeBundle() {
      const sizes = files(outDir).map((p) => {
        const body = readFileSync(p);
        return { path: relative(outDir, p), bytes: body.length, gzip: gzipSync(body).length };
      }).sort((a, b) => b.gzip - a.gzip);
      const total = sizes.reduce((n, s) => n + s.bytes, 0);
      const gz = sizes.reduce((n, s) => n + s.gzip, 0);
      const lines = [`${what}: ${relative(process.cwd(), outDir) || outDir}/ (${sizes.length} files, ${kb(total)}, ${kb(gz)} gzipped)`];
      for (const s of sizes.slice(0, 6)) lines.push(`  ${s.path.padEnd(40)} ${kb(s.bytes).padStart(10)} ${kb(s.gzip).padStart(10)} gzipped`);
      // Printed for whoever runs the build; Vite's own log level is "warn".
      console.log(lines.join('\n'));
    },
  };
}
