// Recording and alerting rules: what one evaluation at time ts produces,
// and the alert state machine (rules/recording.go, rules/alerting.go).

import { type Labels, compareStrings, labelsKey, labelsFrom } from '../model/labels.js';
import { isStaleNaN } from '../model/stale.js';
import type { RuleSpec } from './file.js';
import type { FloatHistogram } from '../model/histogram.js';
import { expandTemplate, type TemplateData } from './template.js';

/** What templates can reach beyond the alert: the external URL and `query`. */
export type TemplateEnv = Pick<TemplateData, 'externalURL' | 'query'>;

export interface RuleSample {
  labels: Record<string, string>;
  /** 0 for a histogram sample, as Prometheus's Sample.F. */
  value: number;
  /** Set for a native histogram sample. */
  histogram?: FloatHistogram;
}

export type AlertState = 'inactive' | 'pending' | 'firing';

export interface Alert {
  labels: Labels;
  annotations: Record<string, string>;
  state: AlertState;
  activeAt: number;
  firedAt: number;
  resolvedAt: number;
  keepFiringSince: number;
  value: number;
  /** When the alert last went to Alertmanager (ms; 0 = never). */
  lastSentAt: number;
  /** What endsAt tells Alertmanager while it fires: a few resend periods ahead. */
  validUntil: number;
}

const RESOLVED_RETENTION = 15 * 60_000;

export class RuleError extends Error {}

const sorted = (m: Map<string, string>): Labels =>
  [...m].filter(([, v]) => v !== '').map(([name, value]) => ({ name, value })).sort((a, b) => compareStrings(a.name, b.name));

/** Recording: the samples renamed and relabelled. */
export function recordingOutput(rule: RuleSpec, groupLabels: Record<string, string>, result: RuleSample[]): Labels[] {
  const out: Labels[] = [];
  const seen = new Set<string>();
  for (const s of result) {
    const m = new Map(Object.entries(s.labels));
    m.set('__name__', rule.record!);
    for (const [k, v] of Object.entries({ ...groupLabels, ...rule.labels })) m.set(k, v);
    const ls = sorted(m);
    const key = labelsKey(ls);
    if (seen.has(key)) throw new RuleError('vector contains metrics with the same labelset after applying rule labels');
    seen.add(key);
    out.push(ls);
  }
  return out;
}

export class AlertingRule {
  readonly active = new Map<string, Alert>();
  /** False until `for` state is restored at startup: until then no ALERTS series are written. */
  restored = true;

  constructor(readonly spec: RuleSpec, readonly groupLabels: Record<string, string>) {}

