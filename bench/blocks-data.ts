// The high-entropy gauges of the blocks benchmark, shared by its writer child and the checks.

/** The value of series s at point p: a hash, so every value differs in most bits (worst case for XOR coding). */
export function gaugeValue(s: number, p: number): number {
  let h = Math.imul(s ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(p + 1, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 13), 0x27d4eb2f);
  return ((h ^ (h >>> 16)) >>> 0) / 1024;
}
