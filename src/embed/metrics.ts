// Counters, gauges and histograms with prom-client's surface, recorded into
// a promlet database instead of (or as well as) exposed on /metrics:
// `registry.collect()` appends every metric's current values in one commit,
// as one scrape of the process would.

import { labelsFrom } from '../model/labels.js';
import type { Appendable } from '../storage/interfaces.js';
import { writeText } from '../exposition/write.js';
import { formatOpenMetricsFloat } from '../model/float.js';
import type { FloatHistogram } from '../model/histogram.js';
import { DEFAULT_ZERO_THRESHOLD, NativeHistogramState, schemaForFactor, type NativeHistogramLimits } from './native-histogram.js';
import { exposition, type Exposition } from './exposition.js';

type LabelValues = Record<string, string | number>;

interface MetricOptions {
  name: string;
  help: string;
  labelNames?: readonly string[];
}

export interface HistogramOptions extends MetricOptions {
  /** Upper bounds, ascending (default prom-client's: 0.005 … 10). */
  buckets?: readonly number[];
}

const DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

abstract class Metric<V> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  protected readonly values = new Map<string, { labels: Record<string, string>; value: V }>();

  constructor(opts: MetricOptions) {
    if (!NAME.test(opts.name)) throw new Error(`metric name ${JSON.stringify(opts.name)} is not valid`);
    this.name = opts.name;
    this.help = opts.help;
    this.labelNames = opts.labelNames ?? [];
  }

  protected abstract initial(): V;

  /** The child for a label set; a label the metric was not declared with is an error, as in prom-client. */
  protected child(labels: LabelValues = {}): { labels: Record<string, string>; value: V } {
    const clean: Record<string, string> = {};
    for (const [k, v] of Object.entries(labels)) {
      if (!this.labelNames.includes(k)) throw new Error(`${this.name}: label "${k}" was not declared in labelNames`);
      clean[k] = String(v);
    }
    const key = this.labelNames.map((n) => clean[n] ?? '').join('\xff');
    let c = this.values.get(key);
    if (!c) this.values.set(key, (c = { labels: clean, value: this.initial() }));
    return c;
  }

  protected labelsFromArgs(args: (string | number)[] | [LabelValues]): LabelValues {
    if (args.length === 1 && typeof args[0] === 'object') return args[0];
    return Object.fromEntries(this.labelNames.map((n, i) => [n, String((args as (string | number)[])[i] ?? '')]));
  }

  /** Forgets every label set (prom-client's reset). */
  reset(): void {
    this.values.clear();
  }

  /** Samples to record: name suffix, labels, value. */
  abstract samples(): { name: string; labels: Record<string, string>; value: number }[];
  abstract readonly type: 'counter' | 'gauge' | 'histogram';
}

export class Counter extends Metric<number> {
  readonly type = 'counter' as const;
  protected initial(): number {
    return 0;
  }

  /** inc(), inc(5), inc({ code: 200 }), inc({ code: 200 }, 5) */
  inc(labelsOrValue?: LabelValues | number, value?: number): void {
    const labels = typeof labelsOrValue === 'object' ? labelsOrValue : {};
    const by = typeof labelsOrValue === 'number' ? labelsOrValue : value ?? 1;
    if (!(by >= 0)) throw new Error(`${this.name}: a counter only goes up (inc by ${by})`);
    this.child(labels).value += by;
  }

  labels(...args: (string | number)[] | [LabelValues]): { inc(value?: number): void } {
    const l = this.labelsFromArgs(args);
    return { inc: (v = 1) => this.inc(l, v) };
  }

  get(labels: LabelValues = {}): number {
    return this.child(labels).value;
  }

  samples() {
    return [...this.values.values()].map((c) => ({ name: this.name, labels: c.labels, value: c.value }));
  }
}

export class Gauge extends Metric<number> {
  readonly type = 'gauge' as const;
  protected initial(): number {
    return 0;
  }

  set(labelsOrValue: LabelValues | number, value?: number): void {
    if (typeof labelsOrValue === 'number') this.child().value = labelsOrValue;
    else this.child(labelsOrValue).value = value ?? 0;
  }

  inc(labelsOrValue?: LabelValues | number, value?: number): void {
    const labels = typeof labelsOrValue === 'object' ? labelsOrValue : {};
    this.child(labels).value += typeof labelsOrValue === 'number' ? labelsOrValue : value ?? 1;
  }

