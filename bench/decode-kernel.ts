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
