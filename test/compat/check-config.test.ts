// `promlet check config` beside Debian's promtool (2.42) on the same files:
// a config using most fields promlet knows passes both, and every misspelt
// field, wherever it sits, fails both with the same lines
// ("line N: field X not found in type T").

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/node/cli.js';

const FULL = readFileSync(new URL('../fixtures/prometheus-full.yml', import.meta.url), 'utf8');

function promtool(file: string): { code: number; fieldLines: string[] } {
  try {
    execFileSync('promtool', ['check', 'config', file], { encoding: 'utf8', stdio: 'pipe' });
    return { code: 0, fieldLines: [] };
  } catch (e) {
    const out = `${(e as { stdout: string }).stdout}${(e as { stderr: string }).stderr}`;
    return { code: (e as { status: number }).status, fieldLines: out.split('\n').map((l) => l.trim()).filter((l) => /^line \d+: field /.test(l)) };
  }
}

async function ours(file: string): Promise<{ code: number; fieldLines: string[] }> {
  let out = '';
  const io = { out: (s: string) => void (out += s), err: (s: string) => void (out += s) };
  const code = await runCli(['check', 'config', file], io);
  return { code, fieldLines: out.split('\n').map((l) => l.trim()).filter((l) => /^line \d+: field /.test(l)) };
}

/** The full config with the first `from` replaced by `to`. */
const typo = (from: string, to: string) => {
  expect(FULL).toContain(from);
  return FULL.replace(from, to);
};

const CASES: [string, string][] = [
  ['the full config', FULL],
  ['global', typo('  scrape_timeout: 10s', '  scrape_timout: 10s')],
  ['top level', `${FULL}rule_file: []\n`],
  ['a scrape config', typo('    sample_limit: 1000', '    sample_limt: 1000')],
  ['static_configs', typo('        labels:\n          env: prod', '        label:\n          env: prod')],
  ['relabel_configs', typo('        modulus: 8', '        modulo: 8')],
  ['file_sd_configs', typo('        refresh_interval: 1m', '        refresh: 1m')],
  ['basic_auth', typo('      username: u', '      user: u')],
  ['tls_config', typo('      server_name: x', '      servername: x')],
  ['authorization', typo('      credentials: secret', '      credential: secret')],
  ['alerting', typo('  alert_relabel_configs:', '  alert_relabel_config:')],
  ['an alertmanager', typo('      path_prefix: /am', '      prefix: /am')],
  ['remote_write', typo('    remote_timeout: 30s', '    timeout: 30s')],
  ['queue_config', typo('      max_shards: 10', '      max_shard: 10')],
  ['oauth2, metadata_config and sigv4', 'remote_write:\n  - url: http://a\n    oauth2:\n      client_id: a\n      token_url: http://x\n      bogus: 1\n    metadata_config:\n      snd: true\n    sigv4:\n      regio: x\n'],
  ['two at once', typo('    honor_labels: true', '    honour_labels: true').replace('      min_backoff: 30ms', '      min_backof: 30ms')],
];

describe('promlet check config beside promtool', () => {
  const dir = mkdtempSync(join(tmpdir(), 'promlet-check-compat-'));
  for (const [name, text] of CASES) {
    it(`${name}: same verdict and the same unknown-field lines`, async () => {
      const file = join(dir, `${name.replace(/\W+/g, '-')}.yml`);
      writeFileSync(file, text);
      const want = promtool(file);
      const got = await ours(file);
      expect(got.fieldLines).toEqual(want.fieldLines);
      expect(got.code === 0).toBe(want.code === 0);
      if (name !== 'the full config') expect(want.fieldLines.length).toBeGreaterThan(0);
    });
  }
});
