// promlet inside a service, without HTTP: the service's metrics recorded
// into its own database on an interval, rules evaluated on theirs, PromQL
// answered in the service itself; the same code in Node and in browsers.

import { openDB, type DB, type DBOptions } from '../storage/db.js';
import { createEngine, type Engine, type EngineOptions, type QueryResult } from '../promql/engine/engine.js';
import { parseExposition } from '../exposition/parse.js';
import { appendSamples } from '../exposition/append.js';
import { parseDuration } from '../model/duration.js';
import { RuleManager } from '../rules/manager.js';
import { engineQueryFunc } from '../rules/group.js';
import { labelsFrom } from '../model/labels.js';
import { mergeTargetLabels } from '../model/target-labels.js';
import type { NotifierAlert } from '../rules/notifier.js';
import { Registry, type Counter, type Gauge, type Histogram, type HistogramOptions, type NativeHistogram, type NativeHistogramOptions } from './metrics.js';

/** Anything with prom-client's `registry.metrics()`. */
export interface TextRegistry {
  metrics(): Promise<string> | string;
}

export interface PromletOptions extends DBOptions, Pick<EngineOptions, 'lookbackDelta' | 'maxSamples' | 'timeout'> {
  /** An existing database (for example openDiskDB's, to keep history); default: a new one in memory. */
  db?: DB;
  /** How often metrics are recorded (default "15s"); 0 records only on collect(). */
  interval?: string | number;
  /** Labels on every recorded sample (like a scrape's job and instance). */
  labels?: Record<string, string>;
  /** Rule files' text (Prometheus's format), evaluated every evaluation interval. */
  rules?: { path: string; text: string }[];
  evaluationInterval?: string;
  /** Called with alerts as they fire and resolve, as Alertmanager would receive them. */
  onAlert?: (alerts: { labels: Record<string, string>; annotations: Record<string, string>; startsAt: number; endsAt: number }[]) => void;
}

export interface Promlet {
  db: DB;
  engine: Engine;
  /** The service's own metrics (prom-client's surface), recorded into db. */
  registry: Registry;
  counter(opts: { name: string; help: string; labelNames?: string[] }): Counter;
  gauge(opts: { name: string; help: string; labelNames?: string[] }): Gauge;
  histogram(opts: HistogramOptions): Histogram;
  /** A native histogram (exponential buckets from bucketFactor, zeroThreshold, maxBuckets), recorded as histogram samples. */
  nativeHistogram(opts: NativeHistogramOptions): NativeHistogram;
  /** Also records what a prom-client registry (or anything with metrics()) exposes, at each collection. */
  collectFrom(registry: TextRegistry): void;
  /** Records every metric now (the interval timer does this too). */
  collect(t?: number): Promise<number>;
  /** Evaluates the rules once at `t`. */
  evaluateRules(t?: number): Promise<void>;
  query(expr: string, time?: number): Promise<QueryResult>;
  queryRange(expr: string, start: number, end: number, step: number | string): Promise<QueryResult>;
  /** Active (pending and firing) alerts. */
  alerts(): { name: string; labels: Record<string, string>; state: string; activeAt: number; value: number }[];
  close(): Promise<void>;
}

const ms = (d: string | number) => (typeof d === 'number' ? d : parseDuration(d));

export async function createPromlet(opts: PromletOptions = {}): Promise<Promlet> {
  const db = opts.db ?? await openDB(opts);
  const engine = createEngine(db, { lookbackDelta: opts.lookbackDelta, maxSamples: opts.maxSamples, timeout: opts.timeout });
  const registry = new Registry(db, opts.labels);
  const own = labelsFrom(opts.labels ?? {});
  const sources: TextRegistry[] = [];
  const rules = new RuleManager(db, engineQueryFunc(engine), {}, opts.onAlert ? {
    notify: (alerts: NotifierAlert[]) => opts.onAlert!(alerts.map((a) => ({
      labels: Object.fromEntries(a.labels.map((l) => [l.name, l.value])), annotations: a.annotations, startsAt: a.startsAt, endsAt: a.endsAt,
    }))),
    resendDelay: 60_000,
    externalURL: '',
  } : undefined);
  if (opts.rules?.length) rules.load(opts.rules, { evaluationInterval: ms(opts.evaluationInterval ?? '1m') });

  const collect = async (t = Date.now()) => {
    let n = await registry.collect(t);
    for (const src of sources) {
      const parsed = parseExposition(await src.metrics());
      // The service's labels apply where a sample has none of its own, as a scrape with honor_labels does.
      const withLabels = parsed.samples.map((s) => ({ ...s, timestamp: undefined, labels: [...mergeTargetLabels(s.labels, own, true, s.emptyLabels)] }));
      n += (await appendSamples(db, withLabels, { now: t })).imported;
    }
    return n;
  };
  const interval = ms(opts.interval ?? '15s');
  const timer = interval > 0 ? setInterval(() => void collect().catch(() => {}), interval) : null;
  (timer as { unref?: () => void } | null)?.unref?.();
  if (opts.rules?.length) rules.start();

  return {
    db, engine, registry,
    counter: (o) => registry.counter(o),
    gauge: (o) => registry.gauge(o),
    histogram: (o) => registry.histogram(o),
    nativeHistogram: (o) => registry.nativeHistogram(o),
    collectFrom: (r) => void sources.push(r),
    collect,
    evaluateRules: (t = Date.now()) => rules.evalAll(t),
    query: (expr, time = Date.now()) => engine.instantQuery(expr, time),
    queryRange: (expr, start, end, step) => engine.rangeQuery(expr, start, end, step),
    alerts: () => rules.activeAlerts().map((a) => ({
      name: a.labels.find((l) => l.name === 'alertname')?.value ?? '',
      labels: Object.fromEntries(a.labels.map((l) => [l.name, l.value])),
      state: a.state, activeAt: a.activeAt, value: a.value,
    })),
    close: async () => {
      if (timer) clearInterval(timer);
      rules.stop();
      if (!opts.db) await db.close();
    },
  };
}
