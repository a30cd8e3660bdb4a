// `promlet serve`: an in-memory database behind Prometheus's HTTP API,
// scraping the targets of a prometheus.yml, or else its own /metrics, so a
// fresh server answers `up` at once.

import { readFileSync, statSync } from 'node:fs';
import { eitherSpare, othersCpuTimes, quotaTimes, runQueueSpare, spareCores } from './spare-cores.js';
import { availableParallelism, cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { openDB, type DB } from '../storage/db.js';
import type { ChunkEncoding } from '../wasm/codec.js';
import { createEngine, type Engine } from '../promql/engine/engine.js';
import { createApiHandler } from '../api/handler.js';
import { createOffThreadEngine } from './offthread-engine.js';
import { warmUpQueryWorkers, type WarmUpReport } from './query-warm-up.js';
import { startServer } from './server.js';
import { nodeApiRoutes } from './api-route.js';
import { remoteWriteRoute } from './remote-write-route.js';
import { SelfMetrics } from './self-metrics.js';
import { tsdbMetricFamilies } from './tsdb-metrics.js';
import { ScrapeManager } from '../scrape/manager.js';
import { PushStore } from '../push/store.js';
import { expandGlob, fileSdReader } from './file-sd.js';
import { RuleManager } from '../rules/manager.js';
import { engineQueryFunc } from '../rules/group.js';
import { Notifier, alertmanagersFromConfig } from '../rules/notifier.js';
import { parseDuration } from '../model/duration.js';
import { tlsFetch } from './tls-fetch.js';
import type { FsyncPolicy } from './wal-file.js';
import { openDiskDB, parseSize, snapshotDataDir } from './disk-db.js';
import { snapshotName } from './tsdb-command.js';
import { checkConfig, unknownFields } from './check-config.js';
import { type RemoteWrite, startRemoteWrite } from './remote-write.js';
import { remoteWriteConfigs } from '../remote/config.js';
import { startRemoteRead } from './remote-read.js';
import { normalizePrefix, withWebUI } from './web-ui.js';
import { startIntake } from './intake.js';
import { type IngestLimits, ingestLimitFlagValues } from './ingest-limit-flags.js';
import { DiscoveryManager } from '../discovery/manager.js';
import { dnsResolver } from './dns-resolver.js';
import { usableCores } from './cpu-quota.js';

export const VERSION = '0.1.0';

export interface ServeOptions extends IngestLimits {
  listen?: string;
  configFile?: string;
  encoding?: ChunkEncoding;
  retention?: string;
  scrapeInterval?: string;
  lookbackDelta?: string;
  queryTimeout?: string;
  maxSamples?: number;
  /** --query.max-memory: one query's memory budget in bytes (default 1 GiB). */
  maxQueryMemory?: number;
  /** --query.max-label-value-length: longest label value label_replace/label_join may build (default 1 Mi). */
  maxLabelValueLength?: number;
  /** Worker threads evaluating API queries off the event loop (default: the cores available, at most --query.max-concurrency). */
  queryWorkers?: number;
  maxConcurrentQueries?: number;
  /** --web.read-timeout: a request's longest arrival, and an idle connection's life (default 5m). */
  readTimeout?: string;
  basicAuth?: { user: string; password: string };
  bearerToken?: string;
  /** Accept remote write at /api/v1/write (--web.enable-remote-write-receiver). */
  remoteWriteReceiver?: boolean;
  /** --storage.tsdb.path: keep a write-ahead log there and replay it on start. */
  dataDir?: string;
  /** --storage.wal.fsync: 'always' also survives power loss (default 'never': survives the process dying). */
  walFsync?: FsyncPolicy;
  /** --storage.tsdb.retention.size: e.g. "512MB"; oldest blocks are dropped past it. */
  retentionSize?: string;
  /** --storage.tsdb.cache-size: e.g. "64MB", block chunks and index pages kept in memory. */
  cacheSize?: string;
  /** --web.enable-admin-api: POST /api/v1/admin/tsdb/snapshot. */
  adminApi?: boolean;
  /** --web.external-url: the prefix of alerts' generatorURL, and where browsers find the web UI. */
  externalURL?: string;
  /** --web.route-prefix: the path everything is served under (default: the external URL's path). */
  routePrefix?: string;
  /** --rules.alert.resend-delay (default 1m). */
  resendDelay?: string;
  /** --alertmanager.notification-queue-capacity (default 10000). */
  notificationQueueCapacity?: number;
  /** ms between checks of the rule files for changes (default 5 s). */
  ruleFileCheckInterval?: number;
  /** --storage.remote.read-sample-limit, --storage.remote.read-concurrent-limit, --storage.remote.read-max-bytes-in-frame. */
  remoteReadSampleLimit?: number;
  remoteReadConcurrentLimit?: number;
  remoteReadMaxBytesInFrame?: number;
  /** --web.enable-otlp-receiver: accept OTLP/HTTP metrics at /api/v1/otlp/v1/metrics. */
  otlpReceiver?: boolean;
  /** Name servers for dns_sd_configs (HOST or HOST:PORT; default: the system's). */
  dnsServers?: string[];
  /** --statsd.listen-udp, --statsd.listen-tcp, --statsd.mapping-config (and the tag-style switches). */
  statsd?: import('./statsd-listener.js').StatsdOptions;
  /** --enable-feature names. */
  features?: string[];
  /**
   * Warm the query workers up when the server starts, over synthetic data of their own
   * (query-warm-up.ts), so that its first queries run on optimised code (default false;
   * `promlet serve` turns it on unless --no-query.warm-up).
   */
  queryWarmUp?: boolean;
  /** Called with warnings about options that are accepted but not acted on yet. */
  warn?: (msg: string) => void;
}

export interface RunningPromlet {
  url: string;
  /** The web UI's root under `url`: '/' or the route prefix with a slash. */
  uiPath: string;
  db: DB;
  /** Settles when the query workers' start-up warm-up ends, with what it did (null: none ran, or it could not start). */
  warmUp: Promise<WarmUpReport | null>;
  /** Records one self-scrape now (the loop does it every interval). */
  scrapeOnce(): Promise<void>;
  /** Re-reads --config.file as POST /-/reload does (SIGHUP, in `promlet serve`); rejects, keeping the running config, when it is bad. */
  reload(): Promise<void>;
  stop(): Promise<void>;
}

interface PromConfig {
  global?: { scrape_interval?: string; evaluation_interval?: string; external_labels?: Record<string, string> };
  scrape_configs?: unknown[];
  rule_files?: unknown[];
  alerting?: unknown;
  remote_write?: unknown[];
  remote_read?: unknown[];
  storage?: unknown;
  otlp?: unknown;
}

export async function servePromlet(o: ServeOptions = {}): Promise<RunningPromlet> {
  const listen = o.listen ?? '127.0.0.1:9090';
  let configYaml = '';
  let config: PromConfig = {};
  if (o.configFile) {
    configYaml = readFileSync(o.configFile, 'utf8');
    config = (parseYaml(configYaml) ?? {}) as PromConfig;
    // Prometheus refuses to start with these; promlet starts and says so (promlet check config refuses them).
    for (const u of unknownFields(configYaml)) o.warn?.(`${o.configFile}: ${u} (ignored)`);
  }
  const dbOpts = { encoding: o.encoding ?? 'varbit', retention: o.retention ?? '15d', cacheSize: o.cacheSize === undefined ? undefined : parseSize(o.cacheSize) } as const;
  // With a data directory every commit goes to the write-ahead log first, and a restart replays it.
  const disk = o.dataDir ? await openDiskDB(o.dataDir, { ...dbOpts, fsync: o.walFsync, retentionSize: o.retentionSize, warn: o.warn }) : null;
  if (disk) {
    const r = disk.replay;
    o.warn?.(`data dir ${o.dataDir}: opened ${r.blocks} blocks, loaded ${r.series} head series and ${r.chunks} chunks, replayed ${r.samples} samples from ${r.records} log records, in ${Math.round(r.ms)} ms`);
  }
  const db = disk ? disk.db : await openDB(dbOpts);
  const engineOptions = {
    lookbackDelta: o.lookbackDelta ?? '5m', timeout: o.queryTimeout ?? '2m', maxSamples: o.maxSamples ?? 50_000_000,
    maxMemoryBytes: o.maxQueryMemory, maxLabelValueLength: o.maxLabelValueLength,
    features: ['promql-experimental-functions'],
  } as const;
  const remoteRead = startRemoteRead(db, engineOptions, {
    sampleLimit: o.remoteReadSampleLimit, concurrentLimit: o.remoteReadConcurrentLimit, maxBytesInFrame: o.remoteReadMaxBytesInFrame,
  });
  remoteRead.apply(config as Record<string, unknown>, config.global?.external_labels ?? {});
  // Queries through the HTTP API also read remote_read endpoints; rules read local data.
  const engine = createEngine(db, engineOptions);
  // API queries are evaluated in worker threads, so /-/healthy, scrapes and ingestion answer meanwhile;
  // remote_read endpoints are fetched from on this thread first, within the query's timeout.
  // A range query is cut over idle workers only while the machine has half a core or more to spare (spare-cores.ts),
  // and only when its text's last evaluation took long enough to gain from it (8 ms: docs/QUERY-SPEED.md).
  // One whose text took under 10 ms, arriving while no other query runs, is evaluated on this thread
  // without the hand-over's half millisecond.
  const cores = usableCores();
  const hostCores = cpus().length;
  const hostSpare = eitherSpare(hostCores, runQueueSpare(hostCores), spareCores(500, othersCpuTimes()));
  // Under a CPU quota smaller than the host, what the quota leaves bounds what the host's idle cores offer.
  const quotaSpare = cores < availableParallelism() ? spareCores(500, quotaTimes(cores)) : null;
  const spare = quotaSpare ? () => Math.min(hostSpare(), quotaSpare()) : hostSpare;
  const offThread = createOffThreadEngine(db, engineOptions, {
    workers: o.queryWorkers ?? Math.max(1, Math.min(cores, o.maxConcurrentQueries || 20)), remote: remoteRead.source,
    blocks: disk && o.dataDir ? { dataDir: o.dataDir, db } : undefined, splitWhen: () => spare() >= 0.5, splitMinMs: 8,
    inlineMaxMs: 10,
  });
  const apiEngine: Engine = {
    instantQuerySync: engine.instantQuerySync,
    rangeQuerySync: engine.rangeQuerySync,
    instantQuery: offThread.instantQuery,
    rangeQuery: offThread.rangeQuery,
  };
  const applyConfigFile = async () => {
    if (!o.configFile) return;
    const text = readFileSync(o.configFile, 'utf8');
    const errs = checkConfig(text);
    if (errs.length > 0) throw new Error(errs.join('; '));
    const next = (parseYaml(text) ?? {}) as PromConfig;
    await intake.reload(next as Record<string, unknown>);
    loadRules(next);
    await discovery.apply(scrapeDoc(next));
    await scraper.apply(scrapeDoc(next));
    await applyRemoteWrite(next);
    remoteRead.apply(next as Record<string, unknown>, next.global?.external_labels ?? {});
    config = next;
    configYaml = text;
  };
  // The outcome of the last reload, by /-/reload or SIGHUP, as runtimeinfo reports it.
  let lastReload = { ok: true, at: new Date() };
  const reload = async () => {
    try {
      await applyConfigFile();
      lastReload = { ok: true, at: new Date() };
    } catch (e) {
      lastReload = { ok: false, at: lastReload.at };
      throw e;
    }
  };
  const ownMetrics = new SelfMetrics(db, VERSION);
  if (disk) ownMetrics.addSource(() => tsdbMetricFamilies(disk));
  // Prometheus's names: alerting on a failed reload is a common rule.
  ownMetrics.addSource(() => [
    { name: 'prometheus_config_last_reload_successful', help: 'Whether the last configuration reload attempt was successful.', type: 'gauge', samples: [{ labels: {}, value: lastReload.ok ? 1 : 0 }] },
    { name: 'prometheus_config_last_reload_success_timestamp_seconds', help: 'Timestamp of the last successful configuration reload.', type: 'gauge', samples: [{ labels: {}, value: Math.floor(lastReload.at.getTime() / 1000) }] },
  ]);
  const startTime = new Date();
  const flags: Record<string, string> = {
    'web.listen-address': listen, 'config.file': o.configFile ?? '', 'storage.tsdb.retention.time': o.retention ?? '15d',
    'storage.encoding': o.encoding ?? 'varbit', 'query.lookback-delta': o.lookbackDelta ?? '5m', 'query.timeout': o.queryTimeout ?? '2m',
    'query.max-samples': String(o.maxSamples ?? 50_000_000), 'query.max-memory': String(o.maxQueryMemory ?? 1024 * 1024 * 1024),
    'query.max-label-value-length': String(o.maxLabelValueLength ?? 1024 * 1024), 'query.max-concurrency': String(o.maxConcurrentQueries ?? 20),
    'web.read-timeout': o.readTimeout ?? '5m', 'query.warm-up': String(o.queryWarmUp ?? false),
    'web.enable-remote-write-receiver': String(o.remoteWriteReceiver ?? false),
    'storage.tsdb.path': o.dataDir ?? '', 'web.enable-admin-api': String(o.adminApi ?? false), 'storage.wal.fsync': o.walFsync ?? 'never',
    'web.external-url': o.externalURL ?? '', 'web.route-prefix': normalizePrefix(o.routePrefix ?? (o.externalURL ? new URL(o.externalURL).pathname : '')) || '/',
    'rules.alert.resend-delay': o.resendDelay ?? '1m',
    'alertmanager.notification-queue-capacity': String(o.notificationQueueCapacity ?? 10_000),
    'storage.remote.read-sample-limit': String(o.remoteReadSampleLimit ?? 5e7),
    'storage.remote.read-concurrent-limit': String(o.remoteReadConcurrentLimit ?? 10),
    'storage.remote.read-max-bytes-in-frame': String(o.remoteReadMaxBytesInFrame ?? 1048576),
    'web.enable-otlp-receiver': String(o.otlpReceiver ?? false), 'statsd.listen-udp': o.statsd?.udp ?? '', 'statsd.listen-tcp': o.statsd?.tcp ?? '',
    'statsd.mapping-config': o.statsd?.mappingConfig ?? '', 'enable-feature': (o.features ?? []).join(','),
    ...ingestLimitFlagValues(o),
  };
  const baseDir = o.configFile ? dirname(resolve(o.configFile)) : process.cwd();
  // http_sd_configs and dns_sd_configs; a change of their targets re-applies the scrape config.
  const discovery = new DiscoveryManager({
    fetchFor: (tls) => (tls ? tlsFetch(tls) : fetch), resolver: dnsResolver(o.dnsServers), warn: o.warn,
    onChange: () => void scraper.apply(scrapeDoc(config)).catch((e: Error) => o.warn?.(`service discovery: ${e.message}`)),
  });
  const scraper = new ScrapeManager(db, (cfg) => (cfg.tls ? tlsFetch(cfg.tls) : fetch), fileSdReader(baseDir, (m) => o.warn?.(m)), (job) => discovery.groups(job));
  const push = new PushStore(db);
  const notifier = new Notifier({ queueCapacity: o.notificationQueueCapacity });
  const rules = new RuleManager(db, engineQueryFunc(engine), {}, {
    notify: (alerts) => notifier.send(alerts),
    resendDelay: parseDuration(o.resendDelay ?? '1m'),
    externalURL: o.externalURL ?? '',
  });
  const ruleFilePaths = (c: PromConfig) => ((c.rule_files ?? []) as unknown[]).flatMap((p) => expandGlob(String(p), baseDir));
  // What the rule files look like on disk: a change (edit, new file matching a glob) reloads them.
  const ruleFilesStamp = (c: PromConfig) => JSON.stringify(ruleFilePaths(c).map((p) => {
    try {
      const st = statSync(p);
      return [p, st.mtimeMs, st.size];
    } catch {
      return [p];
    }
  }));
  let ruleStamp = '';
  let remote: RemoteWrite | null = null;
  const applyRemoteWrite = async (c: PromConfig) => {
    const configs = remoteWriteConfigs(c as Record<string, unknown>);
    const ext = c.global?.external_labels ?? {};
    if (remote) await remote.apply(configs, ext);
    else if (configs.length > 0) remote = startRemoteWrite(configs, ext, db, disk);
  };
  await applyRemoteWrite(config);
  const intake = await startIntake(db, config as Record<string, unknown>, {
    otlpReceiver: o.otlpReceiver, features: o.features, lookbackDelta: parseDuration(o.lookbackDelta ?? '5m'), otlpMaxBodyBytes: o.otlpMaxDecompressedBytes,
    statsd: o.statsd && { ...o.statsd, warn: o.statsd.warn ?? o.warn },
  });
  ownMetrics.addSource(() => [...intake.metrics(), ...discovery.metrics()]);
  ownMetrics.addSource(() => [...rules.metrics(), ...notifier.metrics(), ...(remote?.metrics() ?? []), ...remoteRead.metrics()]);
  const loadRules = (c: PromConfig) => {
    const am = alertmanagersFromConfig(c.alerting);
    notifier.configure(am.targets, c.global?.external_labels ?? {}, am.relabelConfigs);
    const files = ruleFilePaths(c).map((path) => ({ path, text: readFileSync(path, 'utf8') }));
    ruleStamp = ruleFilesStamp(c);
    rules.load(files, { evaluationInterval: parseDuration(c.global?.evaluation_interval ?? '1m'), externalLabels: c.global?.external_labels ?? {} });
    rules.start();
  };
  const apiHandler = createApiHandler({
    db, engine: apiEngine, push, remoteWrite: o.remoteWriteReceiver ?? false, remoteRead: remoteRead.handler, receivers: intake.receivers,
    maxBodyBytes: o.maxRequestBodyBytes, remoteWriteMaxDecompressedBytes: o.remoteWriteMaxDecompressedBytes, pushMaxDecompressedBytes: o.pushMaxDecompressedBytes,
    externalLabels: () => config.global?.external_labels ?? {},
    info: {
      version: VERSION, startTime, flags, configYaml: () => configYaml, metrics: () => ownMetrics.text(), retention: o.retention ?? '15d',
      targets: () => scraper.targets(),
      // Scraped families and those the OTLP and statsd receivers know, each entry once.
      metadata: () => {
        const out = scraper.metadata();
        for (const [name, list] of Object.entries(intake.metadata())) {
          const have = (out[name] ??= []);
          for (const m of list) if (!have.some((x) => x.type === m.type && x.help === m.help && x.unit === m.unit)) have.push(m);
        }
        return out;
      },
      corruptionCount: () => disk?.walCorruptions ?? 0,
      rules: (type) => rules.rulesJSON(type),
      alerts: () => rules.alertsJSON(),
      alertmanagers: () => notifier.alertmanagers,
      cleanTombstones: o.adminApi && disk ? async () => disk.cleanTombstones() : undefined,
      deleteSeries: o.adminApi ? async (sets, start, end) => {
        for (const ms of sets) db.deleteSeries(ms, start, end);
      } : undefined,
      snapshot: o.adminApi ? async () => {
        if (!o.dataDir) throw new Error('snapshots need --data-dir: the database is in memory only');
        const name = snapshotName();
        // A checkpoint first, so the copy is mostly chunks rather than log.
        disk?.checkpoint();
        snapshotDataDir(o.dataDir, join(o.dataDir, 'snapshots', name));
        return name;
      } : undefined,
      reload: () => reload(),
      lastReload: () => lastReload,
    },
  });
  // As Prometheus: the route prefix defaults to the external URL's path.
  const externalPath = o.externalURL ? new URL(o.externalURL).pathname : '';
  const handler = withWebUI(apiHandler, { engine, routePrefix: o.routePrefix ?? externalPath, externalPath });
  const server = await startServer({
    listen, handler, basicAuth: o.basicAuth, bearerToken: o.bearerToken, maxConcurrentQueries: o.maxConcurrentQueries, maxBodyBytes: o.maxRequestBodyBytes,
    readTimeoutMs: parseDuration(o.readTimeout ?? '5m'),
    onRequest: (path, code) => ownMetrics.countRequest(path, code),
    nodeRoutes: nodeApiRoutes(apiHandler, o.routePrefix ?? externalPath),
    directRoutes: o.remoteWriteReceiver ? { [`${normalizePrefix(o.routePrefix ?? externalPath)}/api/v1/write`]: remoteWriteRoute(db, { maxDecompressedBytes: o.remoteWriteMaxDecompressedBytes }) } : undefined,
  });
  const ownAddress = new URL(server.url).host;
  // Without scrape_configs, promlet scrapes its own /metrics, as Prometheus's example config does.
  const scrapeDoc = (c: PromConfig): Record<string, unknown> => ({
    ...c,
    global: { ...c.global, scrape_interval: o.scrapeInterval ?? c.global?.scrape_interval ?? (o.configFile ? '1m' : '15s') },
    scrape_configs: c.scrape_configs?.length ? c.scrape_configs
      : [{
        job_name: 'promlet', metrics_path: `${normalizePrefix(o.routePrefix ?? externalPath)}/metrics`, static_configs: [{ targets: [ownAddress] }],
        // Its own credentials: a protected server scrapes itself as well.
        ...(o.basicAuth ? { basic_auth: { username: o.basicAuth.user, password: o.basicAuth.password } } : {}),
        ...(o.bearerToken && !o.basicAuth ? { authorization: { type: 'Bearer', credentials: o.bearerToken } } : {}),
      }],
  });
  await discovery.apply(scrapeDoc(config));
  await scraper.apply(scrapeDoc(config));
  loadRules(config);
  const scrapeOnce = () => scraper.scrapeAll();
  await scrapeOnce();
  // Pushed groups are recorded every 15 s, as a Prometheus scraping a Pushgateway would.
  const pushTimer = setInterval(() => void push.record(Date.now()), 15_000);
  pushTimer.unref();
  // file_sd files are re-read every 5 s (Prometheus watches them), so edits apply without a reload.
  const sdTimer = setInterval(() => {
    if (scraper.fileSdRefresh > 0) void scraper.apply(scrapeDoc(config)).catch((e: Error) => o.warn?.(`file_sd: ${e.message}`));
  }, 5_000);
  sdTimer.unref();
  const ruleTimer = setInterval(() => {
    if (ruleFilesStamp(config) === ruleStamp) return;
    try {
      loadRules(config);
    } catch (e) {
      // Keep evaluating the rules that loaded last; try again on the next change.
      ruleStamp = ruleFilesStamp(config);
      o.warn?.(`rule files: ${(e as Error).message}`);
    }
  }, o.ruleFileCheckInterval ?? 5_000);
  ruleTimer.unref();
  const warmUpStop = new AbortController();
  const warmUp: Promise<WarmUpReport | null> = o.queryWarmUp
    ? warmUpQueryWorkers(offThread, { blocks: !!disk, signal: warmUpStop.signal }).then(
      (r) => {
        if (r.failed > 0 && !warmUpStop.signal.aborted) o.warn?.(`query warm-up: ${r.failed} of ${r.queries} queries failed, the first: ${r.firstError}`);
        return r;
      },
      (e: Error) => {
        o.warn?.(`query warm-up: ${e.message}`);
        return null;
      },
    )
    : Promise.resolve(null);
  return {
    url: server.url,
    warmUp,
    uiPath: `${normalizePrefix(o.routePrefix ?? externalPath)}/`,
    db,
    scrapeOnce,
    reload,
    stop: async () => {
      // Scrapes in flight are cancelled and awaited: none commits into the log once it is closed.
      const scrapesEnded = scraper.stop();
      discovery.stop();
      rules.stop();
      await notifier.flush();
      clearInterval(pushTimer);
      clearInterval(sdTimer);
      clearInterval(ruleTimer);
      await server.close();
      warmUpStop.abort();
      await warmUp;
      await offThread.close();
      await remote?.stop();
      await intake.stop();
      await scrapesEnded;
      // A clean stop checkpoints, so the next start loads chunks instead of replaying the log.
      await disk?.close();
    },
  };
}
