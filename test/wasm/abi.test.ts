import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as hostLayout from '../../src/wasm/layout.js';
import { wasm } from '../../src/wasm/loader.js';

// assembly/layout.ts and src/wasm/layout.ts must agree constant by constant.
function assemblyConstants(): Map<string, number> {
  const text = readFileSync(new URL('../../assembly/layout.ts', import.meta.url), 'utf8');
  const out = new Map<string, number>();
  const re = /export const (\w+): \w+ = ([^;]+);/g;
  const env: Record<string, number> = {};
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const expr = m[2]!.replace(/\b[A-Z_]+\b/g, (name) => String(env[name] ?? NaN));
    const value = Number(Function(`return (${expr});`)());
    env[m[1]!] = value;
    out.set(m[1]!, value);
  }
  return out;
}

describe('WASM ABI', () => {
  const asm = assemblyConstants();

  it('reads the assembly constants', () => {
    expect(asm.size).toBeGreaterThan(20);
  });

  for (const [name, value] of Object.entries(hostLayout)) {
    if (typeof value !== 'number' || !asm.has(name)) continue;
    it(`${name} matches assembly/layout.ts`, () => {
      expect(value).toBe(asm.get(name));
    });
  }

  it('names every status and reduction slot on both sides', () => {
    const hostNames = new Set(Object.keys(hostLayout));
    for (const name of asm.keys()) {
      if (/^(STATUS_|R_|ENC_|ABI_|CHUNK_LEN$)/.test(name)) expect(hostNames.has(name), name).toBe(true);
    }
  });

  it('the loaded module reports the host ABI version and chunk length', () => {
    expect(wasm.abiVersion()).toBe(hostLayout.ABI_VERSION);
    expect(wasm.chunkLen()).toBe(hostLayout.CHUNK_LEN);
  });
});
