// `promlet serve`: an in-memory database behind Prometheus's HTTP API,
// recording its own metrics every scrape interval so a fresh server answers
// `up` at once.

import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { openDB, type DB } from '../storage/db.js';
import type { ChunkEncoding } from '../wasm/codec.js';
import { createEngine } from '../promql/engine/engine.js';
import { parseDuration } from '../promql/parser/literals.js';
import { createApiHandler } from '../api/handler.js';
import { startServer } from './server.js';
import { SelfMetrics } from './self-metrics.js';
import { checkConfig } from './check-config.js';

export const VERSION = '0.1.0';

export interface ServeOptions {
  listen?: string;
  configFile?: string;
  encoding?: ChunkEncoding;
  retention?: string;
  scrapeInterval?: string;
  lookbackDelta?: string;
  queryTimeout?: string;
  maxSamples?: number;
  maxConcurrentQueries?: number;
  basicAuth?: { user: string; password: string };
  bearerToken?: string;
  /** Called with warnings about options that are accepted but not acted on yet. */
  warn?: (msg: string) => void;
}

export interface RunningPromlet {
  url: string;
  db: DB;
  /** Records one self-scrape now (the loop does it every interval). */
  scrapeOnce(): Promise<void>;
  stop(): Promise<void>;
}

interface PromConfig {
  global?: { scrape_interval?: string; evaluation_interval?: string };
  scrape_configs?: unknown[];
  rule_files?: unknown[];
}

export async function servePromlet(o: ServeOptions = {}): Promise<RunningPromlet> {
  const listen = o.listen ?? '127.0.0.1:9090';
  let configYaml = '';
  let config: PromConfig = {};
  if (o.configFile) {
    configYaml = readFileSync(o.configFile, 'utf8');
    config = (parseYaml(configYaml) ?? {}) as PromConfig;
    if (config.scrape_configs?.length) o.warn?.('scrape_configs are read but not scraped yet: only promlet\'s own metrics are recorded');
    if (config.rule_files?.length) o.warn?.('rule_files are not evaluated yet');
  }
  let interval = parseDuration(o.scrapeInterval ?? config.global?.scrape_interval ?? '15s');
  const db = await openDB({ encoding: o.encoding ?? 'varbit', retention: o.retention ?? '15d' });
  const engine = createEngine(db, {
    lookbackDelta: o.lookbackDelta ?? '5m', timeout: o.queryTimeout ?? '2m', maxSamples: o.maxSamples ?? 50_000_000,
    features: ['promql-experimental-functions'],
  });
  const self = new SelfMetrics(db, VERSION);
  const startTime = new Date();
  const flags: Record<string, string> = {
    'web.listen-address': listen, 'config.file': o.configFile ?? '', 'storage.tsdb.retention.time': o.retention ?? '15d',
    'storage.encoding': o.encoding ?? 'varbit', 'query.lookback-delta': o.lookbackDelta ?? '5m', 'query.timeout': o.queryTimeout ?? '2m',
    'query.max-samples': String(o.maxSamples ?? 50_000_000), 'query.max-concurrency': String(o.maxConcurrentQueries ?? 20),
  };
  let target = { job: 'promlet', instance: listen };
  const handler = createApiHandler({
    db, engine,
    info: {
      version: VERSION, startTime, flags, configYaml: () => configYaml, metrics: () => self.text(), retention: o.retention ?? '15d',
      reload: async () => {
        if (!o.configFile) return;
        const text = readFileSync(o.configFile, 'utf8');
        const errs = checkConfig(text);
        if (errs.length > 0) throw new Error(errs.join('; '));
        configYaml = text;
        config = (parseYaml(text) ?? {}) as PromConfig;
        interval = parseDuration(o.scrapeInterval ?? config.global?.scrape_interval ?? '15s');
        restartTimer();
      },
      targets: () => [{
        discoveredLabels: { __address__: target.instance, job: target.job }, labels: target, scrapePool: target.job,
        scrapeUrl: `http://${target.instance}/metrics`, globalUrl: `http://${target.instance}/metrics`, lastError: '',
        lastScrape: new Date(lastScrape).toISOString(), lastScrapeDuration: 0, health: lastScrape > 0 ? 'up' : 'unknown',
        scrapeInterval: `${interval / 1000}s`, scrapeTimeout: `${Math.min(interval, 10_000) / 1000}s`,
      }],
    },
  });
  const server = await startServer({
    listen, handler, basicAuth: o.basicAuth, bearerToken: o.bearerToken, maxConcurrentQueries: o.maxConcurrentQueries,
    onRequest: (path, code) => self.countRequest(path, code),
  });
  target = { job: 'promlet', instance: new URL(server.url).host };
  let lastScrape = 0;
  const scrapeOnce = async () => {
    lastScrape = Math.max(Date.now(), lastScrape + 1);
    await self.record(target, lastScrape);
  };
  await scrapeOnce();
  let timer: ReturnType<typeof setInterval> | null = null;
  const restartTimer = () => {
    if (timer) clearInterval(timer);
    timer = setInterval(() => void scrapeOnce(), interval);
    timer.unref();
  };
  restartTimer();
  return {
    url: server.url,
    db,
    scrapeOnce,
    stop: async () => {
      if (timer) clearInterval(timer);
      await server.close();
    },
  };
}
