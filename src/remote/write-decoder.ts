// A reader for prometheus.WriteRequest (remote write 1.0) that walks the
// protobuf bytes once and allocates nothing per sample: each TimeSeries'
// samples land in reused typed arrays, its labels stay bytes (a cache key)
// until someone asks for them. Field numbers follow prompb/remote.proto and
// prompb/types.proto; unknown fields are skipped as protobuf requires.

export class ProtoDecodeError extends Error {
  constructor(message: string, readonly offset: number) {
    super(`${message} at byte ${offset}`);
    this.name = 'ProtoDecodeError';
  }
}

const WIRE_VARINT = 0, WIRE_FIXED64 = 1, WIRE_BYTES = 2, WIRE_FIXED32 = 5;
const utf8 = new TextDecoder();

export class WriteRequestReader {
  protected pos = 0;
  private view: DataView;
  /** The current TimeSeries' samples: timestamps (ms) and values, `sampleCount` of them. */
  ts: Float64Array = new Float64Array(256);
  vs: Float64Array = new Float64Array(256);
  sampleCount = 0;
  histogramCount = 0;
  /**
   * [start, end) of the current series' label fields when they are adjacent
   * (as every sender writes them); -1 when they are interleaved with other fields.
   */
  labelsStart = -1;
  labelsEnd = -1;
  /** Payload ranges of each Label message of the current series. */
  protected labelRanges = new Int32Array(64);
  protected labelCount = 0;
  /** Payload ranges of each Exemplar message of the current series. */
  protected readonly exemplarRanges: number[] = [];
  /** Payload ranges of each Histogram message of the current series (decoded by histogram-proto.ts). */
  readonly histogramRanges: number[] = [];

  constructor(public buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /**
   * Starts over on another request, keeping the grown sample and label
   * arrays: a receiver reuses one reader rather than allocating them per request.
   */
  reset(buf: Uint8Array): this {
    this.buf = buf;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.pos = 0;
    this.seriesEnd = 0;
    this.sampleCount = 0;
    this.histogramCount = 0;
    this.labelCount = 0;
    this.labelsStart = this.labelsEnd = -1;
    this.exemplarRanges.length = 0;
    this.histogramRanges.length = 0;
    return this;
  }

  /** Advances to the next TimeSeries of the request; false at the end. */
  nextSeries(): boolean {
    const buf = this.buf;
    while (this.pos < buf.length) {
      const tagAt = this.pos;
      const tag = this.varint32();
      const field = tag >>> 3, wire = tag & 7;
      if (field === 1) {
        if (wire !== WIRE_BYTES) throw new ProtoDecodeError('WriteRequest.timeseries: wrong wire type', tagAt);
        const len = this.varint32();
        const end = this.pos + len;
        if (end > buf.length) throw new ProtoDecodeError('TimeSeries truncated', tagAt);
        this.readSeries(end);
        return true;
      }
      this.skip(wire, tagAt);
    }
    return false;
  }

  /** The current series' labels (a repeated name keeps its last value, as before). */
  labels(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const l of this.labelPairs()) out[l.name] = l.value;
    return out;
  }

  /** The current series' Label messages in order. */
  labelPairs(): { name: string; value: string }[] {
    const out: { name: string; value: string }[] = [];
    for (let i = 0; i < this.labelCount; i++) out.push(this.label(this.labelRanges[2 * i]!, this.labelRanges[2 * i + 1]!));
    this.pos = this.seriesEnd;
    return out;
  }

  /** Number of Exemplar messages in the current series. */
  get exemplarCount(): number {
    return this.exemplarRanges.length / 2;
  }

  /** The current series' exemplars (rare: decoded into objects only when asked for). */
  exemplars(): { labels: { name: string; value: string }[]; value: number; timestamp: number }[] {
    const out: { labels: { name: string; value: string }[]; value: number; timestamp: number }[] = [];
    for (let i = 0; i < this.exemplarRanges.length; i += 2) {
      const end = this.exemplarRanges[i + 1]!;
      const ex = { labels: [] as { name: string; value: string }[], value: 0, timestamp: 0 };
      this.pos = this.exemplarRanges[i]!;
      while (this.pos < end) {
        const tagAt = this.pos;
        const tag = this.varint32();
        const field = tag >>> 3, wire = tag & 7;
        if (field === 1 && wire === WIRE_BYTES) {
          const len = this.varint32();
          if (this.pos + len > end) throw new ProtoDecodeError('Exemplar label truncated', tagAt);
          ex.labels.push(this.label(this.pos, this.pos + len));
        } else if (field === 2 && wire === WIRE_FIXED64) {
          if (this.pos + 8 > end) throw new ProtoDecodeError('Exemplar.value truncated', tagAt);
          ex.value = this.view.getFloat64(this.pos, true);
          this.pos += 8;
        } else if (field === 3 && wire === WIRE_VARINT) {
          ex.timestamp = this.int64();
        } else {
          this.skip(wire, tagAt);
        }
      }
      if (this.pos !== end) throw new ProtoDecodeError('Exemplar overruns its length', end);
      out.push(ex);
    }
    this.pos = this.seriesEnd;
    return out;
  }

