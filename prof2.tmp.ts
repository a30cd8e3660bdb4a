import { compress } from 'snappyjs';
import { mkdtempSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { WriteRequest } from './src/remote/proto.ts';
const series = 10000, points = 240, per = 50;
const end = Date.now() - 60_000, start = end - (points - 1) * 15_000;
const bodies: Uint8Array[] = [];
for (let first = 0; first < series; first += per) {
  const timeseries = [];
  for (let s = first; s < first + per; s++) {
    const samples = []; let v = s;
    for (let p = 0; p < points; p++) samples.push({ timestamp: start + p * 15_000, value: (v += (s % 7) + 0.5) });
    timeseries.push({ labels: [{ name: '__name__', value: `rw_bench_${s % 100}` }, { name: 'instance', value: `host-${Math.floor(s / 100)}:9100` }, { name: 'job', value: 'node' }, { name: 'series', value: String(s) }], samples });
  }
  bodies.push(compress(WriteRequest.encode(WriteRequest.fromObject({ timeseries })).finish()));
}
const port = 19000 + Math.floor(Math.random() * 1000);
const proc = spawn(process.execPath, ['--cpu-prof', '--cpu-prof-dir=/tmp/prof', 'dist-bench/bench/promlet-serve.js', 'serve', '--listen', `127.0.0.1:${port}`, '--data-dir', mkdtempSync('/tmp/pp-'), '--web.enable-remote-write-receiver'], { stdio: 'inherit' });
for (let i = 0; i < 100; i++) { try { if ((await fetch(`http://127.0.0.1:${port}/-/ready`)).ok) break; } catch {} await new Promise((r) => setTimeout(r, 100)); }
let next = 0; const t0 = performance.now();
await Promise.all([0, 1, 2, 3].map(async () => { for (;;) { const i = next++; if (i >= bodies.length) return; const r = await fetch(`http://127.0.0.1:${port}/api/v1/write`, { method: 'POST', body: bodies[i] as BodyInit, headers: { 'content-encoding': 'snappy', 'content-type': 'application/x-protobuf' } }); await r.text(); } }));
console.log('wall', (performance.now() - t0).toFixed(0));
proc.kill('SIGINT'); await new Promise((r) => proc.once('exit', r));