  dec(labelsOrValue?: LabelValues | number, value?: number): void {
    const labels = typeof labelsOrValue === 'object' ? labelsOrValue : {};
    this.child(labels).value -= typeof labelsOrValue === 'number' ? labelsOrValue : value ?? 1;
  }

  setToCurrentTime(labels: LabelValues = {}): void {
    this.child(labels).value = Date.now() / 1000;
  }

  labels(...args: (string | number)[] | [LabelValues]): { set(v: number): void; inc(v?: number): void; dec(v?: number): void } {
    const l = this.labelsFromArgs(args);
    return { set: (v) => this.set(l, v), inc: (v = 1) => this.inc(l, v), dec: (v = 1) => this.dec(l, v) };
  }

  get(labels: LabelValues = {}): number {
    return this.child(labels).value;
  }

  samples() {
    return [...this.values.values()].map((c) => ({ name: this.name, labels: c.labels, value: c.value }));
  }
}

interface HistogramValue {
  counts: number[];
  sum: number;
  count: number;
}

/** A metric fed by observations (classic and native histograms): timers and label-bound observers for both. */
abstract class ObservingMetric<V> extends Metric<V> {
  /** observe(0.2) or observe({ path: '/' }, 0.2) */
  abstract observe(labelsOrValue: LabelValues | number, value?: number): void;

  /** Starts a timer; calling the returned function observes the seconds since, and returns them. */
  startTimer(labels: LabelValues = {}): (more?: LabelValues) => number {
    const t0 = performance.now();
    return (more = {}) => {
      const s = (performance.now() - t0) / 1000;
      this.observe({ ...labels, ...more }, s);
      return s;
    };
  }

  labels(...args: (string | number)[] | [LabelValues]): { observe(v: number): void; startTimer(): () => number } {
    const l = this.labelsFromArgs(args);
    return { observe: (v) => this.observe(l, v), startTimer: () => this.startTimer(l) };
  }
}

export class Histogram extends ObservingMetric<HistogramValue> {
  readonly type = 'histogram' as const;
  readonly buckets: readonly number[];

  constructor(opts: HistogramOptions) {
    super(opts);
    this.buckets = [...(opts.buckets ?? DEFAULT_BUCKETS)].sort((a, b) => a - b);
    if (this.labelNames.includes('le')) throw new Error(`${this.name}: "le" is reserved for histogram buckets`);
  }

  protected initial(): HistogramValue {
    return { counts: this.buckets.map(() => 0), sum: 0, count: 0 };
  }

  /** observe(0.2) or observe({ path: '/' }, 0.2) */
  observe(labelsOrValue: LabelValues | number, value?: number): void {
    const labels = typeof labelsOrValue === 'object' ? labelsOrValue : {};
    const v = typeof labelsOrValue === 'number' ? labelsOrValue : value!;
    const h = this.child(labels).value;
    for (let i = 0; i < this.buckets.length; i++) if (v <= this.buckets[i]!) h.counts[i]!++;
    h.sum += v;
    h.count++;
  }


  samples() {
    return [...this.values.values()].flatMap((c) => [
      ...this.buckets.map((le, i) => ({ name: `${this.name}_bucket`, labels: { ...c.labels, le: formatOpenMetricsFloat(le) }, value: c.value.counts[i]! })),
      { name: `${this.name}_bucket`, labels: { ...c.labels, le: '+Inf' }, value: c.value.count },
      { name: `${this.name}_sum`, labels: c.labels, value: c.value.sum },
      { name: `${this.name}_count`, labels: c.labels, value: c.value.count },
    ]);
  }
}

export interface NativeHistogramOptions extends MetricOptions, NativeHistogramLimits {}

/**
 * A native histogram (client_golang's Histogram with
 * NativeHistogramBucketFactor): exponential buckets of the schema the
 * bucket factor allows, recorded as one histogram sample per collection.
 * The text format cannot carry it: there it shows as _count, _sum and the
 * +Inf bucket, as client_golang writes it; the protobuf exposition
 * (registry.exposition) carries it whole.
 */
export class NativeHistogram extends ObservingMetric<NativeHistogramState> {
  readonly type = 'histogram' as const;
  private readonly limits: Required<NativeHistogramLimits>;

