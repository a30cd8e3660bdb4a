// DIR/lock: one writer per data directory, as Prometheus locks its own. The
// file holds the owner's pid and, on Linux, its start time (field 22 of
// /proc/PID/stat), so a lock is judged stale when its process is gone, is a
// zombie (killed but not yet reaped, common under supervisors and in
// containers), or the pid now belongs to a different process.

import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export class DataDirLockedError extends Error {}

interface ProcState {
  state: string;
  startTime: string;
}

/** State and start time of a process from /proc, or null where /proc does not tell (gone, or not Linux). */
function procStat(pid: number): ProcState | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0] ?? '', startTime: fields[19] ?? '' };
}

const hasProc = (() => {
  try {
    readFileSync('/proc/self/stat', 'utf8');
    return true;
  } catch {
    return false;
  }
})();

function signalable(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether the lock's owner (pid, and start time when recorded) still runs. */
export function lockOwnerRuns(pid: number, startTime: string | undefined): boolean {
  if (!hasProc) return signalable(pid);
  const st = procStat(pid);
  if (!st) return false;
  if (st.state === 'Z' || st.state === 'X' || st.state === 'x') return false;
  return startTime === undefined || st.startTime === startTime;
}

/** Takes DIR/lock for this process; returns the function that releases it. */
export function lockDataDir(dataDir: string): () => void {
  const path = join(dataDir, 'lock');
  const self = hasProc ? procStat(process.pid) : null;
  const content = self ? `${process.pid} ${self.startTime}` : String(process.pid);
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(path, content, { flag: 'wx' });
      return () => rmSync(path, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 10) throw e;
    }
    const [pidText, startTime] = readFileSync(path, 'utf8').trim().split(' ');
    const pid = Number(pidText);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && lockOwnerRuns(pid, startTime)) {
      throw new DataDirLockedError(`${dataDir} is in use by process ${pid} (${path}); open it read-only or stop that process`);
    }
    rmSync(path, { force: true });
  }
}
