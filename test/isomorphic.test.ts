import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

// The core must run unchanged in browsers: only the Node entry point and
// src/node/ may import Node built-ins.
const SRC = new URL('../src/', import.meta.url).pathname;
const NODE_ONLY = /^(node\.ts|node\/)/;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('isomorphic core', () => {
  const core = files(SRC).filter((f) => !NODE_ONLY.test(relative(SRC, f)));

  it('has core files to check', () => {
    expect(core.length).toBeGreaterThan(10);
  });

  for (const f of core) {
    it(`${relative(SRC, f)} imports no Node built-in`, () => {
      const text = readFileSync(f, 'utf8');
      expect(text).not.toMatch(/from\s+['"](node:|fs['"]|path['"]|http['"]|crypto['"]|os['"])/);
      expect(text).not.toMatch(/\bprocess\.|\bBuffer\b|require\(/);
    });
  }
});
