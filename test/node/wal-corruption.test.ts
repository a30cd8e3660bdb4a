// A byte flipped in the middle of the newest log segment cuts the log there
// (as Prometheus repairs its WAL) and is counted: corruptionCount in
// /api/v1/status/runtimeinfo and prometheus_tsdb_wal_corruptions_total on /metrics.

import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDiskDB } from '../../src/node/disk-db.js';
import { servePromlet } from '../../src/node/serve.js';
import { crash, readMetric } from '../support/disk.js';

describe('write-ahead log corruption counter', () => {
  it('counts a flipped byte mid-segment that cut the log, in runtimeinfo and /metrics', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'promlet-walcorrupt-'));
    const d = await openDiskDB(dataDir, { checkpointInterval: 0 });
    for (let i = 1; i <= 100; i++) {
      const app = d.db.appender();
      app.append({ __name__: 'x' }, Date.now() - 1e6 + i * 1000, i);
      await app.commit();
    }
    await crash(d);
    const seg = join(dataDir, 'wal', readdirSync(join(dataDir, 'wal')).filter((f) => /^\d{8}$/.test(f)).sort().at(-1)!);
    const bytes = readFileSync(seg);
    const mid = Math.floor(bytes.length / 2);
    bytes[mid] = bytes[mid]! ^ 0x10;
    writeFileSync(seg, bytes);

    const warnings: string[] = [];
    const s = await servePromlet({ listen: '127.0.0.1:0', dataDir, warn: (m) => warnings.push(m) });
    try {
      expect(warnings.some((w) => /write-ahead log: a checksum mismatch in segment .* at byte \d+ of \d+; truncating/.test(w))).toBe(true);
      // The commits before the damaged frame survive; none after it.
      const kept = readMetric(s.db, 'x')[0]!.vs;
      expect(kept.length).toBeGreaterThan(20);
      expect(kept.length).toBeLessThan(100);
      expect(kept).toEqual(kept.map((_, i) => i + 1));
      const info = (await (await fetch(`${s.url}/api/v1/status/runtimeinfo`)).json()) as { data: { corruptionCount: number } };
      expect(info.data.corruptionCount).toBe(1);
      const metrics = await (await fetch(`${s.url}/metrics`)).text();
      expect(metrics).toMatch(/^prometheus_tsdb_wal_corruptions_total 1$/m);
    } finally {
      await s.stop();
    }
    // Repaired: the next start finds nothing to count.
    const again = await servePromlet({ listen: '127.0.0.1:0', dataDir });
    try {
      const info = (await (await fetch(`${again.url}/api/v1/status/runtimeinfo`)).json()) as { data: { corruptionCount: number } };
      expect(info.data.corruptionCount).toBe(0);
    } finally {
      await again.stop();
    }
  });
});
