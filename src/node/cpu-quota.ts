// The cores a process may use: node's availableParallelism() counts the CPUs
// it may run on, not a container's CPU quota, so on a 2-CPU quota of a
// 64-core host promlet started 20 query workers that then took turns on the
// quota. Prometheus 3.x sets GOMAXPROCS from the same quota (automaxprocs:
// the quota over its period, rounded down, at least 1); promlet sizes its
// query worker pool from it the same way.

import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** The cores a cgroup CPU quota allows (rounded down, at least 1), or null when there is none. */
export function quotaCores(cpuMax: string | null, cfsQuota: string | null = null, cfsPeriod: string | null = null): number | null {
  // cgroup v2: "QUOTA PERIOD" or "max PERIOD".
  if (cpuMax !== null) {
    const [quota, period] = cpuMax.trim().split(/\s+/);
    return cores(Number(quota), Number(period ?? 100_000));
  }
  // cgroup v1: the quota is -1 when unlimited.
  if (cfsQuota !== null && cfsPeriod !== null) return cores(Number(cfsQuota.trim()), Number(cfsPeriod.trim()));
  return null;
}

function cores(quota: number, period: number): number | null {
  if (!(quota > 0) || !(period > 0) || !Number.isFinite(quota)) return null;
  return Math.max(1, Math.floor(quota / period));
}

const readOrNull = (path: string): string | null => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
};

/** This process's cgroup v2 directory under /sys/fs/cgroup ('' at the root, as inside a container's own namespace). */
export function cgroupV2Path(procSelfCgroup: string | null): string {
  const line = procSelfCgroup?.split('\n').find((l) => l.startsWith('0::'));
  const path = line?.slice(3).trim() ?? '/';
  return path === '/' ? '' : path;
}

/** availableParallelism(), lowered to this process's cgroup CPU quota where it has one. */
export function usableCores(read: (path: string) => string | null = readOrNull): number {
  const own = cgroupV2Path(read('/proc/self/cgroup'));
  const cpuMax = (own && read(`/sys/fs/cgroup${own}/cpu.max`)) || read('/sys/fs/cgroup/cpu.max');
  const quota = quotaCores(cpuMax, read('/sys/fs/cgroup/cpu/cpu.cfs_quota_us'), read('/sys/fs/cgroup/cpu/cpu.cfs_period_us'));
  return quota === null ? availableParallelism() : Math.min(availableParallelism(), quota);
}
