// Relabeling actions with Prometheus's defaults, and MD5 for hashmod.

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { relabel, relabelConfig, RelabelConfigError } from '../../src/scrape/relabel.js';
import { md5 } from '../../src/scrape/md5.js';
import { labelsFrom, labelsToRecord } from '../../src/model/labels.js';

const run = (labels: Record<string, string>, cfgs: Record<string, unknown>[]) => {
  const out = relabel(labelsFrom(labels), cfgs.map(relabelConfig));
  return out && labelsToRecord(out);
};

describe('relabel', () => {
  const base = { __address__: 'host-1:9100', job: 'node', __meta_env: 'prod', team: 'a' };

  it('replaces with capture groups, defaults and deletes on empty', () => {
    expect(run(base, [{ source_labels: ['__address__'], regex: '(.*):\\d+', target_label: 'host' }])).toMatchObject({ host: 'host-1' });
    expect(run(base, [{ source_labels: ['job', 'team'], target_label: 'both' }])).toMatchObject({ both: 'node;a' });
    expect(run(base, [{ source_labels: ['nope'], target_label: 'team', replacement: '' , regex: '(.*)' }])).not.toHaveProperty('team');
    expect(run(base, [{ source_labels: ['job'], regex: 'other', target_label: 'x', replacement: 'y' }])).not.toHaveProperty('x');
    expect(run(base, [{ source_labels: ['job'], regex: '(?P<j>n.*)', target_label: '${j}_label', replacement: '${j}!' }])).toMatchObject({ node_label: 'node!' });
  });

  it('keeps, drops and compares', () => {
    expect(run(base, [{ source_labels: ['job'], regex: 'node', action: 'keep' }])).not.toBeNull();
    expect(run(base, [{ source_labels: ['job'], regex: 'nod', action: 'keep' }])).toBeNull();
    expect(run(base, [{ source_labels: ['team'], regex: 'a|b', action: 'drop' }])).toBeNull();
    expect(run({ a: 'x', b: 'x' }, [{ source_labels: ['a'], target_label: 'b', action: 'keepequal' }])).not.toBeNull();
    expect(run({ a: 'x', b: 'x' }, [{ source_labels: ['a'], target_label: 'b', action: 'dropequal' }])).toBeNull();
  });

  it('maps, drops and keeps label names, and changes case', () => {
    expect(run(base, [{ regex: '__meta_(.+)', action: 'labelmap' }])).toMatchObject({ env: 'prod' });
    expect(run(base, [{ regex: '__meta_.*', action: 'labeldrop' }])).not.toHaveProperty('__meta_env');
    expect(Object.keys(run(base, [{ regex: 'job|team', action: 'labelkeep' }])!)).toEqual(['job', 'team']);
    expect(run(base, [{ source_labels: ['job'], target_label: 'JOB', action: 'uppercase' }])).toMatchObject({ JOB: 'NODE' });
    expect(run({ a: 'MiXed' }, [{ source_labels: ['a'], target_label: 'b', action: 'Lowercase' }])).toMatchObject({ b: 'mixed' });
  });

  it('hashmods as Prometheus does (last 8 bytes of MD5, big-endian)', () => {
    const out = run(base, [{ source_labels: ['__address__'], modulus: 8, target_label: 'shard', action: 'hashmod' }])!;
    const h = createHash('md5').update('host-1:9100').digest();
    expect(out.shard).toBe(String(h.readBigUInt64BE(8) % 8n));
  });

  it('rejects invalid configs', () => {
    expect(() => relabelConfig({ action: 'replace' })).toThrow(/replace action requires 'target_label'/);
    expect(() => relabelConfig({ action: 'keep', source_labels: ['a'] })).not.toThrow();
    expect(() => relabelConfig({ action: 'hashmod', target_label: 'x' })).toThrow(RelabelConfigError);
    expect(() => relabelConfig({ action: 'uppercase' })).toThrow(/requires 'target_label'/);
    expect(() => relabelConfig({ action: 'labeldrop', regex: 'x', source_labels: ['a'] })).toThrow(/only 'regex'/);
    expect(() => relabelConfig({ action: 'explode' })).toThrow(/unknown relabel action/);
    expect(() => relabelConfig({ regex: '(' })).toThrow(/invalid regex/);
  });
});

describe('md5', () => {
  it('matches node:crypto on any input', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      expect(Buffer.from(md5(bytes)).toString('hex')).toBe(createHash('md5').update(bytes).digest('hex'));
    }));
  });
});
