// The playground's demo data: reproducible from its end time, and shaped
// like a real service (valid histograms, an incident alerts can find).

import { describe, expect, it } from 'vitest';
import { createEngine, openDB } from '../../src/index.js';
import { generateDemoData } from '../../src/playground/demo-data.js';

const END = Date.UTC(2026, 5, 1, 12, 0, 7);

describe('demo data', () => {
  it('is the same for the same end time, on the 15 s grid', async () => {
    const a = await openDB();
    const b = await openDB();
    const ra = await generateDemoData(a, { end: END, hours: 2 });
    const rb = await generateDemoData(b, { end: END, hours: 2 });
    expect(ra).toEqual(rb);
    expect(ra.end).toBe(Date.UTC(2026, 5, 1, 12, 0, 0));
    expect(ra.start).toBe(ra.end - (480 - 1) * 15_000);
    expect(a.stats().series).toBe(ra.series);
    expect(a.stats().samples).toBe(ra.samples);
    const q = 'sum(http_requests_total)';
    expect(createEngine(a).instantQuerySync(q, ra.end).result).toEqual(createEngine(b).instantQuerySync(q, rb.end).result);
  });

  it('has working histograms and an incident with errors, latency and a down instance', async () => {
    const db = await openDB();
    const r = await generateDemoData(db, { end: END, hours: 6 });
    const e = createEngine(db);
    const at = (q: string, t: number) => {
      const res = e.instantQuerySync(q, t);
      if (res.resultType !== 'vector') throw new Error('want a vector');
      expect(res.warnings).toEqual([]);
      return res.result.map((s) => Number(s.value?.[1]));
    };
    const incident = r.start + Math.floor(1440 * 0.66) * 15_000 + 10 * 60_000;
    const errors = 'sum(rate(http_requests_total{status="500"}[5m])) / sum(rate(http_requests_total[5m]))';
    expect(at(errors, r.end)[0]).toBeLessThan(0.02);
    expect(at(errors, incident)[0]).toBeGreaterThan(0.05);
    const p99 = 'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))';
    expect(at(p99, incident)[0]).toBeGreaterThan(2 * at(p99, r.end)[0]!);
    expect(at('min_over_time(up[6h])', r.end)).toEqual([1, 1, 0]);
    expect(at('time() - batch_job_last_success_timestamp_seconds', r.end)[0]).toBeLessThan(3 * 3600);
  });
});
