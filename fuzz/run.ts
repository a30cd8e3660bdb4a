// `npm run fuzz`: drives every target (or --target a,b) with --runs inputs
// each (default 1,000,000), one worker thread per target at a time. An input
// running past --hang-ms (default 30 s) is a hang: the worker is terminated
// and the input reported. Prints a table and, with --out, writes the results
// as JSON. Exits 1 when anything crashed, hung or was slower than
// --input-bound-ms (default 1000).

import { Worker } from 'node:worker_threads';
import { writeFileSync } from 'node:fs';
import { TARGETS } from './targets.js';
import type { CampaignResult } from './campaign.js';
import { workerURL } from '../src/node/worker-url.js';

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const runs = Number(flag('--runs') ?? 1_000_000);
const seed = Number(flag('--seed') ?? Date.now() % 2 ** 31);
const inputBoundMs = Number(flag('--input-bound-ms') ?? 1000);
const hangMs = Number(flag('--hang-ms') ?? 30_000);
const only = flag('--target')?.split(',');
const targets = TARGETS.filter((t) => !only || only.includes(t.name)).map((t) => t.name);
if (targets.length === 0) {
  console.error(`no such target; targets: ${TARGETS.map((t) => t.name).join(', ')}`);
  process.exit(2);
}

type Outcome = CampaignResult | { target: string; seed: number; hung: string; inputs: number };

async function campaign(target: string): Promise<Outcome> {
  const counters = new SharedArrayBuffer(8);
  const current = new SharedArrayBuffer(64 * 1024);
  const view = new Int32Array(counters);
  const worker = new Worker(workerURL(import.meta.url, 'worker'), { workerData: { target, runs, seed, inputBoundMs, counters, current } });
  return new Promise((resolve, reject) => {
    let seen = -1;
    let since = Date.now();
    const watchdog = setInterval(() => {
      const n = Atomics.load(view, 0);
      if (n !== seen) {
        seen = n;
        since = Date.now();
        process.stderr.write(`\r${target}: ${n} inputs`);
        return;
      }
      if (Date.now() - since < hangMs) return;
      clearInterval(watchdog);
      const input = new TextDecoder().decode(new Uint8Array(current).slice(0, Atomics.load(view, 1)));
      void worker.terminate();
      resolve({ target, seed, hung: input, inputs: n });
    }, 1000);
    worker.once('message', (r: CampaignResult) => {
      clearInterval(watchdog);
      process.stderr.write('\n');
      void worker.terminate();
      resolve(r);
    });
    worker.once('error', (e) => {
      clearInterval(watchdog);
      reject(e);
    });
  });
}

const results: Outcome[] = [];
for (const t of targets) results.push(await campaign(t));

let bad = 0;
console.log(`seed ${seed}, ${runs} inputs per target, input bound ${inputBoundMs} ms`);
console.log('target        inputs     crashes  slow  hung  slowest-ms  seconds');
for (const r of results) {
  if ('hung' in r) {
    bad++;
    console.log(`${r.target.padEnd(13)} ${String(r.inputs).padStart(9)}  hung on ${r.hung}`);
    continue;
  }
  bad += r.crashes.length + r.slow.length;
  console.log(`${r.target.padEnd(13)} ${String(r.inputs).padStart(9)}  ${String(r.crashes.length).padStart(7)}  ${String(r.slow.length).padStart(4)}     0  ${String(r.slowestMs).padStart(10)}  ${String(r.seconds).padStart(7)}`);
  for (const c of r.crashes) console.log(`  crash: ${c.problem}\n    input: ${c.input.slice(0, 500)}`);
  for (const s of r.slow) console.log(`  slow (${s.problem}): ${s.input.slice(0, 300)}`);
}
const out = flag('--out');
if (out) writeFileSync(out, JSON.stringify(results, null, 2));
process.exit(bad > 0 ? 1 : 0);
