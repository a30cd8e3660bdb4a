// http_sd_configs against a local HTTP server and dns_sd_configs against
// Debian's dnsmasq on a free 127.0.0.1 UDP port: the discovered groups and
// their __meta_* labels, and `promlet serve` scraping what was found.

import { createServer, type Server } from 'node:http';
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiscoveryManager } from '../../src/discovery/manager.js';
import { dnsResolver } from '../../src/node/dns-resolver.js';
import { servePromlet, type RunningPromlet } from '../../src/node/serve.js';
import { checkConfig } from '../../src/node/check-config.js';

let metrics: Server;
let metricsPort = 0;
let sd: Server;
let sdUrl = '';
let sdAnswer: { status: number; type: string; body: string } = { status: 200, type: 'application/json', body: '[]' };
let sdAuth = '';
let dnsmasq: ChildProcess;
let dnsPort = 0;
let dir: string;

const freeUdpPort = () => new Promise<number>((resolve) => {
  const s = createSocket('udp4');
  s.bind(0, '127.0.0.1', () => {
    const p = s.address().port;
    s.close(() => resolve(p));
  });
});

async function until(ok: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
  metrics = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end('found_me 1\n');
  });
  await new Promise<void>((r) => metrics.listen(0, '127.0.0.1', r));
  metricsPort = (metrics.address() as { port: number }).port;
  sd = createServer((req, res) => {
    sdAuth = req.headers.authorization ?? '';
    if (sdAuth !== 'Bearer s3cret') {
      res.writeHead(401);
      res.end();
      return;
    }
    res.writeHead(sdAnswer.status, { 'content-type': sdAnswer.type });
    res.end(sdAnswer.body);
  });
  await new Promise<void>((r) => sd.listen(0, '127.0.0.1', r));
  sdUrl = `http://127.0.0.1:${(sd.address() as { port: number }).port}/sd`;

  dnsPort = await freeUdpPort();
  // /usr/sbin may not be on a user's PATH.
  dnsmasq = spawn(existsSync('/usr/sbin/dnsmasq') ? '/usr/sbin/dnsmasq' : 'dnsmasq', [
    '-k', '--conf-file=/dev/null', `--port=${dnsPort}`, '--listen-address=127.0.0.1', '--bind-interfaces', '--no-resolv', '--no-hosts', '--pid-file=',
    '--local=/svc.test/',
    `--srv-host=_metrics._tcp.svc.test,node1.svc.test,${metricsPort},0,10`,
    '--srv-host=_metrics._tcp.svc.test,node2.svc.test,9200,0,10',
    '--host-record=node1.svc.test,127.0.0.1,::1',
    '--mx-host=svc.test,mail.svc.test,10',
  ], { stdio: 'ignore' });
  const r = dnsResolver([`127.0.0.1:${dnsPort}`]);
  await until(async () => (await r.resolve4('node1.svc.test').catch(() => [])).length > 0, 'dnsmasq');
  dir = mkdtempSync(join(tmpdir(), 'promlet-sd-'));
}, 30_000);

