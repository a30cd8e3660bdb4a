// The server and client commands of `promlet`: serve, query, query-range, format, check.

import { parseBase2Bytes } from '../model/units.js';
import { parseDuration } from '../model/duration.js';
import { format, ParseError } from '../promql/index.js';
import type { ChunkEncoding } from '../wasm/codec.js';
import { VERSION, servePromlet, type ServeOptions } from './serve.js';
import { openDiskDB } from './disk-db.js';
import { createApiHandler } from '../api/handler.js';
import { createEngine, type MatrixElement, type VectorElement } from '../promql/engine/engine.js';
import { matrixPointsText, vectorElementText } from './query-text.js';
import { checkConfigFile, checkConfigRuleFiles } from './check-config.js';
import { existsSync, readFileSync } from 'node:fs';
import { parseRuleFile, RuleFileError } from '../rules/file.js';
import { fetchCause } from '../scrape/fetch-error.js';
import { type CliIO, UsageError, booleanFlag, checkArgs, flagValue, positional } from './args.js';
import { INGEST_LIMIT_FLAGS, INGEST_LIMIT_USAGE, ingestLimitFlags } from './ingest-limit-flags.js';
import { checkStatsdMapping } from './statsd-listener.js';

// Kept for code that imported the helpers from here before they had their own module.
export { UsageError, flagValue, positional } from './args.js';

/** Every flag `promlet serve` reads: anything else is refused. */
export const SERVE_VALUE_FLAGS = [
  '--listen', '--web.listen-address', '--config', '--config.file', '--storage.encoding', '--retention', '--storage.tsdb.retention.time',
  '--storage.tsdb.retention.size', '--data-dir', '--storage.tsdb.path', '--storage.wal.fsync', '--query.lookback-delta', '--query.timeout',
  '--query.max-samples', '--query.max-memory', '--query.max-label-value-length', '--query.max-concurrency', '--web.read-timeout', '--web.basic-auth', '--web.bearer-token', '--web.external-url', '--web.route-prefix',
  '--rules.alert.resend-delay', '--alertmanager.notification-queue-capacity', '--enable-feature',
  '--statsd.listen-udp', '--statsd.listen-tcp', '--statsd.mapping-config', '--storage.tsdb.cache-size',
  '--storage.remote.read-sample-limit', '--storage.remote.read-concurrent-limit', '--storage.remote.read-max-bytes-in-frame',
  ...INGEST_LIMIT_FLAGS,
];
export const SERVE_SWITCHES = ['--web.enable-remote-write-receiver', '--web.enable-admin-api', '--web.enable-otlp-receiver'];
export const SERVE_BOOLEANS = [...['dogstatsd', 'influxdb', 'librato', 'signalfx'].map((s) => `--statsd.parse-${s}-tags`), '--query.warm-up'];

export const SERVE_USAGE = `usage: promlet serve [flags]

Serve Prometheus's HTTP API and web UI (/query, /alerts, /rules, /targets, /status...)
from an in-memory database (or --data-dir), scraping the
scrape_configs of --config (without one, promlet's own /metrics as
job="promlet"), and taking Pushgateway-style pushes at /metrics/job/...

  --listen, --web.listen-address HOST:PORT   default 127.0.0.1:9090
  --config, --config.file FILE               a prometheus.yml (global.scrape_interval is used)
  --storage.encoding varbit|double-delta     default varbit
  --retention, --storage.tsdb.retention.time default 15d
  --storage.tsdb.retention.size SIZE         e.g. 512MB: drop the oldest blocks past it (default: no limit)
  --storage.tsdb.cache-size SIZE             block chunks and index pages kept in memory (default 64MB)
  --data-dir, --storage.tsdb.path DIR        persisted chunks, index and write-ahead log (default: memory only)
  --storage.wal.fsync never|always           always: fsync each commit (survives power loss); default never
  --query.lookback-delta D, --query.timeout D, --query.max-samples N, --query.max-concurrency N
  --query.max-memory SIZE                    one query's memory budget, e.g. 512MB (default 1GiB)
  --query.max-label-value-length N           longest label label_replace/label_join may build (default 1048576)
  --query.warm-up=false                      do not warm the query workers up at start (over data of their own)
  --web.read-timeout D                       longest a request may take to arrive; idle connections close after it (default 5m)
  --web.basic-auth USER:PASSWORD, --web.bearer-token TOKEN
  --web.enable-remote-write-receiver         accept remote write (1.0 and 2.0) at /api/v1/write
${INGEST_LIMIT_USAGE}  --storage.remote.read-sample-limit N       samples per remote read query (SAMPLES responses; 0: none), default 5e7
  --storage.remote.read-concurrent-limit N   remote read requests served at once (0: no limit), default 10
  --storage.remote.read-max-bytes-in-frame N streamed remote read frame size, default 1048576
  --web.enable-admin-api                     POST /api/v1/admin/tsdb/snapshot (needs --data-dir)
  --web.external-url URL                     where users reach promlet: alerts' generatorURL, the web UI's links
  --web.route-prefix PATH                    serve everything under PATH (default: the external URL's path)
  --rules.alert.resend-delay D               default 1m
  --alertmanager.notification-queue-capacity N  default 10000
  --web.enable-otlp-receiver                 accept OTLP/HTTP metrics at /api/v1/otlp/v1/metrics (docs/INGESTION.md)
  --enable-feature F,...                     otlp-deltatocumulative (add OTLP deltas up) or otlp-native-delta-ingestion (store them as they come)
  --statsd.listen-udp HOST:PORT, --statsd.listen-tcp HOST:PORT   receive statsd lines (docs/INGESTION.md)
  --statsd.mapping-config FILE               a statsd_exporter mapping file
  --statsd.parse-{dogstatsd,influxdb,librato,signalfx}-tags=false   ignore that tag style
`;

