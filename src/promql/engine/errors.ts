// Errors of query execution, named as Prometheus's (engine.go) and mapped to
// the HTTP API's errorType by their `type`.

export type ErrorType = 'bad_data' | 'execution' | 'timeout' | 'canceled' | 'internal';

export class QueryError extends Error {
  readonly type: ErrorType;
  constructor(message: string, type: ErrorType = 'execution') {
    super(message);
    this.name = new.target.name;
    this.type = type;
  }
}

export class QueryTimeoutError extends QueryError {
  constructor(where = 'query execution') {
    super(`query timed out in ${where}`, 'timeout');
  }
}

export class QueryCanceledError extends QueryError {
  constructor(where = 'query execution') {
    super(`query was canceled in ${where}`, 'canceled');
  }
}

export class TooManySamplesError extends QueryError {
  constructor(where = 'query execution') {
    super(`query processing would load too many samples into memory in ${where}`, 'execution');
  }
}

/** The query's estimated memory (samples held and label text built) passed its budget. */
export class QueryMemoryError extends QueryError {
  constructor(limit: number) {
    super(`query processing would use more than ${limit} bytes of memory (query memory budget)`, 'execution');
  }
}

/** Raised for valid queries the engine cannot run yet (native histograms). */
export class NotSupportedError extends QueryError {}
