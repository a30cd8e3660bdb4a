// Rules evaluated over a past time range, as if Prometheus had run them then:
// every group at each of its intervals from start to end, recording rules'
// output written to the database (so later rules and queries see it, as they
// would), and each alert's pending and firing periods collected.

import type { Appendable, Queryable } from '../storage/interfaces.js';
import { formatLabels, type Labels, labelsKey } from '../model/labels.js';
import type { Engine } from '../promql/engine/engine.js';
import { parseRuleFile } from './file.js';
import { RuleGroup, engineQueryFunc } from './group.js';

export interface AlertPeriod {
  state: 'pending' | 'firing';
  /** First and last evaluation (ms) in this state. */
  from: number;
  to: number;
}

export interface BacktestAlert {
  alertname: string;
  labels: Labels;
  /** `{alertname="...", ...}` */
  key: string;
  periods: AlertPeriod[];
  /** State at the last evaluation. */
  stateAtEnd: 'inactive' | 'pending' | 'firing';
}

export interface BacktestResult {
  evaluations: number;
  alerts: BacktestAlert[];
  /** Rules that failed, with their last error. */
  errors: { group: string; rule: string; error: string }[];
}

export interface BacktestOptions {
  start: number;
  end: number;
  /** Interval for groups that set none (default 1m). */
  interval?: number;
  /** File name used in error messages (default "rules.yml"). */
  file?: string;
}

/** Evaluates the rule file `text` over [start, end]; throws RuleFileError for an invalid file. */
export async function backtestRules(engine: Engine, db: Appendable & Queryable, text: string, opts: BacktestOptions): Promise<BacktestResult> {
  const query = engineQueryFunc(engine);
  const groups = parseRuleFile(text, opts.file ?? 'rules.yml').map((spec) => new RuleGroup(spec, spec.interval || (opts.interval ?? 60_000)));
  const byKey = new Map<string, BacktestAlert>();
  const errors = new Map<string, { group: string; rule: string; error: string }>();
  let evaluations = 0;
  for (const g of groups) {
    const first = Math.ceil(opts.start / g.interval) * g.interval;
    for (let ts = first; ts <= opts.end; ts += g.interval) {
      await g.eval(query, db, ts);
      evaluations++;
      const seen = new Set<string>();
      for (const r of g.rules) {
        if (r.health === 'err') errors.set(`${g.spec.name}\xff${r.spec.alert ?? r.spec.record}`, { group: g.spec.name, rule: r.spec.alert ?? r.spec.record ?? '', error: r.lastError });
        if (!r.alerting) continue;
        for (const a of r.alerting.active.values()) {
          if (a.state === 'inactive') continue;
          const key = `${g.spec.name}\xff${labelsKey(a.labels)}`;
          seen.add(key);
          let entry = byKey.get(key);
          if (!entry) {
            byKey.set(key, entry = { alertname: r.spec.alert!, labels: a.labels, key: formatLabels(a.labels), periods: [], stateAtEnd: 'inactive' });
          }
          const last = entry.periods[entry.periods.length - 1];
          if (last && last.state === a.state && last.to === ts - g.interval) last.to = ts;
          else entry.periods.push({ state: a.state, from: ts, to: ts });
          entry.stateAtEnd = a.state;
        }
      }
      for (const [key, entry] of byKey) if (key.startsWith(`${g.spec.name}\xff`) && !seen.has(key)) entry.stateAtEnd = 'inactive';
    }
  }
  const alerts = [...byKey.values()].sort((a, b) => a.periods[0]!.from - b.periods[0]!.from || a.key.localeCompare(b.key));
  return { evaluations, alerts, errors: [...errors.values()] };
}
