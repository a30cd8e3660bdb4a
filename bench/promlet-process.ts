// How a benchmark starts `promlet` as its own process: through
// ./promlet-serve.ts, with the node flags the `promlet` command would start
// its server with on this machine (src/node/node-flags.ts, the same decision
// and the same PROMLET_SINGLE_THREADED_GC switch). The flags go on this
// process's own start line instead of through the command's relaunch, so
// the process a benchmark reads CPU time and memory from is the server.

import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeFlagsFor } from '../src/node/node-flags.js';

export const PROMLET_SCRIPT = resolve(dirname(fileURLToPath(import.meta.url)), 'promlet-serve.js');

/** node's arguments for `promlet ARGS`: spawn(process.execPath, promletArgv([...])). */
export function promletArgv(args: readonly string[]): string[] {
  return [...nodeFlagsFor(args, process.env, availableParallelism()), PROMLET_SCRIPT, ...args];
}
