// The dependency directions docs/ARCHITECTURE.md draws, checked against
// every relative import under src/: the document's table is the rule, so the
// two cannot drift apart.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../', import.meta.url).pathname;
const SRC = join(ROOT, 'src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** The area a file under src/ belongs to, as the document names them. */
function areaOf(file: string): string {
  const parts = relative(SRC, file).split('/');
  if (parts.length === 1) return parts[0] === 'node.ts' ? 'node' : parts[0]!.replace(/\.ts$/, '');
  if (parts[0] === 'promql' && parts.length > 2) return `promql/${parts[1]}`;
  return parts[0]!;
}

/** The table between the dependencies markers: area -> the areas it may import. */
function documentedRules(): Map<string, Set<string>> {
  const doc = readFileSync(join(ROOT, 'docs/ARCHITECTURE.md'), 'utf8');
  const m = /<!-- dependencies:begin -->([\s\S]*?)<!-- dependencies:end -->/.exec(doc);
  if (!m) throw new Error('docs/ARCHITECTURE.md has no dependencies table');
  const rules = new Map<string, Set<string>>();
  for (const line of m[1]!.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length < 4 || cells[1] === 'area' || cells[1]!.startsWith('---')) continue;
    rules.set(cells[1]!, new Set(cells[2]!.split(',').map((s) => s.trim()).filter(Boolean)));
  }
  return rules;
}

interface Edge { from: string; to: string; fromArea: string; toArea: string }

function imports(): Edge[] {
  const out: Edge[] = [];
  for (const f of files(SRC)) {
    const text = readFileSync(f, 'utf8');
    const re = /(?:^|\n)\s*(?:import|export)\s[^;'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;
    for (const m of text.matchAll(re)) {
      const target = normalize(join(dirname(f), m[1] ?? m[2]!)).replace(/\.js$/, '.ts');
      if (!target.startsWith(SRC)) continue;
      out.push({ from: relative(SRC, f), to: relative(SRC, target), fromArea: areaOf(f), toArea: areaOf(target) });
    }
  }
  return out;
}

describe('dependency directions (docs/ARCHITECTURE.md)', () => {
  const rules = documentedRules();
  const edges = imports();

  it('has a row for every area of src/, and names only areas that exist', () => {
    const areas = new Set(files(SRC).map(areaOf));
    expect([...areas].filter((a) => !rules.has(a)).sort()).toEqual([]);
    const named = new Set([...rules.keys(), ...[...rules.values()].flatMap((s) => [...s])]);
    expect([...named].filter((a) => !areas.has(a)).sort()).toEqual([]);
    expect(edges.length).toBeGreaterThan(100);
  });

  it('every import across areas goes where the table allows', () => {
    const wrong = edges
      .filter((e) => e.fromArea !== e.toArea && !rules.get(e.fromArea)?.has(e.toArea))
      .map((e) => `${e.from} imports ${e.to} (${e.fromArea} may not import ${e.toArea})`);
    expect(wrong).toEqual([]);
  });

  it('no area imports one that imports it back', () => {
    const cycles: string[] = [];
    for (const [a, deps] of rules) for (const b of deps) if (rules.get(b)?.has(a)) cycles.push(`${a} <-> ${b}`);
    expect(cycles).toEqual([]);
  });

  it('nothing outside storage reaches into the head, its postings or its selection', () => {
    const internal = /^storage\/(head[\w-]*|postings|select)\.ts$/;
    expect(edges.filter((e) => e.fromArea !== 'storage' && internal.test(e.to)).map((e) => `${e.from} -> ${e.to}`)).toEqual([]);
  });

  it('only storage calls WebAssembly, and the answer writer for its float texts; the entry points re-export codecs and read encoding names', () => {
    const outside = edges.filter((e) => e.toArea === 'wasm' && !['wasm', 'storage'].includes(e.fromArea));
    const floatTexts = (e: { from: string; to: string }) => e.from === 'promql/engine/result-json.ts' && e.to === 'wasm/float-text.ts';
    expect(outside.filter((e) => e.to !== 'wasm/codec.ts' && !floatTexts(e)).map((e) => `${e.from} -> ${e.to}`)).toEqual([]);
  });
});
