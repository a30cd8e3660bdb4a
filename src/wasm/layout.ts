// Mirror of assembly/layout.ts. test/wasm/abi.test.ts checks that both agree.

export const ABI_VERSION = 2;
export const CHUNK_LEN = 1024;

export const ENC_DOUBLE_DELTA = 1;
export const ENC_VARBIT = 2;
export const ENC_HISTOGRAM = 3;
export const ENC_FLOAT_HISTOGRAM = 4;
export const HIST_HEADER = 32;
export const HIST_MAX_SAMPLES = 120;

/** Slots of one histogram record (see assembly/layout.ts H_*). */
export const H_T = 0;
export const H_COUNT = 1;
export const H_ZERO_COUNT = 2;
export const H_SUM = 3;
export const H_ZERO_THRESHOLD = 4;
export const H_SCHEMA = 5;
export const H_HINT = 6;
export const H_POS_SPANS = 7;
export const H_NEG_SPANS = 8;
export const H_POS_BUCKETS = 9;
export const H_NEG_BUCKETS = 10;
export const H_CUSTOM = 11;
export const H_INTEGER = 12;
export const H_FIXED = 13;

export const STATUS_OK = 0;
export const STATUS_OUT_OF_ORDER = -1;
export const STATUS_BAD_ENCODING = -2;
export const STATUS_CORRUPT = -3;
export const STATUS_CAPACITY = -4;

/** Slots of one reduction record (Float64Array of R_SIZE). */
export const R_COUNT = 0;
export const R_SUM = 1;
export const R_SUM_COMP = 2;
export const R_MIN = 3;
export const R_MAX = 4;
export const R_FIRST_T = 5;
export const R_FIRST_V = 6;
export const R_LAST_T = 7;
export const R_LAST_V = 8;
export const R_PREV_T = 9;
export const R_PREV_V = 10;
export const R_CORRECTION = 11;
export const R_RESETS = 12;
export const R_CHANGES = 13;
export const R_SIZE = 14;

/** Bytes of one record passed to appendBatch: slot u32, pad u32, t f64, v f64. */
export const APPEND_RECORD_BYTES = 24;

/** The longest text of one float in an answer (assembly/float-text.ts). */
export const FLOAT_TEXT_MAX = 25;
