// The step grid cut into contiguous parts, and parts' pieces joined into the
// matrix text matrixJSON writes for the whole range, or refused.

import { describe, expect, it } from 'vitest';
import { cutSteps, joinParts, partsFor, type PartAnswer } from '../../src/node/split-parts.js';
import { compareLabels, labelsFrom, labelsKey, labelsToRecord } from '../../src/model/labels.js';
import { histogramPairJSON, matrixJSON } from '../../src/promql/engine/result-json.js';
import { QueryMemoryError } from '../../src/promql/engine/errors.js';
import { matrixPieces } from '../../src/promql/engine/result-pieces.js';
import { concatBytes, jsonString } from '../../src/api/result-text.js';
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
    expect(jsonString(joined!.bytes)).toBe(matrixJSON(sortMatrix([...all])));
    expect(joined!.length).toBe(4);
  });

  it('joins histogram points after float points as matrixJSON writes a series holding both', () => {
    const h = { schema: 0, zeroThreshold: 0, zeroCount: 0, count: 2, sum: 3, positiveSpans: [{ offset: 0, length: 1 }], positiveBuckets: [2], negativeSpans: [], negativeBuckets: [], counterResetHint: 0 };
    const floats = series({ __name__: 'h' }, [[0, 1]]);
    const hists: Series = { metric: floats.metric, floats: [], histograms: [{ t: 2000, h: h as never }], dropName: false };
    const whole: Series = { metric: floats.metric, floats: floats.floats, histograms: hists.histograms, dropName: false };
    expect(jsonString(joinParts([part([floats]), part([hists])], LIMITS)!.bytes)).toBe(matrixJSON([whole]));
    const later: Series = { metric: floats.metric, floats: [], histograms: [{ t: 4000, h: h as never }], dropName: false };
    const both: Series = { metric: floats.metric, floats: [], histograms: [...hists.histograms!, ...later.histograms!], dropName: false };
    expect(jsonString(joinParts([part([hists]), part([later])], LIMITS)!.bytes)).toBe(matrixJSON([both]));
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

// The text join these bytes replaced: pieces as strings, joined with out.join(''). The bytes must spell the same text.
interface StringPieces { labels: Series['metric'][]; metrics: string[]; values: string[]; histograms: string[] }

function stringPieces(m: Series[]): StringPieces {
  const out: StringPieces = { labels: [], metrics: [], values: [], histograms: [] };
  for (const s of sortMatrix([...m])) {
    const metric = JSON.stringify(labelsToRecord(s.metric));
    out.labels.push(s.metric);
    out.metrics.push(metric);
    const floats = s.floats.length > 0 ? matrixJSON([{ ...s, histograms: undefined }]) : '';
    out.values.push(floats === '' ? '' : floats.slice(`[{"metric":${metric},"values":[`.length, -']}]'.length));
    out.histograms.push(s.histograms?.length ? s.histograms.map((p) => histogramPairJSON(p.t, p.h)).join(',') : '');
  }
  return out;
}

function stringJoin(parts: StringPieces[]): string {
  const byKey = new Map<string, { labels: Series['metric']; metric: string; values: string[]; histograms: string[] }>();
  for (const p of parts) {
    for (let i = 0; i < p.metrics.length; i++) {
      const key = labelsKey(p.labels[i]!);
      let j = byKey.get(key);
      if (!j) byKey.set(key, (j = { labels: p.labels[i]!, metric: p.metrics[i]!, values: [], histograms: [] }));
      if (p.values[i] !== '') j.values.push(p.values[i]!);
      if (p.histograms[i] !== '') j.histograms.push(p.histograms[i]!);
    }
  }
  const out: string[] = ['['];
  [...byKey.values()].sort((a, b) => compareLabels(a.labels, b.labels)).forEach((j, i) => {
    out.push(i > 0 ? ',{"metric":' : '{"metric":', j.metric);
    if (j.values.length > 0 || j.histograms.length === 0) out.push(',"values":[', j.values.join(','), ']');
    if (j.histograms.length > 0) out.push(',"histograms":[', j.histograms.join(','), ']');
    out.push('}');
  });
  out.push(']');
  return out.join('');
}

describe('joinParts as bytes', () => {
  const H = (count: number) => ({ schema: 0, zeroThreshold: 0.001, zeroCount: 1, count, sum: count * 1.5, positiveSpans: [{ offset: -2, length: 2 }], positiveBuckets: [1, count - 2], negativeSpans: [], negativeBuckets: [], counterResetHint: 0 }) as never;
  const LABELS: Record<string, string>[] = [
    { __name__: 'x', k: 'a' }, { __name__: 'x', k: 'b' }, { 'é': 'ü' }, { __name__: 'y', q: 'say "hi"\\\n\t' },
    { __name__: 'y', u: '\u2028 😀 \u0001' }, { job: 'ñandú', instance: '10.0.0.1:9100' }, {},
  ];
  const FLOATS = [0, -0, 1, 0.1, -2.5e-7, 1e21, 5e-324, Number.MAX_VALUE, NaN, Infinity, -Infinity, 123456.789];

  /** Parts of a random whole matrix: series present in some parts only, floats, histograms or both. */
  function shape(seed: number) {
    let x = seed;
    const rnd = (n: number) => {
      x = (x * 1103515245 + 12345) % 2147483648;
      return Math.floor((x / 2147483648) * n);
    };
    const k = 2 + rnd(4);
    const n = rnd(LABELS.length + 1);
    const parts: Series[][] = Array.from({ length: k }, () => []);
    const whole: Series[] = [];
    for (let i = 0; i < n; i++) {
      const metric = labelsFrom(LABELS[i]!);
      const all: Series = { metric, floats: [], histograms: [], dropName: false };
      for (let p = 0; p < k; p++) {
        const kind = rnd(4); // absent, floats, histograms, both
        if (kind === 0) continue;
        const s: Series = { metric, floats: [], histograms: [], dropName: false };
        const points = 1 + rnd(3);
        for (let j = 0; j < points; j++) {
          const t = (p * 10 + j) * 15_000 - 60_000;
          if (kind !== 2) s.floats.push({ t, f: FLOATS[rnd(FLOATS.length)]! });
          if (kind !== 1) s.histograms!.push({ t, h: H(2 + rnd(5)) });
        }
        if (!s.histograms!.length) s.histograms = undefined;
        parts[p]!.push(s);
        all.floats.push(...s.floats);
        all.histograms!.push(...(s.histograms ?? []));
      }
      if (all.floats.length || all.histograms!.length) whole.push({ ...all, histograms: all.histograms!.length ? all.histograms : undefined });
    }
    return { parts, whole };
  }

  it('spells the string join\'s text and the whole range\'s matrixJSON, byte for byte', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const { parts, whole } = shape(seed);
      const annotations = seed % 3 === 0 ? { warnings: ['PromQL warning: é "x"'], infos: ['PromQL info: y'] } : {};
      const joined = joinParts(parts.map((m) => part(m, annotations)), LIMITS)!;
      const text = stringJoin(parts.map(stringPieces));
      const got = concatBytes(joined.bytes);
      expect(Buffer.from(got).equals(Buffer.from(text, 'utf8')), `seed ${seed}`).toBe(true);
      expect(text, `seed ${seed}`).toBe(matrixJSON(sortMatrix([...whole])));
      expect(joined.length).toBe(whole.length);
      expect(joined.result.warnings).toEqual(annotations.warnings ?? []);
      expect(joined.result.infos).toEqual(annotations.infos ?? []);
    }
  });

  it('refuses a text over a third of the budget by its UTF-16 length, as the string join did', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const { parts } = shape(seed);
      const answers = parts.map((m) => part(m, {}, 1));
      const units = stringJoin(parts.map(stringPieces)).length;
      expect(joinParts(answers, { maxSamples: 1e9, maxMemoryBytes: 3 * units }), `seed ${seed}`).not.toBeNull();
      expect(joinParts(answers, { maxSamples: 1e9, maxMemoryBytes: 3 * units - 1 }), `seed ${seed}`).toBeNull();
    }
  });
});