/** --query.max-memory and --query.max-label-value-length, checked. */
function queryLimitFlags(args: string[]): { maxQueryMemory?: number; maxLabelValueLength?: number } {
  const mem = flagValue(args, '--query.max-memory');
  const len = flagValue(args, '--query.max-label-value-length');
  const maxQueryMemory = mem === undefined ? undefined : parseBase2Bytes(mem);
  if (maxQueryMemory === null || (maxQueryMemory !== undefined && maxQueryMemory <= 0)) throw new UsageError(`--query.max-memory: want a size such as 512MB, got ${JSON.stringify(mem)}`);
  const maxLabelValueLength = len === undefined ? undefined : Number(len);
  if (maxLabelValueLength !== undefined && !(Number.isInteger(maxLabelValueLength) && maxLabelValueLength > 0)) {
    throw new UsageError(`--query.max-label-value-length: want a positive integer, got ${JSON.stringify(len)}`);
  }
  return { maxQueryMemory, maxLabelValueLength };
}

/** A duration flag, checked as model.ParseDuration reads it. */
function durationFlag(args: string[], name: string): string | undefined {
  const v = flagValue(args, name);
  if (v === undefined) return undefined;
  try {
    parseDuration(v);
  } catch (e) {
    throw new UsageError(`${name}: ${(e as Error).message}`);
  }
  return v;
}

