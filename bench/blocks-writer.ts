// Child process of the blocks benchmark: writes high-entropy gauges through
// openDiskDB (as a scraper would, one commit per timestamp) and prints its
// peak resident memory. Values are a function of (series, point), so the
// parent can check single samples exactly.

import { openDiskDB } from '../src/node/disk-db.js';
import { gaugeValue } from './blocks-data.js';

const [dir, seriesArg, pointsArg, stepArg, startArg] = process.argv.slice(2) as [string, string, string, string, string];
const SERIES = Number(seriesArg), POINTS = Number(pointsArg), STEP = Number(stepArg), START = Number(startArg);

if (dir) {
  const t0 = performance.now();
  const disk = await openDiskDB(dir, { checkpointInterval: 0, retention: '0s' });
  const labels = Array.from({ length: SERIES }, (_, s) => ({ __name__: 'bench_gauge', instance: `host-${s % 100}`, s: String(s) }));
  const refs: number[] = [];
  for (let p = 0; p < POINTS; p++) {
    const app = disk.db.appender();
    const t = START + p * STEP;
    for (let s = 0; s < SERIES; s++) refs[s] = app.append(p === 0 ? labels[s]! : refs[s]!, t, gaugeValue(s, p));
    await app.commit();
  }
  await disk.close();
  process.stdout.write(JSON.stringify({ ms: performance.now() - t0, maxRSS: process.resourceUsage().maxRSS * 1024 }) + '\n');
}
