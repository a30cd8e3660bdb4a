// The scrape loop's view of a protobuf exposition body, shaped like
// SampleScanner (one sample at a time, its series text, hash and value) so
// the scrape cache and staleness work the same for both; the "series text"
// of a protobuf sample is its label set's labelsKey.

import { CounterResetHint, type FloatHistogram } from '../model/histogram.js';
import type { Exemplar, MetricMetadata, ParsedSample } from './parse.js';
import { type ProtobufParseOptions, type ProtobufSample, parseProtobufExposition } from './protobuf-parse.js';

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export class ProtobufScanner {
  private readonly samples: ProtobufSample[];
  readonly metadata: Map<string, MetricMetadata>;
  private i = -1;
  private cur: ProtobufSample | undefined;
  seriesHash = 0;
  /** Always ≥ 0: every protobuf sample has a series text. */
  seriesEnd = 0;

  constructor(body: Uint8Array, opts: ProtobufParseOptions) {
    const parsed = parseProtobufExposition(body, opts);
    this.samples = parsed.samples;
    this.metadata = parsed.metadata;
  }

  nextLine(): boolean {
    this.cur = this.samples[++this.i];
    if (!this.cur) return false;
    this.seriesEnd = this.cur.key.length;
    return true;
  }

  known(key: string): boolean {
    return this.cur!.key === key;
  }

  read(): void {
    this.seriesHash = fnv1a(this.cur!.key);
  }

  get series(): string {
    return this.cur!.key;
  }

  seriesIs(key: string): boolean {
    return this.cur!.key === key;
  }

  get value(): number {
    return this.cur!.value;
  }

  get timestamp(): number | undefined {
    return this.cur!.timestamp;
  }

  /** The current native histogram sample, a copy the caller may change; undefined for a float sample. */
  get histogram(): FloatHistogram | undefined {
    const h = this.cur!.histogram;
    if (!h) return undefined;
    return {
      ...h, positiveSpans: h.positiveSpans.map((s) => ({ ...s })), positiveBuckets: [...h.positiveBuckets],
      negativeSpans: h.negativeSpans.map((s) => ({ ...s })), negativeBuckets: [...h.negativeBuckets],
      counterResetHint: h.counterResetHint ?? CounterResetHint.Unknown,
    };
  }

  get exemplar(): Exemplar | undefined {
    return this.cur!.exemplars[0];
  }

  get exemplars(): Exemplar[] {
    return this.cur!.exemplars;
  }

  parse(): ParsedSample {
    const c = this.cur!;
    const s: ParsedSample = { labels: c.labels, value: c.value, line: this.i + 1 };
    if (c.timestamp !== undefined) s.timestamp = c.timestamp;
    if (c.emptyLabels) s.emptyLabels = c.emptyLabels;
    return s;
  }
}