function numFlag(args: string[], name: string): number | undefined {
  const v = flagValue(args, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${name}: want a non-negative integer, got ${JSON.stringify(v)}`);
  return n;
}

/**
 * SIGHUP re-reads the config file, as Prometheus does (systemd's `ExecReload=kill -HUP $MAINPID`); a bad file is
 * reported and the running config kept. Listened for from the start, so a signal while the server starts is taken
 * once it runs rather than ending it; one reload at a time, a signal during one runs another after it.
 */
function reloadOnHangup(io: CliIO): { serving(running: { reload(): Promise<void> }): void; stop(): void } {
  let target: { reload(): Promise<void> } | null = null;
  let busy = false, again = false;
  const run = async (): Promise<void> => {
    busy = true;
    do {
      again = false;
      try {
        await target!.reload();
        io.out('promlet: reloaded the configuration (SIGHUP)\n');
      } catch (e) {
        io.err(`promlet: reloading the configuration failed, the running one is kept: ${(e as Error).message}\n`);
      }
    } while (again);
    busy = false;
  };
  const onHup = () => {
    again = true;
    if (target && !busy) void run();
  };
  process.on('SIGHUP', onHup);
  return {
    serving: (running) => {
      target = running;
      if (again) void run();
    },
    stop: () => process.off('SIGHUP', onHup),
  };
}

export async function serveCommand(args: string[], io: CliIO, wait: () => Promise<string | void>): Promise<number> {
  if (args.includes('--help')) {
    io.out(SERVE_USAGE);
    return 0;
  }
  checkArgs(args, { command: 'serve', values: SERVE_VALUE_FLAGS, switches: SERVE_SWITCHES, booleans: SERVE_BOOLEANS });
  const encoding = (flagValue(args, '--storage.encoding') ?? 'varbit') as ChunkEncoding;
  if (encoding !== 'varbit' && encoding !== 'double-delta') throw new UsageError(`--storage.encoding: want varbit or double-delta, got ${JSON.stringify(encoding)}`);
  const auth = flagValue(args, '--web.basic-auth');
  if (auth !== undefined && !auth.includes(':')) throw new UsageError('--web.basic-auth wants USER:PASSWORD');
  const maxSamples = flagValue(args, '--query.max-samples');
  const maxConc = flagValue(args, '--query.max-concurrency');
  const walFsync = flagValue(args, '--storage.wal.fsync') ?? 'never';
  if (walFsync !== 'never' && walFsync !== 'always') throw new UsageError(`--storage.wal.fsync: want never or always, got ${JSON.stringify(walFsync)}`);
  const hangup = reloadOnHangup(io);
  const running = await servePromlet({
    listen: flagValue(args, '--listen', '--web.listen-address'),
    configFile: flagValue(args, '--config', '--config.file'),
    encoding,
    retention: flagValue(args, '--retention', '--storage.tsdb.retention.time'),
    retentionSize: flagValue(args, '--storage.tsdb.retention.size'),
    cacheSize: flagValue(args, '--storage.tsdb.cache-size'),
    lookbackDelta: flagValue(args, '--query.lookback-delta'),
    queryTimeout: flagValue(args, '--query.timeout'),
    maxSamples: maxSamples === undefined ? undefined : Number(maxSamples),
    ...queryLimitFlags(args),
    ...ingestLimitFlags(args),
    maxConcurrentQueries: maxConc === undefined ? undefined : Number(maxConc),
    readTimeout: durationFlag(args, '--web.read-timeout'),
    basicAuth: auth === undefined ? undefined : { user: auth.slice(0, auth.indexOf(':')), password: auth.slice(auth.indexOf(':') + 1) },
    bearerToken: flagValue(args, '--web.bearer-token'),
    remoteWriteReceiver: args.includes('--web.enable-remote-write-receiver'),
    dataDir: flagValue(args, '--data-dir', '--storage.tsdb.path'),
    adminApi: args.includes('--web.enable-admin-api'),
    walFsync,
    remoteReadSampleLimit: numFlag(args, '--storage.remote.read-sample-limit'),
    remoteReadConcurrentLimit: numFlag(args, '--storage.remote.read-concurrent-limit'),
    remoteReadMaxBytesInFrame: numFlag(args, '--storage.remote.read-max-bytes-in-frame'),
    externalURL: flagValue(args, '--web.external-url'),
    routePrefix: flagValue(args, '--web.route-prefix'),
    resendDelay: flagValue(args, '--rules.alert.resend-delay'),
    notificationQueueCapacity: flagValue(args, '--alertmanager.notification-queue-capacity') === undefined ? undefined : Number(flagValue(args, '--alertmanager.notification-queue-capacity')),
    otlpReceiver: args.includes('--web.enable-otlp-receiver'),
    queryWarmUp: booleanFlag(args, 'query.warm-up', true),
    statsd: statsdOptions(args),
    features: args.flatMap((a, i) => (a === '--enable-feature' ? [args[i + 1] ?? ''] : a.startsWith('--enable-feature=') ? [a.slice(17)] : [])).flatMap((f) => f.split(',')).filter(Boolean),
    warn: (m) => io.err(`promlet: ${m}\n`),
  }).catch((e: unknown) => {
    hangup.stop();
    throw e;
  });
  io.out(`promlet serving Prometheus's HTTP API and web UI at ${running.url}${running.uiPath} (try ${running.url}${running.uiPath.replace(/\/$/, '')}/api/v1/query?query=up)\n`);
  hangup.serving(running);
  const signal = await wait();
  hangup.stop();
  io.out(`promlet: ${signal ? `received ${signal}, ` : ''}stopping (finishing rule evaluations, notifications and writes)\n`);
  await running.stop();
  io.out('promlet: stopped\n');
  return 0;
}

function statsdOptions(args: string[]): ServeOptions['statsd'] {
  const udp = flagValue(args, '--statsd.listen-udp'), tcp = flagValue(args, '--statsd.listen-tcp');
  const mappingConfig = flagValue(args, '--statsd.mapping-config');
  if (mappingConfig && !udp && !tcp) throw new UsageError('--statsd.mapping-config needs --statsd.listen-udp or --statsd.listen-tcp');
  const style = (name: string) => booleanFlag(args, `statsd.parse-${name}-tags`, true);
  if (!udp && !tcp) return undefined;
  return { udp, tcp, mappingConfig, parser: { dogstatsd: style('dogstatsd'), influxdb: style('influxdb'), librato: style('librato'), signalfx: style('signalfx') } };
}

export const QUERY_USAGE = `usage: promlet query EXPR [--time T] [--url URL | --data-dir DIR] [--json]
       promlet query-range EXPR --start T --end T --step D [--url URL | --data-dir DIR] [--json]

Run a PromQL query against a Prometheus-compatible server (default
http://127.0.0.1:9090), or against a data directory in-process. Times are
RFC 3339 or Unix seconds; the default time is now.
`;

/** A fetch that answers from a data directory through the same API handler the server uses. */
async function dataDirFetch(dataDir: string): Promise<{ fetch: (url: string, init: RequestInit) => Promise<Response>; close: () => Promise<void> }> {
  if (!existsSync(dataDir)) throw new UsageError(`--data-dir ${dataDir}: no such directory`);
  const disk = await openDiskDB(dataDir, { readOnly: true });
  const handler = createApiHandler({
    db: disk.db, engine: createEngine(disk.db),
    info: { version: VERSION, startTime: new Date(), flags: {}, configYaml: () => '' },
  });
  return { fetch: async (url, init) => handler(new Request(url, init)), close: () => disk.close() };
}

interface ApiBody {
  status: string;
  errorType?: string;
  error?: string;
  data?: { resultType: string; result: unknown };
  warnings?: string[];
  infos?: string[];
}

function table(data: NonNullable<ApiBody['data']>): string {
  const labels = (m: Record<string, string>) => {
    const name = m.__name__ ?? '';
    const rest = Object.entries(m).filter(([k]) => k !== '__name__').map(([k, v]) => `${k}=${JSON.stringify(v)}`);
    return `${name}{${rest.join(', ')}}`;
  };
  switch (data.resultType) {
    case 'vector':
      return (data.result as VectorElement[]).map((s) => `${labels(s.metric)} ${vectorElementText(s)}`).join('\n') + '\n';
    case 'matrix':
      return (data.result as MatrixElement[])
        .map((s) => `${labels(s.metric)}\n${matrixPointsText(s).map(([t, v]) => `  ${new Date(t * 1000).toISOString()}  ${v}`).join('\n')}`).join('\n') + '\n';
    default: {
      const [t, v] = data.result as [number, string];
      return `${v} @ ${new Date(t * 1000).toISOString()}\n`;
    }
  }
}

export async function queryCommand(range: boolean, args: string[], io: CliIO): Promise<number> {
  if (args.includes('--help')) {
    io.out(QUERY_USAGE);
    return 0;
  }
  const valueFlags = range ? ['--url', '--start', '--end', '--step', '--data-dir'] : ['--time', '--url', '--data-dir'];
  checkArgs(args, { command: range ? 'query-range' : 'query', values: valueFlags, switches: ['--json'], maxPositional: 1 });
  const [expr] = positional(args, valueFlags);
  if (!expr) throw new UsageError('a query expression is required');
  const url = (flagValue(args, '--url') ?? 'http://127.0.0.1:9090').replace(/\/$/, '');
  const form = new URLSearchParams({ query: expr });
  if (range) {
    for (const f of ['start', 'end', 'step']) {
      const v = flagValue(args, `--${f}`);
      if (v === undefined) throw new UsageError(`--${f} is required for query-range`);
      form.set(f, v);
    }
  } else {
    const t = flagValue(args, '--time');
    if (t !== undefined) form.set('time', t);
  }
  const dataDir = flagValue(args, '--data-dir');
  const local = dataDir === undefined ? null : await dataDirFetch(dataDir);
  let res: Response;
  let body: ApiBody;
  const target = `${local ? 'http://promlet' : url}/api/v1/${range ? 'query_range' : 'query'}`;
  try {
    try {
      res = await (local ? local.fetch : fetch)(target, { method: 'POST', body: form });
    } catch (e) {
      throw new Error(`cannot reach ${target}: ${fetchCause(e)}`);
    }
    try {
      body = (await res.json()) as ApiBody;
    } catch {
      throw new Error(`${target} answered ${res.status} ${res.statusText} without Prometheus's JSON: is it a Prometheus-compatible server?`);
    }
  } finally {
    await local?.close();
  }
  if (body.status !== 'success' || !body.data) {
    io.err(`promlet: ${body.errorType ?? 'error'}: ${body.error ?? res.statusText}\n`);
    return 1;
  }
  if (args.includes('--json')) io.out(JSON.stringify(body) + '\n');
  else if (Array.isArray(body.data.result) && body.data.result.length === 0 && body.data.resultType !== 'scalar' && body.data.resultType !== 'string') {
    // Said on stderr so that a script reading stdout still sees nothing.
    io.err(`promlet: empty query result: no series ${range ? 'in that range' : 'at that time'}\n`);
  } else io.out(table(body.data));
  for (const w of [...(body.warnings ?? []), ...(body.infos ?? [])]) io.err(`${w}\n`);
  return 0;
}

export function formatCommand(args: string[], io: CliIO): number {
  if (args.includes('--help')) {
    io.out('usage: promlet format EXPR [--pretty]\n\nPrint the canonical form of a PromQL expression (--pretty: as /api/v1/format_query does).\n');
    return 0;
  }
  checkArgs(args, { command: 'format', switches: ['--pretty'], maxPositional: 1 });
  const [expr] = positional(args, []);
  if (!expr) throw new UsageError('a query expression is required');
  try {
    io.out(format(expr, { pretty: args.includes('--pretty'), experimentalFunctions: true, extendedRangeSelectors: true, binopFillModifiers: true }) + '\n');
    return 0;
  } catch (e) {
    if (e instanceof ParseError) {
      io.err(`promlet: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

export function checkCommand(args: string[], io: CliIO): number {
  const [what, ...files] = positional(args, []);
  if (args.includes('--help') || what === undefined) {
    io.out('usage: promlet check config FILE...\n       promlet check rules FILE...\n       promlet check statsd-mapping FILE...\n\nCheck Prometheus configuration and rule files as promtool check does (the parts promlet reads), or statsd_exporter mapping files.\n');
    return what === undefined && !args.includes('--help') ? 2 : 0;
  }
  checkArgs(args, { command: `check ${what}`, maxPositional: Infinity });
  if (what === 'rules') return checkRules(files, io);
  if (what === 'statsd-mapping') return checkStatsdMapping(files, io);
  if (what !== 'config') throw new UsageError(`check ${what}: want "check config", "check rules" or "check statsd-mapping"`);
  if (files.length === 0) throw new UsageError('check config needs a file');
  let failed = false;
  for (const f of files) {
    io.out(`Checking ${f}\n`);
    const errs = checkConfigFile(f);
    if (errs.length > 0) {
      failed = true;
      io.err(`  FAILED: ${errs.join('\n  ')}\n`);
      continue;
    }
    // As promtool does: the rule files the config names are checked too, after the config.
    const rules = checkConfigRuleFiles(f);
    if (rules.errors.length > 0) {
      failed = true;
      io.err(`  FAILED: ${rules.errors.join('\n  ')}\n`);
      continue;
    }
    if (rules.files.length > 0) io.out(`  SUCCESS: ${rules.files.length} rule files found\n`);
    io.out(` SUCCESS: ${f} is valid prometheus config file syntax\n`);
    for (const r of rules.files) {
      io.out(`\nChecking ${r.path}\n`);
      if (r.errors.length === 0) io.out(`  SUCCESS: ${r.rules} rules found\n`);
      else {
        failed = true;
        io.err(`  FAILED:\n${r.errors.join('\n')}\n`);
      }
    }
  }
  return failed ? 1 : 0;
}

function checkRules(files: string[], io: CliIO): number {
  if (files.length === 0) throw new UsageError('check rules needs a file');
  let failed = false;
  for (const f of files) {
    io.out(`Checking ${f}\n`);
    try {
      const groups = parseRuleFile(readFileSync(f, 'utf8'), f);
      io.out(`  SUCCESS: ${groups.reduce((n, g) => n + g.rules.length, 0)} rules found\n`);
    } catch (e) {
      failed = true;
      io.err(`  FAILED:\n${e instanceof RuleFileError ? e.errors.join('\n') : (e as Error).message}\n`);
    }
  }
  return failed ? 1 : 0;
}
