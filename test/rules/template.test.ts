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

  it('has if / else if / else, with, range and variables', () => {
    const t = (src: string, value = d.value) => expandTemplate(src, { ...d, value });
    expect(t('{{ if gt $value 1.0 }}big{{ else if gt $value 0.5 }}medium{{ else }}small{{ end }}')).toBe('medium');
    expect(t('{{ if gt $value 1.0 }}big{{ else if gt $value 0.5 }}medium{{ else }}small{{ end }}', 2)).toBe('big');
    expect(t('{{ if and (eq $labels.job "node") (not (eq $labels.instance "")) }}ok{{ end }}')).toBe('ok');
    expect(t('{{ with $labels.job }}job={{ . }}{{ else }}none{{ end }} {{ with $labels.nope }}x{{ else }}none{{ end }}')).toBe('job=node none');
    expect(t('{{ range $k, $v := $labels }}{{ $k }}={{ $v }};{{ end }}')).toBe('instance=host-1:9100;job=node;');
    expect(t('{{ $j := $labels.job }}{{- range $labels }} {{ $j }}:{{ . }}{{ end -}} !')).toBe(' node:host-1:9100 node:node!');
    expect(t('{{/* a comment */}}{{ len $labels }} {{ index $labels "job" }} {{ printf "%s-%d" "a" 3 }}')).toBe('2 node a-3');
  });

  it('runs query with first, value, label and sortByLabel', () => {
    const query = (q: string) => (q === 'up'
      ? [{ labels: { instance: 'b' }, value: 0 }, { labels: { instance: 'a' }, value: 1 }]
      : []);
    const t = (src: string) => expandTemplate(src, { ...d, query });
    expect(t('{{ query "up" | first | value }}')).toBe('0');
    expect(t('{{ with query "up" }}{{ . | first | label "instance" }}{{ end }}')).toBe('b');
    expect(t('{{ range query "up" | sortByLabel "instance" }}{{ .Labels.instance }}={{ .Value }} {{ end }}')).toBe('a=1 b=0 ');
    expect(t('{{ range query "nothing" }}x{{ else }}empty{{ end }}')).toBe('empty');
    expect(t('{{ query "nothing" | first | value }}')).toMatch(/^<error expanding template: .*first\(\) called on vector with no elements/);
  });

  it('reports what it cannot do as Prometheus reports template errors', () => {
    expect(expandTemplate('{{ define "x" }}y{{ end }}', d)).toMatch(/^<error expanding template: .*not supported/);
    expect(expandTemplate('{{ if true }}unclosed', d)).toMatch(/^<error expanding template: .*unexpected EOF/);
    expect(expandTemplate('{{ .Labels.constructor }}{{ $labels.__proto__ }}', d)).toBe('');
    expect(expandTemplate('{{ $nope }}', d)).toMatch(/^<error expanding template: .*undefined variable/);
    expect(expandTemplate('{{ constructor }}', d)).toMatch(/^<error expanding template: /);
  });
});
