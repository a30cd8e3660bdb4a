// A Queryable whose series live as varbit chunks decoded by the plain
// TypeScript reference codec: the baseline the WASM read path is measured
// against. It offers samples only (no window reductions), so the engine
// runs every range function sample by sample over it.

import type { Labels } from '../../src/model/labels.js';
import { compareLabels, labelsFrom } from '../../src/model/labels.js';
import type { Matcher } from '../../src/model/matcher.js';
import type { Querier, Queryable, SampleBatch, Series, WindowReduction } from '../../src/storage/interfaces.js';
import { encodeVarbit, decodeVarbit } from './varbit.js';

interface StoredChunk {
  minT: number;
  maxT: number;
  bytes: Uint8Array;
}

class RefSeries implements Series {
  constructor(readonly labels: Labels, private readonly chunks: StoredChunk[], private readonly count: (n: number) => void) {}

  samples(mint: number, maxt: number, opts?: { skipStale?: boolean }): SampleBatch {
    const ts: number[] = [];
    const vs: number[] = [];
    for (const c of this.chunks) {
      if (c.maxT < mint || c.minT > maxt) continue;
      const d = decodeVarbit(c.bytes);
      for (let i = 0; i < d.timestamps.length; i++) {
        const t = d.timestamps[i]!;
        if (t < mint || t > maxt) continue;
        ts.push(t);
        vs.push(d.values[i]!);
      }
    }
    void opts;
    this.count(ts.length);
    return { timestamps: Float64Array.from(ts), values: Float64Array.from(vs) };
  }

  reduce(): WindowReduction {
    throw new Error('the reference store has no window reductions');
  }

  reduceWindows(): Float64Array {
    throw new Error('the reference store has no window reductions');
  }
}

export class ReferenceStore implements Queryable {
  private readonly series: { labels: Labels; chunks: StoredChunk[] }[] = [];
  /** Samples handed out since the last reset. */
  samplesRead = 0;

  add(labels: Record<string, string>, timestamps: ArrayLike<number>, values: ArrayLike<number>): void {
    const chunks = encodeVarbit(timestamps, values).map((bytes) => {
      const d = decodeVarbit(bytes);
      return { bytes, minT: d.timestamps[0]!, maxT: d.timestamps[d.timestamps.length - 1]! };
    });
    this.series.push({ labels: labelsFrom(labels), chunks });
    this.series.sort((a, b) => compareLabels(a.labels, b.labels));
  }

  querier(): Querier {
    const count = (n: number) => (this.samplesRead += n);
    const matching = (ms: readonly Matcher[]) =>
      this.series.filter((s) => ms.every((m) => m.matches(s.labels.find((l) => l.name === m.name)?.value ?? '')));
    return {
      select: (ms) => matching(ms).map((s) => new RefSeries(s.labels, s.chunks, count)),
      labelNames: () => [...new Set(this.series.flatMap((s) => s.labels.map((l) => l.name)))].sort(),
      labelValues: (name) => [...new Set(this.series.map((s) => s.labels.find((l) => l.name === name)?.value ?? '').filter((v) => v !== ''))].sort(),
      close: () => {},
    };
  }
}
