// Request parameters as Prometheus's API reads them: query string and
// form-encoded POST bodies merged, times as Unix seconds or RFC 3339,
// durations as seconds or Prometheus durations.

import { parseDuration } from '../model/duration.js';
import { ApiError } from './errors.js';

/** Earliest and latest times (ms) the API accepts; open time ranges default to them. */
export const MIN_TIME = -Number.MAX_SAFE_INTEGER;
export const MAX_TIME = Number.MAX_SAFE_INTEGER;

/** How Prometheus formats its own MinTime and MaxTime, which clients send back. */
const PROM_MIN_TIME = '-292273086-05-16T16:47:06Z';
const PROM_MAX_TIME = '292277025-08-18T07:12:54.999999999Z';

/** Whether a request's body holds parameters: a form-encoded POST. */
export function hasFormBody(method: string, contentType: string | null | undefined): boolean {
  return method === 'POST' && (contentType ?? '').startsWith('application/x-www-form-urlencoded');
}

export class Params {
  constructor(private readonly p: URLSearchParams) {}

  /** Query-string and form parameters of a GET or form-encoded POST request. */
  static async from(req: Request, url: URL, maxBody: number): Promise<Params> {
    return Params.of(url.search, hasFormBody(req.method, req.headers.get('content-type')) ? await req.text() : null, maxBody);
  }

  /** The parameters of a query string and a form body's text (null: none), as `from` reads them from a Request. */
  static of(search: string, formBody: string | null, maxBody: number): Params {
    const merged = new URLSearchParams(search);
    if (formBody !== null) {
      if (formBody.length > maxBody) throw new ApiError('bad_data', `request body larger than ${maxBody} bytes`);
      for (const [k, v] of new URLSearchParams(formBody)) merged.append(k, v);
    }
    return new Params(merged);
  }

  get(name: string): string | null {
    return this.p.get(name);
  }

  all(name: string): string[] {
    return this.p.getAll(name);
  }

  /** A required parameter. */
  need(name: string): string {
    const v = this.p.get(name);
    if (v === null || v === '') throw new ApiError('bad_data', `invalid parameter "${name}": parameter is missing`);
    return v;
  }

  /** A time parameter in ms, or the default when absent. */
  time(name: string, dflt: number): number {
    const v = this.p.get(name);
    if (v === null || v === '') return dflt;
    return parseTime(v, name);
  }

  duration(name: string): number | null {
    const v = this.p.get(name);
    if (v === null || v === '') return null;
    return parseApiDuration(v, name);
  }

  limit(): number {
    const v = this.p.get('limit');
    if (v === null || v === '') return 0;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new ApiError('bad_data', `invalid parameter "limit": limit must be a non-negative integer, got ${JSON.stringify(v)}`);
    return n;
  }
}

/**
 * Whether s is a decimal float as Go's ParseFloat reads one (sign, digits,
 * optional fraction, optional exponent). A single left-to-right scan: a
 * backtracking regex for this shape takes quadratic time on long digit runs.
 */
export function isDecimalFloat(s: string): boolean {
  let i = 0;
  const n = s.length;
  const digits = () => {
    const from = i;
    while (i < n && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
    return i - from;
  };
  if (s[i] === '+' || s[i] === '-') i++;
  let mantissa = digits();
  if (s[i] === '.') {
    i++;
    mantissa += digits();
  }
  if (mantissa === 0) return false;
  if (s[i] === 'e' || s[i] === 'E') {
    i++;
    if (s[i] === '+' || s[i] === '-') i++;
    if (digits() === 0) return false;
  }
  return i === n;
}

/** A parameter value for an error message: long values are cut, so the answer stays small. */
export function quoteParam(v: string): string {
  return JSON.stringify(v.length > 100 ? `${v.slice(0, 100)}…` : v);
}

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

/** Unix seconds (fractions to the ms) or RFC 3339. */
export function parseTime(v: string, name = 'time'): number {
  if (v === PROM_MIN_TIME) return MIN_TIME;
  if (v === PROM_MAX_TIME) return MAX_TIME;
  if (isDecimalFloat(v)) {
    const ms = Math.round(Number(v) * 1000);
    // Go's ParseFloat fails on overflow, and then so does parseTime.
    if (ms >= MIN_TIME && ms <= MAX_TIME) return ms;
  } else if (RFC3339.test(v)) {
    const ms = Date.parse(v);
    if (!Number.isNaN(ms)) return ms;
  }
  throw new ApiError('bad_data', `invalid parameter "${name}": cannot parse ${quoteParam(v)} to a valid timestamp`);
}

/** Seconds as a float, or a Prometheus duration. */
export function parseApiDuration(v: string, name: string): number {
  if (isDecimalFloat(v)) {
    const ms = Number(v) * 1000;
    if (!Number.isFinite(ms) || Math.abs(ms) > 9223372036854) throw new ApiError('bad_data', `invalid parameter "${name}": cannot parse ${quoteParam(v)} to a valid duration. It overflows int64`);
    return Math.round(ms);
  }
  try {
    return parseDuration(v);
  } catch {
    throw new ApiError('bad_data', `invalid parameter "${name}": cannot parse ${quoteParam(v)} to a valid duration`);
  }
}
