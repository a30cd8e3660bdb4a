// Native histogram literals of test scripts, as Prometheus's series
// notation writes them: `{{schema:0 sum:5 count:4 z_bucket:1
// z_bucket_w:0.001 buckets:[1 2 1] offset:1 n_buckets:[1] n_offset:0
// counter_reset_hint:gauge custom_values:[1 2]}}`. Buckets are absolute
// counts of one span each side; a missing key is zero.

import { type FloatHistogram, CounterResetHint } from '../../model/histogram.js';
import { SeriesSyntaxError } from './series-error.js';

/** A histogram from a script, and whether it spelled out its counter-reset hint (only then is the hint compared). */
export interface HistogramLiteral {
  h: FloatHistogram;
  hintSet: boolean;
}

const HINTS: Record<string, CounterResetHint> = {
  unknown: CounterResetHint.Unknown,
  reset: CounterResetHint.CounterReset,
  not_reset: CounterResetHint.NotCounterReset,
  gauge: CounterResetHint.Gauge,
};

const NUMBER = /^[+-]?(?:inf|nan|0x[0-9a-f]+|(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)$/i;

function number(s: string, key: string, text: string): number {
  if (!NUMBER.test(s)) throw new SeriesSyntaxError(`error parsing ${key} number ${JSON.stringify(s)} in ${text}`);
  const l = s.toLowerCase().replace(/^\+/, '');
  if (l === 'inf') return Infinity;
  if (l === '-inf') return -Infinity;
  if (l === 'nan' || l === '-nan') return NaN;
  return Number(l.startsWith('-0x') ? -Number(l.slice(1)) : l);
}

function integer(s: string, key: string, text: string): number {
  if (!/^[+-]?\d+$/.test(s)) throw new SeriesSyntaxError(`error parsing ${key}: expected an integer, got ${JSON.stringify(s)} in ${text}`);
  return Number(s);
}

/** Parses one `{{...}}` literal (the braces included). */
export function parseHistogramLiteral(text: string): HistogramLiteral {
  if (!text.startsWith('{{') || !text.endsWith('}}')) throw new SeriesSyntaxError(`invalid histogram ${JSON.stringify(text)}`);
  const body = text.slice(2, -2).trim();
  const h: FloatHistogram = {
    counterResetHint: CounterResetHint.Unknown, schema: 0, zeroThreshold: 0, zeroCount: 0, count: 0, sum: 0,
    positiveSpans: [], positiveBuckets: [], negativeSpans: [], negativeBuckets: [],
  };
  let hintSet = false;
  const seen = new Set<string>();
  let offset = 0, nOffset = 0;
  let i = 0;
  while (i < body.length) {
    while (body[i] === ' ' || body[i] === '\t') i++;
    if (i >= body.length) break;
    const colon = body.indexOf(':', i);
    if (colon < 0) throw new SeriesSyntaxError(`expected key:value in histogram ${text}`);
    const key = body.slice(i, colon).trim();
    if (seen.has(key)) throw new SeriesSyntaxError(`duplicate key "${key}" in histogram`);
    seen.add(key);
    i = colon + 1;
    while (body[i] === ' ') i++;
    let value: string;
    if (body[i] === '[') {
      const end = body.indexOf(']', i);
      if (end < 0) throw new SeriesSyntaxError(`unterminated bucket list in histogram ${text}`);
      value = body.slice(i, end + 1);
      i = end + 1;
    } else {
      const m = /^\S+/.exec(body.slice(i));
      value = m ? m[0] : '';
      i += value.length;
    }
    const list = () => {
      if (!value.startsWith('[')) throw new SeriesSyntaxError(`error parsing ${key}: expected a bucket list in ${text}`);
      return value.slice(1, -1).trim().split(/\s+/).filter((x) => x !== '').map((x) => number(x, key, text));
    };
    switch (key) {
      case 'schema': h.schema = integer(value, key, text); break;
      case 'sum': h.sum = number(value, key, text); break;
      case 'count': h.count = number(value, key, text); break;
      case 'z_bucket': h.zeroCount = number(value, key, text); break;
      case 'z_bucket_w': h.zeroThreshold = number(value, key, text); break;
      case 'custom_values': h.customValues = list(); break;
      case 'buckets': h.positiveBuckets = list(); break;
      case 'n_buckets': h.negativeBuckets = list(); break;
      case 'offset': offset = integer(value, key, text); break;
      case 'n_offset': nOffset = integer(value, key, text); break;
      case 'counter_reset_hint': {
        const hint = HINTS[value.toLowerCase()];
        if (hint === undefined) throw new SeriesSyntaxError(`error parsing counter_reset_hint: unknown value ${JSON.stringify(value)}`);
        h.counterResetHint = hint;
        hintSet = true;
        break;
      }
      default:
        throw new SeriesSyntaxError(`unknown histogram key ${JSON.stringify(key)} in ${text}`);
    }
  }
  if (h.positiveBuckets.length > 0) h.positiveSpans = [{ offset, length: h.positiveBuckets.length }];
  if (h.negativeBuckets.length > 0) h.negativeSpans = [{ offset: nOffset, length: h.negativeBuckets.length }];
  return { h, hintSet };
}

const HINT_NAMES = ['', 'reset', 'not_reset', 'gauge'];

/** A histogram in the script notation (one span each side after compaction), as upstream's TestExpression writes it. */
export function histogramLiteral(h: FloatHistogram): string {
  const parts: string[] = [];
  const g = (x: number) => String(x);
  if (h.schema !== 0) parts.push(`schema:${h.schema}`);
  if (h.count !== 0) parts.push(`count:${g(h.count)}`);
  if (h.sum !== 0) parts.push(`sum:${g(h.sum)}`);
  if (h.zeroCount !== 0) parts.push(`z_bucket:${g(h.zeroCount)}`);
  if (h.zeroThreshold !== 0) parts.push(`z_bucket_w:${g(h.zeroThreshold)}`);
  if (h.customValues) parts.push(`custom_values:[${h.customValues.map(g).join(' ')}]`);
  if (h.counterResetHint !== CounterResetHint.Unknown) parts.push(`counter_reset_hint:${HINT_NAMES[h.counterResetHint]}`);
  const side = (spans: FloatHistogram['positiveSpans'], buckets: number[], key: string, offKey: string) => {
    if (buckets.length === 0) return;
    // Several spans are written as one, with the gaps as explicit zeros.
    const full: number[] = [];
    let pos = 0;
    spans.forEach((s, i) => {
      if (i > 0) for (let k = 0; k < s.offset; k++) full.push(0);
      for (let k = 0; k < s.length; k++) full.push(buckets[pos++]!);
    });
    if (spans[0]!.offset !== 0) parts.push(`${offKey}:${spans[0]!.offset}`);
    parts.push(`${key}:[${full.map(g).join(' ')}]`);
  };
  side(h.positiveSpans, h.positiveBuckets, 'buckets', 'offset');
  side(h.negativeSpans, h.negativeBuckets, 'n_buckets', 'n_offset');
  return `{{${parts.join(' ')}}}`;
}
