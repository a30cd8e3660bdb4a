// Go's container/heap over series indices, ordered by byValueLess on a key
// per index: the same sift order as upstream, so the same winners among ties
// and NaN. Module functions over typed arrays, so a step's loop calls the
// same monomorphic code for every group and step.

/**
 * Where each group's heap starts in one array of series indices: group g's
 * heap lives in heap[base[g] .. base[g] + size), and never holds more than
 * its group's series, so n slots serve every group.
 */
export function groupHeapBases(groupOf: Int32Array, n: number, nGroups: number): Int32Array {
  const base = new Int32Array(nGroups + 1);
  for (let si = 0; si < n; si++) base[groupOf[si]! + 1]!++;
  for (let g = 0; g < nGroups; g++) base[g + 1]! += base[g]!;
  return base;
}

/** Go's byValueLess over key[a], key[b]: a NaN is less than anything. */
export function less(key: Float64Array, a: number, b: number): boolean {
  const fa = key[a]!;
  return fa !== fa || fa < key[b]!;
}

/** container/heap up for heap[b + j]. */
export function siftUp(heap: Int32Array, key: Float64Array, b: number, j: number): void {
  while (j > 0) {
    const i = (j - 1) >> 1;
    const hj = heap[b + j]!, hi = heap[b + i]!;
    if (!less(key, hj, hi)) break;
    heap[b + i] = hj;
    heap[b + j] = hi;
    j = i;
  }
}

/** container/heap down from the root of heap[b .. b + len). */
export function siftDown(heap: Int32Array, key: Float64Array, b: number, len: number): void {
  let i = 0;
  for (;;) {
    const j1 = 2 * i + 1;
    if (j1 >= len) break;
    let j = j1;
    const j2 = j1 + 1;
    if (j2 < len && less(key, heap[b + j2]!, heap[b + j1]!)) j = j2;
    const hj = heap[b + j]!, hi = heap[b + i]!;
    if (!less(key, hj, hi)) break;
    heap[b + i] = hj;
    heap[b + j] = hi;
    i = j;
  }
}
