// Buffers an answer's pieces are joined into, reused from one request to the
// next. A worker's answer arrives as transferred byte pieces, which gzip and
// the socket want as one buffer; a fresh buffer per answer is a megabyte of
// ArrayBuffer memory per large answer on the main thread, and V8 starts its
// mark-compacts by such memory: with the pieces not copied into new memory
// the main thread ran half as many of them (docs/QUERY-SPEED.md, "Idle gaps
// between queries"). A buffer is lent until gzip has read it or the socket
// has taken it, so answers in flight at once each have their own. Answers
// below LENT_MIN_BYTES get a buffer of their exact size and nothing is lent:
// a client pipelining many small queries without reading holds each answer's
// bytes, never a kept buffer's. Answers longer than any kept buffer are not
// joined at all: their pieces are written (or gzipped) as they are, short
// ones together (`coalesced`), since a fresh buffer of tens of megabytes cost
// more in page faults than the copy itself (docs/QUERY-SPEED.md).

/** Buffers of at most this many bytes are kept: a rare huge answer does not hold its memory for good. */
export const SCRATCH_KEEP_MAX_BYTES = 4 << 20;
/** Buffers kept idle: about as many as answers written at once. */
export const SCRATCH_KEEP = 4;
/** Shorter answers are copied into a buffer of their own size, which is not lent (the collections came from megabytes). */
export const LENT_MIN_BYTES = 256 * 1024;

export class AnswerScratch {
  private readonly idle: Buffer[] = [];

  constructor(private readonly keep = SCRATCH_KEEP, private readonly keepMaxBytes = SCRATCH_KEEP_MAX_BYTES) {}

  /** The pieces in order in one buffer, lent until `give` (a view of a buffer of at least their total length). */
  join(pieces: readonly Uint8Array[]): { bytes: Buffer; give: () => void } {
    let n = 0;
    for (const p of pieces) n += p.length;
    if (n < LENT_MIN_BYTES) return { bytes: Buffer.concat(pieces, n), give: () => {} };
    const buf = this.take(n);
    let at = 0;
    for (const p of pieces) {
      buf.set(p, at);
      at += p.length;
    }
    let given = false;
    return {
      bytes: buf.subarray(0, n),
      give: () => {
        if (given) return;
        given = true;
        this.give(buf);
      },
    };
  }

  /** Buffers idle now (for tests). */
  get idleCount(): number {
    return this.idle.length;
  }

  private take(n: number): Buffer {
    // The smallest idle buffer that holds n, and not one over twice n (what a new one's rounding could give).
    let best = -1;
    for (let i = 0; i < this.idle.length; i++) {
      const len = this.idle[i]!.length;
      if (len >= n && len <= 2 * n && (best < 0 || len < this.idle[best]!.length)) best = i;
    }
    if (best >= 0) return this.idle.splice(best, 1)[0]!;
    if (n > this.keepMaxBytes) return Buffer.allocUnsafeSlow(n);
    // Rounded up to a power of two, so an answer a little longer than the last one still finds a buffer.
    let size = LENT_MIN_BYTES;
    while (size < n) size *= 2;
    // allocUnsafeSlow: every byte handed out is written first, and never Node's shared pool (one buffer each).
    return Buffer.allocUnsafeSlow(size);
  }

  private give(buf: Buffer): void {
    if (buf.length > this.keepMaxBytes) return;
    if (this.idle.length < this.keep) {
      this.idle.push(buf);
      return;
    }
    // Full: keep the larger ones, which the large answers need.
    let smallest = 0;
    for (let i = 1; i < this.idle.length; i++) if (this.idle[i]!.length < this.idle[smallest]!.length) smallest = i;
    if (this.idle[smallest]!.length < buf.length) this.idle[smallest] = buf;
  }
}

/** Views at least this long are written as they are; shorter neighbours are copied together up to about this length. */
export const RUN_BYTES = 64 * 1024;

/**
 * The views in order with runs of short ones (a series' punctuation, its
 * labels) copied together: what a writer that pays per write (a chunk's
 * framing on the socket, a job on zlib's pool) should be given. Long views
 * are passed on as they are, not copied.
 */
export function* coalesced(views: Iterable<Uint8Array>, runBytes = RUN_BYTES): Generator<Uint8Array> {
  let run: Uint8Array[] = [], bytes = 0;
  for (const v of views) {
    if (v.length >= runBytes) {
      if (bytes > 0) yield run.length === 1 ? run[0]! : Buffer.concat(run, bytes);
      run = [];
      bytes = 0;
      yield v;
    } else if (v.length > 0) {
      run.push(v);
      bytes += v.length;
      if (bytes >= runBytes) {
        yield run.length === 1 ? run[0]! : Buffer.concat(run, bytes);
        run = [];
        bytes = 0;
      }
    }
  }
  if (bytes > 0) yield run.length === 1 ? run[0]! : Buffer.concat(run, bytes);
}
