// Errors of the append path, named and worded as Prometheus's storage errors.

export class StorageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A sample older than the newest one of its series (storage.ErrOutOfOrderSample). */
export class OutOfOrderSampleError extends StorageError {
  constructor(detail: string) {
    super(`out of order sample: ${detail}`);
  }
}

/**
 * Older than the out-of-order time window allows, when the window is open
 * (storage.ErrTooOldSample).
 */
export class TooOldSampleError extends StorageError {
  constructor(detail: string) {
    super(`too old sample: ${detail}`);
  }
}

/** Same timestamp as the newest sample, different value (storage.ErrDuplicateSampleForTimestamp). */
export class DuplicateSampleError extends StorageError {
  constructor(detail: string) {
    super(`duplicate sample for timestamp: ${detail}`);
  }
}

/** Older than what retention keeps (storage.ErrOutOfBounds). */
export class OutOfBoundsError extends StorageError {
  constructor(detail: string) {
    super(`out of bounds: ${detail}`);
  }
}

/** A timestamp or value that can never be stored. */
export class InvalidSampleError extends StorageError {}

/** A reference that names no series. */
export class UnknownSeriesError extends StorageError {}

/**
 * The database cannot take a commit because WebAssembly memory cannot grow
 * (its 4 GiB limit, or the database's memoryLimit). Nothing of the commit
 * was stored; what was stored before is intact and queries keep working.
 */
export class StorageFullError extends StorageError {}