  /** Updates the alerts from one evaluation; returns the ALERTS and ALERTS_FOR_STATE samples. */
  eval(result: RuleSample[], ts: number, externalLabels: Record<string, string>, env: TemplateEnv = {}): { labels: Labels; value: number }[] {
    const spec = this.spec;
    const current = new Map<string, Alert>();
    for (const s of result) {
      const base = { ...s.labels };
      delete base.__name__;
      const data = { labels: base, externalLabels, value: s.value, histogram: s.histogram, ...env };
      const m = new Map(Object.entries(base));
      for (const [k, v] of Object.entries({ ...this.groupLabels, ...spec.labels })) m.set(k, expandTemplate(v, data, `__alert_${spec.alert}`));
      m.set('alertname', spec.alert!);
      const labels = sorted(m);
      const annotations = Object.fromEntries(Object.entries(spec.annotations).map(([k, v]) => [k, expandTemplate(v, data, `__alert_${spec.alert}`)]));
      const key = labelsKey(labels);
      if (current.has(key)) throw new RuleError('vector contains metrics with the same labelset after applying alert labels');
      current.set(key, { labels, annotations, state: 'pending', activeAt: ts, firedAt: 0, resolvedAt: 0, keepFiringSince: 0, value: s.value, lastSentAt: 0, validUntil: 0 });
    }
    for (const [key, a] of current) {
      const existing = this.active.get(key);
      if (existing && existing.state !== 'inactive') {
        existing.value = a.value;
        existing.annotations = a.annotations;
        existing.labels = a.labels;
        continue;
      }
      this.active.set(key, a);
    }
    const out: { labels: Labels; value: number }[] = [];
    for (const [key, a] of this.active) {
      if (!current.has(key)) {
        let keepFiring = false;
        if (a.state === 'firing' && spec.keepFiringFor > 0) {
          if (a.keepFiringSince === 0) a.keepFiringSince = ts;
          if (ts - a.keepFiringSince < spec.keepFiringFor) keepFiring = true;
        }
        if (a.state === 'pending' || (a.resolvedAt !== 0 && ts - a.resolvedAt > RESOLVED_RETENTION)) this.active.delete(key);
        if (a.state !== 'inactive' && !keepFiring) {
          a.state = 'inactive';
          a.resolvedAt = ts;
        }
        if (!keepFiring) continue;
      } else {
        a.keepFiringSince = 0;
      }
      if (a.state === 'pending' && ts - a.activeAt >= spec.for) {
        a.state = 'firing';
        a.firedAt = ts;
      }
      const withName = (name: string, extra: Record<string, string>) =>
        labelsFrom({ ...Object.fromEntries(a.labels.map((l) => [l.name, l.value])), ...extra, __name__: name });
      if (!this.restored) continue;
      out.push({ labels: withName('ALERTS', { alertstate: a.state }), value: 1 });
      out.push({ labels: withName('ALERTS_FOR_STATE', {}), value: Math.floor(a.activeAt / 1000) });
    }
    return out;
  }

  /**
   * The alerts due to go to Alertmanager at ts (rules/alerting.go sendAlerts):
   * firing ones every resendDelay, resolved ones at once and then with
   * their resolution until they are forgotten.
   */
  alertsToSend(ts: number, resendDelay: number, interval: number): Alert[] {
    const out: Alert[] = [];
    for (const a of this.active.values()) {
      if (a.state === 'pending') continue;
      if (!(a.resolvedAt > a.lastSentAt || a.lastSentAt + resendDelay < ts)) continue;
      a.lastSentAt = ts;
      // Survives two missed evaluations or failed sends.
      a.validUntil = ts + 4 * Math.max(resendDelay, interval);
      out.push({ ...a });
    }
    return out;
  }

  /**
   * Restores the activeAt of pending alerts after a restart from the last
   * ALERTS_FOR_STATE sample of each (rules/group.go RestoreForState):
   * `lastSample(labels)` gives that sample's time and value (activeAt in
   * seconds), or null. Time spent down does not count towards `for`, and an
   * alert that was about to fire gets the grace period.
   */
  restoreForState(ts: number, lastSample: (labels: Labels) => { t: number; v: number } | null, gracePeriod: number): void {
    const hold = this.spec.for;
    for (const a of this.active.values()) {
      if (a.state !== 'pending') continue;
      const last = lastSample(labelsFrom({ ...Object.fromEntries(a.labels.map((l) => [l.name, l.value])), __name__: 'ALERTS_FOR_STATE' }));
      if (!last || isStaleNaN(last.v)) continue;
      const downAt = Math.floor(last.t / 1000) * 1000;
      let activeAt = last.v * 1000;
      const remaining = hold - (downAt - activeAt);
      if (remaining <= 0) {
        // It was firing: it fires again at the next evaluation.
      } else if (remaining < gracePeriod) {
        activeAt = ts + gracePeriod - hold;
      } else {
        activeAt += ts - downAt;
      }
      a.activeAt = activeAt;
    }
  }

  /** The rule's state: the most severe of its alerts. */
  get state(): AlertState {
    let s: AlertState = 'inactive';
    for (const a of this.active.values()) {
      if (a.state === 'firing') return 'firing';
      if (a.state === 'pending') s = 'pending';
    }
    return s;
  }
}
