// Results written as JSON text from the evaluation's series (result-json.ts)
// are byte for byte JSON.stringify of the engine's result objects, and the
// cheaper float and timestamp texts are what the regex and JSON.stringify
// forms they replace wrote, over many random values.

import { describe, expect, it } from 'vitest';
import { openDB, QueryMemoryError, type DB } from '../../../src/index.js';
import { createEngine, jsonFloat } from '../../../src/promql/engine/engine.js';
import { formatFloat } from '../../../src/model/float.js';
import { secondsJSON, matrixJSON, vectorJSON } from '../../../src/promql/engine/result-json.js';
import { matrixElementJSON, vectorElementJSON } from '../../../src/promql/engine/histogram-json.js';
import { ColumnarSeries, emptyColumns } from '../../../src/promql/engine/columnar.js';
import type { Series } from '../../../src/promql/engine/value.js';
import { labelsToRecord } from '../../../src/model/labels.js';
import { seededRandom } from '../../../src/model/seeded-random.js';
import { CounterResetHint, type FloatHistogram } from '../../../src/model/histogram.js';

// The forms formatFloat and jsonFloat had before their fast paths: the reference.
function regexFormatFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (Object.is(v, -0)) return '-0';
  const s = String(v);
  if (!s.includes('e')) return s;
  const m = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return s;
  const [, sign, int, frac = '', expStr] = m;
  const exp = Number(expStr);
  const digits = int! + frac;
  const point = int!.length + exp;
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

function regexJsonFloat(f: number): string {
  const abs = Math.abs(f);
  if (abs !== 0 && Number.isFinite(f) && (abs < 1e-6 || abs >= 1e21)) {
    return f.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  }
  return regexFormatFloat(f);
}

const pair = (t: number, f: number): [number, string] => [t / 1000, jsonFloat(f)];

/** Doubles of every kind: random bit patterns (all exponents, subnormals), decimals, integers, the special values. */
function randomFloats(rand: () => number, n: number): number[] {
  const out = [0, -0, NaN, Infinity, -Infinity, 1e-6, -1e-6, 1e21, -1e21, 9.999999999999999e-7, 9.999999999999999e20, 5e-324, -5e-324,
    Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, 2 ** 53, 2 ** 53 + 2, -(2 ** 53) - 2, 2 ** 70, 1e300, 1e-300, 0.1, 1 / 3, 123456789012345680000];
  const bits = new DataView(new ArrayBuffer(8));
  while (out.length < n) {
    switch (out.length % 5) {
      case 0:
        bits.setUint32(0, Math.floor(rand() * 2 ** 32));
        bits.setUint32(4, Math.floor(rand() * 2 ** 32));
        out.push(bits.getFloat64(0));
        break;
      case 1: out.push((rand() - 0.5) * 10 ** Math.floor(rand() * 60 - 30)); break;
      case 2: out.push(Math.round((rand() - 0.5) * 10 ** Math.floor(rand() * 25))); break;
      case 3: out.push(Number((rand() * 1000).toFixed(Math.floor(rand() * 4)))); break;
      default: out.push((rand() < 0.5 ? -1 : 1) * 10 ** Math.floor(rand() * 40 - 20));
    }
  }
  return out;
}

function h(over: Partial<FloatHistogram>): FloatHistogram {
  return {
    counterResetHint: CounterResetHint.Unknown, schema: 0, zeroThreshold: 0.001, zeroCount: 2, count: 7, sum: 12.5,
    positiveSpans: [{ offset: 1, length: 2 }], positiveBuckets: [3, 2], negativeSpans: [], negativeBuckets: [], ...over,
  };
}

const AWKWARD_VALUES = ['plain', 'quo"te', 'back\\slash', 'ctl\u0000\u0001\u001f\n\t\r', 'üñí©ødé', '😀', 'lone \ud800 high', 'lone \udc00 low', '\u2028\u2029', '', 'a/b'];

function randomLabels(rand: () => number, i: number) {
  const rec: Record<string, string> = { __name__: 'm', i: String(i) };
  if (rand() < 0.6) rec.v = AWKWARD_VALUES[Math.floor(rand() * AWKWARD_VALUES.length)]!;
  if (rand() < 0.3) rec.w = AWKWARD_VALUES[Math.floor(rand() * AWKWARD_VALUES.length)]!;
  // Not through labelsFrom, which refuses lone surrogates: the writer must still write whatever it is given.
  return Object.keys(rec).sort().map((name) => ({ name, value: rec[name]! }));
}

