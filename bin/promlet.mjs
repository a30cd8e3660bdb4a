#!/usr/bin/env node
// `promlet serve` on a machine of few cores starts node again with V8's
// collector on one thread and without its memory reducer
// (dist/src/node/node-flags.js says when and why; the flags cannot be set
// once node runs). Any other command, a node already given each of those
// flags either way, or one being debugged or profiled, runs here.
import { fileURLToPath } from 'node:url';
import { relaunchArgv } from '../dist/src/node/node-flags.js';
import { usableCores } from '../dist/src/node/cpu-quota.js';

const args = process.argv.slice(2);
const again = relaunchArgv(fileURLToPath(import.meta.url), args, process.execArgv, process.env, usableCores());
process.exitCode = again
  ? await (await import('../dist/src/node/relaunch.js')).relaunch(again)
  : await (await import('../dist/src/node/cli.js')).runCli(args);
