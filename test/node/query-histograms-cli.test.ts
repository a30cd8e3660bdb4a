// `promlet query` and `promlet query-range` over a data directory holding
// native histograms: one line per histogram in Prometheus's bucket
// notation, and --json the API's body unchanged.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/node/cli.js';
import { openDiskDB } from '../../src/node/disk-db.js';
import { CounterResetHint } from '../../src/model/histogram.js';

function capture() {
  let out = '', err = '';
  return { io: { out: (s: string) => void (out += s), err: (s: string) => void (err += s) }, get out() { return out; }, get err() { return err; } };
}

const T = 1_700_000_000_000;

describe('promlet query with native histograms', () => {
  it('prints histogram samples and series that switch between floats and histograms', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'promlet-cli-hist-'));
    try {
      const disk = await openDiskDB(dir);
      const app = disk.db.appender();
      app.append({ __name__: 'latency', job: 'a' }, T, 2);
      app.appendHistogram!({ __name__: 'latency', job: 'a' }, T + 60_000, {
        counterResetHint: CounterResetHint.Unknown, schema: 0, zeroThreshold: 0.001, zeroCount: 1, count: 4, sum: 5.5,
        positiveSpans: [{ offset: 1, length: 2 }], positiveBuckets: [2, 0], negativeSpans: [{ offset: 0, length: 1 }], negativeBuckets: [1],
      });
      await app.commit();
      await disk.close();
      const q = capture();
      expect(await runCli(['query', 'latency', '--time', String((T + 60_000) / 1000), '--data-dir', dir], q.io)).toBe(0);
      expect(q.out).toBe('latency{job="a"} {count:4, sum:5.5, [-1,-0.5):1, [-0.001,0.001]:1, (1,2]:2}\n');
      const r = capture();
      expect(await runCli(['query-range', 'latency', '--start', String(T / 1000), '--end', String((T + 60_000) / 1000), '--step', '60', '--data-dir', dir], r.io)).toBe(0);
      expect(r.out).toBe(`latency{job="a"}\n  ${new Date(T).toISOString()}  2\n  ${new Date(T + 60_000).toISOString()}  {count:4, sum:5.5, [-1,-0.5):1, [-0.001,0.001]:1, (1,2]:2}\n`);
      const j = capture();
      expect(await runCli(['query', 'latency', '--time', String((T + 60_000) / 1000), '--data-dir', dir, '--json'], j.io)).toBe(0);
      expect(JSON.parse(j.out).data.result[0].histogram[1]).toEqual({ count: '4', sum: '5.5', buckets: [[1, '-1', '-0.5', '1'], [3, '-0.001', '0.001', '1'], [0, '1', '2', '2']] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
