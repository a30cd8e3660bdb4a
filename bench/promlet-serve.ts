// `promlet` as its own process for benchmarks that compare it with a peer
// process (CPU time and peak RSS read from /proc): the CLI from this build.

import { runCli } from '../src/node/cli.js';

// PROMLET_BENCH_MEMORY_PROBE: sample where the server's memory goes and print it at exit.
const probe = process.env.PROMLET_BENCH_MEMORY_PROBE ? new (await import('./memory-probe.js')).MemoryProbe() : null;
const timer = probe ? setInterval(() => probe.sample(), 50) : null;
timer?.unref();
process.exitCode = await runCli(process.argv.slice(2));
if (probe) process.stderr.write(`memory-probe ${JSON.stringify(probe.report())}\n`);
