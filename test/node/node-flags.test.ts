import { describe, expect, it } from 'vitest';
import { NO_MEMORY_REDUCER, SINGLE_THREADED_GC, SMALL_MACHINE_CORES, nodeFlagsFor, relaunchArgv, wantsNoMemoryReducer, wantsSingleThreadedGc } from '../../src/node/node-flags.js';

const ENV = 'PROMLET_SINGLE_THREADED_GC';
const REDUCER = 'PROMLET_MEMORY_REDUCER';

describe('node flags of promlet serve', () => {
  it('collects garbage on one thread on small machines unless told otherwise', () => {
    expect(wantsSingleThreadedGc({}, 1)).toBe(true);
    expect(wantsSingleThreadedGc({}, SMALL_MACHINE_CORES)).toBe(true);
    expect(wantsSingleThreadedGc({}, SMALL_MACHINE_CORES + 1)).toBe(false);
    expect(wantsSingleThreadedGc({ [ENV]: '' }, 2)).toBe(true);
    for (const off of ['0', 'off', 'false', 'no', ' OFF ']) expect(wantsSingleThreadedGc({ [ENV]: off }, 2)).toBe(false);
    for (const on of ['1', 'on', 'true', 'yes']) expect(wantsSingleThreadedGc({ [ENV]: on }, 64)).toBe(true);
  });

  it("keeps V8's memory reducer unless told to turn it off", () => {
    expect(wantsNoMemoryReducer({})).toBe(false);
    expect(wantsNoMemoryReducer({ [ENV]: '1' })).toBe(false);
    for (const keep of ['1', 'on', 'true', 'yes', ' On ', '']) expect(wantsNoMemoryReducer({ [REDUCER]: keep })).toBe(false);
    for (const off of ['0', 'off', 'false', 'no', ' OFF ']) expect(wantsNoMemoryReducer({ [REDUCER]: off, [ENV]: '0' })).toBe(true);
    expect(nodeFlagsFor(['serve'], {}, 2)).toEqual([SINGLE_THREADED_GC]);
    expect(nodeFlagsFor(['serve'], { [REDUCER]: '0' }, 2)).toEqual([SINGLE_THREADED_GC, NO_MEMORY_REDUCER]);
    expect(nodeFlagsFor(['serve'], { [REDUCER]: '0', [ENV]: '0' }, 2)).toEqual([NO_MEMORY_REDUCER]);
  });

  it('only for the server', () => {
    expect(nodeFlagsFor(['serve', '--listen', ':9090'], { [REDUCER]: '0' }, 2)).toEqual([SINGLE_THREADED_GC, NO_MEMORY_REDUCER]);
    expect(nodeFlagsFor(['serve'], {}, SMALL_MACHINE_CORES + 1)).toEqual([]);
    expect(nodeFlagsFor(['serve', '--help'], {}, 2)).toEqual([]);
    for (const cmd of [[], ['query', 'up'], ['import', 'f', '--data-dir', 'd'], ['demo'], ['help']]) expect(nodeFlagsFor(cmd, {}, 2)).toEqual([]);
  });

  it('starts node again with its own flags kept, and not when the flag was given either way', () => {
    const off = { [REDUCER]: '0' };
    expect(relaunchArgv('/b/promlet.mjs', ['serve', '--listen', ':1'], ['--max-old-space-size=900'], {}, 2))
      .toEqual(['--max-old-space-size=900', SINGLE_THREADED_GC, '/b/promlet.mjs', 'serve', '--listen', ':1']);
    expect(relaunchArgv('/b/promlet.mjs', ['serve', '--listen', ':1'], ['--max-old-space-size=900'], off, 2))
      .toEqual(['--max-old-space-size=900', SINGLE_THREADED_GC, NO_MEMORY_REDUCER, '/b/promlet.mjs', 'serve', '--listen', ':1']);
    for (const given of [SINGLE_THREADED_GC, '--single_threaded_gc', '--no-single-threaded-gc', '--nosingle-threaded-gc', '--nosingle_threaded_gc', '--single-threaded-gc=false']) {
      expect(relaunchArgv('/b/promlet.mjs', ['serve'], [given], off, 2)).toEqual([given, NO_MEMORY_REDUCER, '/b/promlet.mjs', 'serve']);
      expect(relaunchArgv('/b/promlet.mjs', ['serve'], [given, NO_MEMORY_REDUCER], off, 2)).toBeNull();
      expect(relaunchArgv('/b/promlet.mjs', ['serve'], [given], {}, 2)).toBeNull();
    }
    for (const given of [NO_MEMORY_REDUCER, '--memory-reducer', '--memory_reducer', '--nomemory-reducer', '--no_memory_reducer', '--memory-reducer=false']) {
      expect(relaunchArgv('/b/promlet.mjs', ['serve'], [given], off, 2)).toEqual([given, SINGLE_THREADED_GC, '/b/promlet.mjs', 'serve']);
    }
    // A flag that only starts with the name is another flag.
    expect(relaunchArgv('/b/promlet.mjs', ['serve'], ['--memory-reducer-for-small-heaps'], off, 2))
      .toEqual(['--memory-reducer-for-small-heaps', SINGLE_THREADED_GC, NO_MEMORY_REDUCER, '/b/promlet.mjs', 'serve']);
    expect(relaunchArgv('/b/promlet.mjs', ['serve'], [], { [ENV]: '0' }, 2)).toBeNull();
    expect(relaunchArgv('/b/promlet.mjs', ['serve'], [], {}, 16)).toBeNull();
    expect(relaunchArgv('/b/promlet.mjs', ['query', 'up'], [], { [ENV]: '1' }, 2)).toBeNull();
  });

  it('does not start node again once its flags are there (else each start would start another)', () => {
    for (const env of [{}, { [ENV]: '1' }, { [REDUCER]: '1' }, { [REDUCER]: '0' }, { [ENV]: '0', [REDUCER]: '0' }]) {
      for (const execArgv of [[], ['--max-old-space-size=900'], [SINGLE_THREADED_GC], ['--memory-reducer']]) {
        const argv = relaunchArgv('/b/promlet.mjs', ['serve'], execArgv, env, 2);
        if (argv) expect(relaunchArgv('/b/promlet.mjs', ['serve'], argv.slice(0, argv.indexOf('/b/promlet.mjs')), env, 2), JSON.stringify([env, execArgv])).toBeNull();
      }
    }
  });

  it('runs in one process when node is debugged or profiled, so that the tools reach the server', () => {
    const debugging = ['--inspect', '--inspect=127.0.0.1:9229', '--inspect-brk', '--inspect-port=0', '--inspect-wait', '--debug-port=1',
      '--cpu-prof', '--cpu-prof-dir=/tmp/p', '--heap-prof', '--prof', '--heapsnapshot-signal=SIGUSR2', '--report-on-signal', '--report-signal=SIGUSR2'];
    for (const flag of debugging) {
      expect(relaunchArgv('/b/promlet.mjs', ['serve'], [flag], {}, 2), flag).toBeNull();
      expect(relaunchArgv('/b/promlet.mjs', ['serve'], [], { NODE_OPTIONS: `--max-old-space-size=900  ${flag}` }, 2), flag).toBeNull();
    }
    for (const other of ['--max-old-space-size=900', '--enable-source-maps', '--profile-that-is-not']) {
      expect(relaunchArgv('/b/promlet.mjs', ['serve'], [other], { NODE_OPTIONS: other }, 2), other).not.toBeNull();
    }
  });
});
