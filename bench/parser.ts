// Parse throughput on the corpus expressions: promlet's parser (lex, parse,
// type check) beside @prometheus-io/lezer-promql (the official JavaScript
// grammar, syntax tree only) on the same input in the same run.

import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Bench } from 'tinybench';
import { parser as lezer } from '@prometheus-io/lezer-promql';
import { parse } from '../src/index.js';
import { parseScript } from '../src/promql/promqltest/script.js';

const ALL = { experimentalFunctions: true, extendedRangeSelectors: true, binopFillModifiers: true };

export function corpusExpressions(corpus: string): string[] {
  const dir = join(corpus, 'promqltest', 'latest');
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.test'))) {
    for (const c of parseScript(readFileSync(join(dir, f), 'utf8'), f)) {
      if (c.kind !== 'eval') continue;
      try {
        parse(c.expr, ALL);
        out.push(c.expr);
      } catch {
        // Only expressions both sides accept are compared.
      }
    }
  }
  return out;
}

export async function parserBench(corpus: string, quick: boolean, record: (row: Record<string, unknown>) => void): Promise<void> {
  const exprs = corpusExpressions(corpus);
  if (exprs.length === 0) {
    console.log('\n(parser benchmark skipped: no corpus; pass --corpus DIR)');
    return;
  }
  const bytes = exprs.reduce((n, e) => n + Buffer.byteLength(e), 0);
  let sink = 0;
  const bench = new Bench({ time: quick ? 500 : 2000, warmupTime: 300 });
  bench
    .add('promlet parse', () => {
      for (const e of exprs) sink += parse(e, ALL).posRange.end;
    })
    .add('lezer-promql parse', () => {
      for (const e of exprs) sink += lezer.parse(e).length;
    });
  await bench.run();
  const rate = (name: string) => {
    const r = bench.tasks.find((t) => t.name === name)!.result;
    return r.state === 'completed' ? 1000 / r.latency.mean : NaN;
  };
  const ours = rate('promlet parse');
  const theirs = rate('lezer-promql parse');
  console.log(`\n## PromQL parse throughput (${exprs.length} corpus expressions, ${(bytes / 1024).toFixed(0)} KiB)\n`);
  console.log('| parser | expressions/s | MB/s |');
  console.log('|---|---:|---:|');
  console.log(`| promlet (lex + parse + type check) | ${(ours * exprs.length).toFixed(0)} | ${((ours * bytes) / 1e6).toFixed(2)} |`);
  console.log(`| @prometheus-io/lezer-promql (tree only) | ${(theirs * exprs.length).toFixed(0)} | ${((theirs * bytes) / 1e6).toFixed(2)} |`);
  console.log(`\npromlet / lezer-promql: ${(ours / theirs).toFixed(2)}`);
  record({ exprsPerSecPromlet: ours * exprs.length, exprsPerSecLezer: theirs * exprs.length, ratio: ours / theirs });
  if (sink === -1) console.log('');
}
