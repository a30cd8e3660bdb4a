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

export class Params {
  constructor(private readonly p: URLSearchParams) {}

  /** Query-string and form parameters of a GET or form-encoded POST request. */
  static async from(req: Request, url: URL, maxBody: number): Promise<Params> {
    const merged = new URLSearchParams(url.search);
    if (req.method === 'POST' && (req.headers.get('content-type') ?? '').startsWith('application/x-www-form-urlencoded')) {
      const body = await req.text();
      if (body.length > maxBody) throw new ApiError('bad_data', `request body larger than ${maxBody} bytes`);
      for (const [k, v] of new URLSearchParams(body)) merged.append(k, v);
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

/** Unix seconds (fractions to the ms) or RFC 3339. */
export function parseTime(v: string, name = 'time'): number {
  if (v === PROM_MIN_TIME) return MIN_TIME;
  if (v === PROM_MAX_TIME) return MAX_TIME;
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v)) {
    const s = Number(v);
    return Math.round(s * 1000);
  }
  if (/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(v)) {
    const ms = Date.parse(v);
    if (!Number.isNaN(ms)) return ms;
  }
  throw new ApiError('bad_data', `invalid parameter "${name}": cannot parse "${v}" to a valid timestamp`);
}

/** Seconds as a float, or a Prometheus duration. */
export function parseApiDuration(v: string, name: string): number {
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v)) {
    const ms = Number(v) * 1000;
    if (!Number.isFinite(ms)) throw new ApiError('bad_data', `invalid parameter "${name}": cannot parse "${v}" to a valid duration. It overflows int64`);
    return Math.round(ms);
  }
  try {
    return parseDuration(v);
  } catch {
    throw new ApiError('bad_data', `invalid parameter "${name}": cannot parse "${v}" to a valid duration`);
  }
}
