// limit_ratio's per-series offset: where a label set falls in [0, 1), from
// the xxhash64 of its labels as Prometheus hashes them (engine.go
// ratiosampler.sampleOffset), so the same series are kept as upstream.

import type { Labels } from '../../model/labels.js';
import { xxhash64 } from './xxhash64.js';

function labelsHash(ls: Labels): bigint {
  const enc = new TextEncoder();
  const parts: number[] = [];
  for (const l of ls) {
    parts.push(...enc.encode(l.name), 0xff, ...enc.encode(l.value), 0xff);
  }
  return xxhash64(new Uint8Array(parts));
}

const MAX_UINT64 = 18446744073709551615;

// A label set's offset never changes: hashing it again at every step was most of limit_ratio's time.
const ratioOffsets = new WeakMap<Labels, number>();

/** limit_ratio's deterministic per-series offset in [0, 1). */
export function ratioOffset(ls: Labels): number {
  let off = ratioOffsets.get(ls);
  if (off === undefined) ratioOffsets.set(ls, (off = Number(labelsHash(ls)) / MAX_UINT64));
  return off;
}

/** Whether limit_ratio keeps a series at `offset` (from ratioOffset): the first `ratio` of [0, 1), or for a negative ratio its complement. */
export function ratioKeeps(ratio: number, offset: number): boolean {
  return (ratio >= 0 && offset < ratio) || (ratio < 0 && offset >= 1 + ratio);
}
