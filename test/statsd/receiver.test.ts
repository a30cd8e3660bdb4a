// `promlet serve --statsd.listen-udp/--statsd.listen-tcp --statsd.mapping-config`:
// the hot-shots client (DogStatsD tags) and raw datagrams in, PromQL out.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSocket } from 'node:dgram';
import { createConnection, createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import StatsD from 'hot-shots';
import { servePromlet, type RunningPromlet } from '../../src/node/serve.js';
import { runCli } from '../../src/node/cli.js';

const mapping = fileURLToPath(new URL('../fixtures/statsd-mapping.yml', import.meta.url));
let s: RunningPromlet;
let udpPort = 0, tcpPort = 0;

const freePort = (kind: 'udp' | 'tcp') => new Promise<number>((resolve) => {
  if (kind === 'udp') {
    const sock = createSocket('udp4');
    sock.bind(0, '127.0.0.1', () => {
      const p = sock.address().port;
      sock.close(() => resolve(p));
    });
  } else {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const p = (srv.address() as { port: number }).port;
      srv.close(() => resolve(p));
    });
  }
});

const send = (text: string) => new Promise<void>((resolve, reject) => {
  const sock = createSocket('udp4');
  sock.send(text, udpPort, '127.0.0.1', (e) => {
    sock.close();
    if (e) reject(e);
    else resolve();
  });
});

type Row = { metric: Record<string, string>; value: [number, string] };
const query = async (q: string): Promise<Row[]> =>
  ((await (await fetch(`${s.url}/api/v1/query?query=${encodeURIComponent(q)}`)).json()) as { data: { result: Row[] } }).data.result;

