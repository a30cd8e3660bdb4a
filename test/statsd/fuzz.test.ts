// Bad input never crashes a receiver: arbitrary statsd lines are parsed or
// counted as errors, arbitrary OTLP bodies get an answer below 500.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { newLineStats, parseLine } from '../../src/statsd/line.js';
import { StatsdExporter } from '../../src/statsd/exporter.js';
import { openDB } from '../../src/index.js';
import { OtlpReceiver } from '../../src/otlp/receiver.js';

const statsdish = fc.stringMatching(/^[a-z.#,=[\]:|@+\-0-9\s]{0,40}$/);

describe('receivers under arbitrary input', () => {
  it('statsd lines: events or counted errors, and the exporter takes whatever events come out', async () => {
    const db = await openDB();
    const ex = new StatsdExporter(null, { maxSeries: 1000 });
    fc.assert(fc.property(fc.oneof(fc.string(), statsdish), (line) => {
      const st = newLineStats();
      ex.handle(parseLine(line, {}, st));
    }), { numRuns: 3000 });
    await ex.record(db, 1000);
  });

  it('OTLP bodies: always a 2xx or 4xx answer', async () => {
    const db = await openDB();
    const rx = new OtlpReceiver(db, { now: () => 0 });
    const any = fc.oneof(fc.jsonValue(), fc.constantFrom('1', '-5', 'NaN', 'Infinity', '18446744073709551615', 2, 0.5, null), fc.string());
    const opt = <T>(r: Record<string, fc.Arbitrary<T>>) => fc.record(r, { requiredKeys: [] });
    const attrs = fc.array(opt({ key: any, value: fc.oneof(opt({ stringValue: any, intValue: any, doubleValue: any, boolValue: any, arrayValue: any }), any) }), { maxLength: 3 });
    const point = opt({
      timeUnixNano: any, startTimeUnixNano: any, asDouble: any, asInt: any, flags: any, attributes: attrs, count: any, sum: any,
      bucketCounts: fc.array(any, { maxLength: 3 }), explicitBounds: fc.array(any, { maxLength: 3 }), quantileValues: fc.array(opt({ quantile: any, value: any }), { maxLength: 2 }),
      exemplars: fc.array(opt({ timeUnixNano: any, asDouble: any, traceId: any, spanId: any, filteredAttributes: attrs }), { maxLength: 2 }),
    });
    const data = opt({ dataPoints: fc.array(point, { maxLength: 3 }), aggregationTemporality: any, isMonotonic: any });
    const metric = opt({ name: any, unit: any, description: any, gauge: data, sum: data, histogram: data, summary: data, exponentialHistogram: data });
    const jsonish = fc.oneof(
      fc.jsonValue().map((v) => JSON.stringify({ resourceMetrics: [{ scopeMetrics: [{ metrics: [v] }] }] })),
      fc.tuple(attrs, fc.array(metric, { maxLength: 3 })).map(([a, ms]) => JSON.stringify({ resourceMetrics: [{ resource: { attributes: a }, scopeMetrics: [{ scope: opt({}), metrics: ms }] }] })),
    );
    await fc.assert(fc.asyncProperty(fc.oneof(fc.uint8Array({ maxLength: 200 }), jsonish, fc.string()), fc.boolean(), async (body, proto) => {
      const res = await rx.handle(new Request('http://x/api/v1/otlp/v1/metrics', {
        method: 'POST', headers: { 'content-type': proto ? 'application/x-protobuf' : 'application/json' },
        body: typeof body === 'string' ? body : new Uint8Array(body) as Uint8Array<ArrayBuffer>,
      }));
      expect(res.status).toBeLessThan(500);
    }), { numRuns: 1500 });
  });
});
