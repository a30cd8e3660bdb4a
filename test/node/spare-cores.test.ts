// Idle cores from two readings of the CPU times at least a window apart, and
// from the run queue's length at this moment less this process's own threads.

import { describe, expect, it, vi } from 'vitest';
import { eitherSpare, othersCpuTimes, quotaTimes, runQueueSpare, spareCores } from '../../src/node/spare-cores.js';

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

describe('runQueueSpare', () => {
  const loadavg = (running: number) => `0.52 0.61 0.70 ${running}/312 4242\n`;

  it('leaves the cores that runnable threads other than the asking one do not take', () => {
    let running = 1;
    const spare = runQueueSpare(4, () => loadavg(running), () => 1)!;
    expect(spare()).toBe(4);
    running = 3;
    expect(spare()).toBe(2);
    running = 9;
    expect(spare()).toBe(0);
  });

  it("does not count this process's own runnable threads as another's load", () => {
    let own = 0;
    const spare = runQueueSpare(2, () => loadavg(4), () => own)!;
    // Three of the four are this process's (a query worker still collecting garbage, say): one other is left.
    own = 3;
    expect(spare()).toBe(1);
    // The asking thread is runnable even when the listing missed it.
    own = 0;
    expect(spare()).toBe(0);
    own = 2;
    expect(spare()).toBe(0);
  });

  it("reads its own threads only when the run queue alone leaves less than half a core", () => {
    let running = 2, reads = 0;
    const spare = runQueueSpare(2, () => loadavg(running), () => (reads++, 1))!;
    expect(spare()).toBe(1);
    expect(reads).toBe(0);
    running = 5;
    expect(spare()).toBe(0);
    expect(reads).toBe(1);
  });

  it('is null where there is no run queue to read, and no spare core when it stops being readable', () => {
    expect(runQueueSpare(2, () => null)).toBeNull();
    expect(runQueueSpare(2, () => 'not a load average')).toBeNull();
    let text: string | null = loadavg(1);
    const spare = runQueueSpare(2, () => text, () => 1)!;
    expect(spare()).toBe(2);
    text = null;
    expect(spare()).toBe(0);
  });

  it('reads this machine by default on Linux', () => {
    const spare = runQueueSpare(2);
    if (process.platform !== 'linux') return expect(spare).toBeNull();
    const s = spare!();
    expect(s).toBeGreaterThanOrEqual(0);
    expect(s).toBeLessThanOrEqual(2);
  });
});

describe('othersCpuTimes', () => {
  it("counts this process's own CPU time as idle: only other processes' use is load", () => {
    vi.useFakeTimers();
    try {
      let idle = 0, total = 0, own = 0;
      const spare = spareCores(500, othersCpuTimes(() => ({ idle, total, cores: 2 }), () => own));
      // Both cores busy for a second, three quarters of it this process's own.
      total += 2000, own += 1500;
      vi.advanceTimersByTime(1000);
      expect(spare()).toBe(1.5);
      // Busy with other processes only.
      total += 2000;
      vi.advanceTimersByTime(1000);
      expect(spare()).toBe(0);
      idle += 1000, total += 2000, own += 500;
      vi.advanceTimersByTime(1000);
      expect(spare()).toBe(1.5);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('eitherSpare', () => {
  it('leaves what the more generous reading leaves, never more than the cores, and the late one alone without a run queue', () => {
    let now = 0, late = 0;
    const spare = eitherSpare(2, () => now, () => late);
    expect(spare()).toBe(0);
    now = 1;
    expect(spare()).toBe(1);
    now = 0, late = 1.5;
    expect(spare()).toBe(1.5);
    late = 2.3;
    expect(spare()).toBe(2);
    expect(eitherSpare(2, null, () => 0.7)()).toBe(0.7);
  });
});