/** Random series on one grid: columnar ones with gaps, point ones, some with histograms, some empty. */
function randomSeries(rand: () => number, start: number, interval: number, steps: number, count: number): Series[] {
  const floats = randomFloats(rand, 500);
  const value = () => (rand() < 0.3 ? floats[0]! : floats[Math.floor(rand() * floats.length)]!);
  const out: Series[] = [];
  for (let i = 0; i < count; i++) {
    const metric = randomLabels(rand, i);
    const kind = rand();
    if (kind < 0.5) {
      const c = emptyColumns(start, interval, steps);
      const density = rand();
      let repeat = value();
      for (let k = 0; k < steps; k++) {
        if (rand() > density) continue;
        // Runs of one value, as gauges have, beside changing ones; -0 after 0 and back.
        if (rand() < 0.3) repeat = value();
        c.values[k] = rand() < 0.5 ? repeat : value();
        c.present[k] = 1;
        c.count++;
      }
      const s = new ColumnarSeries(metric, false, c);
      if (rand() < 0.1) s.histograms = [{ t: start + interval, h: h({ sum: value() }) }];
      out.push(s);
    } else {
      const s: Series = { metric, floats: [], dropName: false };
      for (let k = 0; k < steps; k++) if (rand() < 0.5) s.floats.push({ t: start + k * interval, f: value() });
      if (kind > 0.8) s.histograms = [{ t: start, h: h({}) }, { t: start + 3 * interval, h: h({ count: value(), zeroCount: 0 }) }];
      if (kind > 0.95) s.floats = [];
      out.push(s);
    }
  }
  return out;
}

describe('float text', () => {
  it('formatFloat and jsonFloat write what their regex forms wrote', () => {
    const rand = seededRandom(17);
    const wrong: string[] = [];
    for (const v of randomFloats(rand, 200_000)) {
      if (formatFloat(v) !== regexFormatFloat(v)) wrong.push(`formatFloat ${v}: ${formatFloat(v)}`);
      if (jsonFloat(v) !== regexJsonFloat(v)) wrong.push(`jsonFloat ${v}: ${jsonFloat(v)}`);
    }
    expect(wrong.slice(0, 10)).toEqual([]);
  });

  it('writes the exponent forms as Go does', () => {
    expect(jsonFloat(1e-7)).toBe('1e-07');
    expect(jsonFloat(-1.5e-300)).toBe('-1.5e-300');
    expect(jsonFloat(1e21)).toBe('1e+21');
    expect(jsonFloat(-0)).toBe('-0');
    expect(formatFloat(1.25e-7)).toBe('0.000000125');
    expect(formatFloat(-1e21)).toBe('-1000000000000000000000');
    expect(formatFloat(1.5e22)).toBe('15000000000000000000000');
  });
});

describe('timestamp text', () => {
  it('is JSON.stringify(t / 1000) for random ms, negative and pre-1970 included', () => {
    const rand = seededRandom(3);
    const edges = [0, -0, 1, -1, 999, -999, 1000, -1000, 1001, 10, 100, 1e15 - 1, -(1e15 - 1), 1e15, -1e15, 1e15 + 1, 2 ** 53, -(2 ** 53), 1767225600467, -1767225600467];
    const wrong: string[] = [];
    const check = (t: number) => {
      if (secondsJSON(t) !== JSON.stringify(t / 1000)) wrong.push(`${t}: ${secondsJSON(t)}`);
    };
    edges.forEach(check);
    for (let i = 0; i < 300_000; i++) {
      const scale = 10 ** Math.floor(rand() * 17);
      check(Math.round((rand() - 0.5) * 2 * scale));
    }
    // Around today's times and 1970's, every ms of a few seconds.
    for (let t = 1767225590000; t < 1767225605000; t++) check(t);
    for (let t = -5000; t < 5000; t++) check(t);
    // Not whole ms, and beyond exact ms: JSON.stringify's own text.
    [0.5, -1.25, 1767225600000.5, 1e20, -1e300, 1e300].forEach(check);
    expect(wrong.slice(0, 10)).toEqual([]);
  });
});

