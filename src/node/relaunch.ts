// `promlet` started again as a child node with the flags of ./node-flags.ts,
// the first process staying only to pass on signals and the exit status.
//
// A stopping signal must stop the server once, whichever process it was sent
// to: a terminal's Ctrl-C and systemd's stop signal reach both processes, while
// `kill PID` and `docker stop` reach the first one only. So the first process
// passes its first SIGINT or SIGTERM on as a message over an IPC channel, which
// the server takes like the signal itself and at most once (a server that had
// the signal directly ignores the message). A server stopping on the message
// still holds its listener for one of each signal (the direct copy it may yet
// get must not end it), so a second stopping signal to the first process kills
// the server outright, as a second `kill PID` did without the relaunch. SIGHUP
// is passed on as itself: the server reloads its config on it.
// If the first process dies without a signal to pass on (SIGKILL), even while
// the server is still starting, the channel closes and the server stops as it
// would on SIGTERM rather than running on with no one waiting for it.

import { spawn } from 'node:child_process';
import { constants } from 'node:os';

const STOPPING = ['SIGINT', 'SIGTERM'] as const;
const PASSED_ON = [...STOPPING, 'SIGHUP'] as const;
// The child is a server of ours only when this says so: a process forked with a channel by someone else (a test
// runner, a process manager) must keep its channel as it is.
const MARK = 'PROMLET_RELAUNCHED';
type StopMessage = { promletStop: string };
type ReadyMessage = { promletReady: true };

const isStopMessage = (m: unknown): m is StopMessage => typeof m === 'object' && m !== null && typeof (m as StopMessage).promletStop === 'string';
const isReadyMessage = (m: unknown): m is ReadyMessage => typeof m === 'object' && m !== null && (m as ReadyMessage).promletReady === true;
// Node acts on these itself (starting its inspector, ignoring a closed pipe) instead of ending: the exit code says it.
const NOT_RAISED = new Set<string>(['SIGUSR1', 'SIGPIPE']);

/** Ends this process by `signal` as the child was, so a shell or supervisor sees a crash (SIGSEGV, SIGABRT) as one. */
function raise(signal: NodeJS.Signals): void {
  if (NOT_RAISED.has(signal)) return;
  process.removeAllListeners(signal);
  process.kill(process.pid, signal);
}

/**
 * Runs `node ARGV` and resolves with the exit code to leave with; a child ended by a signal ends this process by the
 * same signal (so a shell or supervisor sees what it would have without the relaunch).
 */
export function relaunch(argv: readonly string[]): Promise<number> {
  const child = spawn(process.execPath, argv, { stdio: ['inherit', 'inherit', 'inherit', 'ipc'], env: { ...process.env, [MARK]: '1' } });
  // Until the server listens for the message, a signal is passed on as itself (and ends it, as before the relaunch).
  let ready = false;
  child.on('message', (m) => void (ready ||= isReadyMessage(m)));
  let stops = 0;
  const pass = (signal: NodeJS.Signals) => {
    if (signal === 'SIGHUP') {
      child.kill(signal);
      return;
    }
    stops += 1;
    if (stops > 1) child.kill('SIGKILL');
    else if (ready && child.connected) child.send({ promletStop: signal } satisfies StopMessage, () => {});
    else child.kill(signal);
  };
  for (const s of PASSED_ON) process.on(s, pass);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      for (const s of PASSED_ON) process.off(s, pass);
      if (signal !== null) raise(signal);
      resolve(signal !== null ? 128 + (constants.signals[signal] ?? 0) : code ?? 1);
    });
  });
}

/**
 * In a server started by `relaunch`: calls `stop` with the signal's name on the first process's stop message, or with
 * SIGTERM when that process is gone. Does nothing in a process not started that way.
 */
export function onLauncherStop(stop: (signal: string) => void): void {
  if (process.env[MARK] !== '1' || !process.send) return;
  // Not for whatever the server starts in turn.
  delete process.env[MARK];
  // Node closes the channel before the server gets here when the first process died while modules loaded.
  if (!process.connected || !process.channel) return stop('SIGTERM');
  process.on('message', (m) => {
    if (isStopMessage(m)) stop(m.promletStop);
  });
  process.once('disconnect', () => stop('SIGTERM'));
  // After the listeners, which hold the channel: it must not keep the server's event loop alive once it has stopped.
  process.channel.unref();
  process.send({ promletReady: true } satisfies ReadyMessage, () => {});
}
