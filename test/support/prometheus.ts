// The Prometheus peer lives with the benchmarks, which start it too.
export * from '../../bench/prometheus-peer.js';
