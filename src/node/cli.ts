// The `promlet` command: dispatches to serve, query, query-range, format,
// check, test, import and tsdb, and runs demo (which stores a generated day
// of service metrics and queries it).

import type { ChunkEncoding } from '../index.js';
import { type CliIO, UsageError, checkArgs, flagValue } from './args.js';
import { onLauncherStop } from './relaunch.js';

// Commands load what they use when they run: `promlet import` need not
// wait for the PromQL parser and the server to load.
const commands = () => import('./commands.js');

const USAGE = `usage: promlet <command> [flags]   (promlet <command> --help for its flags)

commands:
  serve [--listen 127.0.0.1:9090] [--config prometheus.yml] [--storage.encoding E] [--retention 15d]
      Serve Prometheus's HTTP API and web UI (http://127.0.0.1:9090/); records promlet's own metrics every 15 s.
      On at most 4 cores node runs it with --single-threaded-gc (PROMLET_SINGLE_THREADED_GC=0 off, =1 always);
      PROMLET_MEMORY_REDUCER=0 adds --no-memory-reducer (less idle-time CPU, more resident memory).
  query EXPR [--time T] [--url URL | --data-dir DIR] [--json]
  query-range EXPR --start T --end T --step D [--url URL | --data-dir DIR] [--json]
      Run a PromQL query against a Prometheus-compatible server.
  format EXPR [--pretty]
      Print the canonical form of a PromQL expression.
  check config FILE... | check rules FILE... | check statsd-mapping FILE...
      Check prometheus.yml files (syntax, sections, durations, scrape jobs) or rule files.
  import FILE --data-dir DIR
      Backfill OpenMetrics or Prometheus text with timestamps into a data directory.
  tsdb snapshot --data-dir DIR OUT
      Copy a data directory while a server may still write to it.
  test rules [--run REGEX] [--ignore-unknown-fields] FILE...
      Run promtool-format rule unit tests.
  demo [--storage.encoding varbit|double-delta] [--series N] [--hours H]
      Generate H hours (default 24) of 15 s samples for N series (default 1000)
      of a demo service, store them, and print storage statistics and PromQL queries.
  help
      Show this text.
`;

/**
 * Resolves with the signal's name on SIGINT or SIGTERM, had directly or passed on by the `promlet` command's first
 * process as a message (or SIGTERM when that process is gone). SIGHUP reloads the config (commands.ts).
 */
const untilSignal = () => new Promise<string>((resolve) => {
  process.once('SIGINT', () => resolve('SIGINT'));
  process.once('SIGTERM', () => resolve('SIGTERM'));
  onLauncherStop(resolve);
});

export type { CliIO } from './args.js';

async function demo(args: string[], io: CliIO): Promise<number> {
  if (args.includes('--help')) {
    io.out('usage: promlet demo [--storage.encoding varbit|double-delta] [--series N] [--hours H]\n\nStore H hours of 15 s samples for N demo series and print storage statistics and PromQL answers.\n');
    return 0;
  }
  checkArgs(args, { command: 'demo', values: ['--storage.encoding', '--series', '--hours'] });
  const encoding = (flagValue(args, '--storage.encoding') ?? 'varbit') as ChunkEncoding;
  const series = Number(flagValue(args, '--series') ?? 1000);
  const hours = Number(flagValue(args, '--hours') ?? 24);
  if (encoding !== 'varbit' && encoding !== 'double-delta') {
    io.err(`--storage.encoding: want varbit or double-delta, got ${JSON.stringify(encoding)}\n`);
    return 2;
  }
  if (!Number.isInteger(series) || series <= 0 || !(hours > 0)) {
    io.err('--series wants a positive integer and --hours a positive number\n');
    return 2;
  }
  const { openDB, createEngine, formatLabels, labelsFrom } = await import('../index.js');
  const db = await openDB({ encoding });
  const steps = Math.round((hours * 3600) / 15);
  const start = Date.now() - steps * 15_000;
  const paths = ['/api/users', '/api/orders', '/healthz', '/login'];
  const codes = ['200', '404', '500'];
  const refs: number[] = [];
  const values = new Float64Array(series);
  const t0 = performance.now();
  for (let step = 0; step < steps; step++) {
    const app = db.appender();
    const t = start + step * 15_000 + (step % 3);
    for (let i = 0; i < series; i++) {
      const labels = {
        __name__: 'http_requests_total', job: 'demo', instance: `demo-${i % 10}:8080`,
        path: paths[Math.floor(i / 10) % paths.length]!, code: codes[Math.floor(i / 40) % codes.length]!, shard: String(Math.floor(i / 120)),
      };
      values[i] = values[i]! + (i % 13) + (step % 5);
      refs[i] = app.append(step === 0 ? labels : refs[i]!, t, values[i]!);
    }
    await app.commit();
  }
  const ms = performance.now() - t0;
  const st = db.stats();
  io.out(`stored ${st.samples} samples of ${st.series} series in ${ms.toFixed(0)} ms (${(st.samples / ms / 1000).toFixed(2)} M samples/s)\n`);
  io.out(`${st.chunks} ${encoding} chunks, ${st.chunkBytes} bytes, ${st.bytesPerSample.toFixed(3)} bytes/sample\n`);
  const engine = createEngine(db);
  const end = start + (steps - 1) * 15_000;
  for (const query of ['sum by (code) (rate(http_requests_total[5m]))', 'topk(2, sum by (path) (increase(http_requests_total[1h])))']) {
    const r = engine.instantQuerySync(query, end);
    io.out(`\n${query}  (${(r.stats.timings.totalSeconds * 1000).toFixed(1)} ms)\n`);
    if (r.resultType !== 'vector') continue;
    for (const e of r.result) io.out(`  ${formatLabels(labelsFrom(e.metric))} ${Number(e.value?.[1]).toFixed(3)}\n`);
  }
  return 0;
}

/** Runs the CLI; returns the exit code (0 ok, 1 runtime error, 2 usage error). */
const DEFAULT_IO: CliIO = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) };

export async function runCli(args: string[], io: CliIO = DEFAULT_IO): Promise<number> {
  const [cmd, ...rest] = args;
  try {
    switch (cmd) {
      case 'demo':
        return await demo(rest, io);
      case 'serve': {
        // Listening before the server starts: a signal during startup still stops it cleanly afterwards.
        const signal = untilSignal();
        return await (await commands()).serveCommand(rest, io, () => signal);
      }
      case 'query':
      case 'query-range':
        return await (await commands()).queryCommand(cmd === 'query-range', rest, io);
      case 'format':
        return (await commands()).formatCommand(rest, io);
      case 'check':
        return (await commands()).checkCommand(rest, io);
      case 'test':
        return await (await import('./test-rules.js')).testCommand(rest, io);
      case 'tsdb':
        return (await import('./tsdb-command.js')).tsdbCommand(rest, io);
      case 'import':
        return await (await import('./import.js')).importCommand(rest, { ...io, isTTY: io === DEFAULT_IO && process.stderr.isTTY });
      case 'help':
      case '--help':
      case '-h':
        io.out(USAGE);
        return 0;
      default:
        io.err(cmd === undefined ? USAGE : `unknown command ${JSON.stringify(cmd)}\n\n${USAGE}`);
        return 2;
    }
  } catch (e) {
    io.err(`promlet: ${(e as Error).message}\n`);
    return e instanceof UsageError ? 2 : 1;
  }
}
