// file_sd_configs: target groups from JSON or YAML files matched by globs
// (`*` and `?` in the last path segment), each target labelled with
// __meta_filepath, as Prometheus's file discovery does.

import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { type TargetGroup, targetGroup } from '../scrape/targets.js';

/** Files matching a glob (`*` and `?` in the last path segment), relative to baseDir. */
export function expandGlob(pattern: string, baseDir: string): string[] {
  const full = isAbsolute(pattern) ? pattern : resolve(baseDir, pattern);
  const name = basename(full);
  if (!/[*?]/.test(name)) return [full];
  const re = new RegExp(`^${name.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  try {
    return readdirSync(dirname(full)).filter((f) => re.test(f)).sort().map((f) => join(dirname(full), f));
  } catch {
    return [];
  }
}

/** A FileSdReader for files relative to baseDir; unreadable or invalid files contribute nothing (and are reported). */
export function fileSdReader(baseDir: string, warn: (msg: string) => void = () => {}) {
  return (patterns: string[]): TargetGroup[] => {
    const out: TargetGroup[] = [];
    for (const p of patterns) {
      for (const file of expandGlob(p, baseDir)) {
        if (!/\.(json|ya?ml)$/.test(file)) continue;
        try {
          const text = readFileSync(file, 'utf8');
          const doc = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
          for (const g of (doc ?? []) as Record<string, unknown>[]) {
            const group = targetGroup(g);
            out.push({ targets: group.targets, labels: { ...group.labels, __meta_filepath: file } });
          }
        } catch (e) {
          warn(`file_sd: ${file}: ${(e as Error).message}`);
        }
      }
    }
    return out;
  };
}