describe('result JSON from series', () => {
  it('matrices are JSON.stringify of the engine\'s matrix objects', () => {
    const rand = seededRandom(99);
    for (let round = 0; round < 60; round++) {
      const start = Math.round((rand() - 0.3) * 4e12), interval = 1 + Math.floor(rand() * 60_000), steps = Math.floor(rand() * 300);
      const m = randomSeries(rand, start, interval, steps, Math.floor(rand() * 12));
      // Text first: building the objects turns columnar series into points.
      const text = matrixJSON(m);
      expect(text).toBe(JSON.stringify(m.map((s) => matrixElementJSON(labelsToRecord(s.metric), s, pair))));
    }
    expect(matrixJSON([])).toBe('[]');
  });

  it('long series and many-series vectors, their values converted in several batches, are JSON.stringify of the objects', () => {
    const rand = seededRandom(23);
    const floats = randomFloats(rand, 3000);
    const value = () => floats[Math.floor(rand() * floats.length)]!;
    const start = Date.UTC(2026, 0, 1), interval = 15_000, steps = 10_000;
    const c = emptyColumns(start, interval, steps);
    for (let k = 0; k < steps; k++) {
      if (rand() < 0.1) continue;
      c.values[k] = rand() < 0.2 && k > 0 ? c.values[k - 1]! : value();
      c.present[k] = 1;
      c.count++;
    }
    const points: Series = { metric: randomLabels(rand, 1), floats: [], dropName: false };
    for (let k = 0; k < 9_000; k++) points.floats.push({ t: start + k * interval, f: value() });
    const m: Series[] = [new ColumnarSeries(randomLabels(rand, 0), false, c), points];
    const text = matrixJSON(m);
    expect(text).toBe(JSON.stringify(m.map((s) => matrixElementJSON(labelsToRecord(s.metric), s, pair))));
    const many: Series[] = [];
    for (let i = 0; i < 9_000; i++) many.push({ metric: randomLabels(rand, i), floats: [{ t: start, f: value() }], dropName: false });
    many.splice(4095, 0, { metric: randomLabels(rand, -1), floats: [], histograms: [{ t: start, h: h({}) }], dropName: false });
    expect(vectorJSON(many, start)).toBe(JSON.stringify(many.map((s) => vectorElementJSON(labelsToRecord(s.metric), s, start, pair))));
  });

  it('columns past the length written whole are written a batch at a time, the same bytes', () => {
    const rand = seededRandom(31);
    const floats = randomFloats(rand, 3000);
    const start = Date.UTC(2026, 0, 1), interval = 1;
    for (const [steps, gap] of [[16_384, 0.1], [16_385, 0.1], [40_000, 0.95], [40_000, 0], [20_000, 1]] as const) {
      const c = emptyColumns(start, interval, steps);
      for (let k = 0; k < steps; k++) {
        if (rand() < gap) continue;
        c.values[k] = floats[Math.floor(rand() * floats.length)]!;
        c.present[k] = 1;
        c.count++;
      }
      const m: Series[] = [new ColumnarSeries(randomLabels(rand, 0), false, c), new ColumnarSeries(randomLabels(rand, 1), false, c)];
      expect(matrixJSON(m), `${steps} steps`).toBe(JSON.stringify(m.map((s) => matrixElementJSON(labelsToRecord(s.metric), s, pair))));
    }
  });

  it('holds the text to the memory budget it is given: its buffer is outside the heap a worker is limited to', () => {
    const m = randomSeries(seededRandom(7), Date.UTC(2026, 0, 1), 15_000, 2000, 4);
    const text = matrixJSON(m);
    expect(text.length).toBeGreaterThan(100_000);
    expect(() => matrixJSON(m, 100_000)).toThrow(QueryMemoryError);
    // Within the budget the same text, and the buffer a refused answer took is not needed again.
    expect(matrixJSON(m, new TextEncoder().encode(text).length)).toBe(text);
  });

  it('vectors are JSON.stringify of the engine\'s vector objects', () => {
    const rand = seededRandom(5);
    for (let round = 0; round < 60; round++) {
      const t = Math.round((rand() - 0.3) * 4e12);
      const m = randomSeries(rand, t, 1, 1, Math.floor(rand() * 12)).filter((s) => s.floats.length > 0 || s.histograms?.length);
      const text = vectorJSON(m, t);
      expect(text).toBe(JSON.stringify(m.map((s) => vectorElementJSON(labelsToRecord(s.metric), s, t, pair))));
    }
    expect(vectorJSON([], 0)).toBe('[]');
  });
});

