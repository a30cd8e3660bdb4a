// Constants shared with the host. src/wasm/layout.ts mirrors this file and
// test/wasm/abi.test.ts asserts that both agree.

/** Bumped whenever an exported signature or a record layout changes. */
export const ABI_VERSION: i32 = 2;

/** Every chunk of every encoding is exactly this long (Prometheus 1.x ChunkLen). */
export const CHUNK_LEN: i32 = 1024;

/** Bytes allocated per chunk: the chunk plus slack so 8-byte reads at its end stay in bounds. */
export const CHUNK_ALLOC: i32 = CHUNK_LEN + 32;

/** Chunk encodings, numbered as in Prometheus 1.x. */
export const ENC_DOUBLE_DELTA: i32 = 1;
export const ENC_VARBIT: i32 = 2;
/** Native histogram chunks (FORMAT.md §3): integer and float counts. */
export const ENC_HISTOGRAM: i32 = 3;
export const ENC_FLOAT_HISTOGRAM: i32 = 4;
/** Bytes of a histogram chunk's header; its payload follows. */
export const HIST_HEADER: i32 = 32;
/** A histogram chunk takes at most this many samples (as float chunks; Prometheus cuts histogram chunks by size alone, 1024 bytes once they hold 10). */
export const HIST_MAX_SAMPLES: i32 = 120;

/**
 * One histogram as f64 slots, the form the host and the histogram codec
 * exchange: these fixed slots, then (offset, length) per positive and per
 * negative span, the positive then negative bucket counts (absolute), and
 * the custom bounds.
 */
export const H_T: i32 = 0;
export const H_COUNT: i32 = 1;
export const H_ZERO_COUNT: i32 = 2;
export const H_SUM: i32 = 3;
export const H_ZERO_THRESHOLD: i32 = 4;
export const H_SCHEMA: i32 = 5;
/** Counter-reset hint (decoded records only; appends pass the chunk's header apart). */
export const H_HINT: i32 = 6;
export const H_POS_SPANS: i32 = 7;
export const H_NEG_SPANS: i32 = 8;
export const H_POS_BUCKETS: i32 = 9;
export const H_NEG_BUCKETS: i32 = 10;
export const H_CUSTOM: i32 = 11;
/** 1 for an integer histogram (decoded records only). */
export const H_INTEGER: i32 = 12;
export const H_FIXED: i32 = 13;

/** Status codes returned by exported functions (negative return values). */
export const STATUS_OK: i32 = 0;
/** A timestamp is older than the chunk's last one. */
export const STATUS_OUT_OF_ORDER: i32 = -1;
/** Unknown encoding id. */
export const STATUS_BAD_ENCODING: i32 = -2;
/** A chunk's header or payload is inconsistent (would read outside the chunk). */
export const STATUS_CORRUPT: i32 = -3;
/** The caller's output buffer is too small. */
export const STATUS_CAPACITY: i32 = -4;

/** Fields of one reduction record (f64 slots), written by reduce* kernels. */
export const R_COUNT: i32 = 0;
/** Kahan-Neumaier sum and its compensation term (sum + comp is the result). */
export const R_SUM: i32 = 1;
export const R_SUM_COMP: i32 = 2;
/** min/max treat NaN as "no value yet" like Prometheus's min_over_time. */
export const R_MIN: i32 = 3;
export const R_MAX: i32 = 4;
export const R_FIRST_T: i32 = 5;
export const R_FIRST_V: i32 = 6;
export const R_LAST_T: i32 = 7;
export const R_LAST_V: i32 = 8;
/** Sample before the last one (irate, idelta). */
export const R_PREV_T: i32 = 9;
export const R_PREV_V: i32 = 10;
/** Sum of the values just before each counter reset (value drop). */
export const R_CORRECTION: i32 = 11;
/** Number of counter resets (resets()). */
export const R_RESETS: i32 = 12;
/** Number of value changes (changes()). */
export const R_CHANGES: i32 = 13;
export const R_SIZE: i32 = 14;

/** The staleness marker: a NaN whose payload must survive every encoding. */
export const STALE_NAN_BITS: u64 = 0x7ff0000000000002;

/** The longest text of one float in an answer: "-0.0000012345678901234567". */
export const FLOAT_TEXT_MAX: i32 = 25;
