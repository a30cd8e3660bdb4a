// `npm run build:playground` and `build:ui` say where the build went and how big it is.

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { buildReport } from '../../scripts/build-report.js';

describe('the build report', () => {
  it('prints the output folder, the file count, sizes raw and gzipped, and the largest files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'promlet-build-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html>'.repeat(10));
    writeFileSync(join(dir, 'assets', 'main.js'), 'console.log(1);\n'.repeat(1000));
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      (buildReport('playground', dir).closeBundle as () => void)();
      const text = String(log.mock.calls[0]![0]);
      expect(text).toMatch(new RegExp(`^playground: .*${dir.split('/').pop()}/ \\(2 files, 15\\.8 KB, 0\\.\\d KB gzipped\\)\\n`));
      expect(text.split('\n')[1]).toMatch(/^ {2}assets\/main\.js +15\.6 KB +0\.\d KB gzipped$/);
    } finally {
      log.mockRestore();
    }
  });
});