describe('the engine\'s text results', () => {
  let db: DB;
  const T0 = Date.UTC(2026, 0, 1);

  it('equal JSON.stringify of its object results, columnar or not', async () => {
    db = await openDB();
    const rand = seededRandom(11);
    const floats = randomFloats(rand, 200).filter((f) => !Number.isNaN(f));
    const app = db.appender();
    for (let i = 0; i < 240; i++) {
      const t = T0 + i * 15_000 + (i % 3);
      for (let j = 0; j < 6; j++) {
        if ((i + j) % 11 === 0) continue; // gaps
        app.append({ __name__: 'g', j: String(j), v: AWKWARD_VALUES[j]! }, t, j === 0 ? 42 : j === 1 ? floats[i % floats.length]! : i * j * 0.1);
      }
      app.append({ __name__: 'c_total', k: 'x"y' }, t, i * 3);
    }
    await app.commit();
    const QUERIES = [
      'g', 'c_total', 'rate(c_total[1m])', 'g / on() group_left c_total', 'sum by (j) (g)', 'avg_over_time(g[5m])',
      'topk(2, g)', 'scalar(sum(g))', '1 / 0', '-0 * g', 'g * 1e-300', 'g * 1e300', 'nothing', 'time()', 'label_replace(g, "x", "\\u0001$1", "v", "(.*)")',
    ];
    for (const columnar of [true, false]) {
      const engine = createEngine(db, { columnar });
      for (const q of QUERIES) {
        const range = engine.rangeQueryTextSync(q, T0 + 60_000, T0 + 3_000_000, 15_000);
        const objects = engine.rangeQuerySync(q, T0 + 60_000, T0 + 3_000_000, 15_000);
        expect(range.result.resultType, q).toBe(objects.resultType);
        expect(range.resultJSON, q).toBe(JSON.stringify(objects.result));
        expect(range.resultLength, q).toBe(objects.result.length);
        expect(range.result.result, q).toEqual([]);
        // The same text as UTF-8 bytes, for a query worker to transfer.
        const bytes = engine.rangeQueryTextSync(q, T0 + 60_000, T0 + 3_000_000, 15_000, { bytes: true });
        expect(bytes.resultJSON, q).toBeUndefined();
        expect(utf8(bytes.resultBytes), q).toBe(JSON.stringify(objects.result));
        expect(bytes.resultLength, q).toBe(objects.result.length);
        for (const at of [T0 + 1_000_000, T0 + 1_000_007]) {
          const instant = engine.instantQueryTextSync(q, at);
          const iobjects = engine.instantQuerySync(q, at);
          expect(instant.result.resultType, q).toBe(iobjects.resultType);
          if (iobjects.resultType === 'vector') expect(instant.resultJSON, q).toBe(JSON.stringify(iobjects.result));
          else expect(instant.result.result, q).toEqual(iobjects.result);
          const ibytes = engine.instantQueryTextSync(q, at, { bytes: true });
          expect(ibytes.resultJSON, q).toBeUndefined();
          if (iobjects.resultType === 'vector') expect(utf8(ibytes.resultBytes), q).toBe(JSON.stringify(iobjects.result));
          else expect(ibytes.resultBytes, q).toBeUndefined();
        }
      }
      // A range selector at an instant: a matrix of points.
      const m = engine.instantQueryTextSync('g[2m]', T0 + 1_000_000);
      expect(m.resultJSON).toBe(JSON.stringify(engine.instantQuerySync('g[2m]', T0 + 1_000_000).result));
    }
  });
});

/** Bytes as the UTF-8 text they spell, failing on any that are not (a lone surrogate written would be). */
function utf8(b: Uint8Array | undefined): string | undefined {
  return b && new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(b);
}
