// Prometheus relabeling (model/relabel): replace, keep, drop, keepequal,
// dropequal, hashmod, labelmap, labeldrop, labelkeep, lowercase, uppercase,
// with Prometheus's defaults and fully anchored RE2 expressions.

import { RE2JS } from 're2js';
import { type Label, type Labels, compareStrings } from '../model/labels.js';
import { expandTemplate } from '../model/expand-template.js';
import { isValidLabelName } from '../model/label-names.js';
import { md5 } from './md5.js';

export type RelabelAction = 'replace' | 'keep' | 'drop' | 'keepequal' | 'dropequal' | 'hashmod' | 'labelmap' | 'labeldrop' | 'labelkeep' | 'lowercase' | 'uppercase';

export interface RelabelConfig {
  sourceLabels: string[];
  separator: string;
  targetLabel: string;
  regex: RE2JS;
  regexText: string;
  modulus: number;
  replacement: string;
  action: RelabelAction;
}

const ACTIONS = new Set<RelabelAction>(['replace', 'keep', 'drop', 'keepequal', 'dropequal', 'hashmod', 'labelmap', 'labeldrop', 'labelkeep', 'lowercase', 'uppercase']);

export class RelabelConfigError extends Error {}

/** Reads one relabel_config (YAML field names) with Prometheus's defaults and validation. */
export function relabelConfig(raw: Record<string, unknown>): RelabelConfig {
  const action = String(raw.action ?? 'replace').toLowerCase() as RelabelAction;
  if (!ACTIONS.has(action)) throw new RelabelConfigError(`unknown relabel action ${JSON.stringify(raw.action)}`);
  const regexText = raw.regex === undefined ? '(.*)' : String(raw.regex);
  let regex: RE2JS;
  try {
    regex = RE2JS.compile(`^(?s:${regexText})$`);
  } catch (e) {
    throw new RelabelConfigError(`invalid regex ${JSON.stringify(regexText)}: ${(e as Error).message}`);
  }
  const cfg: RelabelConfig = {
    sourceLabels: ((raw.source_labels ?? []) as unknown[]).map(String),
    separator: raw.separator === undefined ? ';' : String(raw.separator),
    targetLabel: raw.target_label === undefined ? '' : String(raw.target_label),
    regex,
    regexText,
    modulus: Number(raw.modulus ?? 0),
    replacement: raw.replacement === undefined ? '$1' : String(raw.replacement),
    action,
  };
  const needsTarget = ['replace', 'hashmod', 'lowercase', 'uppercase', 'keepequal', 'dropequal'];
  if (needsTarget.includes(action) && cfg.targetLabel === '') throw new RelabelConfigError(`relabel configuration for ${action} action requires 'target_label' value`);
  if (action === 'hashmod' && !(cfg.modulus > 0)) throw new RelabelConfigError('relabel configuration for hashmod requires non-zero modulus');
  if ((action === 'labeldrop' || action === 'labelkeep') && (raw.source_labels !== undefined || raw.target_label !== undefined)) {
    throw new RelabelConfigError(`${action} action requires only 'regex', and no other fields`);
  }
  return cfg;
}

const get = (ls: Map<string, string>, n: string) => ls.get(n) ?? '';

function groupsOf(re: RE2JS, s: string): (string | null)[] | null {
  const m = re.matcher(s);
  if (!m.matches()) return null;
  const out: (string | null)[] = [];
  for (let i = 0; i <= re.groupCount(); i++) out.push(m.group(i));
  return out;
}

/** Applies the configs in order; null when a keep/drop dropped the label set. */
export function relabel(labels: Labels, cfgs: readonly RelabelConfig[]): Labels | null {
  if (cfgs.length === 0) return labels;
  const ls = new Map(labels.map((l) => [l.name, l.value]));
  const set = (n: string, v: string) => (v === '' ? ls.delete(n) : ls.set(n, v));
  for (const c of cfgs) {
    const val = c.sourceLabels.map((n) => get(ls, n)).join(c.separator);
    switch (c.action) {
      case 'keep':
        if (!c.regex.matches(val)) return null;
        break;
      case 'drop':
        if (c.regex.matches(val)) return null;
        break;
      case 'keepequal':
        if (val !== get(ls, c.targetLabel)) return null;
        break;
      case 'dropequal':
        if (val === get(ls, c.targetLabel)) return null;
        break;
      case 'replace': {
        const g = groupsOf(c.regex, val);
        if (!g) break;
        const named = c.regex.namedGroups();
        const target = expandTemplate(c.targetLabel, g, named);
        if (!isValidLabelName(target)) break;
        set(target, expandTemplate(c.replacement, g, named));
        break;
      }
      case 'lowercase':
        set(c.targetLabel, val.toLowerCase());
        break;
      case 'uppercase':
        set(c.targetLabel, val.toUpperCase());
        break;
      case 'hashmod': {
        const h = md5(new TextEncoder().encode(val));
        const x = new DataView(h.buffer).getBigUint64(8, false);
        set(c.targetLabel, String(x % BigInt(c.modulus)));
        break;
      }
      case 'labelmap':
        for (const [n, v] of [...ls]) {
          const g = groupsOf(c.regex, n);
          if (g) set(expandTemplate(c.replacement, g, c.regex.namedGroups()), v);
        }
        break;
      case 'labeldrop':
        for (const n of [...ls.keys()]) if (c.regex.matches(n)) ls.delete(n);
        break;
      case 'labelkeep':
        for (const n of [...ls.keys()]) if (!c.regex.matches(n)) ls.delete(n);
        break;
    }
  }
  const out: Label[] = [...ls].map(([name, value]) => ({ name, value }));
  out.sort((a, b) => compareStrings(a.name, b.name));
  return out;
}
