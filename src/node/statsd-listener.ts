// The statsd receiver's sockets (--statsd.listen-udp, --statsd.listen-tcp,
// --statsd.mapping-config): datagrams and newline-separated TCP streams of
// statsd lines into the exporter, recorded into the database every
// interval. Bad lines are counted drops, never a crash.

import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import { readFileSync } from 'node:fs';
import type { Appendable } from '../storage/interfaces.js';
import { newLineStats, parseLine, type ParserOptions } from '../statsd/line.js';
import { StatsdExporter } from '../statsd/exporter.js';
import { MetricMapper, parseMappingConfig } from '../statsd/mapping.js';
import type { MetricFamily } from './self-metrics.js';

export interface StatsdOptions {
  /** HOST:PORT (":PORT" for every interface). */
  udp?: string;
  tcp?: string;
  /** Path of a statsd_exporter mapping file. */
  mappingConfig?: string;
  /** ms between recordings into the database (default 15 s). */
  recordInterval?: number;
  parser?: ParserOptions;
  maxSeries?: number;
  /** Longest TCP line kept (bytes); longer ones are dropped and counted. */
  maxLineBytes?: number;
  /** Most TCP connections at once. */
  maxConnections?: number;
  warn?: (msg: string) => void;
}

export interface StatsdReceiver {
  udpAddress?: string;
  tcpAddress?: string;
  exporter: StatsdExporter;
  /** Records the current values now. */
  record(t?: number): Promise<void>;
  reloadMapping(): void;
  metrics(): MetricFamily[];
  stop(): Promise<void>;
}

/** Go's host:port forms: "HOST:PORT", "[v6]:PORT", ":PORT". */
export function splitHostPort(addr: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]*)\]|([^:]*)):(\d+)$/.exec(addr);
  if (!m) throw new Error(`invalid address ${JSON.stringify(addr)}: want HOST:PORT`);
  const port = Number(m[3]);
  if (port > 65535) throw new Error(`invalid port in ${JSON.stringify(addr)}`);
  return { host: m[1] ?? m[2] ?? '', port };
}

const fmtAddr = (host: string, port: number) => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);

/** `promlet check statsd-mapping FILE...` (statsd_exporter's --check-config): 0 when every file is valid. */
export function checkStatsdMapping(files: string[], io: { out: (s: string) => void; err: (s: string) => void }): number {
  if (files.length === 0) {
    io.err('check statsd-mapping needs a file\n');
    return 2;
  }
  let failed = false;
  for (const f of files) {
    io.out(`Checking ${f}\n`);
    try {
      const n = parseMappingConfig(readFileSync(f, 'utf8')).mappings.length;
      io.out(`  SUCCESS: ${n} mappings found\n`);
    } catch (e) {
      failed = true;
      io.err(`  FAILED: ${(e as Error).message}\n`);
    }
  }
  return failed ? 1 : 0;
}

export function loadMapper(path: string | undefined): MetricMapper | null {
  if (!path) return null;
  return new MetricMapper(parseMappingConfig(readFileSync(path, 'utf8')));
}

