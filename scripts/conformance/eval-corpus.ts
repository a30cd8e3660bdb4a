// The evaluator's corpus check: every eval of every .test file in a
// directory, run by the promqltest interpreter. When the corpus ships an
// evals.tsv index, evals over native-histogram data are reported apart.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { runScript, type EvalOutcome } from '../../src/promql/promqltest/runner.js';

export interface EvalFileResult {
  file: string;
  evals: (EvalOutcome & { nativeHistograms: boolean })[];
  error?: string;
}

/** "file:line" of evals over native histograms, from evals.tsv next to or above the directory. */
function nativeHistogramEvals(dir: string): Set<string> {
  for (const p of [join(dir, 'evals.tsv'), join(dirname(dir), 'evals.tsv')]) {
    if (!existsSync(p)) continue;
    const version = dir.split('/').filter(Boolean).pop();
    const out = new Set<string>();
    for (const line of readFileSync(p, 'utf8').split('\n').slice(1)) {
      const [v, file, ln, , nh] = line.split('\t');
      if (nh === 'yes' && (v === version || dirname(p) === dir)) out.add(`${file}:${ln}`);
    }
    return out;
  }
  return new Set();
}

export async function runEvalFiles(dir: string): Promise<EvalFileResult[]> {
  const nh = nativeHistogramEvals(dir);
  const out: EvalFileResult[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.test')).sort()) {
    const r = await runScript(readFileSync(join(dir, file), 'utf8'), file);
    out.push({ file, error: r.error, evals: r.evals.map((e) => ({ ...e, nativeHistograms: nh.has(`${file}:${e.line}`) })) });
  }
  return out;
}
