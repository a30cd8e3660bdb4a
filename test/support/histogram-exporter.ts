// The exporter lives with the benchmarks, which start it too.
export * from '../../bench/histogram-exporter.js';
