// `promlet check config FILE`: the checks promtool makes of a prometheus.yml
// that promlet can make today: YAML syntax, known sections, durations,
// and scrape job names and targets.

import { readFileSync } from 'node:fs';
import { remoteWriteConfigs } from '../remote/config.js';
import { remoteReadConfigs } from '../remote/read-config.js';
import { parse as parseYaml } from 'yaml';
import { parseDuration } from '../promql/parser/literals.js';
import { otlpConfig } from '../otlp/config.js';
import { maxExemplars } from './intake.js';
import { checkDiscovery } from '../discovery/config.js';

const TOP_LEVEL = new Set([
  'global', 'scrape_configs', 'scrape_config_files', 'rule_files', 'alerting', 'remote_write', 'remote_read',
  'storage', 'tracing', 'otlp', 'runtime',
]);
const GLOBAL_DURATIONS = ['scrape_interval', 'scrape_timeout', 'evaluation_interval', 'rule_query_offset'];

/** Problems found in the config text (empty when it is valid). */
export function checkConfig(text: string): string[] {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    return [`parsing YAML: ${(e as Error).message}`];
  }
  if (doc === null || doc === undefined) return [];
  if (typeof doc !== 'object' || Array.isArray(doc)) return ['the config must be a YAML mapping'];
  const errs: string[] = [];
  const cfg = doc as Record<string, unknown>;
  for (const k of Object.keys(cfg)) if (!TOP_LEVEL.has(k)) errs.push(`field ${k} not found in type config.plain`);
  const duration = (where: string, v: unknown) => {
    if (v === undefined) return;
    try {
      if (typeof v !== 'string') throw new Error();
      parseDuration(v);
    } catch {
      errs.push(`${where}: not a valid duration string: ${JSON.stringify(v)}`);
    }
  };
  const global = (cfg.global ?? {}) as Record<string, unknown>;
  for (const k of GLOBAL_DURATIONS) duration(`global.${k}`, global[k]);
  const jobs = new Set<string>();
  const scrape = cfg.scrape_configs ?? [];
  if (!Array.isArray(scrape)) errs.push('scrape_configs must be a list');
  else {
    scrape.forEach((sc: Record<string, unknown>, i) => {
      const name = sc?.job_name;
      if (typeof name !== 'string' || name === '') {
        errs.push(`scrape_configs[${i}]: job_name is empty`);
        return;
      }
      if (jobs.has(name)) errs.push(`found multiple scrape configs with job name ${JSON.stringify(name)}`);
      jobs.add(name);
      duration(`scrape_configs[${name}].scrape_interval`, sc.scrape_interval);
      duration(`scrape_configs[${name}].scrape_timeout`, sc.scrape_timeout);
      for (const st of (sc.static_configs ?? []) as { targets?: unknown[] }[]) {
        for (const t of st?.targets ?? []) {
          if (typeof t !== 'string' || !/^[^\s/]+(:\d+)?$/.test(t)) errs.push(`scrape_configs[${name}]: ${JSON.stringify(t)} is not a valid hostname`);
        }
      }
    });
  }
  for (const check of [() => remoteWriteConfigs(cfg), () => otlpConfig(cfg.otlp, (cfg.global as Record<string, unknown> | undefined)?.metric_name_validation_scheme), () => maxExemplars(cfg)]) {
    try {
      check();
    } catch (e) {
      errs.push((e as Error).message);
    }
  }
  try {
    remoteReadConfigs(cfg);
  } catch (e) {
    errs.push((e as Error).message);
  }
  errs.push(...checkDiscovery(cfg));
  return errs;
}

export function checkConfigFile(file: string): string[] {
  return checkConfig(readFileSync(file, 'utf8'));
}
