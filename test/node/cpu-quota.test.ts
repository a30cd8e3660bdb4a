// The query worker pool and the collector setting follow a container's CPU
// quota, read as automaxprocs reads it for Prometheus 3.x.

import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { cgroupV2Path, quotaCores, usableCores } from '../../src/node/cpu-quota.js';

describe('quotaCores', () => {
  it('reads cgroup v2 cpu.max: the quota over the period, rounded down, at least one core', () => {
    expect(quotaCores('200000 100000\n')).toBe(2);
    expect(quotaCores('250000 100000')).toBe(2);
    expect(quotaCores('50000 100000')).toBe(1);
    expect(quotaCores('max 100000\n')).toBeNull();
  });

  it('reads cgroup v1 cfs_quota_us and cfs_period_us, -1 being no quota', () => {
    expect(quotaCores(null, '300000\n', '100000\n')).toBe(3);
    expect(quotaCores(null, '-1\n', '100000\n')).toBeNull();
    expect(quotaCores(null, null, null)).toBeNull();
  });
});

describe('usableCores', () => {
  const files = (f: Record<string, string>) => (path: string) => f[path] ?? null;

  it("takes the process's own cgroup v2 directory before the root's", () => {
    expect(cgroupV2Path('0::/system.slice/promlet.service\n')).toBe('/system.slice/promlet.service');
    expect(cgroupV2Path('0::/\n')).toBe('');
    const read = files({ '/proc/self/cgroup': '0::/svc\n', '/sys/fs/cgroup/svc/cpu.max': '100000 100000', '/sys/fs/cgroup/cpu.max': 'max 100000' });
    expect(usableCores(read)).toBe(1);
    // The other way round too, so that the test fails on a machine of one CPU if the root's file were read first.
    const roomy = files({ '/proc/self/cgroup': '0::/svc\n', '/sys/fs/cgroup/svc/cpu.max': 'max 100000', '/sys/fs/cgroup/cpu.max': '100000 100000' });
    expect(quotaCores(roomy('/sys/fs/cgroup/svc/cpu.max'))).toBeNull();
    expect(usableCores(files({ '/proc/self/cgroup': '0::/svc\n', '/sys/fs/cgroup/svc/cpu.max': '100000 100000', '/sys/fs/cgroup/cpu.max': '300000 100000' }))).toBe(1);
  });

  it('never goes above the CPUs the process may run on, and is those without a quota', () => {
    expect(usableCores(files({ '/sys/fs/cgroup/cpu.max': `${(availableParallelism() + 8) * 100000} 100000` }))).toBe(availableParallelism());
    expect(usableCores(files({}))).toBe(availableParallelism());
    expect(usableCores(files({ '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': '100000', '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000' }))).toBe(1);
  });
});
