// A bounded cache of byte arrays (block chunks and index pages), shared by
// every block of a database: resident memory for block data is this budget,
// not the size of the data directory. Eviction is CLOCK (second chance) over
// a ring of slots: a hit only sets a flag, and evicting never walks a map
// from its front (V8 maps keep deleted entries there until they rehash,
// which made front-walking eviction quadratic on a busy cache).
//
// Pages (getPage) are reused in place: once readers say they hold no view
// of a page (settle()), a few cold pages are evicted ahead into a small pool
// and the next misses read into their buffers, so a long scan through the
// cache makes no garbage. A page evicted by an insert (a reader may still
// view it) is left to the collector, as any value. V8
// collects ArrayBuffers only after external memory has grown some 64 MB, so
// without reuse every thread with a cache could hold that much in evicted
// pages on top of its budget.

/** Reads a page into `into` and returns how many bytes it wrote (an object a reader keeps, where a closure would be made per lookup). */
export interface PageFiller {
  fill(into: Uint8Array): number;
}

export class ByteCache {
  private readonly slotOf = new Map<string, number>();
  private keys: (string | null)[] = [];
  private values: (Uint8Array | null)[] = [];
  private used: boolean[] = [];
  /** Whether a slot's value is a page this cache allocated (its buffer may be reused once evicted). */
  private owned: boolean[] = [];
  private readonly free: number[] = [];
  /** Page buffers no reader holds: the next misses read into them. */
  private spare: Uint8Array[] = [];
  /** The page size reused buffers have (the first getPage's). */
  private pageSize = 0;
  private hand = 0;
  bytes = 0;
  hits = 0;
  misses = 0;
  /** Pages read into a reused buffer, and pages whose buffer was left to the collector. */
  reused = 0;
  discarded = 0;

  /** Bytes held in page buffers waiting for reuse; within the capacity with the live values. */
  get pooledBytes(): number {
    return this.spare.length * this.pageSize;
  }

  /** `capacity` in bytes; 0 keeps nothing. */
  constructor(public capacity: number) {}

  /** Changes the budget (a share of it given to query workers' own caches), evicting down to it. */
  resize(capacity: number): void {
    this.capacity = capacity;
    this.discarded += this.spare.length;
    this.spare = [];
    if (this.keys.length > 0) this.evict(-1);
  }

  /** The cached value, marked as used; counts the hit or the miss. */
  private lookup(key: string): Uint8Array | undefined {
    const held = this.peek(key);
    if (held) this.hits++;
    else this.misses++;
    return held;
  }

  get(key: string, load: () => Uint8Array): Uint8Array {
    const cached = this.lookup(key);
    if (cached) return cached;
    const value = load();
    if (value.length > this.capacity) return value;
    this.insert(key, value, false);
    return value;
  }

  /**
   * Like get, for a page of at most `size` bytes (the same size on every
   * call): a miss reads it with `fill` into a buffer of `size` bytes (one
   * settle() freed, where there is one) and `fill` returns how
   * many bytes it wrote. The value is a view of that buffer: valid until the
   * caller next calls settle().
   */
  getPage(key: string, size: number, fill: ((into: Uint8Array) => number) | PageFiller): Uint8Array {
    const cached = this.lookup(key);
    if (cached) return cached;
    if (this.pageSize === 0) this.pageSize = size;
    const poolable = size === this.pageSize && size <= this.capacity;
    let buf = poolable ? this.spare.pop() : undefined;
    if (buf) this.reused++;
    else buf = new Uint8Array(size);
    const value = buf.subarray(0, typeof fill === 'function' ? fill(buf) : fill.fill(buf));
    if (!poolable) return value;
    this.insert(key, value, true);
    return value;
  }

  /**
   * Says that no reader holds a view of a page any more (each has copied
   * what it read): with the cache full a few cold pages are evicted ahead
   * into the pool, so the next misses need no new buffer. The pool is 1/16
   * of the capacity (at least a page).
   */
  settle(): void {
    if (this.pageSize === 0 || this.keys.length === 0) return;
    const target = Math.max(1, Math.floor(this.capacity / 16 / this.pageSize));
    const n = this.keys.length;
    for (let steps = 0; this.spare.length < target && this.bytes + this.pooledBytes + this.pageSize > this.capacity && steps < 2 * n + 1; steps++) {
      const h = this.hand;
      this.hand = (h + 1) % n;
      if (this.keys[h] === null || !this.owned[h]) continue;
      if (this.used[h]) {
        this.used[h] = false;
        continue;
      }
      const buf = this.values[h]!;
      this.remove(h);
      this.spare.push(new Uint8Array(buf.buffer, 0, this.pageSize));
    }
  }

  private insert(key: string, value: Uint8Array, owned: boolean): void {
    const at = this.free.pop() ?? this.keys.length;
    this.keys[at] = key;
    this.values[at] = value;
    this.used[at] = false;
    this.owned[at] = owned;
    this.slotOf.set(key, at);
    this.bytes += owned ? this.pageSize : value.length;
    this.evict(at);
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
    // Reusable buffers go first: they hold memory no reader needs.
    while (this.bytes + this.pooledBytes > this.capacity && this.spare.length > 0) {
      this.spare.pop();
      this.discarded++;
    }
    const n = this.keys.length;
    for (let steps = 0; this.bytes + this.pooledBytes > this.capacity && steps < 2 * n + 1; steps++) {
      const h = this.hand;
      this.hand = (h + 1) % n;
      if (h === keep || this.keys[h] === null) continue;
      if (this.used[h]) {
        this.used[h] = false;
        continue;
      }
      // A reader may still view an evicted page: its buffer goes to the collector.
      if (this.owned[h]) this.discarded++;
      this.remove(h);
    }
  }

  private remove(slot: number): void {
    this.slotOf.delete(this.keys[slot]!);
    this.bytes -= this.owned[slot] ? this.pageSize : this.values[slot]!.length;
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