afterAll(async () => {
  metrics?.close();
  sd?.close();
  if (dnsmasq) {
    dnsmasq.kill('SIGTERM');
    await new Promise((r) => (dnsmasq.exitCode !== null ? r(null) : dnsmasq.once('exit', r)));
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const job = (name: string, extra: Record<string, unknown>) => ({ scrape_configs: [{ job_name: name, ...extra }] });

describe('dns_sd_configs', () => {
  it('finds SRV, A, AAAA and MX records with Prometheus\'s meta labels', async () => {
    const m = new DiscoveryManager({ resolver: dnsResolver([`127.0.0.1:${dnsPort}`]) });
    await m.apply(job('srv', { dns_sd_configs: [{ names: ['_metrics._tcp.svc.test'] }] }));
    const srv = m.groups('srv').map((g) => ({ ...g.labels, target: g.targets[0] })).sort((a, b) => a.target!.localeCompare(b.target!));
    expect(srv).toEqual([
      { __meta_dns_name: '_metrics._tcp.svc.test', __meta_dns_srv_record_target: 'node1.svc.test.', __meta_dns_srv_record_port: String(metricsPort), target: `node1.svc.test:${metricsPort}` },
      { __meta_dns_name: '_metrics._tcp.svc.test', __meta_dns_srv_record_target: 'node2.svc.test.', __meta_dns_srv_record_port: '9200', target: 'node2.svc.test:9200' },
    ]);
    await m.apply(job('a', { dns_sd_configs: [{ names: ['node1.svc.test'], type: 'A', port: 9100 }, { names: ['node1.svc.test'], type: 'AAAA', port: 9100 }] }));
    expect(m.groups('a')).toEqual([
      { targets: ['127.0.0.1:9100'], labels: { __meta_dns_name: 'node1.svc.test' } },
      { targets: ['[::1]:9100'], labels: { __meta_dns_name: 'node1.svc.test' } },
    ]);
    expect(m.groups('srv')).toEqual([]);
    await m.apply(job('mx', { dns_sd_configs: [{ names: ['svc.test', 'nothing.svc.test'], type: 'MX', port: 25 }] }));
    expect(m.groups('mx')).toEqual([{ targets: ['mail.svc.test:25'], labels: { __meta_dns_name: 'svc.test', __meta_dns_mx_record_target: 'mail.svc.test.' } }]);
    m.stop();
  });

  it('keeps the last targets when the server stops answering', async () => {
    const warnings: string[] = [];
    const m = new DiscoveryManager({ resolver: dnsResolver([`127.0.0.1:${dnsPort}`]), warn: (w) => warnings.push(w) });
    await m.apply(job('a', { dns_sd_configs: [{ names: ['node1.svc.test'], type: 'A', port: 1 }] }));
    const before = m.groups('a');
    // A name outside svc.test: dnsmasq has no upstream and refuses it, a failure rather than "no such name".
    await m.apply(job('a', { dns_sd_configs: [{ names: ['node1.svc.test'], type: 'A', port: 1 }, { names: ['elsewhere.example'], type: 'A', port: 1 }] }));
    expect(m.groups('a')).toEqual(before);
    expect(warnings.join('\n')).toMatch(/dns_sd \(job a\)/);
    expect(m.metrics().find((f) => f.name === 'promlet_sd_dns_lookup_failures_total')!.samples[0]!.value).toBe(1);
    m.stop();
  });

  it('keeps a failing name\'s last targets while the other names follow their records', async () => {
    let round = 0;
    const fail = (code: string) => Object.assign(new Error(`query failed: ${code}`), { code });
    const stub = {
      resolve4: async (name: string) => {
        if (name === 'flaky.test' && round > 0) throw fail('ESERVFAIL');
        return name === 'flaky.test' ? ['10.0.0.1'] : [`10.0.1.${round}`];
      },
      resolve6: async () => [], resolveSrv: async () => [], resolveMx: async () => [], resolveNs: async () => [],
    };
    const warnings: string[] = [];
    const m = new DiscoveryManager({ resolver: stub, warn: (w) => warnings.push(w) });
    await m.apply(job('a', { dns_sd_configs: [{ names: ['flaky.test', 'steady.test'], type: 'A', port: 80 }] }));
    expect(m.groups('a').map((g) => g.targets[0])).toEqual(['10.0.0.1:80', '10.0.1.0:80']);
    round = 1;
    await m.refreshAll();
    expect(m.groups('a').map((g) => g.targets[0])).toEqual(['10.0.0.1:80', '10.0.1.1:80']);
    expect(warnings).toEqual(["dns_sd (job a): flaky.test: query failed: ESERVFAIL; keeping that name's last targets"]);
    m.stop();
  });

  it('feeds the scraper: targets from A and SRV records (relabelled on their meta labels) are scraped', async () => {
    const file = join(dir, 'dns.yml');
    writeFileSync(file, `
scrape_configs:
  - job_name: by-a
    dns_sd_configs: [{ names: [node1.svc.test], type: A, port: ${metricsPort} }]
  - job_name: by-srv
    dns_sd_configs: [{ names: [_metrics._tcp.svc.test] }]
    relabel_configs:
      - source_labels: [__meta_dns_srv_record_target]
        regex: node1\\.svc\\.test\\.
        action: keep
      - source_labels: [__meta_dns_srv_record_port]
        target_label: __address__
        replacement: 127.0.0.1:$1
`);
    const s = await servePromlet({ listen: '127.0.0.1:0', configFile: file, dnsServers: [`127.0.0.1:${dnsPort}`] });
    try {
      const r = (await (await fetch(`${s.url}/api/v1/query?query=${encodeURIComponent('found_me')}`)).json()) as { data: { result: { metric: Record<string, string> }[] } };
      expect(r.data.result.map((x) => `${x.metric.job} ${x.metric.instance}`).sort()).toEqual([`by-a 127.0.0.1:${metricsPort}`, `by-srv 127.0.0.1:${metricsPort}`]);
    } finally {
      await s.stop();
    }
  });
});

describe('http_sd_configs', () => {
  const groups = (n: number) => JSON.stringify([{ targets: [`127.0.0.1:${metricsPort}`], labels: { env: 'prod', n: String(n) } }]);

  it('reads target groups with auth, adds __meta_url, and keeps the last good answer on failure', async () => {
    const warnings: string[] = [];
    const m = new DiscoveryManager({ warn: (w) => warnings.push(w) });
    sdAnswer = { status: 200, type: 'application/json; charset=utf-8', body: groups(1) };
    await m.apply(job('h', { http_sd_configs: [{ url: sdUrl, authorization: { credentials: 's3cret' }, refresh_interval: '1h' }] }));
    expect(sdAuth).toBe('Bearer s3cret');
    expect(m.groups('h')).toEqual([{ targets: [`127.0.0.1:${metricsPort}`], labels: { env: 'prod', n: '1', __meta_url: sdUrl } }]);
    for (const bad of [{ status: 500, type: 'application/json', body: '' }, { status: 200, type: 'text/plain', body: groups(2) }, { status: 200, type: 'application/json', body: '{"targets":[]}' }, { status: 200, type: 'application/json', body: '[null]' }]) {
      sdAnswer = bad;
      await m.refreshAll();
      expect(m.groups('h')[0]!.labels.n).toBe('1');
    }
    expect(warnings.map((w) => w.replace(/^http_sd \(job h\): /, '').replace(/; keeping the last targets$/, ''))).toEqual([
      'server returned HTTP status 500 Internal Server Error', 'unsupported content type "text/plain"', 'want a JSON list of target groups', 'nil target group item found',
    ]);
    expect(m.metrics().find((f) => f.name === 'promlet_sd_http_failures_total')!.samples[0]!.value).toBe(4);
    sdAnswer = { status: 200, type: 'application/json', body: groups(3) };
    await m.refreshAll();
    expect(m.groups('h')[0]!.labels.n).toBe('3');
    m.stop();
  });

  it('feeds the scraper and follows changes on refresh_interval', async () => {
    sdAnswer = { status: 200, type: 'application/json', body: groups(1) };
    const file = join(dir, 'http.yml');
    writeFileSync(file, `
global: { scrape_interval: 1s }
scrape_configs:
  - job_name: by-http
    http_sd_configs: [{ url: '${sdUrl}', refresh_interval: 200ms, authorization: { credentials: s3cret } }]
`);
    const s = await servePromlet({ listen: '127.0.0.1:0', configFile: file });
    const targets = async () => ((await (await fetch(`${s.url}/api/v1/targets`)).json()) as { data: { activeTargets: { discoveredLabels: Record<string, string>; labels: Record<string, string> }[] } }).data.activeTargets;
    try {
      const t = await targets();
      expect(t.map((x) => [x.discoveredLabels.__meta_url, x.labels])).toEqual([[sdUrl, { env: 'prod', instance: `127.0.0.1:${metricsPort}`, job: 'by-http', n: '1' }]]);
      sdAnswer = { status: 200, type: 'application/json', body: groups(2) };
      await until(async () => (await targets())[0]?.labels.n === '2', 'the changed target');
      sdAnswer = { status: 200, type: 'application/json', body: '[]' };
      await until(async () => (await targets()).length === 0, 'the target to go');
    } finally {
      await s.stop();
    }
  });
});

describe('promlet check config', () => {
  it('validates the discovery blocks with Prometheus\'s messages', () => {
    const errs = checkConfig(`
scrape_configs:
  - job_name: a
    http_sd_configs: [{ url: 'ftp://x/sd' }, { refresh_interval: 1m }]
    dns_sd_configs: [{ names: [] }, { names: [x], type: A }, { names: [x], type: TXT }]
`);
    expect(errs).toEqual([
      "a: http_sd_configs[0]: URL scheme must be 'http' or 'https'",
      'a: dns_sd_configs[0]: DNS-SD config must contain at least one SRV record name',
    ]);
    expect(checkConfig(`scrape_configs:\n  - job_name: a\n    dns_sd_configs: [{ names: [x], type: A }]\n`)).toEqual(['a: dns_sd_configs[0]: a port is required in DNS-SD configs for all record types except SRV']);
    expect(checkConfig(`scrape_configs:\n  - job_name: a\n    dns_sd_configs: [{ names: [x], type: TXT }]\n`)).toEqual(['a: dns_sd_configs[0]: invalid DNS-SD records type TXT']);
    expect(checkConfig(`scrape_configs:\n  - job_name: a\n    http_sd_configs: [{ refresh_interval: 1m }]\n`)).toEqual(['a: http_sd_configs[0]: URL is missing']);
    expect(checkConfig(`scrape_configs:\n  - job_name: a\n    http_sd_configs: [{ url: 'http://x/sd' }]\n    dns_sd_configs: [{ names: [_x._tcp.example] }]\n`)).toEqual([]);
    expect(checkConfig(`scrape_configs:\n  - job_name: a\n    http_sd_configs: [{ url: 'http://x/sd', oauth2: { client_id: x } }]\n`)).toEqual(['a: http_sd_configs[0]: oauth2 is not supported yet']);
  });
});
