// CPU time and peak resident memory of another process, from Linux's /proc.

import { readFileSync } from 'node:fs';

/** User + system CPU seconds the process has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

/** Peak resident set size in MiB (VmHWM). */
export function peakRssMiB(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Resident set size now, in MiB (VmRSS). */
export function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/**
 * Waits until the process's CPU time grew by less than 20 ms in each of
 * `intervals` half-seconds in a row (start-up work done), or `maxMs` passed.
 */
export async function untilCpuQuiet(pid: number, intervals: number, maxMs: number): Promise<void> {
  const t0 = performance.now();
  for (let quiet = 0; quiet < intervals && performance.now() - t0 < maxMs;) {
    const before = cpuSeconds(pid);
    await new Promise((r) => setTimeout(r, 500));
    quiet = cpuSeconds(pid) - before < 0.02 ? quiet + 1 : 0;
  }
}
