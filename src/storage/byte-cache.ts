// A bounded least-recently-used cache of byte arrays (block chunks and index
// pages), shared by every block of a database: resident memory for block
// data is this budget, not the size of the data directory.

export class ByteCache {
  private readonly entries = new Map<string, Uint8Array>();
  bytes = 0;
  hits = 0;
  misses = 0;

  /** `capacity` in bytes; 0 keeps nothing. */
  constructor(readonly capacity: number) {}

  get(key: string, load: () => Uint8Array): Uint8Array {
    const found = this.entries.get(key);
    if (found) {
      // Re-insert: a Map iterates in insertion order, so the front is the least recently used.
      this.entries.delete(key);
      this.entries.set(key, found);
      this.hits++;
      return found;
    }
    this.misses++;
    const value = load();
    if (value.length > this.capacity) return value;
    this.entries.set(key, value);
    this.bytes += value.length;
    for (const [k, v] of this.entries) {
      if (this.bytes <= this.capacity) break;
      this.entries.delete(k);
      this.bytes -= v.length;
    }
    return value;
  }

  /** Forgets every key starting with `prefix` (a deleted block's). */
  dropPrefix(prefix: string): void {
    for (const [k, v] of this.entries) {
      if (!k.startsWith(prefix)) continue;
      this.entries.delete(k);
      this.bytes -= v.length;
    }
  }
}

/** The default --storage.tsdb.cache-size: enough for a small service's working set. */
export const DEFAULT_CACHE_SIZE = 64 * 1024 * 1024;
