// Alert templates: the humanize family and printf as Go writes them, label
// and value access, and the error text for what is not supported.

import { describe, expect, it } from 'vitest';
import { expandTemplate, goG } from '../../src/rules/template.js';

const d = { labels: { instance: 'host-1:9100', job: 'node' }, externalLabels: { cluster: 'eu' }, value: 0.8765 };

describe('templates', () => {
  it('reads labels, external labels and the value', () => {
    expect(expandTemplate('{{ $labels.instance }} of {{$labels.job}} in {{ $externalLabels.cluster }}: {{ $value }}', d)).toBe('host-1:9100 of node in eu: 0.8765');
    expect(expandTemplate('{{ .Labels.job }} {{ .Value }}', d)).toBe('node 0.8765');
    expect(expandTemplate('{{ $labels.missing }}', d)).toBe('');
  });

  it('formats numbers as Go does', () => {
    const v = (x: number, fn: string) => expandTemplate(`{{ ${fn} $value }}`, { ...d, value: x });
    expect(v(1234567, 'humanize')).toBe('1.235M');
    expect(v(0.001234, 'humanize')).toBe('1.234m');
    expect(v(0, 'humanize')).toBe('0');
    expect(v(1048576, 'humanize1024')).toBe('1Mi');
    expect(v(3661, 'humanizeDuration')).toBe('1h 1m 1s');
    expect(v(90061, 'humanizeDuration')).toBe('1d 1h 1m 1s');
    expect(v(0.5, 'humanizeDuration')).toBe('500ms');
    expect(v(12.5, 'humanizeDuration')).toBe('12.5s');
    expect(v(0.1234, 'humanizePercentage')).toBe('12.34%');
    expect(v(1435065584.128, 'humanizeTimestamp')).toBe('2015-06-23 13:19:44.128 +0000 UTC');
    expect(expandTemplate('{{ printf "%.2f" $value }} / {{ $value | humanizePercentage }}', d)).toBe('0.88 / 87.65%');
    expect(goG(1e21)).toBe('1e+21');
  });

  it('has string helpers', () => {
    expect(expandTemplate('{{ $labels.instance | stripPort | toUpper }}', d)).toBe('HOST-1');
    expect(expandTemplate('{{ reReplaceAll "-(\\\\d)" "_$1" $labels.instance }}', d)).toBe('host_1:9100');
    expect(expandTemplate('{{ title "disk full" }}', d)).toBe('Disk Full');
  });

  it('reports what it cannot do as Prometheus reports template errors', () => {
    expect(expandTemplate('{{ if gt $value 1.0 }}big{{ end }}', d)).toMatch(/^<error expanding template: /);
    expect(expandTemplate('{{ $nope }}', d)).toMatch(/^<error expanding template: .*undefined variable/);
    expect(expandTemplate('{{ constructor }}', d)).toMatch(/^<error expanding template: /);
  });
});
