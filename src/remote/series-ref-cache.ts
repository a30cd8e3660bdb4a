// Series refs by the raw bytes of their labels in a request: a sender
// writes the same bytes for a series every time, so a known series costs a
// hash and a compare instead of decoding, sorting and looking up its labels.
// A ref may outlive its series (retention); the appender then answers
// UnknownSeriesError and the caller resolves the labels again.

interface Entry {
  key: Uint8Array;
  ref: number;
  next: Entry | undefined;
}

/** FNV-1a over bytes. */
function hashBytes(buf: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
  return h >>> 0;
}

function sameBytes(key: Uint8Array, buf: Uint8Array, start: number, end: number): boolean {
  if (key.length !== end - start) return false;
  for (let i = 0; i < key.length; i++) if (key[i] !== buf[start + i]) return false;
  return true;
}

export class SeriesRefCache {
  private readonly buckets = new Map<number, Entry>();
  private count = 0;

  /** maxEntries bounds memory under series churn: past it the cache starts over. */
  constructor(readonly maxEntries = 1 << 20) {}

  get size(): number {
    return this.count;
  }

  get(buf: Uint8Array, start: number, end: number): number | undefined {
    for (let e = this.buckets.get(hashBytes(buf, start, end)); e; e = e.next) {
      if (sameBytes(e.key, buf, start, end)) return e.ref;
    }
    return undefined;
  }

  set(buf: Uint8Array, start: number, end: number, ref: number): void {
    const h = hashBytes(buf, start, end);
    const head = this.buckets.get(h);
    for (let e = head; e; e = e.next) {
      if (sameBytes(e.key, buf, start, end)) {
        e.ref = ref;
        return;
      }
    }
    if (this.count >= this.maxEntries) {
      this.buckets.clear();
      this.count = 0;
    }
    this.buckets.set(h, { key: buf.slice(start, end), ref, next: this.count === 0 ? undefined : head });
    this.count++;
  }
}
