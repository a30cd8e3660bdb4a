// Rules over native histograms: a recording rule whose expression yields
// histograms stores histogram samples, an alert's $value of a histogram
// sample templates as Prometheus's *FloatHistogram does, and rule unit
// tests compare histogram expectations by their test expression.

import { describe, expect, it } from 'vitest';
import { openDB } from '../../src/index.js';
import { CounterResetHint, type FloatHistogram } from '../../src/model/histogram.js';
import { Matcher } from '../../src/model/matcher.js';
import { histogramJSON } from '../../src/promql/engine/histogram-json.js';
import type { QueryResult } from '../../src/promql/engine/engine.js';
import { parseRuleFile } from '../../src/rules/file.js';
import { RuleGroup, samplesOf, type QueryFunc } from '../../src/rules/group.js';
import { expectedSamples, gotSamples, sameSamples } from '../../src/rules/unit-test-histograms.js';
import { formatSamples } from '../../src/rules/unit-test-format.js';
import { expandTemplate } from '../../src/rules/template.js';

const T0 = Date.UTC(2026, 0, 1);

const HIST: FloatHistogram = {
  counterResetHint: CounterResetHint.NotCounterReset, schema: 0, zeroThreshold: 0.001, zeroCount: 1, count: 5, sum: 9.5,
  positiveSpans: [{ offset: 1, length: 2 }], positiveBuckets: [3, 1], negativeSpans: [], negativeBuckets: [],
};

/** An instant query result with one histogram element, as the engine shapes it. */
function histogramResult(metric: Record<string, string>, h: FloatHistogram, t: number): QueryResult {
  return {
    resultType: 'vector', result: [{ metric, histogram: [t / 1000, histogramJSON(h)] }], warnings: [], infos: [],
    stats: { timings: { parseSeconds: 0, prepareSeconds: 0, evalSeconds: 0, totalSeconds: 0 }, samples: { totalQueryableSamples: 0, peakSamples: 0 } },
  };
}

const groupOf = (yaml: string) => new RuleGroup(parseRuleFile(yaml, 'r.yml')[0]!, 60_000);

describe('rules over native histograms', () => {
  it('a recording rule stores its histogram output as a histogram sample', async () => {
    const db = await openDB();
    const query: QueryFunc = (_q, at) => samplesOf(histogramResult({ job: 'api' }, HIST, at));
    const g = groupOf('groups:\n  - name: g\n    rules:\n      - record: job:latency:sum\n        expr: sum by (job) (latency)\n');
    await g.eval(query, db, T0);
    expect(g.rules[0]!.health).toBe('ok');
    const q = db.querier(T0 - 1, T0 + 1);
    const [s] = q.select([new Matcher('=', '__name__', 'job:latency:sum')]);
    expect(s!.labels).toEqual([{ name: '__name__', value: 'job:latency:sum' }, { name: 'job', value: 'api' }]);
    const b = s!.samples(T0 - 1, T0 + 1);
    expect(b.timestamps.length).toBe(0);
    expect([...b.histograms!.timestamps]).toEqual([T0]);
    expect(b.histograms!.histograms[0]).toMatchObject({ count: 5, sum: 9.5, zeroCount: 1, positiveBuckets: [3, 1] });
    q.close();
  });

  it("an alert on a histogram expression templates $value as the histogram's String()", async () => {
    const db = await openDB();
    const query: QueryFunc = (_q, at) => samplesOf(histogramResult({ __name__: 'latency', job: 'api' }, HIST, at));
    const g = groupOf(`groups:
  - name: g
    rules:
      - alert: SlowRequests
        expr: latency
        annotations:
          value: "{{ $value }}"
          count: "{{ $value.Count }} observations, sum {{ .Value.Sum }}"
          humanized: "{{ humanize $value }}"
`);
    await g.eval(query, db, T0);
    const [alert] = [...g.rules[0]!.alerting!.active.values()];
    expect(alert!.annotations).toEqual({
      value: '{count:5, sum:9.5, [-0.001,0.001]:1, (1,2]:3, (2,4]:1}',
      count: '5 observations, sum 9.5',
      humanized: "<error expanding template: template: __alert_SlowRequests: error calling humanize: can't convert *histogram.FloatHistogram to float>",
    });
    // The alert's value is the sample's float, 0 for a histogram sample, as Prometheus's.
    expect(alert!.value).toBe(0);
  });

  it('a template without a histogram keeps the float $value', () => {
    expect(expandTemplate('{{ $value }}', { labels: {}, externalLabels: {}, value: 1.5 })).toBe('1.5');
  });

  it('unit tests compare histogram samples by their test expression and print them as promtool does', () => {
    const got = gotSamples(histogramResult({ __name__: 'latency' }, HIST, T0));
    const exp = expectedSamples([{ labels: 'latency', value: 0, histogram: '{{sum:9.5 count:5 z_bucket:1 z_bucket_w:0.001 offset:1 buckets:[3 1] counter_reset_hint:not_reset}}' }]);
    expect(sameSamples(got, exp, Object.is)).toBe(true);
    expect(formatSamples(got)).toBe('{__name__="latency"} {{count:5 sum:9.5 z_bucket:1 z_bucket_w:0.001 counter_reset_hint:not_reset offset:1 buckets:[3 1]}}');
    const unknownHint = expectedSamples([{ labels: 'latency', value: 0, histogram: '{{sum:9.5 count:5 z_bucket:1 z_bucket_w:0.001 offset:1 buckets:[3 1]}}' }]);
    expect(sameSamples(got, unknownHint, Object.is)).toBe(false);
    expect(() => expectedSamples([{ labels: 'x', value: 0, histogram: '{{count:1}} {{count:2}}' }])).toThrow('labels "x": expected 1 value, got 2');
    expect(() => expectedSamples([{ labels: 'x', value: 0, histogram: '3' }])).toThrow('labels "x": expected histogram, got 3');
  });
});
