// Every `npm run bench` records its figures into a promlet data directory
// under bench/results/ (one series per section, measure and case, at the
// run's time), and compares them with the previous run of the same kind
// (quick or full) with one PromQL query.

import { join } from 'node:path';
import { createHarness } from '../src/index.js';
import { openDiskDB } from '../src/node/disk-db.js';

export const RESULTS_DIR = join('bench', 'results', 'db');

export async function recordResults(results: Record<string, unknown>[], quick: boolean, dir = RESULTS_DIR): Promise<void> {
  const disk = await openDiskDB(dir, { checkpointInterval: 0 });
  try {
    const now = Date.now();
    const h = await createHarness({ db: disk.db, time: now });
    const kind = quick ? 'quick' : 'full';
    // When the previous run of this kind was (its time is a series of its own).
    const prev = h.query(`last_over_time(bench_run_timestamp_seconds{kind="${kind}"}[10y] offset 1ms)`);
    const prevSeconds = prev.resultType === 'vector' && prev.result[0] ? Number(prev.result[0].value?.[1]) : null;
    let n = 0;
    const rowsSeen = new Map<string, number>();
    for (const row of results) {
      const labels: Record<string, string> = { kind };
      for (const [k, v] of Object.entries(row)) if (typeof v === 'string' && v !== '') labels[k] = v.slice(0, 200);
      // Rows told apart only by numbers (shards: 1, 4) get their place among rows with the same labels.
      const key = JSON.stringify(labels);
      const nth = rowsSeen.get(key) ?? 0;
      rowsSeen.set(key, nth + 1);
      if (nth > 0) labels.row = String(nth);
      for (const [measure, v] of Object.entries(row)) {
        if (typeof v !== 'number' || !Number.isFinite(v)) continue;
        await h.record('bench_result', { ...labels, measure }, v);
        n++;
      }
    }
    await h.record('bench_run_timestamp_seconds', { kind }, now / 1000);
    console.log(`\nrecorded ${n} figures into ${dir}`);
    if (prevSeconds === null) {
      console.log(`no earlier ${kind} run there to compare with`);
      return;
    }
    const q = `bench_result{kind="${kind}"} / last_over_time(bench_result{kind="${kind}"}[10y] @ ${prevSeconds})`;
    const r = h.query(q);
    if (r.resultType !== 'vector') return;
    const changed = r.result
      .map((s) => ({ s, ratio: Number(s.value?.[1]) }))
      .filter(({ ratio }) => Number.isFinite(ratio) && ratio > 0)
      .sort((a, b) => Math.abs(Math.log(b.ratio)) - Math.abs(Math.log(a.ratio)));
    console.log(`\n## Against the previous ${kind} run (${new Date(prevSeconds * 1000).toISOString()})\n`);
    console.log(`PromQL: ${q}\n`);
    console.log('| section | case | measure | now / before |');
    console.log('|---|---|---|---:|');
    for (const { s, ratio } of changed.slice(0, 15)) {
      const { section = '', measure = '', kind: _k, __name__: _n, ...rest } = s.metric;
      console.log(`| ${section} | ${Object.values(rest).join(' ') || '-'} | ${measure} | ${ratio.toFixed(3)} |`);
    }
    console.log(`\n${changed.length} figures compared; the ${Math.min(15, changed.length)} that moved most are shown`);
  } finally {
    await disk.close();
  }
}
