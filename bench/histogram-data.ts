// Native histogram data for benchmarks and tests: a client_golang-like
// latency histogram scraped every 15 s.

import { CounterResetHint, type FloatHistogram, type Span } from '../src/model/histogram.js';
import { seededRandom } from '../src/model/seeded-random.js';

/** A cheap deterministic generator (mulberry32). */
export const rng = seededRandom;

/**
 * A client_golang-like request latency histogram growing scrape by scrape:
 * schema 3, buckets around 80 ms (sigma: log-normal spread; 0.35 gives
 * ~30 buckets after a day, 0.6 ~60), counts only growing.
 * With stableLayout 37 buckets (~22 ms to 0.5 s) exist from the start and
 * take every observation (the outer ones the tails).
 */
export function latencySeries(n: number, seed = 1, stableLayout = false, sigma = 0.6): FloatHistogram[] {
  const r = seededRandom(seed);
  const buckets = new Map<number, number>();
  // A histogram that has run a while: every bucket around the typical latencies is populated, so the layout holds still.
  const lo = -44, hi = -8;
  if (stableLayout) for (let idx = lo; idx <= hi; idx++) buckets.set(idx, 0);
  let count = 0, sum = 0, zero = 0;
  const out: FloatHistogram[] = [];
  for (let i = 0; i < n; i++) {
    const observations = 20 + Math.floor(r() * 40);
    for (let k = 0; k < observations; k++) {
      // Log-normal latency around 80 ms.
      const u = Math.max(1e-12, r()), v = r();
      const x = Math.exp(Math.log(0.08) + sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
      count++;
      sum += x;
      if (x <= 1e-9) zero++;
      else {
        let idx = Math.ceil(Math.log2(x) * 8); // schema 3: 2^(1/8) per bucket
        if (stableLayout) idx = Math.min(hi, Math.max(lo, idx));
        buckets.set(idx, (buckets.get(idx) ?? 0) + 1);
      }
    }
    const idxs = [...buckets.keys()].sort((a, b) => a - b);
    const spans: Span[] = [];
    const counts: number[] = [];
    let prev = 0;
    for (const idx of idxs) {
      const last = spans[spans.length - 1];
      if (last && idx - prev - 1 <= 2 && counts.length > 0) {
        // Gaps of up to two empty buckets are kept inside a span, as client_golang does.
        for (let g = prev + 1; g < idx; g++) counts.push(0);
        last.length += idx - prev;
      } else {
        spans.push({ offset: spans.length === 0 ? idx : idx - prev - 1, length: 1 });
      }
      counts.push(buckets.get(idx)!);
      prev = idx;
    }
    out.push({
      integer: true, counterResetHint: CounterResetHint.Unknown, schema: 3, zeroThreshold: 2.938735877055719e-39, zeroCount: zero,
      count, sum, positiveSpans: spans, positiveBuckets: counts, negativeSpans: [], negativeBuckets: [],
    });
  }
  return out;
}
