// How many of the machine's cores nobody else is using: whether cutting a
// query over idle query workers can use cores of their own. Idle workers are
// idle cores only when nothing else keeps the machine busy; the 1-minute load
// average answers that too late after a burst.
//
// Two readings, each blind where the other sees: the kernel's count of
// runnable threads at this moment (runQueueSpare, Linux), which a client's
// garbage collection after a long answer fills for a few milliseconds; and
// the cores' idle share since the last reading at least half a second
// before, this process's own time counted idle (spareCores over
// othersCpuTimes), which still counts a neighbour that has just finished.
// `promlet serve` cuts a query when either leaves half a core: under
// sustained load from other processes neither does.

import { readdirSync, readFileSync } from 'node:fs';
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

/**
 * Cores not taken by other processes' runnable threads right now, from the
 * run queue's length (the fourth field of Linux's /proc/loadavg,
 * "running/all") less this process's own runnable threads; null where there
 * is no such file. This process's threads are left out: a query worker that
 * has just answered may still be collecting its garbage, and the server's
 * own last query should not hold back its next one. Another process's busy
 * threads count whether they started a second or a millisecond ago.
 * Its own threads are read (a file each, about 0.4 ms for a dozen) only when
 * the run queue alone would leave less than half a core.
 */
export function runQueueSpare(cores: number, read: () => string | null = readLoadavg, ownRunning: () => number = ownRunningThreads): (() => number) | null {
  if (runnable(read()) === null) return null;
  return () => {
    const running = runnable(read());
    if (running === null) return 0;
    // The thread asking is one of them.
    const atLeast = cores - Math.max(0, running - 1);
    if (atLeast >= 0.5) return atLeast;
    return Math.max(0, cores - Math.max(0, running - Math.max(1, ownRunning())));
  };
}

/** The cores either reading leaves (`now` may be null: no run queue to read), at most `cores`. */
export function eitherSpare(cores: number, now: (() => number) | null, late: () => number): () => number {
  return () => Math.min(cores, Math.max(now?.() ?? 0, late()));
}

function runnable(loadavg: string | null): number | null {
  const m = loadavg && /^\S+ \S+ \S+ (\d+)\//.exec(loadavg);
  return m ? Number(m[1]) : null;
}

/** This process's threads in state R (running or runnable), from /proc/self/task/TID/stat. */
function ownRunningThreads(): number {
  let n = 0;
  try {
    for (const tid of readdirSync('/proc/self/task')) {
      try {
        const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'latin1');
        // The state follows the command's closing parenthesis (the command itself may hold one).
        if (stat[stat.lastIndexOf(')') + 2] === 'R') n++;
      } catch {
        // The thread ended between the listing and the read.
      }
    }
  } catch {
    return 1;
  }
  return n;
}

function readLoadavg(): string | null {
  try {
    return readFileSync('/proc/loadavg', 'latin1');
  } catch {
    return null;
  }
}

/**
 * CPU times as `spareCores` reads them with this process's own CPU time
 * counted as idle: what other processes left, so that the server's own last
 * query (its query workers idle again when the next is cut over them) does
 * not read as load.
 */
export function othersCpuTimes(read: () => { idle: number; total: number; cores: number } = cpuTimes, ownCpuMs: () => number = processCpuMs): () => { idle: number; total: number; cores: number } {
  return () => {
    const t = read();
    return { ...t, idle: t.idle + ownCpuMs() };
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
