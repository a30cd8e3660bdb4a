// A rule group: its rules evaluated in order at one timestamp, each seeing
// what the ones before it wrote; outputs appended with staleness markers for
// series that stopped (rules/group.go).

import type { Appendable, Queryable } from '../storage/interfaces.js';
import { Matcher } from '../model/matcher.js';

const isQueryable = (db: Appendable): db is Appendable & Queryable => typeof (db as Partial<Queryable>).querier === 'function';
import { type Labels, labelsKey, labelsToRecord } from '../model/labels.js';
import { appendStaleMarkers, vanished } from '../storage/staleness.js';
import type { Engine, QueryResult } from '../promql/engine/engine.js';
import { print } from '../promql/parser/printer.js';
import { parse } from '../promql/parser/index.js';
import type { GroupSpec, RuleSpec } from './file.js';
import { AlertingRule, RuleError, recordingOutput, type RuleSample } from './rules.js';
import type { NotifierAlert } from './notifier.js';
import { appendRuleOutput, histogramSample } from './histogram-output.js';

export interface RuleStatus {
  spec: RuleSpec;
  health: 'ok' | 'err' | 'unknown';
  lastError: string;
  lastEvaluation: number;
  evaluationTime: number;
  alerting: AlertingRule | null;
  previous: Map<string, Labels>;
}

const parseValue = (s: string) => (s === '+Inf' ? Infinity : s === '-Inf' ? -Infinity : Number(s));

/** An instant query's result as rule input; a range or string result is an error. */
/**
 * What rules query with, as Prometheus's rules.QueryFunc: an instant query
 * at a time (ms) giving samples, or throwing. Synchronous, because alert
 * templates' `query` calls it while expanding.
 */
export type QueryFunc = (query: string, atMs: number) => RuleSample[];

/** The QueryFunc of a PromQL engine. */
export const engineQueryFunc = (engine: Pick<Engine, 'instantQuerySync'>): QueryFunc => (q, at) => samplesOf(engine.instantQuerySync(q, at));

export function samplesOf(r: QueryResult): RuleSample[] {
  if (r.resultType === 'scalar') return [{ labels: {}, value: parseValue(r.result[1]) }];
  if (r.resultType === 'vector') return r.result.map((s) => (s.histogram ? histogramSample(s.metric, s.histogram[1]) : { labels: s.metric, value: parseValue(s.value![1]) }));
  throw new RuleError('rule result is not a vector or scalar');
}

/** Where a group's alerts go: Prometheus's NotifyFunc with its resend delay. */
export interface AlertSink {
  notify: (alerts: NotifierAlert[]) => void;
  /** ms; --rules.alert.resend-delay, 1m by default. */
  resendDelay: number;
  /** --web.external-url: the prefix of each alert's generatorURL. */
  externalURL: string;
}

const generatorURL = (externalURL: string, expr: string) =>
  `${externalURL.replace(/\/+$/, '')}/graph?${new URLSearchParams({ 'g0.expr': expr, 'g0.tab': '1' })}`;

export class RuleGroup {
  readonly rules: RuleStatus[];
  lastEvaluation = 0;
  evaluationTime = 0;
  iterations = 0;
  /** Evaluations skipped because the previous one was still running. */
  missedIterations = 0;
  running = false;
  /** Set when the group should restore `for` state after its first evaluation (at server start). */
  restorePending = false;

  constructor(readonly spec: GroupSpec, readonly interval: number) {
    this.rules = spec.rules.map((r) => ({
      spec: r, health: 'unknown', lastError: '', lastEvaluation: 0, evaluationTime: 0,
      alerting: r.alert !== undefined ? new AlertingRule(r, spec.labels) : null, previous: new Map(),
    }));
  }

  get key(): string {
    return `${this.spec.file}\xff${this.spec.name}`;
  }

