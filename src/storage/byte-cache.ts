// A bounded cache of byte arrays (block chunks and index pages), shared by
// every block of a database: resident memory for block data is this budget,
// not the size of the data directory. Eviction is CLOCK (second chance), an
// approximation of least-recently-used whose hits only set a flag, so a
// query touching thousands of cached chunks does not reorder a map each time.

interface Entry {
  value: Uint8Array;
  used: boolean;
}

export class ByteCache {
  private readonly entries = new Map<string, Entry>();
  bytes = 0;
  hits = 0;
  misses = 0;

  /** `capacity` in bytes; 0 keeps nothing. */
  constructor(readonly capacity: number) {}

  get(key: string, load: () => Uint8Array): Uint8Array {
    const found = this.entries.get(key);
    if (found) {
      found.used = true;
      this.hits++;
      return found.value;
    }
    this.misses++;
    const value = load();
    if (value.length > this.capacity) return value;
    this.entries.set(key, { value, used: false });
    this.bytes += value.length;
    this.evict();
    return value;
  }

  /** Walks from the oldest entry: a used one gets a second chance at the back, an unused one goes. */
  private evict(): void {
    let budget = this.entries.size * 2;
    while (this.bytes > this.capacity && budget-- > 0) {
      const first = this.entries.entries().next();
      if (first.done) return;
      const [k, e] = first.value;
      this.entries.delete(k);
      if (e.used) {
        e.used = false;
        this.entries.set(k, e);
      } else {
        this.bytes -= e.value.length;
      }
    }
  }

  /** Forgets every key starting with `prefix` (a deleted block's). */
  dropPrefix(prefix: string): void {
    for (const [k, e] of this.entries) {
      if (!k.startsWith(prefix)) continue;
      this.entries.delete(k);
      this.bytes -= e.value.length;
    }
  }
}

/** The default --storage.tsdb.cache-size: enough for a small service's working set. */
export const DEFAULT_CACHE_SIZE = 64 * 1024 * 1024;
