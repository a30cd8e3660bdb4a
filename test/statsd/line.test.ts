// statsd lines to events; the cases and expectations follow
// statsd_exporter's line tests.

import { describe, expect, it } from 'vitest';
import { newLineStats, parseLine, escapeMetricName, type StatsdEvent } from '../../src/statsd/line.js';

const parse = (line: string) => {
  const st = newLineStats();
  return { events: parseLine(line, {}, st), st };
};
const c = (name: string, value: number, labels: Record<string, string> = {}): StatsdEvent => ({ type: 'counter', name, value, labels });
const g = (name: string, value: number, relative = false, labels: Record<string, string> = {}): StatsdEvent => ({ type: 'gauge', name, value, relative, labels });
const o = (name: string, value: number, labels: Record<string, string> = {}): StatsdEvent => ({ type: 'observer', name, value, labels });

describe('statsd lines', () => {
  const cases: [string, StatsdEvent[]][] = [
    ['', []],
    ['foo:2|c', [c('foo', 2)]],
    ['foo:3|g', [g('foo', 3)]],
    ['foo:3|g|@0.2', [g('foo', 3)]],
    ['foo:-10|g', [g('foo', -10, true)]],
    ['foo:+4|g', [g('foo', 4, true)]],
    ['foo:200|ms', [o('foo', 0.2)]],
    ['foo:200|h', [o('foo', 200)]],
    ['foo:200|d', [o('foo', 200)]],
    ['foo:0.1|d|@0.5', [o('foo', 0.1), o('foo', 0.1)]],
    ['foo:100|c|@0.1', [c('foo', 1000)]],
    ['foo:1|c:2|c', [c('foo', 1), c('foo', 2)]],
    ['foo#tag1=bar,tag2=baz:100|c', [c('foo', 100, { tag1: 'bar', tag2: 'baz' })]],
    ['foo#09digits=0,tag.with.dots=1:100|c', [c('foo', 100, { _09digits: '0', tag_with_dots: '1' })]],
    ['foo,tag1=bar,tag2=baz:100|c', [c('foo', 100, { tag1: 'bar', tag2: 'baz' })]],
    ['foo.[tag1=bar,tag2=baz]test:100|c', [c('foo.test', 100, { tag1: 'bar', tag2: 'baz' })]],
    ['[tag1=bar,tag2=baz]foo.test:100|c', [c('foo.test', 100, { tag1: 'bar', tag2: 'baz' })]],
    ['foo.[tag1,tag2]test:100|c', [c('foo.test', 100)]],
    ['[tag1=bar,tag2=bazfoo.test:100|c', [c('[tag1=bar,tag2=bazfoo.test', 100)]],
    ['foo:100|c|#tag1:bar,tag2:baz', [c('foo', 100, { tag1: 'bar', tag2: 'baz' })]],
    ['foo:100|c|#tag1:bar,#tag2:baz', [c('foo', 100, { tag1: 'bar', tag2: 'baz' })]],
    ['foo:100|c|#tag_without_a_value,tag:value', [c('foo', 100, { tag: 'value' })]],
    ['foo:100|c|#tag:value,,', [c('foo', 100, { tag: 'value' })]],
    ['foo:100|c|@0.1|#tag1:bar,#tag2:baz', [c('foo', 1000, { tag1: 'bar', tag2: 'baz' })]],
    ['foo:100|c|@0.1|#tag1:foo:bar', [c('foo', 1000, { tag1: 'foo:bar' })]],
    ['foo#tag1=bar:100|c|#tag2:baz', []],
    ['foo:100:200|ms|#tag:x', [o('foo', 0.1, { tag: 'x' }), o('foo', 0.2, { tag: 'x' })]],
    ['foo:100:200|c', []],
    ['foo:100|c|#tag1:value|c:sha256:abcd', [c('foo', 100, { tag1: 'value', container_id: 'sha256:abcd' })]],
    ['foo:100|c|#tag1:value|c', []],
    ['foo:1|c|T1656581400|#a:b', [c('foo', 1, { a: 'b' })]],
    ['foo', []],
    ['foo:1', []],
    ['foo:1|c|@0.1|x|y|z|w', []],
    ['foo:abc|c', []],
    ['foo:1|c|@abc', [c('foo', 1)]],
    ['foo:1|c|@0', [c('foo', 1)]],
    ['foo:1|q', []],
    [':1|c', []],
    ['foo:1|c||', []],
    ['users:alice|s', [{ type: 'set', name: 'users', member: 'alice', labels: {} }]],
  ];
  for (const [line, want] of cases) {
    it(JSON.stringify(line), () => expect(parse(line).events).toEqual(want));
  }

  it('counts errors by statsd_exporter\'s reasons', () => {
    const st = newLineStats();
    for (const l of ['foo', 'foo:1', 'foo:abc|c', 'foo:1|q', 'foo#a=b:1|c|#c:d', 'foo:1:2|g', 'foo:100|c|#a:b|c:', 'foo:1|c||', 'foo:1|c|@x']) parseLine(l, {}, st);
    expect(Object.fromEntries(st.errors)).toEqual({
      malformed_line: 1, not_enough_parts_after_colon: 1, malformed_value: 1, illegal_event: 1, mixed_tagging_styles: 1,
      invalid_extended_aggregate_type: 1, malformed_container_id: 1, malformed_component: 1, invalid_sample_factor: 1,
    });
  });

  it('tag styles can be switched off', () => {
    const st = newLineStats();
    expect(parseLine('foo,a=b:1|c|#c:d', { influxdb: false }, st)).toEqual([c('foo,a=b', 1, { c: 'd' })]);
    expect(parseLine('foo:1|c|#c:d', { dogstatsd: false }, st)).toEqual([c('foo', 1)]);
  });

  it('escapes metric names as statsd_exporter does', () => {
    expect(escapeMetricName('foo.bar-baz')).toBe('foo_bar_baz');
    expect(escapeMetricName('a--b')).toBe('a_b');
    expect(escapeMetricName('9lives')).toBe('_9lives');
    expect(escapeMetricName('ünïcode')).toBe('_n_code');
  });
});
