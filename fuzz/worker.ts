// A worker of `npm run fuzz`: runs one target's campaign and publishes its
// progress and the input it is on in shared memory, so the parent can tell a
// hang from slow progress and report the input that hung.

import { parentPort, workerData } from 'node:worker_threads';
import { TARGETS } from './targets.js';
import { describeInput, runCampaign } from './campaign.js';

interface Job {
  target: string;
  runs: number;
  seed: number;
  inputBoundMs: number;
  /** [inputs started, bytes of the current input] */
  counters: SharedArrayBuffer;
  current: SharedArrayBuffer;
}

const job = workerData as Job;
const counters = new Int32Array(job.counters);
const current = new Uint8Array(job.current);
const encoder = new TextEncoder();
const target = TARGETS.find((t) => t.name === job.target)!;

const result = await runCampaign(target, {
  runs: job.runs,
  seed: job.seed,
  inputBoundMs: job.inputBoundMs,
  onInput: (input) => {
    const { written } = encoder.encodeInto(describeInput(input), current);
    Atomics.store(counters, 1, written);
    Atomics.add(counters, 0, 1);
  },
});
parentPort!.postMessage(result);
