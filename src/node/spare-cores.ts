// How many of the machine's cores sat idle lately, from the kernel's per-CPU
// times (os.cpus()): whether cutting a query over idle query workers can
// use cores nobody else is using. Idle workers are idle cores only when
// nothing else keeps the machine busy; the 1-minute load average answers
// that too late after a burst.

import { cpus } from 'node:os';

/**
 * A function giving the cores left idle (0 to the core count) over the last
 * interval of at least `windowMs` between two readings; it reads the CPU
 * times at most once per window, so it can be asked for every query.
 */
export function spareCores(windowMs = 500, read: () => { idle: number; total: number; cores: number } = cpuTimes): () => number {
  let last = read();
  let at = Date.now();
  let spare = last.cores;
  return () => {
    const now = Date.now();
    if (now - at < windowMs) return spare;
    const next = read();
    const total = next.total - last.total;
    if (total > 0) spare = Math.max(0, ((next.idle - last.idle) / total) * next.cores);
    last = next;
    at = now;
    return spare;
  };
}

function cpuTimes(): { idle: number; total: number; cores: number } {
  let idle = 0, total = 0;
  const all = cpus();
  for (const c of all) {
    const t = c.times;
    idle += t.idle;
    total += t.user + t.nice + t.sys + t.idle + t.irq;
  }
  return { idle, total, cores: all.length };
}

/**
 * CPU times as `spareCores` reads them for a process held to `cores` by a CPU quota: the quota's time less the
 * process's own. Idle host cores are no use to a process whose quota its own threads already take.
 */
export function quotaTimes(cores: number, nowMs: () => number = () => performance.now(), ownCpuMs: () => number = processCpuMs): () => { idle: number; total: number; cores: number } {
  return () => {
    const total = nowMs() * cores;
    return { idle: total - ownCpuMs(), total, cores };
  };
}

function processCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}
