// Idle cores from two readings of the CPU times at least a window apart.

import { describe, expect, it, vi } from 'vitest';
import { quotaTimes, spareCores } from '../../src/node/spare-cores.js';

describe('spareCores', () => {
  it('gives the idle share of the cores between readings a window apart, and reads no more often', () => {
    vi.useFakeTimers();
    try {
      let idle = 0, total = 0, reads = 0;
      const read = () => {
        reads++;
        return { idle, total, cores: 2 };
      };
      const spare = spareCores(500, read);
      // Before a second reading: all cores assumed spare.
      expect(spare()).toBe(2);
      idle += 25, total += 100;
      vi.advanceTimersByTime(499);
      expect(spare()).toBe(2);
      expect(reads).toBe(1);
      vi.advanceTimersByTime(1);
      expect(spare()).toBe(0.5);
      expect(reads).toBe(2);
      idle += 0, total += 100;
      vi.advanceTimersByTime(600);
      expect(spare()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('reads the machine by default', () => {
    const s = spareCores(0)();
    expect(s).toBeGreaterThanOrEqual(0);
  });
});

describe('quotaTimes', () => {
  it("leaves spare what a CPU quota allows beyond the process's own use, however idle the host", () => {
    vi.useFakeTimers();
    try {
      let now = 0, own = 0;
      const spare = spareCores(500, quotaTimes(2, () => now, () => own));
      now += 1000, own += 1500;
      vi.advanceTimersByTime(1000);
      expect(spare()).toBeCloseTo(0.5, 10);
      now += 1000, own += 2500;
      vi.advanceTimersByTime(1000);
      expect(spare()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
