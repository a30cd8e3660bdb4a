// The storage metrics a data directory adds to /metrics, named as
// Prometheus's own tsdb metrics so dashboards and alerts written for
// Prometheus keep working.

import type { DiskDB } from './disk-db.js';
import type { MetricFamily } from './self-metrics.js';

export function tsdbMetricFamilies(disk: DiskDB): MetricFamily[] {
  const st = disk.db.stats();
  const one = (name: string, help: string, type: 'counter' | 'gauge', value: number): MetricFamily => ({ name, help, type, samples: [{ labels: {}, value }] });
  return [
    one('prometheus_tsdb_wal_corruptions_total', 'Total number of WAL corruptions.', 'counter', disk.walCorruptions),
    one('prometheus_tsdb_blocks_loaded', 'Number of currently loaded data blocks.', 'gauge', st.blocks.length),
    one('prometheus_tsdb_head_series', 'Total number of series in the head block.', 'gauge', st.head.series),
    one('prometheus_tsdb_head_chunks', 'Total number of chunks in the head block.', 'gauge', st.head.chunks),
    one('prometheus_tsdb_head_min_time', 'Minimum time bound of the head block.', 'gauge', st.head.minTime ?? 0),
    one('prometheus_tsdb_head_max_time', 'Maximum timestamp of the head block.', 'gauge', st.head.maxTime ?? 0),
    one('prometheus_tsdb_storage_blocks_bytes', 'The number of bytes that are currently used for local storage by all blocks.', 'gauge',
      st.blocks.reduce((n, b) => n + b.bytes, 0)),
    one('promlet_tsdb_block_cache_bytes', 'Bytes of block chunks and index pages held by the cache.', 'gauge', st.cache.bytes),
    one('promlet_tsdb_block_cache_hits_total', 'Block cache lookups answered from memory.', 'counter', st.cache.hits),
    one('promlet_tsdb_block_cache_misses_total', 'Block cache lookups that read the disk.', 'counter', st.cache.misses),
  ];
}