  private label(start: number, end: number): { name: string; value: string } {
    const buf = this.buf;
    let name = '', value = '';
    this.pos = start;
    while (this.pos < end) {
      const tagAt = this.pos;
      const tag = this.varint32();
      const field = tag >>> 3, wire = tag & 7;
      if ((field === 1 || field === 2) && wire === WIRE_BYTES) {
        const len = this.varint32();
        const p = this.pos;
        if (p + len > end) throw new ProtoDecodeError('Label string truncated', tagAt);
        const s = utf8.decode(buf.subarray(p, p + len));
        if (field === 1) name = s;
        else value = s;
        this.pos = p + len;
      } else {
        this.skip(wire, tagAt);
      }
    }
    if (this.pos !== end) throw new ProtoDecodeError('Label overruns its length', end);
    return { name, value };
  }

  protected seriesEnd = 0;

  private readSeries(end: number): void {
    const buf = this.buf;
    this.seriesEnd = end;
    this.sampleCount = 0;
    this.histogramCount = 0;
    this.labelCount = 0;
    this.exemplarRanges.length = 0;
    this.histogramRanges.length = 0;
    this.labelsStart = -1;
    this.labelsEnd = -1;
    let adjacent = true;
    while (this.pos < end) {
      const tagAt = this.pos;
      const tag = this.varint32();
      const field = tag >>> 3, wire = tag & 7;
      if (wire === WIRE_BYTES && (field === 1 || field === 2)) {
        const len = this.varint32();
        const at = this.pos;
        if (at + len > end) throw new ProtoDecodeError(field === 1 ? 'Label truncated' : 'Sample truncated', tagAt);
        if (field === 1) {
          if (this.labelsStart < 0) this.labelsStart = tagAt;
          else if (this.labelsEnd !== tagAt) adjacent = false;
          this.labelsEnd = at + len;
          if (2 * this.labelCount + 2 > this.labelRanges.length) {
            const grown = new Int32Array(this.labelRanges.length * 2);
            grown.set(this.labelRanges);
            this.labelRanges = grown;
          }
          this.labelRanges[2 * this.labelCount] = at;
          this.labelRanges[2 * this.labelCount + 1] = at + len;
          this.labelCount++;
          this.pos = at + len;
        } else if (len >= 11 && buf[at] === 0x09 && buf[at + 9] === 0x10 && this.sampleFast(at, at + len)) {
          this.pos = at + len;
        } else {
          this.readSample(at + len);
        }
      } else if (field === 3 && wire === WIRE_BYTES) {
        const len = this.varint32();
        if (this.pos + len > end) throw new ProtoDecodeError('Exemplar truncated', tagAt);
        this.exemplarRanges.push(this.pos, this.pos + len);
        this.pos += len;
      } else if (field === 4 && wire === WIRE_BYTES) {
        this.histogramCount++;
        const len = this.varint32();
        if (this.pos + len > end) throw new ProtoDecodeError('Histogram truncated', tagAt);
        this.histogramRanges.push(this.pos, this.pos + len);
        this.pos += len;
      } else {
        this.skip(wire, tagAt);
      }
    }
    if (this.pos !== end) throw new ProtoDecodeError('TimeSeries overruns its length', end);
    if (!adjacent) this.labelsStart = this.labelsEnd = -1;
  }

