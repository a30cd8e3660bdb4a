import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/node/cli.js';

function capture() {
  let out = '';
  let err = '';
  return { io: { out: (s: string) => void (out += s), err: (s: string) => void (err += s) }, get out() { return out; }, get err() { return err; } };
}

describe('promlet CLI', () => {
  it('demo stores the generated series and reports them', async () => {
    const c = capture();
    expect(await runCli(['demo', '--series', '50', '--hours', '1'], c.io)).toBe(0);
    expect(c.out).toMatch(/stored 12000 samples of 50 series/);
    expect(c.out).toMatch(/varbit chunks/);
    expect(c.out).toMatch(/sum by \(code\) \(rate\(http_requests_total\[5m\]\)\)/);
    expect(c.out).toMatch(/\{code="200"\} \d+\.\d{3}/);
  });

  it('exits 2 with a message on usage errors', async () => {
    const c = capture();
    expect(await runCli(['demo', '--storage.encoding=gorilla'], c.io)).toBe(2);
    expect(c.err).toContain('want varbit or double-delta');
    expect(await runCli(['frobnicate'], c.io)).toBe(2);
    expect(c.err).toContain('unknown command "frobnicate"');
  });

  it('prints help', async () => {
    const c = capture();
    expect(await runCli(['--help'], c.io)).toBe(0);
    expect(c.out).toContain('usage: promlet');
  });
});
