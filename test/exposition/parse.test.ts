// The text-format and OpenMetrics parsers, and the text writer: metadata,
// escapes, timestamps, exemplars, Prometheus 3's le/quantile forms, and
// errors with their line numbers.

import { describe, expect, it } from 'vitest';
import { parseExposition, ExpositionError, formatFromContentType, parseGoFloat } from '../../src/exposition/parse.js';
import { writeText } from '../../src/exposition/write.js';

const rec = (ls: { name: string; value: string }[]) => Object.fromEntries(ls.map((l) => [l.name, l.value]));

describe('text format 0.0.4', () => {
  const body = [
    '# HELP http_requests_total Requests by code\\nand path \\\\ done.',
    '# TYPE http_requests_total counter',
    'http_requests_total{code="200",path="/a\\"b\\\\c\\nd",} 1027 1395066363000',
    'http_requests_total{code="500"}   3',
    '# a comment',
    '',
    '# TYPE latency histogram',
    'latency_bucket{le="1"} 2',
    'latency_bucket{le="+Inf"} 3',
    'latency_sum 4.5e-1',
    'latency_count 3',
    'nan_and_inf{x="y"} NaN',
    'minus -Inf',
    '{"my.dotted.metric", "error.message"="Not Found"} 1',
    '',
  ].join('\n');

  it('reads samples, labels, escapes and timestamps', () => {
    const r = parseExposition(body);
    expect(r.samples.map((s) => [rec(s.labels), s.value, s.timestamp])).toEqual([
      [{ __name__: 'http_requests_total', code: '200', path: '/a"b\\c\nd' }, 1027, 1395066363000],
      [{ __name__: 'http_requests_total', code: '500' }, 3, undefined],
      [{ __name__: 'latency_bucket', le: '1.0' }, 2, undefined],
      [{ __name__: 'latency_bucket', le: '+Inf' }, 3, undefined],
      [{ __name__: 'latency_sum' }, 0.45, undefined],
      [{ __name__: 'latency_count' }, 3, undefined],
      [{ __name__: 'nan_and_inf', x: 'y' }, NaN, undefined],
      [{ __name__: 'minus' }, -Infinity, undefined],
      [{ __name__: 'my.dotted.metric', 'error.message': 'Not Found' }, 1, undefined],
    ]);
    expect(r.metadata.get('http_requests_total')).toEqual({ type: 'counter', help: 'Requests by code\nand path \\ done.', unit: '' });
    expect(r.samples[0]!.line).toBe(3);
  });

  it('reports the line of the first bad line', () => {
    const bad: [string, RegExp][] = [
      ['ok 1\nbad{a=b} 1\n', /^line 2: expected quoted string/],
      ['ok 1\n\nx{a="b" c="d"} 1\n', /^line 3: expected "," or "}"/],
      ['x abc\n', /^line 1: invalid value "abc"/],
      ['x 1 12.5\n', /^line 1: invalid timestamp "12.5"/],
      ['x{a="unterminated} 1\n', /^line 1: unterminated quoted string/],
      ['# TYPE x bogus\n', /^line 1: invalid metric type "bogus"/],
      ['x{a="1",a="2"} 1\n', /^line 1: duplicate label name "a"/],
      ['x\n', /^line 1: expected a value/],
    ];
    for (const [text, re] of bad) {
      expect(() => parseExposition(text), text).toThrow(ExpositionError);
      expect(() => parseExposition(text), text).toThrow(re);
    }
  });
});

