// JSON text built as UTF-8 bytes in one growing buffer and decoded once at
// the end. Building a large answer by string concatenation keeps a rope of
// small strings alive until it is flattened: in a query worker's capped
// young generation the garbage collector copied that rope again and again,
// which cost more than the concatenation saved. Numbers' texts come as
// bytes too (src/wasm/float-text.ts): no string is made per point.

import { QueryMemoryError } from './errors.js';

const encoder = new TextEncoder();
// A leading U+FEFF is text, not a mark to drop (an answer starts with '[' anyway).
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

// Where finishBytes gets the array it hands over: see setByteAllocator.
let allocate = (n: number): Uint8Array => new Uint8Array(n);

/**
 * Sets how finishBytes allocates the array it copies an answer's bytes
 * into. Every byte of it is written, so an allocation that skips filling it
 * with zeros is safe and several times cheaper for a large answer (Node's
 * allocUnsafeSlow, which the query worker sets: its own ArrayBuffer,
 * transferable, not the shared pool's).
 */
export function setByteAllocator(f: (n: number) => Uint8Array): void {
  allocate = f;
}

// The buffer is kept between answers up to this size; a larger one is let go.
const KEEP_BYTES = 4 * 1024 * 1024;

/**
 * A buffer this large is handed over with its slack rather than copied out.
 * The C library maps an allocation of 32 MiB or more on its own, and the
 * kernel gives its pages as they are first written: the slack never written
 * takes address space, not memory. A copy writes every byte again into
 * fresh pages, and first writes are the dear part: on the benchmark's
 * machines 2.8 ms a MiB against 0.04 ms for memory already in use. Over
 * 10,000 series × 24 h, `group_left`'s two 39 MB parts took each worker 510–550
 * ms of CPU with the copy and 390–400 ms without, and the server's peak
 * resident memory was 708 MiB against 758 MiB.
 */
const SLACK_UNTOUCHED_BYTES = 32 * 1024 * 1024;
let kept: Uint8Array | null = null;

export class JsonBytes {
  /** Hot loops write these directly, after room(). */
  buf: Uint8Array;
  pos = 0;

  /**
   * limit: the query memory budget. The buffer lives outside V8's heap, so
   * the worker's heap limit never sees it: an answer's text is held to the
   * budget here instead. hardLimit: what all the text may come to, uncounted
   * text included (label sets and histograms, which the budget does not
   * count but which still take memory here).
   */
  constructor(private limit = Infinity, private readonly hardLimit = Infinity) {
    // A kept buffer larger than the limit would let the text pass it without growing, where it is checked.
    this.buf = kept !== null && kept.length <= limit ? kept : new Uint8Array(64 * 1024);
    kept = null;
  }

  /** Makes room for `need` more bytes past pos; buf may be a new array after. */
  room(need: number): void {
    if (this.pos + need > this.buf.length) this.grow(need);
  }

  private grow(need: number): void {
    if (this.pos + need > this.limit) throw new QueryMemoryError(this.limit);
    if (this.pos + need > this.hardLimit) throw new QueryMemoryError(this.hardLimit);
    let size = this.buf.length * 2;
    while (size < this.pos + need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  /** Text known to be ASCII (numbers, punctuation, fixed keys); anything else goes through text(). */
  ascii(s: string): void {
    const n = s.length;
    if (this.pos + n > this.buf.length) this.grow(n);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) buf[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  /** One ASCII character by its code. */
  byte(c: number): void {
    if (this.pos + 1 > this.buf.length) this.grow(1);
    this.buf[this.pos++] = c;
  }

  /** Bytes src[from, to): ASCII text made elsewhere. */
  copy(src: Uint8Array, from: number, to: number): void {
    const n = to - from;
    if (this.pos + n > this.buf.length) this.grow(n);
    const buf = this.buf;
    let p = this.pos;
    // A number's text is a few bytes: a loop is cheaper than a subarray and set() for it.
    if (n > 64) {
      buf.set(src.subarray(from, to), p);
      this.pos = p + n;
      return;
    }
    for (let i = from; i < to; i++) buf[p++] = src[i]!;
    this.pos = p;
  }

  /** Any text (label sets' JSON): UTF-8 encoded. JSON.stringify leaves no lone surrogate to lose. */
  text(s: string): void {
    // At most three bytes per UTF-16 code unit.
    if (this.pos + s.length * 3 > this.buf.length) this.grow(s.length * 3);
    this.pos += encoder.encodeInto(s, this.buf.subarray(this.pos)).written;
  }

  /** What `write` writes is not held to the limit: text the memory budget does not count (label sets, histograms). */
  uncounted(write: () => void): void {
    const from = this.pos, limit = this.limit;
    this.limit = Infinity;
    try {
      write();
    } finally {
      this.limit = limit + (this.pos - from);
    }
  }

  /** The text written, once; the buffer goes back for the next answer. */
  finish(): string {
    if (this.pos > this.limit) throw new QueryMemoryError(this.limit);
    const s = decoder.decode(this.buf.subarray(0, this.pos));
    if (this.buf.length <= KEEP_BYTES) kept = this.buf;
    this.pos = 0;
    return s;
  }

  /**
   * The bytes written, once, in an array of their own: a query worker
   * transfers its buffer to the thread that answers, which sends the bytes
   * as they are (no decoding into a string here, no encoding back there).
   */
  finishBytes(): Uint8Array {
    if (this.pos > this.limit) throw new QueryMemoryError(this.limit);
    let out: Uint8Array;
    if (this.buf.length <= KEEP_BYTES) {
      out = allocate(this.pos);
      out.set(this.buf.subarray(0, this.pos));
      kept = this.buf;
    } else if (this.buf.length > this.pos * 1.25 && this.buf.length < SLACK_UNTOUCHED_BYTES) {
      // The doubled buffer's slack would go along with the bytes and be held until the answer is sent.
      out = allocate(this.pos);
      out.set(this.buf.subarray(0, this.pos));
    } else out = this.buf.subarray(0, this.pos);
    this.pos = 0;
    return out;
  }
}

/** Each string's ASCII bytes one after another, and where each starts (offsets[i] to offsets[i + 1]). */
export function asciiTable(texts: readonly string[]): { bytes: Uint8Array; offsets: Uint32Array } {
  let total = 0;
  for (const t of texts) total += t.length;
  const bytes = new Uint8Array(total), offsets = new Uint32Array(texts.length + 1);
  let p = 0;
  for (let i = 0; i < texts.length; i++) {
    offsets[i] = p;
    const t = texts[i]!;
    for (let j = 0; j < t.length; j++) bytes[p++] = t.charCodeAt(j);
  }
  offsets[texts.length] = p;
  return { bytes, offsets };
}