async function until(q: string, ok: (r: Row[]) => boolean): Promise<Row[]> {
  let last: Row[] = [];
  for (let i = 0; i < 200; i++) {
    last = await query(q);
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${q}: still ${JSON.stringify(last)}`);
}

const value = (q: string, want: string) => until(q, (r) => r.length === 1 && r[0]!.value[1] === want).then((r) => r[0]!);

beforeAll(async () => {
  udpPort = await freePort('udp');
  tcpPort = await freePort('tcp');
  s = await servePromlet({
    listen: '127.0.0.1:0', scrapeInterval: '1h',
    statsd: { udp: `127.0.0.1:${udpPort}`, tcp: `127.0.0.1:${tcpPort}`, mappingConfig: mapping, recordInterval: 100 },
  });
});

afterAll(async () => {
  await s?.stop();
});

describe('statsd receiver', () => {
  it('takes the hot-shots client over UDP and TCP, with DogStatsD tags', async () => {
    for (const protocol of ['udp', 'tcp'] as const) {
      const client = new StatsD({ host: '127.0.0.1', port: protocol === 'udp' ? udpPort : tcpPort, protocol, globalTags: { env: protocol }, maxBufferSize: 0 });
      client.increment('app.requests', 3);
      client.increment('app.requests', 2);
      client.gauge('app.queue', 10);
      client.gaugeDelta('app.queue', -4);
      client.timing('api.request.latency', 250);
      client.histogram('api.request.size', 512);
      client.distribution('api.request.size', 5000);
      client.set('app.users', 'alice');
      client.set('app.users', 'bob');
      client.set('app.users', 'alice');
      await new Promise<void>((r) => client.close(() => r()));
      const sel = `{env="${protocol}"}`;
      await value(`app_requests${sel}`, '5');
      await value(`app_queue${sel}`, '6');
      await value(`api_request_duration_seconds${sel.replace('}', ',quantile="0.5"}')}`, '0.25');
      await value(`api_request_duration_seconds_count${sel}`, '1');
      const buckets = await until(`api_request_size_bytes_bucket${sel}`, (r) => r.length === 3);
      expect(Object.fromEntries(buckets.map((b) => [b.metric.le, b.value[1]]))).toEqual({ '100': '0', '1000': '1', '+Inf': '2' });
      // A set counts the distinct members of one recording period.
      const users = await query(`max_over_time(app_users${sel}[1m])`);
      expect(users[0]!.value[1]).toBe('2');
    }
  });

  it('maps raw datagrams, applies sampling rates and tag styles, and drops what the mapping drops', async () => {
    await send([
      'test.dispatcher.FooProcessor.send.success:1|c|@0.5',
      'web1.signup.facebook.failure:1|c',
      'noisy.thing:5|c',
      'srv.rpc--grpc.status.503.count:2|c',
      'tagged.login,env=prod:1|c',
      'tagged.logout:1|c',
      'scaled.ms:2500|c',
      'raw.timer#region=eu:0.5|h',
    ].join('\n'));
    await value('dispatcher_events_total{job="test_dispatcher",processor="FooProcessor",action="send",outcome="success"}', '2');
    await value('signup_events_total{job="web1_server",provider="facebook",outcome="failure"}', '1');
    await value('request_total{hostname="srv",exec="rpc",protocol="grpc",code="503",job="statsd"}', '2');
    await value('tagged_total{env="prod",kind="login"}', '1');
    await value('tagged_total{env="default",kind="logout"}', '1');
    await value('scaled_seconds', '2.5');
    await value('raw_timer_count{region="eu"}', '1');
    expect(await query('{__name__=~"noisy.*|dropped"}')).toEqual([]);
  });

  it('counts bad lines as drops and keeps serving', async () => {
    await send('bad line\nfoo:abc|c\nfoo:1|q\ncounter.neg:-1|c\n\ufffd:1|c');
    const conn = createConnection(tcpPort, '127.0.0.1');
    await new Promise<void>((r) => conn.once('connect', () => r()));
    conn.end('tcp.ok:1|c\nno-value\n');
    await value('tcp_ok', '1');
    const own = await (await fetch(`${s.url}/metrics`)).text();
    expect(own).toMatch(/promlet_statsd_sample_errors_total\{reason="malformed_line"\} [2-9]/);
    expect(own).toMatch(/promlet_statsd_sample_errors_total\{reason="malformed_value"\} 1\n/);
    expect(own).toMatch(/promlet_statsd_sample_errors_total\{reason="illegal_event"\} 1\n/);
    expect(own).toMatch(/promlet_statsd_event_errors_total\{reason="illegal_negative_counter"\} 1\n/);
    expect(own).toMatch(/promlet_statsd_events_actions_total\{action="drop"\} 1\n/);
    expect(own).toMatch(/promlet_statsd_udp_packets_total [1-9]/);
    expect((await fetch(`${s.url}/-/healthy`)).status).toBe(200);
  });

  it('expires series after the mapping ttl, with a staleness marker', async () => {
    await send('temp.kitchen:21|g');
    await value('temperature_celsius{room="kitchen"}', '21');
    // ttl 1s: after it the series ends with a staleness marker, so the instant query finds nothing.
    await until('temperature_celsius{room="kitchen"}', (r) => r.length === 0);
  });

  it('promlet check statsd-mapping validates mapping files', async () => {
    const out: string[] = [], err: string[] = [];
    const io = { out: (x: string) => out.push(x), err: (x: string) => err.push(x) };
    expect(await runCli(['check', 'statsd-mapping', mapping], io)).toBe(0);
    expect(out.join('')).toMatch(/SUCCESS: 10 mappings found/);
    const { writeFileSync, mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(`${tmpdir()}/promlet-statsd-`);
    try {
      writeFileSync(`${dir}/bad.yml`, 'mappings:\n  - match: "a..b"\n    name: x\n');
      expect(await runCli(['check', 'statsd-mapping', `${dir}/bad.yml`], io)).toBe(1);
      expect(err.join('')).toMatch(/FAILED: invalid match: a\.\.b/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a bad mapping file at start', async () => {
    const err: string[] = [];
    const code = await runCli(['serve', '--listen', '127.0.0.1:0', '--statsd.listen-udp', '127.0.0.1:0', '--statsd.mapping-config', fileURLToPath(new URL('../fixtures/statsd-mapping.yml', import.meta.url)).replace('.yml', '-missing.yml')], { out: () => {}, err: (x) => err.push(x) });
    expect(code).toBe(1);
    expect(err.join('')).toMatch(/statsd-mapping-missing\.yml/);
  });
});