describe('OpenMetrics 1.0', () => {
  it('reads float-second timestamps, units, exemplars and _created', () => {
    const r = parseExposition([
      '# TYPE rpc_duration_seconds histogram',
      '# UNIT rpc_duration_seconds seconds',
      '# HELP rpc_duration_seconds RPC \\"latency\\".',
      'rpc_duration_seconds_bucket{le="0.5"} 3 1700000000.123 # {trace_id="abc"} 0.42 1700000000.1',
      'rpc_duration_seconds_bucket{le="+Inf"} 4 1700000000.123',
      'rpc_duration_seconds_created 1699990000.5',
      '# EOF',
    ].join('\n'), 'openmetrics');
    expect(r.samples[0]).toMatchObject({ value: 3, timestamp: 1700000000123, exemplar: { labels: [{ name: 'trace_id', value: 'abc' }], value: 0.42, timestamp: 1700000000100 } });
    expect(r.metadata.get('rpc_duration_seconds')).toEqual({ type: 'histogram', unit: 'seconds', help: 'RPC "latency".' });
    expect(rec(r.samples[2]!.labels)).toEqual({ __name__: 'rpc_duration_seconds_created' });
  });

  it('requires # EOF and nothing after it, and no blank lines', () => {
    expect(() => parseExposition('a 1\n', 'openmetrics')).toThrow(/line 1: data does not end with # EOF/);
    expect(() => parseExposition('a 1\n# EOF\nb 2\n', 'openmetrics')).toThrow(/line 3: unexpected data after # EOF/);
    expect(() => parseExposition('a 1\n\n# EOF\n', 'openmetrics')).toThrow(/line 2: unexpected blank line/);
    expect(() => parseExposition('# comment\n# EOF\n', 'openmetrics')).toThrow(/line 1: invalid metadata line/);
    expect(() => parseExposition('# TYPE a_seconds gauge\n# UNIT a_seconds bytes\n# EOF\n', 'openmetrics')).toThrow(/unit "bytes" not a suffix/);
  });

  it('picks the format from the Content-Type', () => {
    expect(formatFromContentType('application/openmetrics-text; version=1.0.0; charset=utf-8')).toBe('openmetrics');
    expect(formatFromContentType('text/plain; version=0.0.4')).toBe('text');
    expect(formatFromContentType('application/json')).toBeNull();
    expect(formatFromContentType(null)).toBeNull();
  });
});

describe('numbers', () => {
  it('parse as Go ParseFloat does', () => {
    expect(parseGoFloat('1e3')).toBe(1000);
    expect(parseGoFloat('-.5')).toBe(-0.5);
    expect(parseGoFloat('+Inf')).toBe(Infinity);
    expect(parseGoFloat('infinity')).toBe(Infinity);
    expect(parseGoFloat('-INF')).toBe(-Infinity);
    expect(Number.isNaN(parseGoFloat('nan'))).toBe(true);
    expect(parseGoFloat('0x10')).toBeNull();
    expect(parseGoFloat('')).toBeNull();
  });
});

describe('text writer', () => {
  it('writes what the parser reads back', () => {
    const text = writeText([
      { name: 'a_total', type: 'counter', help: 'line\nbreak \\ here', samples: [{ labels: { code: '200', path: 'x"y' }, value: 1234567 }, { labels: {}, value: 0.00001, timestamp: 1700000000000 }] },
      { name: 'weird.name', type: 'gauge', samples: [{ labels: { 'a.b': 'c' }, value: NaN }] },
    ]);
    expect(text).toBe([
      '# HELP a_total line\\nbreak \\\\ here',
      '# TYPE a_total counter',
      'a_total{code="200",path="x\\"y"} 1.234567e+06',
      'a_total 1e-05 1700000000000',
      '# TYPE "weird.name" gauge',
      '{"weird.name","a.b"="c"} NaN',
      '',
    ].join('\n'));
    const back = parseExposition(text);
    expect(back.samples.map((s) => [rec(s.labels), s.value])).toEqual([
      [{ __name__: 'a_total', code: '200', path: 'x"y' }, 1234567],
      [{ __name__: 'a_total' }, 0.00001],
      [{ __name__: 'weird.name', 'a.b': 'c' }, NaN],
    ]);
    expect(back.metadata.get('a_total')!.help).toBe('line\nbreak \\ here');
    expect(back.metadata.get('weird.name')!.type).toBe('gauge');
  });
});
