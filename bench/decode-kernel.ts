// The WebAssembly decode alone (decodeRange into the module's scratch, no
// copy out), CPU ns per sample, for bench/read-path.ts: the chunks of real
// series (their samples encoded again, which gives the chunks a block holds)
// and of a constant series, whose chunks are long runs of repeated
// timestamp deltas with no value bits. `root` is the build measured.

import { join } from 'node:path';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

export interface SampleRuns {
  timestamps: Float64Array;
  values: Float64Array;
}

/** A constant series: one value every 15 s, `n` samples. */
export function constantSeries(n: number): SampleRuns {
  const timestamps = new Float64Array(n), values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    timestamps[i] = 1_767_225_600_000 + i * 15_000;
    values[i] = 1;
  }
  return { timestamps, values };
}

/** CPU ns per sample of decodeRange over `series` encoded as varbit chunks, median of `runs` passes. */
export async function decodeNsPerSample(root: string, series: readonly SampleRuns[], runs: number): Promise<number> {
  const { wasm, mem } = await import(join(root, 'dist/src/wasm/loader.js'));
  const { encodeChunks } = await import(join(root, 'dist/src/wasm/codec.js'));
  const { ENC_VARBIT } = await import(join(root, 'dist/src/wasm/layout.js'));
  const lists: { list: number; n: number }[] = [];
  let samples = 0;
  for (const s of series) {
    const chunks: Uint8Array[] = encodeChunks('varbit', s.timestamps, s.values);
    const ptrs = chunks.map((b) => {
      const c = wasm.chunkNew(ENC_VARBIT);
      mem().u8.set(b, c);
      return c;
    });
    const list = wasm.alloc(Math.max(4, ptrs.length * 4));
    mem().u32.set(ptrs, list >>> 2);
    lists.push({ list, n: ptrs.length });
    samples += s.timestamps.length;
  }
  // Enough passes per timing for a CPU-time reading well above its 1 ms grain.
  const reps = Math.max(1, Math.ceil(2e6 / samples));
  const ns: number[] = [];
  for (let r = 0; r < runs + 3; r++) {
    const c0 = process.cpuUsage();
    let seen = 0;
    for (let k = 0; k < reps; k++) {
      for (const { list, n } of lists) {
        const got = wasm.decodeRange(list, n, ENC_VARBIT, -8.64e15, 8.64e15, 0);
        if (got < 0) throw new Error(`decodeRange: status ${got}`);
        seen += got;
      }
    }
    const c = process.cpuUsage(c0);
    if (seen !== samples * reps) throw new Error(`decoded ${seen} samples, want ${samples * reps}`);
    if (r >= 3) ns.push(((c.user + c.system) * 1000) / seen);
  }
  return median(ns);
}

interface Loaded {
  root: string;
  decode: (list: number, n: number, mint: number, maxt: number) => number;
  lists: { list: number; n: number; mint: number; maxt: number }[];
}

/**
 * One build's core with `series` encoded as varbit chunk lists in its
 * memory, each to be read over all its samples, or with `cut` of them
 * left out at each end (a query's range, whose end chunks are partly read).
 */
async function load(root: string, series: readonly SampleRuns[], cut: number): Promise<Loaded> {
  const { wasm, mem } = await import(join(root, 'dist/src/wasm/loader.js'));
  const { encodeChunks } = await import(join(root, 'dist/src/wasm/codec.js'));
  const { ENC_VARBIT } = await import(join(root, 'dist/src/wasm/layout.js'));
  const lists = series.map((s) => {
    const ptrs = (encodeChunks('varbit', s.timestamps, s.values) as Uint8Array[]).map((b) => {
      const c = wasm.chunkNew(ENC_VARBIT);
      mem().u8.set(b, c);
      return c;
    });
    const list = wasm.alloc(Math.max(4, ptrs.length * 4));
    mem().u32.set(ptrs, list >>> 2);
    const k = Math.floor(s.timestamps.length * cut);
    return cut > 0
      ? { list, n: ptrs.length, mint: s.timestamps[k]!, maxt: s.timestamps[s.timestamps.length - 1 - k]! }
      : { list, n: ptrs.length, mint: -8.64e15, maxt: 8.64e15 };
  });
  return { root, decode: (list, n, mint, maxt) => wasm.decodeRange(list, n, ENC_VARBIT, mint, maxt, 0), lists };
}

/** CPU ns per sample of one timing of `reps` passes over every list. */
function timeOnce(l: Loaded, reps: number, samples: number): number {
  const c0 = process.cpuUsage();
  let seen = 0;
  for (let k = 0; k < reps; k++) for (const { list, n, mint, maxt } of l.lists) seen += l.decode(list, n, mint, maxt);
  const c = process.cpuUsage(c0);
  if (seen !== samples * reps) throw new Error(`${l.root}: decoded ${seen} samples, want ${samples * reps}`);
  return ((c.user + c.system) * 1000) / seen;
}

/**
 * A/B: `--base DIR` (another build's root) against this checkout, per
 * family of the dashboard's series (demoSeries 6 instances × 6 h), the two
 * builds alternated `--rounds` times in one process; medians and ratios.
 * `--cut 0.05` reads each series without its first and last 5%. The
 * counts the two builds decode are compared (timeOnce).
 *
 *   npx tsx bench/decode-kernel.ts --base /tmp/base-checkout [--cut 0.05]
 */
async function abMain(): Promise<void> {
  const { resolve, dirname } = await import('node:path');
  const { fileURLToPath } = await import('node:url');
  const { arg } = await import('./cli-arg.js');
  const { demoSeries } = await import('./demo-data.js');
  const here = dirname(fileURLToPath(import.meta.url));
  const change = resolve(arg('--root') ?? join(here, here.endsWith('dist-bench/bench') ? '../..' : '..'));
  const base = resolve(arg('--base') ?? change);
  const rounds = Number(arg('--rounds') ?? 15);
  const cut = Number(arg('--cut') ?? 0);
  const all = demoSeries(6, 6);
  const families = new Map<string, SampleRuns[]>();
  for (const s of all) {
    const name = s.labels.__name__!;
    const key = name.endsWith('_bucket') ? 'buckets' : name;
    if (!families.has(key)) families.set(key, []);
    families.get(key)!.push({ timestamps: Float64Array.from(s.timestamps), values: s.values });
  }
  families.set('constant', [constantSeries(1_000_000)]);
  for (const [name, series] of families) {
    const a = await load(base, series, cut), b = await load(change, series, cut);
    const samples = a.lists.reduce((n, { list, n: k, mint, maxt }) => n + a.decode(list, k, mint, maxt), 0);
    const reps = Math.max(1, Math.ceil(3e6 / samples));
    const na: number[] = [], nb: number[] = [];
    for (let r = 0; r < rounds + 2; r++) {
      const x = timeOnce(a, reps, samples), y = timeOnce(b, reps, samples);
      if (r >= 2) {
        na.push(x);
        nb.push(y);
      }
    }
    const ma = median(na), mb = median(nb);
    console.log(`${name.padEnd(36)} ${String(samples).padStart(8)} samples  base ${ma.toFixed(2)} ns  change ${mb.toFixed(2)} ns  ${(mb / ma).toFixed(3)}x`);
  }
}

if (/decode-kernel\.[jt]s$/.test(process.argv[1] ?? '')) await abMain();
