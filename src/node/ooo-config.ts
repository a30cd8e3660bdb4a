// storage.tsdb.out_of_order_time_window from the config file, and the
// out-of-order counters /metrics shows under Prometheus's names.

import type { DB } from '../storage/db.js';
import { parseDuration } from '../model/duration.js';
import type { MetricFamily } from './self-metrics.js';

/** The window in ms (0 when absent, as Prometheus's default); throws saying what is wrong. */
export function outOfOrderTimeWindow(config: Record<string, unknown>): number {
  const storage = config.storage;
  if (storage === undefined || storage === null) return 0;
  if (typeof storage !== 'object' || Array.isArray(storage)) throw new Error('storage must be a mapping');
  const tsdb = (storage as Record<string, unknown>).tsdb;
  if (tsdb === undefined || tsdb === null) return 0;
  if (typeof tsdb !== 'object' || Array.isArray(tsdb)) throw new Error('storage.tsdb must be a mapping');
  const v = (tsdb as Record<string, unknown>).out_of_order_time_window;
  if (v === undefined || v === null) return 0;
  try {
    if (typeof v !== 'string') throw new Error();
    return parseDuration(v);
  } catch {
    throw new Error(`storage.tsdb.out_of_order_time_window: not a valid duration string: ${JSON.stringify(v)}`);
  }
}

/** Applies the config's window to db (at start and on every reload). */
export function applyOutOfOrderTimeWindow(db: DB, config: Record<string, unknown>): void {
  db.setOutOfOrderTimeWindow(outOfOrderTimeWindow(config));
}

export function outOfOrderMetricFamilies(db: DB): MetricFamily[] {
  const st = db.stats();
  const float = (name: string, help: string, value: number): MetricFamily => ({ name, help, type: 'counter', samples: [{ labels: { type: 'float' }, value }] });
  return [
    float('prometheus_tsdb_out_of_order_samples_total', 'Total number of out of order samples ingestion failed attempts due to out of order being disabled.', st.outOfOrderSamples),
    float('prometheus_tsdb_too_old_samples_total', 'Total number of out of order samples ingestion failed attempts with out of support enabled, but sample outside of time window.', st.tooOldSamples),
    float('prometheus_tsdb_head_out_of_order_samples_appended_total', 'Total number of appended out of order samples.', st.outOfOrderAppendedSamples),
  ];
}
