// `promlet` as its own process for benchmarks that compare it with a peer
// process (CPU time and peak RSS read from /proc): the CLI from this build.

import { runCli } from '../src/node/cli.js';

process.exitCode = await runCli(process.argv.slice(2));
