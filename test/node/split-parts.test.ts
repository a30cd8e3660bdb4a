// The step grid cut into contiguous parts, and parts' pieces joined into the
// matrix text matrixJSON writes for the whole range, or refused.

import { describe, expect, it } from 'vitest';
import { cutSteps, joinParts, partsFor, type PartAnswer } from '../../src/node/split-parts.js';
import { labelsFrom } from '../../src/model/labels.js';
import { matrixJSON } from '../../src/promql/engine/result-json.js';
import { matrixPieces } from '../../src/promql/engine/result-pieces.js';
import { sortMatrix, type Series } from '../../src/promql/engine/value.js';
import type { QueryResult } from '../../src/promql/engine/engine.js';

describe('cutSteps', () => {
  it('covers the grid once, in order, the last part ending at the query\'s end', () => {
    for (const [start, end, step, k] of [[0, 1000, 10, 3], [5, 1004, 7, 2], [0, 60, 15, 2], [1000, 1000 + 480 * 15, 15, 4]] as const) {
      const parts = cutSteps(start, end, step, k);
      expect(parts).toHaveLength(k);
      const steps: number[] = [];
      for (const p of parts) for (let t = p.start; t <= p.end; t += step) steps.push(t);
      const whole: number[] = [];
      for (let t = start; t <= end; t += step) whole.push(t);
      expect(steps).toEqual(whole);
      expect(parts[k - 1]!.end).toBe(end);
    }
  });

  it('gives each part at least the minimum of steps, and whole milliseconds only', () => {
    expect(partsFor(0, 478 * 15_000, 15_000, 2, 240)).toBe(1);
    expect(partsFor(0, 479 * 15_000, 15_000, 2, 240)).toBe(2);
    expect(partsFor(0, 1320 * 15_000, 15_000, 8, 240)).toBe(5);
    expect(partsFor(0, 1320 * 15_000, 15_000, 8, 1)).toBe(8);
    expect(partsFor(0, 1320 * 15_000, 15_000, 1, 240)).toBe(1);
    expect(partsFor(0, 1000, 0.5, 2, 2)).toBe(1);
  });
});

const series = (labels: Record<string, string>, points: [number, number][]): Series => ({
  metric: labelsFrom(labels), floats: points.map(([t, f]) => ({ t, f })), dropName: false,
});

const result = (over: { warnings?: string[]; infos?: string[] } = {}): QueryResult => ({
  resultType: 'matrix', result: [], warnings: over.warnings ?? [], infos: over.infos ?? [],
  stats: { timings: { parseSeconds: 0, prepareSeconds: 0, evalSeconds: 0, totalSeconds: 0 }, samples: { totalQueryableSamples: 1, peakSamples: 4 } },
});

const part = (m: Series[], over: { warnings?: string[]; infos?: string[] } = {}, peakBytes = 64): PartAnswer => ({ result: result(over), pieces: matrixPieces(sortMatrix(m)), peakBytes });
const LIMITS = { maxSamples: 100, maxMemoryBytes: 1 << 20 };

describe('joinParts', () => {
  it('writes the whole range\'s matrix text: series in some parts once, in label order, points in part order', () => {
    const a = series({ __name__: 'x', k: 'a' }, [[0, 1], [1000, 0.1], [2000, -0], [3000, 1e21]]);
    const b = series({ __name__: 'x', k: 'b' }, [[2000, 2], [3000, NaN]]);
    const c = series({ __name__: 'x', k: 'c' }, [[0, Infinity]]);
    const u = series({ 'é': 'ü' }, [[1000, 5]]);
    const split = (s: Series, from: number, to: number): Series[] => {
      const f = s.floats.filter((p) => p.t >= from && p.t < to);
      return f.length ? [{ ...s, floats: f }] : [];
    };
    const all = [u, c, b, a];
    const joined = joinParts([
      part(all.flatMap((s) => split(s, 0, 2000))),
      part(all.flatMap((s) => split(s, 2000, 4000))),
    ], LIMITS);
    expect(joined!.text).toBe(matrixJSON(sortMatrix([...all])));
    expect(joined!.length).toBe(4);
  });

  it('joins histogram points after float points as matrixJSON writes a series holding both', () => {
    const h = { schema: 0, zeroThreshold: 0, zeroCount: 0, count: 2, sum: 3, positiveSpans: [{ offset: 0, length: 1 }], positiveBuckets: [2], negativeSpans: [], negativeBuckets: [], counterResetHint: 0 };
    const floats = series({ __name__: 'h' }, [[0, 1]]);
    const hists: Series = { metric: floats.metric, floats: [], histograms: [{ t: 2000, h: h as never }], dropName: false };
    const whole: Series = { metric: floats.metric, floats: floats.floats, histograms: hists.histograms, dropName: false };
    expect(joinParts([part([floats]), part([hists])], LIMITS)!.text).toBe(matrixJSON([whole]));
    const later: Series = { metric: floats.metric, floats: [], histograms: [{ t: 4000, h: h as never }], dropName: false };
    const both: Series = { metric: floats.metric, floats: [], histograms: [...hists.histograms!, ...later.histograms!], dropName: false };
    expect(joinParts([part([hists]), part([later])], LIMITS)!.text).toBe(matrixJSON([both]));
  });

  it('refuses what the whole query may not answer as the join would', () => {
    const s = series({ __name__: 'x' }, [[0, 1]]);
    expect(joinParts([part([s]), part([s])], LIMITS)).not.toBeNull();
    // Peaks that add up past a limit: the whole query may have failed on it.
    expect(joinParts([part([s]), part([s])], { ...LIMITS, maxSamples: 7 })).toBeNull();
    expect(joinParts([part([s], {}, 600), part([s], {}, 600)], { ...LIMITS, maxMemoryBytes: 1199 })).toBeNull();
    expect(joinParts([part([s], {}, 600), part([s], {}, 600)], { ...LIMITS, maxMemoryBytes: 1200 })).not.toBeNull();
    // Annotations that differ between parts.
    expect(joinParts([part([s], { warnings: ['w'] }), part([s])], LIMITS)).toBeNull();
    expect(joinParts([part([s], { infos: ['a', 'b'] }), part([s], { infos: ['b', 'a'] })], LIMITS)).toBeNull();
    expect(joinParts([part([s], { infos: ['a', 'b'] }), part([s], { infos: ['a', 'b'] })], LIMITS)!.result.infos).toEqual(['a', 'b']);
    // A series without points, or one label set twice in a part.
    expect(joinParts([part([series({ __name__: 'x' }, [])]), part([s])], LIMITS)).toBeNull();
    expect(joinParts([part([s, s]), part([s])], LIMITS)).toBeNull();
  });
});
