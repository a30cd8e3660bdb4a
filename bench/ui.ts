// The server's web UI beside Debian's Prometheus 2.42 (whose UI is the
// classic one, under /classic/) in the same run: bytes transferred to show a
// page (as encoded on the wire, all of its requests), the time from
// navigation until the page shows its data, median of several loads in
// headless Chromium, and each server's peak resident memory. Both servers
// scrape the same target and evaluate the same rules.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium } from './chromium.js';
import { freePort } from './prometheus-peer.js';
import { promletArgv } from './promlet-process.js';

interface Server2 { name: string; url: string; proc: ChildProcess }

/** Peak resident memory (VmHWM) of a process, in bytes. */
const peakRss = (pid: number) => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;

async function ready(url: string, proc: ChildProcess, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (proc.exitCode !== null) throw new Error(`${what} exited`);
    try {
      if ((await fetch(`${url}/-/ready`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not become ready`);
}

/** Waits (bounded) until `up` has a sample for every target. */
async function scraped(url: string, targets: number): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const r = (await (await fetch(`${url}/api/v1/query?query=up`)).json()) as { data?: { result: unknown[] } };
    if ((r.data?.result.length ?? 0) >= targets) return;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`${url} did not scrape its targets`);
}

export async function uiBench(quick: boolean, record: (row: Record<string, unknown>) => void): Promise<void> {
  console.log('\n## Web UI beside Prometheus 2.42\'s classic UI (Debian), same targets and rules\n');
  const { build } = await import('vite');
  await build({ configFile: resolve('scripts/vite.ui.config.ts'), logLevel: 'error' });

  // A target with a few hundred series, so the pages have something to show.
  const body = Array.from({ length: 300 }, (_, i) => `app_requests_total{path="/p${i % 30}",code="${200 + (i % 10)}"} ${i * 7}`).join('\n');
  const target: Server = createServer((_q, res) => res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(`# TYPE app_requests_total counter\n${body}\n`));
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  const dir = mkdtempSync(join(tmpdir(), 'promlet-ui-bench-'));
  writeFileSync(join(dir, 'rules.yml'), 'groups:\n  - name: g\n    interval: 1s\n    rules:\n'
    + Array.from({ length: 10 }, (_, i) => `      - alert: A${i}\n        expr: sum by (code) (app_requests_total) > ${i * 1000}\n        annotations:\n          summary: "{{ $labels.code }} at {{ $value }}"\n`).join(''));
  writeFileSync(join(dir, 'prometheus.yml'), `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files: ["rules.yml"]\nscrape_configs:\n`
    + Array.from({ length: 5 }, (_, i) => `  - job_name: app${i}\n    static_configs:\n      - targets: ["127.0.0.1:${(target.address() as AddressInfo).port}"]\n`).join(''));

  const promletPort = await freePort();
  const promPort = await freePort();
  const servers: Server2[] = [
    {
      name: 'promlet', url: `http://127.0.0.1:${promletPort}`,
      proc: spawn(process.execPath, promletArgv(['serve', '--listen', `127.0.0.1:${promletPort}`, '--config', join(dir, 'prometheus.yml')]), { stdio: 'ignore' }),
    },
    {
      name: 'Prometheus 2.42', url: `http://127.0.0.1:${promPort}`,
      proc: spawn('prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'prom')}`, `--web.listen-address=127.0.0.1:${promPort}`], { stdio: 'ignore' }),
    },
  ];
  const browser = await launchChromium();
  const loads = quick ? 3 : 7;
  // Each page, and how to tell it shows its data.
  const pages: { page: string; promlet: [string, string]; prometheus: [string, string] }[] = [
    { page: 'query `up`, table', promlet: ['/query?g0.expr=up&g0.tab=table', '.cell-result[data-state="done"] .result-table td'], prometheus: ['/classic/graph?g0.expr=up&g0.tab=1', 'table.console_table td'] },
    { page: 'targets', promlet: ['/targets', 'table.targets td'], prometheus: ['/classic/targets', 'table td'] },
    { page: 'alerts', promlet: ['/alerts', 'details[data-rule]'], prometheus: ['/classic/alerts', 'table td'] },
    { page: 'rules', promlet: ['/rules', 'details[data-group] td'], prometheus: ['/classic/rules', 'table td'] },
  ];
  try {
    for (const s of servers) await ready(s.url, s.proc, s.name);
    for (const s of servers) await scraped(s.url, 5);
    // Alerts need a few evaluations.
    await new Promise((r) => setTimeout(r, 2500));
    console.log('| page | promlet KB on the wire | Prometheus KB | promlet ms (median) | Prometheus ms | promlet / Prometheus time |');
    console.log('|---|---:|---:|---:|---:|---:|');
    for (const p of pages) {
      const out: Record<string, { bytes: number; ms: number }> = {};
      for (const s of servers) {
        const [path, selector] = s.name === 'promlet' ? p.promlet : p.prometheus;
        const times: number[] = [];
        let bytes = 0;
        for (let i = 0; i < loads; i++) {
          // A fresh context each time: nothing cached, as a first visit.
          const context = await browser.newContext();
          const page: Page = await context.newPage();
          const sizes: Promise<number>[] = [];
          page.on('requestfinished', (r) => sizes.push(r.sizes().then((z) => z.responseBodySize + z.responseHeadersSize).catch(() => 0)));
          const t0 = Date.now();
          await page.goto(`${s.url}${path}`);
          await page.waitForSelector(selector, { timeout: 30_000 });
          times.push(Date.now() - t0);
          bytes = (await Promise.all(sizes)).reduce((a, b) => a + b, 0);
          await context.close();
        }
        times.sort((a, b) => a - b);
        out[s.name] = { bytes, ms: times[Math.floor(times.length / 2)]! };
      }
      const a = out.promlet!, b = out['Prometheus 2.42']!;
      record({ page: p.page, promletBytes: a.bytes, prometheusBytes: b.bytes, promletMs: a.ms, prometheusMs: b.ms });
      console.log(`| ${p.page} | ${(a.bytes / 1024).toFixed(1)} | ${(b.bytes / 1024).toFixed(1)} | ${a.ms} | ${b.ms} | ${(a.ms / b.ms).toFixed(2)} |`);
    }
    const rss = servers.map((s) => `${s.name} ${(peakRss(s.proc.pid!) / 2 ** 20).toFixed(0)} MiB`);
    record({ peakRss: Object.fromEntries(servers.map((s) => [s.name, peakRss(s.proc.pid!)])) });
    console.log(`\npeak resident memory of each server over the run: ${rss.join(', ')}`);
  } finally {
    await browser.close();
    for (const s of servers) {
      s.proc.kill('SIGTERM');
      if (s.proc.exitCode === null) await new Promise((r) => s.proc.once('exit', r));
    }
    target.close();
  }
}