export async function startStatsd(db: Appendable, o: StatsdOptions): Promise<StatsdReceiver> {
  const exporter = new StatsdExporter(loadMapper(o.mappingConfig), { maxSeries: o.maxSeries });
  const stats = newLineStats();
  let udpPackets = 0, tcpConnections = 0, tcpErrors = 0, tooLong = 0, lines = 0;
  const maxLine = o.maxLineBytes ?? 64 * 1024;
  const handleText = (text: string) => {
    for (const line of text.split('\n')) {
      const l = line.endsWith('\r') ? line.slice(0, -1) : line;
      if (l === '') continue;
      lines++;
      exporter.handle(parseLine(l, o.parser ?? {}, stats));
    }
  };

  let udp: Socket | null = null;
  let udpAddress: string | undefined;
  if (o.udp) {
    const { host, port } = splitHostPort(o.udp);
    const sock = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    udp = sock;
    sock.on('message', (msg) => {
      udpPackets++;
      handleText(msg.toString('utf8'));
    });
    sock.on('error', (e) => o.warn?.(`statsd udp: ${e.message}`));
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.bind(port, host || undefined, () => {
        sock.off('error', reject);
        resolve();
      });
    });
    const a = sock.address();
    udpAddress = fmtAddr(a.address, a.port);
  }

  let tcp: Server | null = null;
  const conns = new Set<import('node:net').Socket>();
  let tcpAddress: string | undefined;
  if (o.tcp) {
    const { host, port } = splitHostPort(o.tcp);
    const server = createServer((conn) => {
      tcpConnections++;
      conns.add(conn);
      conn.on('close', () => conns.delete(conn));
      let pending = '';
      let skipping = false;
      conn.setEncoding('utf8');
      conn.on('data', (chunk: string) => {
        let text = pending + chunk;
        if (skipping) {
          const nl = text.indexOf('\n');
          if (nl < 0) {
            pending = '';
            return;
          }
          text = text.slice(nl + 1);
          skipping = false;
        }
        const last = text.lastIndexOf('\n');
        pending = last < 0 ? text : text.slice(last + 1);
        if (last >= 0) handleText(text.slice(0, last));
        if (pending.length > maxLine) {
          tooLong++;
          pending = '';
          skipping = true;
        }
      });
      conn.on('end', () => {
        if (pending && !skipping) handleText(pending);
        pending = '';
      });
      conn.on('error', () => tcpErrors++);
    });
    server.maxConnections = o.maxConnections ?? 1024;
    tcp = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host || undefined, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const a = server.address() as { address: string; port: number };
    tcpAddress = fmtAddr(a.address, a.port);
  }

  const record = (t?: number) => exporter.record(db, t);
  const timer = setInterval(() => void record().catch((e: Error) => o.warn?.(`statsd: recording: ${e.message}`)), o.recordInterval ?? 15_000);
  timer.unref();

  const counter = (name: string, help: string, value: number): MetricFamily => ({ name, help, type: 'counter', samples: [{ labels: {}, value }] });
  const byLabel = (name: string, help: string, label: string, m: Map<string, number>): MetricFamily =>
    ({ name, help, type: 'counter', samples: [...m].map(([k, value]) => ({ labels: { [label]: k }, value })) });

  return {
    udpAddress, tcpAddress, exporter, record,
    reloadMapping: () => exporter.setMapper(loadMapper(o.mappingConfig)),
    metrics: () => [
      counter('promlet_statsd_udp_packets_total', 'The total number of StatsD packets received over UDP.', udpPackets),
      counter('promlet_statsd_tcp_connections_total', 'The total number of TCP connections handled.', tcpConnections),
      counter('promlet_statsd_tcp_connection_errors_total', 'The number of errors encountered reading from TCP.', tcpErrors),
      counter('promlet_statsd_tcp_too_long_lines_total', 'The number of lines discarded due to being too long.', tooLong),
      counter('promlet_statsd_lines_total', 'The total number of StatsD lines received.', lines),
      counter('promlet_statsd_samples_total', 'The total number of StatsD samples received.', stats.samples),
      byLabel('promlet_statsd_sample_errors_total', 'The total number of errors parsing StatsD samples.', 'reason', stats.errors),
      counter('promlet_statsd_tags_total', 'The total number of DogStatsD tags processed.', stats.tags),
      counter('promlet_statsd_tag_errors_total', 'The number of errors parsing DogStatsD tags.', stats.tagErrors),
      byLabel('promlet_statsd_events_total', 'The total number of StatsD events seen.', 'type', exporter.events),
      byLabel('promlet_statsd_events_actions_total', 'The total number of StatsD events by action.', 'action', exporter.actions),
      counter('promlet_statsd_events_unmapped_total', 'The total number of StatsD events no mapping was found for.', exporter.unmapped),
      byLabel('promlet_statsd_events_conflict_total', 'The total number of StatsD events with conflicting names.', 'type', exporter.conflicts),
      byLabel('promlet_statsd_event_errors_total', 'The total number of StatsD events discarded due to errors.', 'reason', exporter.errors),
      { name: 'promlet_statsd_series', help: 'Series the statsd receiver keeps.', type: 'gauge', samples: [{ labels: {}, value: exporter.seriesCount }] },
    ],
    stop: async () => {
      clearInterval(timer);
      await record().catch(() => {});
      if (udp) await new Promise<void>((r) => udp!.close(() => r()));
      if (tcp) {
        const closed = new Promise<void>((r) => tcp!.close(() => r()));
        for (const c of conns) c.destroy();
        await closed;
      }
    },
  };
}
