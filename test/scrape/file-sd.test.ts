// file_sd_configs: JSON and YAML target files matched by a glob, with
// __meta_filepath, picked up again when they change.

import { mkdtempSync, writeFileSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDB } from '../../src/index.js';
import { ScrapeManager } from '../../src/scrape/manager.js';
import { fileSdReader } from '../../src/node/file-sd.js';

describe('file_sd_configs', () => {
  it('reads targets from matching files and follows changes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'promlet-sd-'));
    writeFileSync(join(dir, 'a.json'), JSON.stringify([{ targets: ['a:1', 'b:2'], labels: { team: 'x' } }]));
    writeFileSync(join(dir, 'c.yml'), '- targets: ["c:3"]\n');
    writeFileSync(join(dir, 'ignored.txt'), 'not targets');
    const warnings: string[] = [];
    const m = new ScrapeManager(await openDB(), () => fetch, fileSdReader(dir, (w) => warnings.push(w)));
    const config = {
      scrape_configs: [{
        job_name: 'sd', file_sd_configs: [{ files: ['*.json', 'c.yml'] }],
        relabel_configs: [{ source_labels: ['__meta_filepath'], regex: '.*/(.*)', target_label: 'file' }],
      }],
    };
    await m.apply(config);
    const list = () => (m.targets().activeTargets as { labels: Record<string, string>; discoveredLabels: Record<string, string> }[])
      .map((t) => [t.labels.instance, t.labels.file, t.labels.team ?? '']).sort();
    expect(list()).toEqual([['a:1', 'a.json', 'x'], ['b:2', 'a.json', 'x'], ['c:3', 'c.yml', '']]);
    expect((m.targets().activeTargets[0] as { discoveredLabels: Record<string, string> }).discoveredLabels.__meta_filepath).toMatch(/\.json$|\.yml$/);
    writeFileSync(join(dir, 'a.json'), JSON.stringify([{ targets: ['a:1'] }]));
    unlinkSync(join(dir, 'c.yml'));
    writeFileSync(join(dir, 'bad.json'), '{ not json');
    await m.apply(config);
    m.stop();
    expect(list()).toEqual([['a:1', 'a.json', '']]);
    expect(warnings.some((w) => w.includes('bad.json'))).toBe(true);
  });
});