  /**
   * The layout every sender writes, value then timestamp (09 <8 bytes> 10
   * <varint>), read without the generic field loop; false for anything else.
   */
  private sampleFast(at: number, end: number): boolean {
    // A non-negative timestamp of up to 49 bits (7 varint bytes, until the year 19800) ending the
    // message, read with small-integer arithmetic and no error paths; the generic reader does the rest.
    const buf = this.buf;
    let p = at + 10, t = 0, scale = 1;
    for (let i = 0; i < 7 && p < end; i++, scale *= 128) {
      const b = buf[p++]!;
      t += (b & 0x7f) * scale;
      if (b < 0x80) {
        if (p !== end) return false;
        this.push(t, this.view.getFloat64(at + 1, true));
        return true;
      }
    }
    return false;
  }

  private readSample(end: number): void {
    let value = 0, t = 0;
    while (this.pos < end) {
      const tagAt = this.pos;
      const tag = this.varint32();
      const field = tag >>> 3, wire = tag & 7;
      if (field === 1 && wire === WIRE_FIXED64) {
        if (this.pos + 8 > end) throw new ProtoDecodeError('Sample.value truncated', tagAt);
        value = this.view.getFloat64(this.pos, true);
        this.pos += 8;
      } else if (field === 2 && wire === WIRE_VARINT) {
        t = this.int64();
      } else {
        this.skip(wire, tagAt);
      }
    }
    if (this.pos !== end) throw new ProtoDecodeError('Sample overruns its length', end);
    this.push(t, value);
  }

  private push(t: number, value: number): void {
    const n = this.sampleCount;
    if (n === this.ts.length) {
      const ts = new Float64Array(n * 2), vs = new Float64Array(n * 2);
      ts.set(this.ts);
      vs.set(this.vs);
      this.ts = ts;
      this.vs = vs;
    }
    this.ts[n] = t;
    this.vs[n] = value;
    this.sampleCount = n + 1;
  }

  /** A varint that must fit 32 bits (tags and lengths). */
  private varint32(): number {
    const buf = this.buf;
    // Tags and most lengths are one byte.
    const first = buf[this.pos]!;
    if (first < 0x80) {
      this.pos++;
      return first;
    }
    let result = 0, shift = 0;
    for (let i = 0; i < 5; i++) {
      if (this.pos >= buf.length) throw new ProtoDecodeError('varint truncated', this.pos);
      const b = buf[this.pos++]!;
      result += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) {
        if (result > 0xffffffff) throw new ProtoDecodeError('varint overflows 32 bits', this.pos);
        return result;
      }
      shift += 7;
    }
    throw new ProtoDecodeError('varint longer than 32 bits', this.pos);
  }

  /** An int64 varint (two's complement for negatives) as a number; exact within ±2^53. */
  private int64(): number {
    const buf = this.buf;
    let lo = 0, hi = 0, i = 0, b = 0;
    for (; i < 4; i++) {
      if (this.pos >= buf.length) throw new ProtoDecodeError('varint truncated', this.pos);
      b = buf[this.pos++]!;
      lo |= (b & 0x7f) << (7 * i);
      if (b < 0x80) return lo >>> 0;
    }
    if (this.pos >= buf.length) throw new ProtoDecodeError('varint truncated', this.pos);
    b = buf[this.pos++]!;
    lo |= (b & 0x7f) << 28;
    hi = (b & 0x7f) >>> 4;
    if (b >= 0x80) {
      for (i = 0; ; i++) {
        if (i === 5) throw new ProtoDecodeError('varint longer than 64 bits', this.pos);
        if (this.pos >= buf.length) throw new ProtoDecodeError('varint truncated', this.pos);
        b = buf[this.pos++]!;
        hi |= (b & 0x7f) << (7 * i + 3);
        if (b < 0x80) break;
      }
    }
    return (hi | 0) * 4294967296 + (lo >>> 0);
  }

  private skip(wire: number, tagAt: number): void {
    const buf = this.buf;
    if (wire === WIRE_VARINT) {
      for (let i = 0; ; i++) {
        if (i === 10) throw new ProtoDecodeError('varint longer than 64 bits', this.pos);
        if (this.pos >= buf.length) throw new ProtoDecodeError('varint truncated', this.pos);
        if (buf[this.pos++]! < 0x80) return;
      }
    }
    let len: number;
    if (wire === WIRE_FIXED64) len = 8;
    else if (wire === WIRE_FIXED32) len = 4;
    else if (wire === WIRE_BYTES) len = this.varint32();
    else throw new ProtoDecodeError(`unsupported wire type ${wire}`, tagAt);
    if (this.pos + len > buf.length) throw new ProtoDecodeError('field truncated', tagAt);
    this.pos += len;
  }
}
