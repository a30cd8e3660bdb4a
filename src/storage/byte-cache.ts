// A bounded cache of byte arrays (block chunks and index pages), shared by
// every block of a database: resident memory for block data is this budget,
// not the size of the data directory. Eviction is CLOCK (second chance) over
// a ring of slots: a hit only sets a flag, and evicting never walks a map
// from its front (V8 maps keep deleted entries there until they rehash,
// which made front-walking eviction quadratic on a busy cache).

export class ByteCache {
  private readonly slotOf = new Map<string, number>();
  private keys: (string | null)[] = [];
  private values: (Uint8Array | null)[] = [];
  private used: boolean[] = [];
  private readonly free: number[] = [];
  private hand = 0;
  bytes = 0;
  hits = 0;
  misses = 0;

  /** `capacity` in bytes; 0 keeps nothing. */
  constructor(public capacity: number) {}

  /** Changes the budget (a share of it given to query workers' own caches), evicting down to it. */
  resize(capacity: number): void {
    this.capacity = capacity;
    if (this.keys.length > 0) this.evict(-1);
  }

  get(key: string, load: () => Uint8Array): Uint8Array {
    const slot = this.slotOf.get(key);
    if (slot !== undefined) {
      this.used[slot] = true;
      this.hits++;
      return this.values[slot]!;
    }
    this.misses++;
    const value = load();
    if (value.length > this.capacity) return value;
    const at = this.free.pop() ?? this.keys.length;
    this.keys[at] = key;
    this.values[at] = value;
    this.used[at] = false;
    this.slotOf.set(key, at);
    this.bytes += value.length;
    this.evict(at);
    return value;
  }

  /** The value under `key` if held (counted as a use, not as a hit or miss). */
  peek(key: string): Uint8Array | undefined {
    const slot = this.slotOf.get(key);
    if (slot === undefined) return undefined;
    this.used[slot] = true;
    return this.values[slot]!;
  }

  /** Keeps `value` under `key` (if it fits), as a miss that loaded it would. */
  put(key: string, value: Uint8Array): void {
    if (!this.slotOf.has(key)) this.get(key, () => value);
  }

  /** Advances the hand: a used slot gets a second chance, an unused one goes (never `keep`, just added). */
  private evict(keep: number): void {
    const n = this.keys.length;
    for (let steps = 0; this.bytes > this.capacity && steps < 2 * n + 1; steps++) {
      const h = this.hand;
      this.hand = (h + 1) % n;
      if (h === keep || this.keys[h] === null) continue;
      if (this.used[h]) {
        this.used[h] = false;
        continue;
      }
      this.remove(h);
    }
  }

  private remove(slot: number): void {
    this.slotOf.delete(this.keys[slot]!);
    this.bytes -= this.values[slot]!.length;
    this.keys[slot] = null;
    this.values[slot] = null;
    this.free.push(slot);
  }

  /** Forgets every key starting with `prefix` (a deleted block's). */
  dropPrefix(prefix: string): void {
    for (const [k, slot] of [...this.slotOf]) if (k.startsWith(prefix)) this.remove(slot);
  }
}

/** The default --storage.tsdb.cache-size: enough for a small service's working set. */
export const DEFAULT_CACHE_SIZE = 64 * 1024 * 1024;
