// The node flags `promlet serve` runs with, decided before the server loads.
//
// V8 collects each thread's garbage with helper threads beside it (parallel
// scavenges, concurrent marking). On a machine of a few cores the server's
// query workers already take every core, so those helpers only compete with
// them: with `--single-threaded-gc`, on two cores, the server spent 13–21%
// less CPU per request under 8 clients' load, taking samples cost about the
// same, and peak RSS was 11–24 MiB higher (docs/QUERY-SPEED.md, "V8's
// collector on one thread"). On more cores the helpers find idle ones, so
// V8's default is kept there.
//
// The flag is process-wide and only taken when node starts: NODE_OPTIONS
// refuses it, worker threads cannot be given V8 flags, and setting it later
// through `v8.setFlagsFromString` ends the process in V8 during marking. So
// the `promlet` command starts node again with it (./relaunch.ts), and a
// program that imports promlet as a library keeps its own node's flags.

export const SINGLE_THREADED_GC = '--single-threaded-gc';

/** `0` (or off, false, no) never, `1` (or on, true, yes) always; unset: when the machine has at most SMALL_MACHINE_CORES cores. */
export const SINGLE_THREADED_GC_ENV = 'PROMLET_SINGLE_THREADED_GC';

/** Measured on two cores; above four, V8's helpers are left to find idle cores. */
export const SMALL_MACHINE_CORES = 4;

const OFF = new Set(['0', 'off', 'false', 'no']);
const ON = new Set(['1', 'on', 'true', 'yes']);

export function wantsSingleThreadedGc(env: Readonly<Record<string, string | undefined>>, cores: number): boolean {
  const setting = env[SINGLE_THREADED_GC_ENV]?.trim().toLowerCase() ?? '';
  if (OFF.has(setting)) return false;
  if (ON.has(setting)) return true;
  return cores <= SMALL_MACHINE_CORES;
}

// V8's memory reducer starts up to three full, compacting collections on a thread whose allocation rate fell, some
// seconds after its last one: in a server answering a dashboard, after each burst of queries, on the main thread and
// on each query worker. On two cores such a round cost 0.5–0.7 s of CPU (main-thread pauses of 25–180 ms, a worker's
// of 60–150 ms, plus their marking) with no query answered slower for it. It is kept by default all the same: without
// it, peak RSS over the 10,000-series dashboard bench was 747 MiB against 633 with it (docs/QUERY-SPEED.md, "Idle
// gaps between queries" and "The merged code, measured (14:25"). PROMLET_MEMORY_REDUCER=0 trades that memory for
// the idle-time CPU.
export const NO_MEMORY_REDUCER = '--no-memory-reducer';

/** `0` (or off, false, no) turns V8's memory reducer off in the server; unset or anything else keeps it. */
export const MEMORY_REDUCER_ENV = 'PROMLET_MEMORY_REDUCER';

export function wantsNoMemoryReducer(env: Readonly<Record<string, string | undefined>>): boolean {
  return OFF.has(env[MEMORY_REDUCER_ENV]?.trim().toLowerCase() ?? '');
}

/** The node flags a `promlet ARGS` process should have; only a server lives long enough to gain from them. */
export function nodeFlagsFor(args: readonly string[], env: Readonly<Record<string, string | undefined>>, cores: number): string[] {
  if (args[0] !== 'serve' || args.includes('--help') || args.includes('-h')) return [];
  return [...(wantsSingleThreadedGc(env, cores) ? [SINGLE_THREADED_GC] : []), ...(wantsNoMemoryReducer(env) ? [NO_MEMORY_REDUCER] : [])];
}

// V8 reads `--single_threaded_gc`, `--no-single-threaded-gc`, `--nosingle-threaded-gc` and `--no_single_threaded_gc`
// too: whoever wrote any of them chose already.
const mentions = (execArgv: readonly string[], flag: string) => {
  const name = flag.replaceAll('_', '-').replace(/^--(no-?)?/, '');
  return execArgv.some((a) => {
    const given = a.replaceAll('_', '-').replace(/^--(no-?)?/, '');
    return given === name || given.startsWith(`${name}=`);
  });
};

// Flags that act on the process they are given to (a debugger attaching, `kill -USR1`, a profile or heap snapshot
// or report on a signal): in a relaunch they would reach the first process, which only waits, and not the server.
const ONE_PROCESS = /^--(inspect|debug|cpu-prof|heap-prof|prof(=|$)|heapsnapshot-signal|heapsnapshot-near-heap-limit|report-on-signal|report-signal)/;
const actsOnProcess = (execArgv: readonly string[], nodeOptions: string | undefined) =>
  [...execArgv, ...(nodeOptions?.split(/\s+/) ?? [])].some((a) => ONE_PROCESS.test(a.replaceAll('_', '-')));

/**
 * The arguments to start node again with for `promlet ARGS` run from `script`, or null to run it in this process:
 * this node's own flags are kept, and a flag already given (either way) is not given again. A node being debugged or
 * profiled (in its flags or NODE_OPTIONS) runs the server itself, so that the tools reach the server.
 */
export function relaunchArgv(script: string, args: readonly string[], execArgv: readonly string[], env: Readonly<Record<string, string | undefined>>, cores: number): string[] | null {
  const missing = nodeFlagsFor(args, env, cores).filter((f) => !mentions(execArgv, f));
  if (missing.length === 0 || actsOnProcess(execArgv, env.NODE_OPTIONS)) return null;
  return [...execArgv, ...missing, script, ...args];
}
