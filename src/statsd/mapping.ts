// statsd_exporter's mapping file (--statsd.mapping-config), read unchanged:
// `defaults` and `mappings` with glob or regex `match`, `name` and `labels`
// templates ($1, ${1}), `match_metric_type`, `action: drop`, `honor_labels`,
// `observer_type` with `histogram_options`/`summary_options` (and the older
// `buckets`/`quantiles`), `help`, `scale` and `ttl`. Glob mappings are tried
// before regex ones; among globs the first in the file wins, or with
// `glob_disable_ordering` the most specific (exact fields before `*`).

import { parse as parseYaml } from 'yaml';
import { RE2JS } from 're2js';
import { parseDuration } from '../model/duration.js';

export type StatsdMetricType = 'counter' | 'gauge' | 'observer';
export type ObserverType = 'histogram' | 'summary';

export interface Quantile { quantile: number; error: number }

export interface Mapping {
  match: string;
  matchType: 'glob' | 'regex';
  name: string;
  labels: Record<string, string>;
  honorLabels: boolean;
  observerType: ObserverType | '';
  matchMetricType: StatsdMetricType | '';
  action: 'map' | 'drop';
  help: string;
  /** ms; 0 keeps series forever. */
  ttl: number;
  scale?: number;
  buckets: number[];
  quantiles: Quantile[];
  /** ms (summary_options.max_age); 0 means the default of 10m. */
  maxAge: number;
  ageBuckets: number;
  bufCap: number;
  glob?: RegExp;
  regex?: RE2JS;
}

export interface MapperConfig {
  observerType: ObserverType | '';
  ttl: number;
  buckets: number[];
  quantiles: Quantile[];
  globDisableOrdering: boolean;
  mappings: Mapping[];
}

export interface MapResult {
  mapping: Mapping | null;
  name: string;
  labels: Record<string, string>;
}

export class MappingError extends Error {}

/** client_golang's DefBuckets. */
export const DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
export const DEFAULT_QUANTILES: Quantile[] = [{ quantile: 0.5, error: 0.05 }, { quantile: 0.9, error: 0.01 }, { quantile: 0.99, error: 0.001 }];

const METRIC_LINE = /^(\*|[a-zA-Z_][a-zA-Z0-9_-]*)(\.\*|\.[a-zA-Z0-9_][a-zA-Z0-9_-]*)*$/;
const METRIC_NAME = /^([a-zA-Z_]|\$\{?\d+\}?)([a-zA-Z0-9_]|\$\{?\d+\}?)*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]+$/;

const MAPPING_KEYS = new Set(['match', 'name', 'labels', 'honor_labels', 'observer_type', 'timer_type', 'match_type', 'help', 'action',
  'match_metric_type', 'ttl', 'summary_options', 'histogram_options', 'scale', 'buckets', 'quantiles']);
const DEFAULT_KEYS = new Set(['observer_type', 'timer_type', 'match_type', 'glob_disable_ordering', 'ttl', 'summary_options', 'histogram_options', 'buckets', 'quantiles']);

const duration = (v: unknown, where: string): number => {
  if (v === undefined || v === null || v === 0) return 0;
  try {
    return parseDuration(String(v));
  } catch {
    throw new MappingError(`${where}: invalid duration ${JSON.stringify(v)}`);
  }
};

const numbers = (v: unknown, where: string): number[] => {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'number')) throw new MappingError(`${where} must be a list of numbers`);
  return v as number[];
};

const quantiles = (v: unknown, where: string): Quantile[] => {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new MappingError(`${where} must be a list`);
  return (v as Record<string, unknown>[]).map((q) => ({ quantile: Number(q?.quantile ?? 0), error: Number(q?.error ?? 0) }));
};

const observer = (v: unknown, where: string): ObserverType | '' => {
  if (v === undefined || v === null || v === '' || v === 'default') return '';
  if (v === 'histogram' || v === 'summary') return v;
  throw new MappingError(`${where}: invalid observer type ${JSON.stringify(v)}`);
};

function unknownKeys(o: Record<string, unknown>, allowed: Set<string>, where: string) {
  for (const k of Object.keys(o)) if (!allowed.has(k)) throw new MappingError(`${where}: field ${k} not found`);
}

