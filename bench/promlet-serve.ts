// `promlet` as its own process for benchmarks that compare it with a peer
// process (CPU time and peak RSS read from /proc): the CLI from this build.
// Started through ./promlet-process.ts it already has the command's node
// flags; started without them it starts node again as the command does.

import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { runCli } from '../src/node/cli.js';
import { relaunchArgv } from '../src/node/node-flags.js';
import { relaunch } from '../src/node/relaunch.js';

const args = process.argv.slice(2);
const again = relaunchArgv(fileURLToPath(import.meta.url), args, process.execArgv, process.env, availableParallelism());
if (again) {
  process.exitCode = await relaunch(again);
} else {
  // PROMLET_BENCH_MEMORY_PROBE: sample where the server's memory goes and print it at exit.
  const probe = process.env.PROMLET_BENCH_MEMORY_PROBE ? new (await import('./memory-probe.js')).MemoryProbe() : null;
  const timer = probe ? setInterval(() => probe.sample(), 50) : null;
  timer?.unref();
  // PROMLET_BENCH_LOOP_DELAY: how long the event loop was held up, printed at exit.
  const delay = process.env.PROMLET_BENCH_LOOP_DELAY ? (await import('node:perf_hooks')).monitorEventLoopDelay({ resolution: 10 }) : null;
  delay?.enable();
  process.exitCode = await runCli(args);
  if (delay) process.stderr.write(`loop-delay ${JSON.stringify({ maxMs: delay.max / 1e6, p99Ms: delay.percentile(99) / 1e6 })}\n`);
  if (probe) process.stderr.write(`memory-probe ${JSON.stringify(probe.report())}\n`);
}
