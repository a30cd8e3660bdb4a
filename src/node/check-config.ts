// `promlet check config FILE`: the checks promtool makes of a prometheus.yml
// that promlet can make today: YAML syntax, fields each section knows (with
// their line, in promtool's words), durations, scrape job names and targets,
// and the rule files it names.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { remoteWriteConfigs } from '../remote/config.js';
import { remoteReadConfigs } from '../remote/read-config.js';
import { LineCounter, isMap, isScalar, isSeq, parse as parseYaml, parseDocument, type Node } from 'yaml';
import { parseDuration } from '../model/duration.js';
import { CONFIG_ROOT, type Section } from './config-fields.js';
import { expandGlob } from './file-sd.js';
import { parseRuleFile, RuleFileError } from '../rules/file.js';
import { otlpConfig } from '../otlp/config.js';
import { maxExemplars } from './intake.js';
import { outOfOrderTimeWindow } from './ooo-config.js';
import { checkDiscovery } from '../discovery/config.js';
import { nativeHistogramScrapeConfig } from '../scrape/native-histograms.js';

/** Fields a section does not know, as Go's YAML decoder words them: `line 6: field x not found in type config.ScrapeConfig`. */
export function unknownFields(text: string): string[] {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc });
  const out: string[] = [];
  const walk = (node: unknown, section: Section) => {
    if (!isMap(node)) return;
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const keyNode = pair.key as Node | null;
      if (!(key in section.fields)) {
        const line = keyNode?.range ? lc.linePos(keyNode.range[0]).line : 0;
        out.push(`line ${line}: field ${key} not found in type ${section.type}`);
        continue;
      }
      const sub = section.fields[key];
      if (!sub) continue;
      if (section.lists?.has(key)) {
        if (isSeq(pair.value)) for (const item of pair.value.items) walk(item, sub);
      } else walk(pair.value, sub);
    }
  };
  walk(doc.contents, CONFIG_ROOT);
  return out;
}
const GLOBAL_DURATIONS = ['scrape_interval', 'scrape_timeout', 'evaluation_interval', 'rule_query_offset'];

/** Problems found in the config text (empty when it is valid). */
export function checkConfig(text: string, file = 'the config'): string[] {
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
  const unknown = unknownFields(text);
  if (unknown.length > 0) errs.push(`parsing YAML file ${file}: yaml: unmarshal errors:\n  ${unknown.join('\n  ')}`);
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
      try {
        nativeHistogramScrapeConfig(sc, global, `scrape_configs[${name}]`);
      } catch (e) {
        errs.push((e as Error).message);
      }
      for (const st of (sc.static_configs ?? []) as { targets?: unknown[] }[]) {
        for (const t of st?.targets ?? []) {
          if (typeof t !== 'string' || !/^[^\s/]+(:\d+)?$/.test(t)) errs.push(`scrape_configs[${name}]: ${JSON.stringify(t)} is not a valid hostname`);
        }
      }
    });
  }
  for (const check of [() => remoteWriteConfigs(cfg), () => otlpConfig(cfg.otlp, (cfg.global as Record<string, unknown> | undefined)?.metric_name_validation_scheme), () => maxExemplars(cfg), () => outOfOrderTimeWindow(cfg)]) {
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
  return checkConfig(readFileSync(file, 'utf8'), file);
}

export interface RuleFilesCheck {
  /** Problems with the list itself, such as a named file that does not exist. */
  errors: string[];
  /** Each file found, with the problems of its rules. */
  files: { path: string; rules: number; errors: string[] }[];
}

/** The config's rule_files, resolved as Prometheus does (relative to the config, globs in the last element), each checked. */
export function checkConfigRuleFiles(file: string): RuleFilesCheck {
  const cfg = (parseYaml(readFileSync(file, 'utf8')) ?? {}) as { rule_files?: unknown };
  const out: RuleFilesCheck = { errors: [], files: [] };
  if (!Array.isArray(cfg.rule_files)) return out;
  const base = dirname(resolve(file));
  for (const pattern of cfg.rule_files.map(String)) {
    const paths = expandGlob(pattern, base);
    if (!/[*?[]/.test(pattern) && !existsSync(paths[0]!)) {
      out.errors.push(`${JSON.stringify(pattern)} does not point to an existing file`);
      continue;
    }
    for (const path of paths) {
      try {
        const groups = parseRuleFile(readFileSync(path, 'utf8'), path);
        out.files.push({ path, rules: groups.reduce((n, g) => n + g.rules.length, 0), errors: [] });
      } catch (e) {
        out.files.push({ path, rules: 0, errors: e instanceof RuleFileError ? e.errors : [(e as Error).message] });
      }
    }
  }
  return out;
}
