import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));

// What Node does with the parser's sources, outside vitest's module runner: plain ESM through tsx.
function inNode(code: string): string {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.trim();
}

describe('chevrotain as one file', () => {
  it('loads the single-file bundle in Node, the installed version', () => {
    const out = JSON.parse(inNode(`
      const m = await import('./src/promql/parser/chevrotain.ts');
      const { parse } = await import('./src/promql/parser/index.ts');
      const expr = parse('sum by (job) (rate(x[5m]))');
      console.log(JSON.stringify({ source: m.chevrotainSource, version: m.VERSION, type: expr.type }));
    `));
    const pkg = JSON.parse(readFileSync(new URL('node_modules/chevrotain/package.json', `file://${root}`), 'utf8')) as { version: string };
    expect(out).toEqual({ source: 'bundle', version: pkg.version, type: 'AggregateExpr' });
  });
});
