// Delta temporality to cumulative, as Prometheus's otlp-deltatocumulative
// feature does with the OpenTelemetry Collector's deltatocumulative
// processor: per stream (resource, scope, metric, point attributes) the
// deltas are added up from the first one's start time; a point that starts
// before the stream's last point ended is out of order and dropped; streams
// without points for `maxStale` are forgotten; past `maxStreams` new streams
// are dropped. Sums and explicit-bucket histograms are converted in place.

import { int64, double, nanosToMillis, temporality, type KeyValue, type OtlpRequest } from './decode.js';

const DELTA = 1, CUMULATIVE = 2;

interface Stream {
  start: string | number | undefined;
  last: number;
  seen: number;
  value: number;
  bounds?: string;
  counts?: number[];
  count?: number;
  sum?: number;
}

export interface DeltaOptions {
  maxStreams?: number;
  /** ms a stream is kept without points (the processor's max_stale, 5m). */
  maxStale?: number;
  now?: () => number;
}

const attrsKey = (a: KeyValue[] | undefined) => JSON.stringify((a ?? []).map((x) => [x.key, x.value ?? null]).sort((p, q) => (p[0]! < q[0]! ? -1 : 1)));

export class DeltaToCumulative {
  private readonly streams = new Map<string, Stream>();
  dropped = { outOfOrder: 0, limit: 0 };

  constructor(private readonly o: DeltaOptions = {}) {}

  private evict(now: number): void {
    const maxStale = this.o.maxStale ?? 5 * 60_000;
    for (const [k, s] of this.streams) if (now - s.seen > maxStale) this.streams.delete(k);
  }

  private stream(key: string, start: string | number | undefined, t: number, now: number): Stream | null {
    let s = this.streams.get(key);
    if (s) {
      if (nanosToMillis(start) < s.last) {
        this.dropped.outOfOrder++;
        return null;
      }
      return s;
    }
    if (this.streams.size >= (this.o.maxStreams ?? 100_000)) {
      this.dropped.limit++;
      return null;
    }
    s = { start, last: t, seen: now, value: 0 };
    this.streams.set(key, s);
    return s;
  }

  /** Rewrites the request's delta sums and histograms as cumulative ones. */
  convert(req: OtlpRequest): void {
    const now = this.o.now?.() ?? Date.now();
    this.evict(now);
    for (const rm of req.resourceMetrics ?? []) {
      const res = attrsKey(rm.resource?.attributes);
      for (const sm of rm.scopeMetrics ?? []) {
        const scope = JSON.stringify([sm.scope?.name ?? '', sm.scope?.version ?? '', attrsKey(sm.scope?.attributes)]);
        for (const m of sm.metrics ?? []) {
          // JSON, like the attributes: a name or unit holding the separator could not make two streams one.
          const base = JSON.stringify([res, scope, m.name ?? '', m.unit ?? '']);
          if (m.sum && temporality(m.sum.aggregationTemporality) === DELTA) {
            m.sum.dataPoints = (m.sum.dataPoints ?? []).filter((p) => {
              const t = nanosToMillis(p.timeUnixNano);
              const s = this.stream(`${base}\xffsum:${m.sum!.isMonotonic ? 1 : 0}\xff${attrsKey(p.attributes)}`, p.startTimeUnixNano, t, now);
              if (!s) return false;
              s.value += p.asInt !== undefined ? int64(p.asInt) : double(p.asDouble);
              s.last = t;
              s.seen = now;
              if (p.asInt !== undefined) p.asInt = String(s.value);
              else p.asDouble = s.value;
              p.startTimeUnixNano = s.start;
              return true;
            });
            m.sum.aggregationTemporality = CUMULATIVE;
          }
          if (m.histogram && temporality(m.histogram.aggregationTemporality) === DELTA) {
            m.histogram.dataPoints = (m.histogram.dataPoints ?? []).filter((p) => {
              const t = nanosToMillis(p.timeUnixNano);
              const s = this.stream(`${base}\xffhistogram\xff${attrsKey(p.attributes)}`, p.startTimeUnixNano, t, now);
              if (!s) return false;
              const bounds = JSON.stringify(p.explicitBounds ?? []);
              const counts = (p.bucketCounts ?? []).map(int64);
              // Changed bucket bounds start the stream again, as the processor does.
              if (s.bounds !== bounds) {
                s.bounds = bounds;
                s.counts = counts.map(() => 0);
                s.count = 0;
                s.sum = 0;
                s.start = p.startTimeUnixNano;
              }
              counts.forEach((c, i) => (s.counts![i] = (s.counts![i] ?? 0) + c));
              s.count! += int64(p.count);
              if (p.sum !== undefined) s.sum! += double(p.sum);
              s.last = t;
              s.seen = now;
              p.bucketCounts = s.counts!.map(String);
              p.count = String(s.count);
              if (p.sum !== undefined) p.sum = s.sum;
              p.startTimeUnixNano = s.start;
              return true;
            });
            m.histogram.aggregationTemporality = CUMULATIVE;
          }
        }
      }
    }
  }

  get size(): number {
    return this.streams.size;
  }
}
