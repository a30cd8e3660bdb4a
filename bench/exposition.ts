// Exposition parse throughput on the real /metrics bodies of the corpus.

import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Bench } from 'tinybench';
import { parseExposition } from '../src/exposition/parse.js';

export async function expositionBench(corpus: string, quick: boolean, record: (row: Record<string, unknown>) => void): Promise<void> {
  const dir = join(corpus, 'exposition');
  if (!existsSync(dir)) {
    console.error(`no exposition fixtures at ${dir}; pass --corpus DIR`);
    return;
  }
  console.log('\n## Exposition parsing (corpus /metrics bodies)\n');
  console.log('| file | format | bytes | samples | MB/s | Msamples/s |');
  console.log('|---|---|---:|---:|---:|---:|');
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.txt')).sort()) {
    const text = readFileSync(join(dir, f), 'utf8');
    const format = f.includes('openmetrics') ? 'openmetrics' : 'text';
    const n = parseExposition(text, format).samples.length;
    const bench = new Bench({ time: quick ? 200 : 1000 });
    bench.add('parse', () => void parseExposition(text, format));
    await bench.run();
    const res = bench.tasks[0]!.result;
    const ms = res.state === 'completed' ? res.latency.mean : NaN;
    const bytes = Buffer.byteLength(text);
    const row = { file: f, format, bytes, samples: n, mbps: bytes / ms / 1000, msps: n / ms / 1000 };
    record(row);
    console.log(`| ${f} | ${format} | ${bytes} | ${n} | ${row.mbps.toFixed(1)} | ${row.msps.toFixed(2)} |`);
  }
}
