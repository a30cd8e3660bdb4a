// API errors as Prometheus's web/api/v1 reports them: an errorType, an
// HTTP status per type, and {"status":"error","errorType","error"} bodies.

export type ApiErrorType = 'bad_data' | 'execution' | 'timeout' | 'canceled' | 'internal' | 'not_found' | 'unavailable';

const STATUS: Record<ApiErrorType, number> = {
  bad_data: 400,
  execution: 422,
  canceled: 499,
  timeout: 503,
  internal: 500,
  not_found: 404,
  unavailable: 503,
};

export class ApiError extends Error {
  constructor(readonly type: ApiErrorType, message: string) {
    super(message);
    this.name = 'ApiError';
  }

  get status(): number {
    return STATUS[this.type];
  }
}

export function errorBody(type: ApiErrorType, message: string): string {
  return JSON.stringify({ status: 'error', errorType: type, error: message });
}

export function statusOf(type: ApiErrorType): number {
  return STATUS[type];
}