/** Parses a mapping file's text; throws MappingError naming what is wrong. */
export function parseMappingConfig(text: string): MapperConfig {
  let doc: unknown;
  try {
    doc = parseYaml(text, { uniqueKeys: true });
  } catch (e) {
    throw new MappingError(`parsing YAML: ${(e as Error).message}`);
  }
  doc ??= {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new MappingError('the mapping config must be a YAML mapping');
  unknownKeys(doc as Record<string, unknown>, new Set(['defaults', 'mappings']), 'mapping config');
  const d = ((doc as Record<string, unknown>).defaults ?? {}) as Record<string, unknown>;
  unknownKeys(d, DEFAULT_KEYS, 'defaults');
  const dh = (d.histogram_options ?? {}) as Record<string, unknown>;
  const ds = (d.summary_options ?? {}) as Record<string, unknown>;
  const defaultMatchType = d.match_type === undefined || d.match_type === '' ? 'glob' : d.match_type;
  if (defaultMatchType !== 'glob' && defaultMatchType !== 'regex') throw new MappingError(`defaults: invalid match type ${JSON.stringify(defaultMatchType)}`);
  const cfg: MapperConfig = {
    observerType: observer(d.observer_type ?? d.timer_type, 'defaults'),
    ttl: duration(d.ttl, 'defaults.ttl'),
    buckets: numbers(dh.buckets, 'defaults.histogram_options.buckets'),
    quantiles: quantiles(ds.quantiles, 'defaults.summary_options.quantiles'),
    globDisableOrdering: d.glob_disable_ordering === true,
    mappings: [],
  };
  if (cfg.buckets.length === 0) cfg.buckets = numbers(d.buckets, 'defaults.buckets');
  if (cfg.buckets.length === 0) cfg.buckets = DEFAULT_BUCKETS;
  if (cfg.quantiles.length === 0) cfg.quantiles = quantiles(d.quantiles, 'defaults.quantiles');
  if (cfg.quantiles.length === 0) cfg.quantiles = DEFAULT_QUANTILES;
  const defMaxAge = duration(ds.max_age, 'defaults.summary_options.max_age');
  const defAgeBuckets = Number(ds.age_buckets ?? 0), defBufCap = Number(ds.buf_cap ?? 0);

  const raw = ((doc as Record<string, unknown>).mappings ?? []) as Record<string, unknown>[];
  if (!Array.isArray(raw)) throw new MappingError('mappings must be a list');
  raw.forEach((m, i) => {
    const where = `mappings[${i}]`;
    if (typeof m !== 'object' || m === null) throw new MappingError(`${where} must be a mapping`);
    unknownKeys(m, MAPPING_KEYS, where);
    const labels = (m.labels ?? {}) as Record<string, unknown>;
    for (const k of Object.keys(labels)) if (!LABEL_NAME.test(k)) throw new MappingError(`invalid label key: ${k}`);
    const name = String(m.name ?? '');
    if (name === '') throw new MappingError(`line ${i}: metric mapping didn't set a metric name`);
    if (!METRIC_NAME.test(name)) throw new MappingError(`metric name '${name}' doesn't match regex '${METRIC_NAME.source}'`);
    const matchType = (m.match_type === undefined || m.match_type === '' ? defaultMatchType : m.match_type) as string;
    if (matchType !== 'glob' && matchType !== 'regex') throw new MappingError(`${where}: invalid match type ${JSON.stringify(matchType)}`);
    const match = String(m.match ?? '');
    const action = (m.action ?? 'map') as string;
    if (action !== 'map' && action !== 'drop') throw new MappingError(`${where}: invalid action ${JSON.stringify(action)}`);
    const mmt = (m.match_metric_type ?? '') as string;
    if (!['', 'counter', 'gauge', 'observer'].includes(mmt)) throw new MappingError(`${where}: invalid metric type ${JSON.stringify(mmt)}`);
    const mapping: Mapping = {
      match, matchType, name, labels: Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, String(v)])),
      honorLabels: m.honor_labels === true, observerType: observer(m.observer_type ?? m.timer_type, where) || cfg.observerType,
      matchMetricType: mmt as Mapping['matchMetricType'], action, help: String(m.help ?? ''),
      ttl: duration(m.ttl, `${where}.ttl`) || cfg.ttl,
      scale: m.scale === undefined ? undefined : Number(m.scale),
      buckets: [], quantiles: [], maxAge: defMaxAge, ageBuckets: defAgeBuckets, bufCap: defBufCap,
    };
    if (matchType === 'glob') {
      if (!METRIC_LINE.test(match)) throw new MappingError(`invalid match: ${match}`);
      mapping.glob = new RegExp(`^${match.split('.').map((f) => (f === '*' ? '([^.]*)' : f.replace(/[-]/g, '\\-'))).join('\\.')}$`);
    } else {
      try {
        mapping.regex = RE2JS.compile(match);
      } catch (e) {
        throw new MappingError(`invalid regex ${match} in mapping: ${(e as Error).message}`);
      }
    }
    const h = m.histogram_options as Record<string, unknown> | undefined;
    const s = m.summary_options as Record<string, unknown> | undefined;
    if (mapping.observerType === 'histogram') {
      if (s) throw new MappingError('cannot use histogram observer and summary options at the same time');
      mapping.buckets = numbers(h?.buckets, `${where}.histogram_options.buckets`);
      if (mapping.buckets.length === 0) mapping.buckets = numbers(m.buckets, `${where}.buckets`);
      if (mapping.buckets.length === 0) mapping.buckets = cfg.buckets;
    } else {
      if (h && mapping.observerType === 'summary') throw new MappingError('cannot use summary observer and histogram options at the same time');
      mapping.quantiles = quantiles(s?.quantiles, `${where}.summary_options.quantiles`);
      if (mapping.quantiles.length === 0) mapping.quantiles = quantiles(m.quantiles, `${where}.quantiles`);
      if (mapping.quantiles.length === 0) mapping.quantiles = cfg.quantiles;
      mapping.maxAge = duration(s?.max_age, `${where}.summary_options.max_age`) || defMaxAge;
      mapping.ageBuckets = Number(s?.age_buckets ?? 0) || defAgeBuckets;
      mapping.bufCap = Number(s?.buf_cap ?? 0) || defBufCap;
      mapping.buckets = cfg.buckets;
    }
    cfg.mappings.push(mapping);
  });
  return cfg;
}

