// Cases from Prometheus's otlptranslator tests (metric_namer_test.go,
// label_namer_test.go): the expected names are upstream's.

import { describe, expect, it } from 'vitest';
import { labelName, metricName, unitName, type MetricKind, type TranslationStrategy } from '../../src/otlp/naming.js';

const ESC = 'UnderscoreEscapingWithSuffixes', ESC_NO = 'UnderscoreEscapingWithoutSuffixes', UTF8 = 'NoUTF8EscapingWithSuffixes', NONE = 'NoTranslation';

const cases: [TranslationStrategy, string, string, MetricKind, string, string?][] = [
  [ESC_NO, 'simple_metric', '', 'gauge', 'simple_metric'],
  [ESC_NO, 'metric@with#special$chars', '', 'gauge', 'metric_with_special_chars'],
  [ESC_NO, '123metric', '', 'gauge', '_123metric'],
  [ESC_NO, 'metric@@##$$name', '', 'gauge', 'metric_name'],
  [ESC, 'requests', '', 'counter', 'requests_total'],
  [ESC, 'cpu_usage', '1', 'gauge', 'cpu_usage_ratio'],
  [ESC, 'items', '1', 'counter', 'items_total'],
  [ESC, 'response_time', 'ms', 'gauge', 'response_time_milliseconds'],
  [ESC, 'memory_usage', 'By', 'gauge', 'memory_usage_bytes'],
  [ESC, 'requests', '1/s', 'gauge', 'requests_per_second'],
  [ESC, 'throughput', 'By/s', 'gauge', 'throughput_bytes_per_second'],
  [ESC, 'custom_metric', 'custom_unit', 'gauge', 'custom_metric_custom_unit'],
  [ESC, 'custom_metric', '{custom}', 'gauge', 'custom_metric'],
  [ESC, 'custom_metric', 'By/{custom}', 'gauge', 'custom_metric_bytes'],
  [ESC, 'requests_total', '', 'counter', 'requests_total'],
  [ESC, 'cpu_usage_ratio', '1', 'gauge', 'cpu_usage_ratio'],
  [ESC, 'response_time_seconds', 's', 'gauge', 'response_time_seconds'],
  [ESC, 'cpu_seconds_total', 's', 'counter', 'cpu_seconds_total'],
  [ESC, 'otelcol_process_cpu_seconds', 's', 'counter', 'otelcol_process_cpu_seconds_total'],
  [ESC, 'requests', '1/s', 'counter', 'app_requests_per_second_total', 'app'],
  [ESC, '123_requests', '', 'counter', 'app_123_requests_total', 'app'],
  [ESC, 'metric__with__multiple__underscores', 'unit__multiple__underscores', 'gauge', 'metric_with_multiple_underscores_unit_multiple_underscores'],
  [ESC, 'custom_metric', 'unit@with#special/chars', 'gauge', 'custom_metric_unit_with_special_per_chars'],
  [UTF8, 'métric_with_ñ_chars', '', 'gauge', 'métric_with_ñ_chars'],
  [NONE, 'métric_with_ñ_chars', '', 'gauge', 'test_namespace_métric_with_ñ_chars', 'test_namespace'],
  [UTF8, 'requêsts', '', 'counter', 'requêsts_total'],
  [UTF8, 'cpu_usagé', '1', 'gauge', 'cpu_usagé_ratio'],
  [UTF8, 'respønse_time', 'ms', 'gauge', 'respønse_time_milliseconds'],
  [UTF8, 'requêsts', '1/s', 'counter', 'ñamespace_requêsts_per_second_total', 'ñamespace'],
  [UTF8, '@#$%', '', 'counter', '@#$%_total'],
  [ESC, 'request_duration', 's', 'histogram', 'request_duration_seconds'],
  [ESC, 'response_time', 'ms', 'summary', 'response_time_milliseconds'],
  [ESC, 'active_connections', '', 'non-monotonic-counter', 'active_connections'],
  [NONE, 'http.server.duration', 's', 'counter', 'http.server.duration'],
];

describe('metric names', () => {
  for (const [strategy, name, unit, kind, want, ns] of cases) {
    it(`${strategy} ${name} [${unit}] ${kind}${ns ? ` in ${ns}` : ''}`, () => {
      expect(metricName(name, unit, kind, strategy, ns)).toBe(want);
    });
  }

  it('refuses names that normalise to nothing', () => {
    expect(() => metricName('', '', 'gauge', ESC_NO)).toThrow('normalization for metric "" resulted in empty name');
    expect(() => metricName('@#$%', '', 'gauge', ESC_NO)).toThrow('normalization for metric "@#$%" resulted in empty name');
    expect(() => metricName('@_#_$_%', '', 'gauge', ESC_NO)).toThrow('normalization for metric "@_#_$_%" resulted in invalid name "_____"');
  });

  it('units as metadata shows them', () => {
    expect(unitName('By/s', false)).toBe('bytes_per_second');
    expect(unitName('1/s', false)).toBe('per_second');
    expect(unitName('unit__multiple__underscores', false)).toBe('unit_multiple_underscores');
    expect(unitName('{request}', false)).toBe('');
    expect(unitName('ms', false)).toBe('milliseconds');
  });
});

describe('label names', () => {
  const esc = { utf8: false };
  it('sanitizes as Prometheus does', () => {
    expect(labelName('http.method', esc)).toBe('http_method');
    expect(labelName('label:with:colons', esc)).toBe('label_with_colons');
    expect(labelName('a..b__c', esc)).toBe('a_b_c');
    expect(labelName('a..b__c', { utf8: false, preserveMultipleUnderscores: true })).toBe('a__b__c');
    expect(labelName('123label', esc)).toBe('key_123label');
    expect(labelName('_label', esc)).toBe('_label');
    expect(labelName('_label', { utf8: false, underscoreSanitization: true })).toBe('key_label');
    expect(labelName('__reserved__', esc)).toBe('__reserved__');
    expect(labelName('__my.reserved__', esc)).toBe('__my_reserved__');
    expect(labelName('http.method', { utf8: true })).toBe('http.method');
    expect(() => labelName('', esc)).toThrow('label name is empty');
    expect(() => labelName('...', esc)).toThrow('resulted in invalid name "_"');
    expect(() => labelName('___', { utf8: true })).toThrow('contains only underscores');
  });
});