  /** Evaluates every rule at ts (ms). */
  async eval(query: QueryFunc, db: Appendable, ts: number, externalLabels: Record<string, string> = {}, sink?: AlertSink): Promise<void> {
    const t0 = performance.now();
    this.iterations++;
    const at = ts - this.spec.queryOffset;
    for (const rule of this.rules) {
      const r0 = performance.now();
      const out: { labels: Labels; value: number; histogram?: RuleSample['histogram'] }[] = [];
      try {
        const result = query(rule.spec.expr, at);
        if (rule.alerting) {
          out.push(...rule.alerting.eval(result, at, externalLabels, {
            externalURL: sink?.externalURL,
            query: (q) => query(q, at),
          }));
        }
        else recordingOutput(rule.spec, this.spec.labels, result).forEach((labels, i) => out.push({ labels, value: result[i]!.value, histogram: result[i]!.histogram }));
        if (this.spec.limit > 0 && (rule.alerting ? rule.alerting.active.size : out.length) > this.spec.limit) {
          throw new RuleError(`exceeded limit of ${this.spec.limit} with ${rule.alerting ? rule.alerting.active.size : out.length} ${rule.alerting ? 'alerts' : 'series'}`);
        }
        rule.health = 'ok';
        rule.lastError = '';
      } catch (e) {
        rule.health = 'err';
        rule.lastError = (e as Error).message;
        out.length = 0;
      }
      const app = db.appender();
      const now = new Map<string, Labels>();
      for (const s of out) {
        now.set(labelsKey(s.labels), s.labels);
        try {
          appendRuleOutput(app, s, at);
        } catch (e) {
          // A second evaluation at the same timestamp is expected; a storage without histograms is the rule's error.
          if (e instanceof RuleError) {
            rule.health = 'err';
            rule.lastError = e.message;
          }
        }
      }
      if (rule.health === 'ok') {
        appendStaleMarkers(app, vanished(rule.previous, now), at);
        rule.previous = now;
      }
      // Commit per rule: the next rule of the group sees this one's output.
      await app.commit();
      if (rule.alerting && sink) {
        const due = rule.alerting.alertsToSend(ts, sink.resendDelay, this.interval);
        if (due.length > 0) {
          const url = generatorURL(sink.externalURL, rule.spec.expr);
          sink.notify(due.map((a) => ({
            labels: a.labels, annotations: a.annotations, startsAt: a.firedAt, endsAt: a.resolvedAt || a.validUntil, generatorURL: url,
          })));
        }
      }
      rule.lastEvaluation = ts;
      rule.evaluationTime = (performance.now() - r0) / 1000;
    }
    this.lastEvaluation = ts;
    this.evaluationTime = (performance.now() - t0) / 1000;
    if (this.restorePending) {
      this.restorePending = false;
      if (isQueryable(db)) this.restoreForState(db, ts);
      for (const r of this.rules) if (r.alerting) r.alerting.restored = true;
    }
  }

  /** Outage tolerance 1h and grace period 10m: Prometheus's --rules.alert.for-outage-tolerance and --rules.alert.for-grace-period. */
  private restoreForState(db: Queryable, ts: number, outageTolerance = 3_600_000, gracePeriod = 600_000): void {
    const querier = db.querier(ts - outageTolerance, ts);
    for (const rule of this.rules) {
      const ar = rule.alerting;
      // An alert whose `for` is under the grace period simply waits its `for` again.
      if (!ar || ar.spec.for === 0 || ar.spec.for < gracePeriod) continue;
      const series = querier.select([new Matcher('=', '__name__', 'ALERTS_FOR_STATE'), new Matcher('=', 'alertname', ar.spec.alert!)]);
      const byKey = new Map(series.map((s) => [labelsKey(s.labels), s]));
      ar.restoreForState(ts, (labels) => {
        const s = byKey.get(labelsKey(labels));
        if (!s) return null;
        const b = s.samples(ts - outageTolerance, ts);
        const n = b.timestamps.length;
        return n === 0 ? null : { t: b.timestamps[n - 1]!, v: b.values[n - 1]! };
      }, gracePeriod);
    }
  }
}

/** Prometheus's %e form for alert values: 1e+00, 1.5e+00. */
export function formatAlertValue(v: number): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf';
  return v.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
}

const iso = (ms: number) => (ms ? new Date(ms).toISOString() : '0001-01-01T00:00:00Z');

export function alertJSON(a: { labels: Labels; annotations: Record<string, string>; state: string; activeAt: number; keepFiringSince: number; value: number }) {
  return {
    labels: labelsToRecord(a.labels), annotations: a.annotations, state: a.state, activeAt: iso(a.activeAt),
    ...(a.keepFiringSince ? { keepFiringSince: iso(a.keepFiringSince) } : {}),
    value: formatAlertValue(a.value),
  };
}

/** /api/v1/rules's JSON for a group. */
export function groupJSON(g: RuleGroup) {
  return {
    name: g.spec.name, file: g.spec.file, interval: g.interval / 1000, limit: g.spec.limit,
    evaluationTime: g.evaluationTime, lastEvaluation: iso(g.lastEvaluation),
    rules: g.rules.map((r) => {
      const common = {
        name: r.spec.record ?? r.spec.alert!, query: print(parse(r.spec.expr, { experimentalFunctions: true, extendedRangeSelectors: true, binopFillModifiers: true })),
        labels: { ...g.spec.labels, ...r.spec.labels }, health: r.health, ...(r.lastError ? { lastError: r.lastError } : {}),
        evaluationTime: r.evaluationTime, lastEvaluation: iso(r.lastEvaluation),
      };
      if (!r.alerting) return { ...common, type: 'recording' };
      const alerts = [...r.alerting.active.values()].filter((a) => a.state !== 'inactive').map(alertJSON);
      return {
        state: r.lastEvaluation ? r.alerting.state : 'unknown', ...common, duration: r.spec.for / 1000, keepFiringFor: r.spec.keepFiringFor / 1000,
        annotations: r.spec.annotations, alerts, type: 'alerting',
      };
    }),
  };
}