/** statsd_exporter's glob templates: $N or ${N} for the Nth `*`; other references become empty. */
function globTemplate(t: string, captures: string[]): string {
  return t.replace(/\$\{?([a-zA-Z0-9_$]+)\}?/g, (_m, ref: string) => {
    const n = /^\d+$/.test(ref) ? Number(ref) : 0;
    return n >= 1 && n <= captures.length ? captures[n - 1]! : '';
  });
}

/** Go's regexp Expand: $1, ${1}, $name, ${name}, $$; a reference to nothing is empty. */
function regexTemplate(t: string, groups: (string | null)[], named: Record<string, number>): string {
  return t.replace(/\$(\$|\{([a-zA-Z0-9_]+)\}|([a-zA-Z0-9_]+))/g, (_m, all: string, braced?: string, bare?: string) => {
    if (all === '$') return '$';
    const ref = braced ?? bare!;
    const idx = /^\d+$/.test(ref) ? Number(ref) : named[ref];
    return idx !== undefined && idx < groups.length ? (groups[idx] ?? '') : '';
  });
}

export class MetricMapper {
  constructor(readonly config: MapperConfig) {}

  /** The mapping for a statsd name and type, with the mapping's name and labels filled in (null mapping: unmapped). */
  map(statsdName: string, type: StatsdMetricType): MapResult {
    const typed = (m: Mapping) => m.matchMetricType === '' || m.matchMetricType === type;
    let best: { m: Mapping; captures: string[]; rank: string } | null = null;
    for (const m of this.config.mappings) {
      if (!m.glob || !typed(m)) continue;
      const hit = m.glob.exec(statsdName);
      if (!hit) continue;
      if (!this.config.globDisableOrdering) {
        best = { m, captures: hit.slice(1), rank: '' };
        break;
      }
      // Exact fields win over `*`, field by field from the left.
      const rank = m.match.split('.').map((f) => (f === '*' ? '1' : '0')).join('');
      if (!best || rank < best.rank) best = { m, captures: hit.slice(1), rank };
    }
    if (best) {
      return {
        mapping: best.m, name: globTemplate(best.m.name, best.captures),
        labels: Object.fromEntries(Object.entries(best.m.labels).map(([k, v]) => [k, globTemplate(v, best!.captures)])),
      };
    }
    for (const m of this.config.mappings) {
      if (!m.regex) continue;
      const matcher = m.regex.matcher(statsdName);
      if (!matcher.find()) continue;
      if (!typed(m)) continue;
      const groups: (string | null)[] = [];
      for (let g = 0; g <= matcher.groupCount(); g++) groups.push(matcher.group(g));
      const named = m.regex.namedGroups() as Record<string, number>;
      return {
        mapping: m, name: regexTemplate(m.name, groups, named),
        labels: Object.fromEntries(Object.entries(m.labels).map(([k, v]) => [k, regexTemplate(v, groups, named)])),
      };
    }
    return { mapping: null, name: statsdName, labels: {} };
  }
}
