// promlet's isomorphic entry point: runs unchanged in Node and browsers
// (no node: imports anywhere below this file).

export { openDB, DB, parseRetention } from './storage/db.js';
export type { DBOptions, DBStats } from './storage/db.js';
export type {
  Appender, Appendable, Querier, Queryable, Series, SeriesRef, SelectHints, SampleBatch, WindowReduction, Millis, StorageRead,
} from './storage/interfaces.js';
export {
  StorageError, StorageFullError, OutOfOrderSampleError, DuplicateSampleError, OutOfBoundsError, InvalidSampleError, UnknownSeriesError,
} from './storage/errors.js';
export { encodeChunks, decodeChunk, ChunkError } from './wasm/codec.js';
export type { ChunkEncoding, EncodedChunk, DecodedSamples } from './wasm/codec.js';
export { Matcher } from './model/matcher.js';
export type { MatchType } from './model/matcher.js';
export { RegexError } from './model/regex.js';
export { labelsFrom, labelsToRecord, formatLabels, compareLabels, InvalidLabelsError, METRIC_NAME } from './model/labels.js';
export type { Label, Labels, LabelsInput } from './model/labels.js';

// PromQL: parser, printers.
export { parse, format, print, prettyPrint, ParseError, sameAST, FUNCTIONS, getFunction } from './promql/index.js';
export type { Expr, ParseOptions, FunctionDef, ValueType } from './promql/index.js';

// PromQL: the query engine.
export { createEngine, QueryError, QueryTimeoutError, QueryCanceledError, TooManySamplesError, QueryMemoryError } from './promql/index.js';
export type {
  Engine, EngineOptions, Feature, QueryOptions, QueryResult, QueryData, QueryStats, Time, SamplePair, VectorElement, MatrixElement,
  QueryResultText, TextQueries,
} from './promql/index.js';
export { STALE_NAN, isStaleNaN } from './model/stale.js';

// Browser persistence (IndexedDB, and blocks in OPFS in a worker) in the format of a Node data directory.
export { openPersistentDB } from './browser/persistent-db.js';
export type { PersistentDB, PersistentDBOptions } from './browser/persistent-db.js';
export { PersistCorruptionError } from './storage/persist-format.js';
export { BlockDataNotLoadedError } from './storage/block-prefetch.js';

// Embedding: a service's own metrics, rules and PromQL in-process; a benchmark harness's judge.
export { createPromlet } from './embed/promlet.js';
export type { Promlet, PromletOptions, TextRegistry } from './embed/promlet.js';
export { Registry, Counter, Gauge, Histogram, NativeHistogram } from './embed/metrics.js';
export type { HistogramOptions, NativeHistogramOptions } from './embed/metrics.js';
export { createHarness, Harness } from './embed/harness.js';
export type { Check, CheckResult, Verdict, HarnessOptions } from './embed/harness.js';