describe('matrixPieces', () => {
  it('holds only the float points\' text to the budget, brackets included, as each series\' own text was', () => {
    const long = 'v'.repeat(5000);
    const m = sortMatrix([
      series({ __name__: 'x', long }, [[0, 1], [1000, 2.5]]),
      { ...series({ __name__: 'h', long }, []), histograms: [{ t: 0, h: { schema: 0, zeroThreshold: 0, zeroCount: 0, count: 1, sum: 1, positiveSpans: [], positiveBuckets: [], negativeSpans: [], negativeBuckets: [], counterResetHint: 0 } as never }] },
      series({ __name__: 'y' }, [[0, NaN]]),
    ]);
    // [[0,"1"],[1,"2.5"]] and [[0,"NaN"]]: the label sets and histograms, thousands of bytes, are not counted.
    const counted = '[[0,"1"],[1,"2.5"]]'.length + '[[0,"NaN"]]'.length;
    expect(() => matrixPieces(m, counted)).not.toThrow();
    expect(() => matrixPieces(m, counted - 1)).toThrow(QueryMemoryError);
  });

  it('puts every piece in one array of its own, transferable without taking the writer\'s buffer', () => {
    const a = matrixPieces([series({ __name__: 'x' }, [[0, 1]])]);
    const b = matrixPieces([series({ __name__: 'x' }, [[0, 2]])]);
    expect(a.bytes.buffer).not.toBe(b.bytes.buffer);
    expect(a.bytes.byteOffset).toBe(0);
    expect(a.bytes.buffer.byteLength).toBe(a.bytes.length);
    expect(new TextDecoder().decode(a.bytes)).toBe('{"__name__":"x"}[[0,"1"]]');
  });
});