  constructor(opts: NativeHistogramOptions, private readonly now: () => number = Date.now) {
    super(opts);
    if (this.labelNames.includes('le')) throw new Error(`${this.name}: "le" is reserved for histogram buckets`);
    const bucketFactor = opts.bucketFactor ?? 1.1;
    schemaForFactor(bucketFactor);
    this.limits = {
      bucketFactor,
      zeroThreshold: opts.zeroThreshold === undefined || opts.zeroThreshold === 0 ? DEFAULT_ZERO_THRESHOLD : opts.zeroThreshold,
      maxBuckets: opts.maxBuckets ?? 0,
      minResetDuration: opts.minResetDuration ?? 0,
      maxZeroThreshold: opts.maxZeroThreshold ?? 0,
    };
    if (!Number.isInteger(this.limits.maxBuckets) || this.limits.maxBuckets < 0) throw new Error(`${this.name}: maxBuckets must be a non-negative integer`);
  }

  protected initial(): NativeHistogramState {
    return new NativeHistogramState(this.limits, this.now);
  }

  /** observe(0.2) or observe({ path: '/' }, 0.2) */
  observe(labelsOrValue: LabelValues | number, value?: number): void {
    const labels = typeof labelsOrValue === 'object' ? labelsOrValue : {};
    this.child(labels).value.observe(typeof labelsOrValue === 'number' ? labelsOrValue : value!);
  }

  /** The current histogram of a label set. */
  get(labels: LabelValues = {}): FloatHistogram {
    return this.child(labels).value.snapshot();
  }

  histograms() {
    return [...this.values.values()].map((c) => ({ labels: c.labels, h: c.value.snapshot() }));
  }

  samples() {
    return [...this.values.values()].flatMap((c) => [
      { name: `${this.name}_bucket`, labels: { ...c.labels, le: '+Inf' }, value: c.value.count },
      { name: `${this.name}_sum`, labels: c.labels, value: c.value.sum },
      { name: `${this.name}_count`, labels: c.labels, value: c.value.count },
    ]);
  }
}

export type AnyMetric = Counter | Gauge | Histogram | NativeHistogram;

/** A set of metrics recorded into a database together. */
export class Registry {
  private readonly metrics = new Map<string, AnyMetric>();

  constructor(private readonly db: Appendable, private readonly constLabels: Record<string, string> = {}) {}

  private add<M extends AnyMetric>(m: M): M {
    if (this.metrics.has(m.name)) throw new Error(`a metric named ${m.name} is already registered`);
    this.metrics.set(m.name, m);
    return m;
  }

  counter(opts: MetricOptions): Counter {
    return this.add(new Counter(opts));
  }

  gauge(opts: MetricOptions): Gauge {
    return this.add(new Gauge(opts));
  }

  histogram(opts: HistogramOptions): Histogram {
    return this.add(new Histogram(opts));
  }

  nativeHistogram(opts: NativeHistogramOptions): NativeHistogram {
    return this.add(new NativeHistogram(opts));
  }

  getSingleMetric(name: string): AnyMetric | undefined {
    return this.metrics.get(name);
  }

  /** Appends every metric's current values at `t` (ms) in one commit; returns the number of samples. */
  async collect(t = Date.now()): Promise<number> {
    const app = this.db.appender();
    let n = 0;
    for (const m of this.metrics.values()) {
      if (m instanceof NativeHistogram) {
        if (!app.appendHistogram) throw new Error(`${m.name}: this storage cannot store native histograms`);
        for (const s of m.histograms()) {
          app.appendHistogram(labelsFrom({ ...this.constLabels, ...s.labels, __name__: m.name }), t, s.h);
          n++;
        }
        continue;
      }
      for (const s of m.samples()) {
        app.append(labelsFrom({ ...this.constLabels, ...s.labels, __name__: s.name }), t, s.value);
        n++;
      }
    }
    await app.commit();
    return n;
  }

  /**
   * The metrics as /metrics serves them to a scraper sending `accept`: the
   * protobuf format (native histograms whole) when it asks for it, else text.
   */
  exposition(accept?: string | null): Exposition {
    return exposition([...this.metrics.values()], this.constLabels, accept ?? '', () => this.text());
  }

  /** The metrics in the text exposition format, as prom-client's registry.metrics() returns them. */
  text(): string {
    return writeText([...this.metrics.values()].map((m) => {
      const samples = m.samples();
      return {
        name: m.name, help: m.help, type: m.type,
        samples: samples.map((s) => ({ labels: { ...this.constLabels, ...s.labels }, value: s.value })),
        sampleName: (i: number) => samples[i]!.name,
      };
    }));
  }
}
