// statsd_exporter mapping files: matching, templates, options and the
// configuration errors statsd_exporter reports.

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { MetricMapper, parseMappingConfig } from '../../src/statsd/mapping.js';

const fixture = readFileSync(new URL('../fixtures/statsd-mapping.yml', import.meta.url), 'utf8');
const mapper = new MetricMapper(parseMappingConfig(fixture));
const map = (name: string, type: 'counter' | 'gauge' | 'observer' = 'counter') => {
  const r = mapper.map(name, type);
  return r.mapping ? { name: r.name, labels: r.labels } : null;
};

describe('statsd mapping', () => {
  it('matches globs field by field, first mapping first', () => {
    expect(map('test.dispatcher.FooProcessor.send.success')).toEqual({
      name: 'dispatcher_events_total', labels: { processor: 'FooProcessor', action: 'send', outcome: 'success', job: 'test_dispatcher' },
    });
    expect(map('foo_product.signup.facebook.failure')).toEqual({ name: 'signup_events_total', labels: { provider: 'facebook', outcome: 'failure', job: 'foo_product_server' } });
    expect(map('test.dispatcher.too.many.fields.here')).toBeNull();
    expect(map('test.dispatcher.a.b')).toBeNull();
  });

  it('matches regexes unanchored, with numbered and named groups', () => {
    expect(map('server1.rpc--grpc.status.500.count')).toEqual({ name: 'request_total', labels: { hostname: 'server1', exec: 'rpc', protocol: 'grpc', code: '500' } });
    expect(map('a.regex.cats.hits.extra')).toEqual({ name: 'regex_hits_total', labels: { thing: 'cats' } });
  });

  it('honours match_metric_type and reads options', () => {
    expect(map('temp.kitchen', 'counter')).toBeNull();
    expect(map('temp.kitchen', 'gauge')).toEqual({ name: 'temperature_celsius', labels: { room: 'kitchen' } });
    const m = (name: string) => mapper.config.mappings.find((x) => x.name === name)!;
    expect(m('temperature_celsius').ttl).toBe(1000);
    expect(m('api_request_duration_seconds')).toMatchObject({ observerType: 'summary', maxAge: 300_000, quantiles: [{ quantile: 0.5, error: 0.05 }, { quantile: 0.99, error: 0.001 }] });
    expect(m('api_request_size_bytes')).toMatchObject({ observerType: 'histogram', buckets: [100, 1000] });
    expect(m('dispatcher_events_total')).toMatchObject({ observerType: 'histogram', buckets: [0.01, 0.1, 1] });
    expect(m('dropped').action).toBe('drop');
    expect(m('scaled_seconds').scale).toBe(0.001);
  });

  it('prefers exact fields with glob_disable_ordering', () => {
    const yaml = (ordering: boolean) => `defaults: { glob_disable_ordering: ${ordering} }\nmappings:\n  - match: "a.*.c"\n    name: wild\n  - match: "a.b.c"\n    name: exact\n`;
    expect(new MetricMapper(parseMappingConfig(yaml(false))).map('a.b.c', 'counter').name).toBe('wild');
    expect(new MetricMapper(parseMappingConfig(yaml(true))).map('a.b.c', 'counter').name).toBe('exact');
  });

  it('refuses what statsd_exporter refuses', () => {
    const bad = (m: string) => () => parseMappingConfig(`mappings:\n  - ${m}\n`);
    expect(bad('{ match: "a.b", name: "" }')).toThrow("line 0: metric mapping didn't set a metric name");
    expect(bad('{ match: "a.b", name: "1abc" }')).toThrow("metric name '1abc' doesn't match regex");
    expect(bad('{ match: "a.b", name: x, labels: { "bad-label": v } }')).toThrow('invalid label key: bad-label');
    expect(bad('{ match: "a..b", name: x }')).toThrow('invalid match: a..b');
    expect(bad('{ match: "a.b*", name: x }')).toThrow('invalid match: a.b*');
    expect(bad('{ match: "(a", match_type: regex, name: x }')).toThrow(/invalid regex \(a in mapping/);
    expect(bad('{ match: "a.b", name: x, observer_type: histogram, summary_options: { max_age: 1m } }')).toThrow('cannot use histogram observer and summary options at the same time');
    expect(bad('{ match: "a.b", name: x, observer_type: summary, histogram_options: { buckets: [1] } }')).toThrow('cannot use summary observer and histogram options at the same time');
    expect(bad('{ match: "a.b", name: x, bogus: 1 }')).toThrow('mappings[0]: field bogus not found');
  });
});
