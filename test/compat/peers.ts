// The same synthetic data in Debian's Prometheus (via promtool
// create-blocks-from openmetrics) and in a promlet database.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDB, type DB } from '../../src/index.js';
import { startPrometheus, type PrometheusPeer } from '../support/prometheus.js';
import { synthetic, toOpenMetrics } from '../../bench/synthetic.js';

export const START = Date.UTC(2026, 0, 1);
export const HOURS = 3;

export interface Peers {
  prom: PrometheusPeer;
  db: DB;
  stop(): Promise<void>;
}

export async function loadPeers(): Promise<Peers> {
  const series = synthetic(START, HOURS);
  const dir = mkdtempSync(join(tmpdir(), 'promlet-diff-'));
  writeFileSync(join(dir, 'data.om'), toOpenMetrics(series));
  execFileSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', join(dir, 'data.om'), join(dir, 'tsdb')], { stdio: 'ignore' });
  const prom = await startPrometheus({ dataDir: join(dir, 'tsdb') });
  const db = await openDB();
  const app = db.appender();
  for (const s of series) s.t.forEach((t, i) => app.append(s.labels, t, s.v[i]!));
  await app.commit();
  return {
    prom,
    db,
    stop: async () => {
      await prom.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
