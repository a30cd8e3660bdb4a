// CPU ns per value of a matrix series' `values` bytes ([t,"v"] joined by
// commas) written from step columns: the core's one call per column
// (src/wasm/float-text.ts) beside jsonFloat's String(v) per value with its
// characters copied, as the answer writer did before (bytes checked equal).
// Both run in this process over the same columns, alternated round by round;
// process.cpuUsage over `--reps` passes per round, median of `--rounds`.
// Prints one JSON line per value kind with both figures and their ratio.
//
//   npx tsx bench/float-text.ts [--rounds 9] [--reps 50]

import { columnTexts } from '../src/wasm/float-text.js';
import { asciiTable } from '../src/promql/engine/json-bytes.js';
import { secondsJSON } from '../src/promql/engine/result-json.js';
import { jsonFloat } from '../src/model/float.js';
import { seededRandom } from '../src/model/seeded-random.js';
import { arg } from './cli-arg.js';

const N = 4096;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** Columns of values as dashboards' answers hold them. */
function kinds(): Record<string, Float64Array> {
  const r = seededRandom(1);
  const col = (f: (i: number) => number) => Float64Array.from({ length: N }, (_, i) => f(i));
  return {
    // rate(): full-precision ratios.
    'rate (17 digits)': col(() => r() * 3),
    // A counter divided by a core count (the group_left query).
    'ratio of large values': col(() => (1e5 + r() * 1e6) / (1 + Math.floor(r() * 8))),
    // Gauges: integers, runs of one value.
    'integers in runs': col((i) => 1e9 + Math.floor(i / 8) * 4096),
    // Quantiles at bucket bounds and short decimals.
    'short decimals': col(() => Math.round(r() * 10000) / 1000),
    'tiny (exponent form)': col(() => r() * 1e-9),
  };
}

const out = new Uint8Array(N * 64);
const present = new Uint8Array(N).fill(1);
const start = Date.UTC(2026, 0, 1);
const prefixes = asciiTable(Array.from({ length: N }, (_, k) => `[${secondsJSON(start + k * 15_000)},"`));

/** A matrix series' values as the answer writer wrote them: String(v) per value, its characters copied. */
function viaString(values: Float64Array): number {
  const { bytes, offsets } = prefixes;
  let p = 0, last = NaN, text = '';
  for (let k = 0; k < values.length; k++) {
    const v = values[k]!;
    if (v !== last || v === 0) {
      last = v;
      text = jsonFloat(v);
    }
    if (k > 0) out[p++] = 44;
    for (let i = offsets[k]!; i < offsets[k + 1]!; i++) out[p++] = bytes[i]!;
    for (let j = 0; j < text.length; j++) out[p++] = text.charCodeAt(j);
    out[p++] = 34;
    out[p++] = 93;
  }
  return p;
}

/** The same bytes from the core in one call, copied out at once. */
function viaCore(values: Float64Array): number {
  const t = columnTexts(values, present, prefixes);
  out.set(t.bytes.subarray(t.from, t.to));
  return t.to - t.from;
}

function cpuNsPerValue(f: (v: Float64Array) => number, values: Float64Array, reps: number): number {
  const c0 = process.cpuUsage();
  for (let k = 0; k < reps; k++) f(values);
  const c = process.cpuUsage(c0);
  return ((c.user + c.system) * 1000) / (reps * values.length);
}

const rounds = Number(arg('--rounds') ?? 9), reps = Number(arg('--reps') ?? 50);
for (const [kind, values] of Object.entries(kinds())) {
  const n = viaString(values), old = out.slice(0, n);
  if (viaCore(values) !== n || out.subarray(0, n).some((b, i) => b !== old[i])) throw new Error(`${kind}: the two texts differ`);
  const base: number[] = [], change: number[] = [];
  for (let i = 0; i < 3; i++) {
    viaString(values);
    viaCore(values);
  }
  for (let round = 0; round < rounds; round++) {
    base.push(cpuNsPerValue(viaString, values, reps));
    change.push(cpuNsPerValue(viaCore, values, reps));
  }
  const b = median(base), c = median(change);
  console.log(JSON.stringify({ kind, stringNsPerValue: +b.toFixed(1), coreNsPerValue: +c.toFixed(1), ratio: +(c / b).toFixed(3) }));
}
