// Child process of the blocks benchmark: writes high-entropy gauges through
// openDiskDB (as a scraper would, one commit per timestamp) and prints its
// peak resident memory and its longest commit. Values are a function of
// (series, point), so the parent can check single samples exactly. A first
// point past 0 continues a directory an earlier run wrote.

import { monitorEventLoopDelay } from 'node:perf_hooks';
import { openDiskDB } from '../src/node/disk-db.js';
import { gaugeValue } from './blocks-data.js';
import { MemoryProbe } from './memory-probe.js';

const [dir, seriesArg, pointsArg, stepArg, startArg, firstArg] = process.argv.slice(2) as [string, string, string, string, string, string | undefined];
const SERIES = Number(seriesArg), POINTS = Number(pointsArg), STEP = Number(stepArg), START = Number(startArg), FIRST = Number(firstArg ?? 0);

if (dir) {
  const t0 = performance.now();
  const disk = await openDiskDB(dir, { checkpointInterval: 0, retention: '0s' });
  const labels = Array.from({ length: SERIES }, (_, s) => ({ __name__: 'bench_gauge', instance: `host-${s % 100}`, s: String(s) }));
  const refs: number[] = [];
  // The longest a commit kept its caller waiting, and the longest the event loop could not run anything else
  // (a server would not answer meanwhile): block cuts, checkpoints and compaction run after commits.
  let maxCommitMs = 0, maxCommitSyncMs = 0;
  // The longest the writer waited for its next turn after yielding: what ran in between (block writes,
  // checkpoints, merges, their I/O callbacks, garbage collection), not its own commits.
  let maxBetweenMs = 0;
  const stalls = monitorEventLoopDelay({ resolution: 10 });
  stalls.enable();
  const probe = new MemoryProbe();
  const hours = (ms: number | null) => (ms === null ? 0 : ms / 3600e3);
  for (let p = FIRST; p < POINTS; p++) {
    const app = disk.db.appender();
    const t = START + p * STEP;
    for (let s = 0; s < SERIES; s++) refs[s] = app.append(p === FIRST ? labels[s]! : refs[s]!, t, gaugeValue(s, p));
    const c0 = performance.now();
    // The commit's synchronous part (log, apply, and formerly a checkpoint) runs before commit() returns its promise;
    // awaiting it adds what back-pressure holds it for.
    const committing = app.commit();
    maxCommitSyncMs = Math.max(maxCommitSyncMs, performance.now() - c0);
    await committing;
    maxCommitMs = Math.max(maxCommitMs, performance.now() - c0);
    if (p % 50 === 0) {
      const h = disk.db.headRange();
      probe.sample({ headHours: h.minTime === null ? 0 : hours(h.maxTime! - h.minTime), headChunks: disk.db.stats().chunks });
    }
    // As a server between requests: other work (timers, sockets) gets its turn.
    const y0 = performance.now();
    await new Promise((r) => setImmediate(r));
    maxBetweenMs = Math.max(maxBetweenMs, performance.now() - y0);
  }
  stalls.disable();
  const held = { ...disk.heldCommits };
  await disk.close();
  process.stdout.write(JSON.stringify({ ms: performance.now() - t0, maxRSS: process.resourceUsage().maxRSS * 1024, maxCommitMs, maxCommitSyncMs, maxStallMs: stalls.max / 1e6, maxBetweenMs, memory: probe.report(), heldCommits: held.commits, heldMs: held.ms }) + '\n');
}
