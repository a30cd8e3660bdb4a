// Where a benchmark process's resident memory goes: samples the main
// thread's V8 heap, its external and ArrayBuffer memory, WebAssembly memory
// and the resident set, and keeps each one's peak and the split at the
// resident peak. Bench-only; the figures go into docs/STORAGE.md.

import { readFileSync } from 'node:fs';
import { mem } from '../src/wasm/loader.js';

export interface MemorySplit {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  wasm: number;
}

const MB = 2 ** 20;

function rssNow(): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : process.memoryUsage().rss;
}

export class MemoryProbe {
  readonly peak: MemorySplit = { rss: 0, heapUsed: 0, heapTotal: 0, external: 0, arrayBuffers: 0, wasm: 0 };
  atRssPeak: MemorySplit | null = null;
  extra: Record<string, number> = {};

  sample(extra: Record<string, number> = {}): void {
    const u = process.memoryUsage();
    const now: MemorySplit = { rss: rssNow(), heapUsed: u.heapUsed, heapTotal: u.heapTotal, external: u.external, arrayBuffers: u.arrayBuffers, wasm: mem().u8.byteLength };
    for (const k of Object.keys(now) as (keyof MemorySplit)[]) this.peak[k] = Math.max(this.peak[k], now[k]);
    for (const [k, v] of Object.entries(extra)) this.extra[k] = Math.max(this.extra[k] ?? 0, v);
    if (!this.atRssPeak || now.rss >= this.atRssPeak.rss) this.atRssPeak = now;
  }

  /** Megabytes, rounded: peaks of each part, and the parts at the resident peak. */
  report(): { peakMB: Record<string, number>; atRssPeakMB: Record<string, number>; extra: Record<string, number> } {
    const r = (s: MemorySplit | null) => Object.fromEntries(Object.entries(s ?? {}).map(([k, v]) => [k, Math.round(v / MB)]));
    return { peakMB: r(this.peak), atRssPeakMB: r(this.atRssPeak), extra: this.extra };
  }
}
