// OTLP/HTTP metrics bodies, protobuf or JSON, to one plain shape: the
// protobuf decoded with int64s as decimal strings, the JSON as parsed. The
// few places where the encodings differ (64-bit integers as numbers or
// strings, trace ids as bytes or hex, enums as numbers or names) are
// resolved by the readers below, so the translation reads either.

import { ExportMetricsServiceRequest } from './proto.js';

export type Int64 = string | number | undefined;

export interface AnyValue {
  stringValue?: string; boolValue?: boolean; intValue?: Int64; doubleValue?: number | string;
  arrayValue?: { values?: AnyValue[] }; kvlistValue?: { values?: KeyValue[] }; bytesValue?: Uint8Array | string;
}
export interface KeyValue { key: string; value?: AnyValue }
export interface OtlpExemplar {
  filteredAttributes?: KeyValue[]; timeUnixNano?: Int64; asDouble?: number | string; asInt?: Int64;
  spanId?: Uint8Array | string; traceId?: Uint8Array | string;
}
export interface NumberDataPoint {
  attributes?: KeyValue[]; startTimeUnixNano?: Int64; timeUnixNano?: Int64; asDouble?: number | string; asInt?: Int64;
  exemplars?: OtlpExemplar[]; flags?: number;
}
export interface HistogramDataPoint {
  attributes?: KeyValue[]; startTimeUnixNano?: Int64; timeUnixNano?: Int64; count?: Int64; sum?: number | string;
  bucketCounts?: Int64[]; explicitBounds?: (number | string)[]; exemplars?: OtlpExemplar[]; flags?: number;
}
export interface ExponentialHistogramDataPoint {
  attributes?: KeyValue[]; startTimeUnixNano?: Int64; timeUnixNano?: Int64; count?: Int64; sum?: number | string; scale?: number;
  zeroCount?: Int64; positive?: ExponentialBuckets; negative?: ExponentialBuckets; flags?: number; exemplars?: OtlpExemplar[];
  zeroThreshold?: number | string;
}
export interface ExponentialBuckets { offset?: number; bucketCounts?: Int64[] }
export interface SummaryDataPoint {
  attributes?: KeyValue[]; startTimeUnixNano?: Int64; timeUnixNano?: Int64; count?: Int64; sum?: number | string;
  quantileValues?: { quantile?: number | string; value?: number | string }[]; flags?: number;
}
export type Temporality = number | string | undefined;
export interface OtlpMetric {
  name?: string; description?: string; unit?: string;
  gauge?: { dataPoints?: NumberDataPoint[] };
  sum?: { dataPoints?: NumberDataPoint[]; aggregationTemporality?: Temporality; isMonotonic?: boolean };
  histogram?: { dataPoints?: HistogramDataPoint[]; aggregationTemporality?: Temporality };
  exponentialHistogram?: { dataPoints?: ExponentialHistogramDataPoint[]; aggregationTemporality?: Temporality };
  summary?: { dataPoints?: SummaryDataPoint[] };
}
export interface ScopeMetrics {
  scope?: { name?: string; version?: string; attributes?: KeyValue[] };
  metrics?: OtlpMetric[];
  schemaUrl?: string;
}
export interface ResourceMetrics {
  resource?: { attributes?: KeyValue[] };
  scopeMetrics?: ScopeMetrics[];
}
export interface OtlpRequest { resourceMetrics?: ResourceMetrics[] }

export class OtlpDecodeError extends Error {}

export function decodeProtobuf(body: Uint8Array): OtlpRequest {
  try {
    const msg = ExportMetricsServiceRequest.decode(body);
    return ExportMetricsServiceRequest.toObject(msg, { longs: String, defaults: false }) as OtlpRequest;
  } catch (e) {
    throw new OtlpDecodeError(`unmarshaling protobuf: ${(e as Error).message}`);
  }
}

export function decodeJSON(body: string): OtlpRequest {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch (e) {
    throw new OtlpDecodeError(`unmarshaling JSON: ${(e as Error).message}`);
  }
  checkMessage(doc, 'ExportMetricsServiceRequest', '');
  return doc as OtlpRequest;
}

// The JSON body's shape, checked before translation so a wrong type is a 400
// naming its place rather than an exception deep in the translation.
type FieldKind = 'string' | 'bool' | 'int64' | 'double' | 'uint32' | 'enum' | 'bytes' | { msg: string } | { list: FieldKind };
const kv: Record<string, FieldKind> = { key: 'string', value: { msg: 'AnyValue' } };
const attrs: FieldKind = { list: { msg: 'KeyValue' } };
const exemplars: FieldKind = { list: { msg: 'Exemplar' } };
const SCHEMA: Record<string, Record<string, FieldKind>> = {
  ExportMetricsServiceRequest: { resourceMetrics: { list: { msg: 'ResourceMetrics' } } },
  ResourceMetrics: { resource: { msg: 'Resource' }, scopeMetrics: { list: { msg: 'ScopeMetrics' } }, schemaUrl: 'string' },
  Resource: { attributes: attrs, droppedAttributesCount: 'uint32' },
  ScopeMetrics: { scope: { msg: 'Scope' }, metrics: { list: { msg: 'Metric' } }, schemaUrl: 'string' },
  Scope: { name: 'string', version: 'string', attributes: attrs, droppedAttributesCount: 'uint32' },
  Metric: {
    name: 'string', description: 'string', unit: 'string', gauge: { msg: 'Gauge' }, sum: { msg: 'Sum' }, histogram: { msg: 'Histogram' },
    exponentialHistogram: { msg: 'ExponentialHistogram' }, summary: { msg: 'Summary' }, metadata: attrs,
  },
  Gauge: { dataPoints: { list: { msg: 'NumberDataPoint' } } },
  Sum: { dataPoints: { list: { msg: 'NumberDataPoint' } }, aggregationTemporality: 'enum', isMonotonic: 'bool' },
  Histogram: { dataPoints: { list: { msg: 'HistogramDataPoint' } }, aggregationTemporality: 'enum' },
  ExponentialHistogram: { dataPoints: { list: { msg: 'ExponentialHistogramDataPoint' } }, aggregationTemporality: 'enum' },
  ExponentialHistogramDataPoint: {
    attributes: attrs, startTimeUnixNano: 'int64', timeUnixNano: 'int64', count: 'int64', sum: 'double', scale: 'int64', zeroCount: 'int64',
    positive: { msg: 'Buckets' }, negative: { msg: 'Buckets' }, flags: 'uint32', exemplars, min: 'double', max: 'double', zeroThreshold: 'double',
  },
  Buckets: { offset: 'int64', bucketCounts: { list: 'int64' } },
  Summary: { dataPoints: { list: { msg: 'SummaryDataPoint' } } },
  NumberDataPoint: {
    attributes: attrs, startTimeUnixNano: 'int64', timeUnixNano: 'int64', asDouble: 'double', asInt: 'int64', exemplars, flags: 'uint32',
  },
  HistogramDataPoint: {
    attributes: attrs, startTimeUnixNano: 'int64', timeUnixNano: 'int64', count: 'int64', sum: 'double', bucketCounts: { list: 'int64' },
    explicitBounds: { list: 'double' }, exemplars, flags: 'uint32', min: 'double', max: 'double',
  },
  SummaryDataPoint: {
    attributes: attrs, startTimeUnixNano: 'int64', timeUnixNano: 'int64', count: 'int64', sum: 'double',
    quantileValues: { list: { msg: 'ValueAtQuantile' } }, flags: 'uint32',
  },
  ValueAtQuantile: { quantile: 'double', value: 'double' },
  Exemplar: { filteredAttributes: attrs, timeUnixNano: 'int64', asDouble: 'double', asInt: 'int64', spanId: 'bytes', traceId: 'bytes' },
  KeyValue: kv,
  AnyValue: {
    stringValue: 'string', boolValue: 'bool', intValue: 'int64', doubleValue: 'double', arrayValue: { msg: 'ArrayValue' },
    kvlistValue: { msg: 'KeyValueList' }, bytesValue: 'bytes',
  },
  ArrayValue: { values: { list: { msg: 'AnyValue' } } },
  KeyValueList: { values: { list: { msg: 'KeyValue' } } },
};

const INT = /^-?\d+$/;
const DOUBLE = /^(-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|NaN|-?Infinity)$/;

function checkValue(v: unknown, kind: FieldKind, where: string): void {
  const bad = (want: string) => new OtlpDecodeError(`unmarshaling JSON: ${where}: want ${want}, got ${JSON.stringify(v)?.slice(0, 40)}`);
  if (typeof kind === 'object') {
    if ('msg' in kind) return checkMessage(v, kind.msg, where);
    if (!Array.isArray(v)) throw bad('an array');
    v.forEach((x, i) => checkValue(x, kind.list, `${where}[${i}]`));
    return;
  }
  switch (kind) {
    case 'string': case 'bytes': if (typeof v !== 'string') throw bad('a string'); return;
    case 'bool': if (typeof v !== 'boolean') throw bad('true or false'); return;
    case 'int64': if (!(typeof v === 'number' && Number.isInteger(v)) && !(typeof v === 'string' && INT.test(v))) throw bad('an integer'); return;
    case 'uint32': if (!(typeof v === 'number' && Number.isInteger(v) && v >= 0)) throw bad('a non-negative integer'); return;
    case 'double': if (typeof v !== 'number' && !(typeof v === 'string' && DOUBLE.test(v))) throw bad('a number'); return;
    case 'enum': if (!(typeof v === 'number' && Number.isInteger(v)) && typeof v !== 'string') throw bad('an enum value'); return;
  }
}

/** Checks a message's known fields (unknown ones are ignored, as protobuf JSON does); null fields are dropped. */
function checkMessage(v: unknown, msg: string, where: string): void {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new OtlpDecodeError(`unmarshaling JSON: ${where || 'body'}: want a ${msg} object, got ${JSON.stringify(v)?.slice(0, 40)}`);
  }
  const o = v as Record<string, unknown>;
  for (const [k, kind] of Object.entries(SCHEMA[msg]!)) {
    if (!(k in o)) continue;
    if (o[k] === null) {
      delete o[k];
      continue;
    }
    checkValue(o[k], kind, where ? `${where}.${k}` : k);
  }
}

/** A fixed64/int64 nanosecond time as integer milliseconds (truncated, as Prometheus does). */
export function nanosToMillis(v: Int64): number {
  if (v === undefined || v === '') return 0;
  if (typeof v === 'number') return Math.trunc(v / 1e6);
  if (!/^-?\d+$/.test(v)) throw new OtlpDecodeError(`invalid nanosecond timestamp ${JSON.stringify(v)}`);
  return Number(BigInt(v) / 1_000_000n);
}

export function int64(v: Int64): number {
  if (v === undefined || v === '') return 0;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new OtlpDecodeError(`invalid integer ${JSON.stringify(v)}`);
  return n;
}

/** JSON encodes NaN and infinities as strings. */
export function double(v: number | string | undefined): number {
  if (v === undefined) return 0;
  if (typeof v === 'number') return v;
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  const n = Number(v);
  if (Number.isNaN(n)) throw new OtlpDecodeError(`invalid double ${JSON.stringify(v)}`);
  return n;
}

const TEMPORALITY: Record<string, number> = {
  AGGREGATION_TEMPORALITY_UNSPECIFIED: 0, AGGREGATION_TEMPORALITY_DELTA: 1, AGGREGATION_TEMPORALITY_CUMULATIVE: 2,
};
export function temporality(v: Temporality): number {
  if (v === undefined) return 0;
  if (typeof v === 'number') return v;
  return TEMPORALITY[v] ?? -1;
}

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const base64 = (b: Uint8Array) => btoa(String.fromCharCode(...b));

/** Trace and span ids: bytes in protobuf, hex strings in JSON. */
export function idHex(v: Uint8Array | string | undefined): string {
  if (v === undefined) return '';
  if (typeof v === 'string') return v.toLowerCase();
  return v.every((x) => x === 0) ? '' : hex(v);
}

/** pcommon.Value.AsString: what an attribute value becomes as a label value. */
export function anyValueString(v: AnyValue | undefined): string {
  if (!v) return '';
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return String(v.boolValue);
  if (v.intValue !== undefined) return String(v.intValue);
  if (v.doubleValue !== undefined) return String(double(v.doubleValue));
  if (v.bytesValue !== undefined) return typeof v.bytesValue === 'string' ? v.bytesValue : base64(v.bytesValue);
  if (v.arrayValue !== undefined) return JSON.stringify((v.arrayValue.values ?? []).map(anyValueRaw));
  if (v.kvlistValue !== undefined) return JSON.stringify(Object.fromEntries((v.kvlistValue.values ?? []).map((kv) => [kv.key, anyValueRaw(kv.value)])));
  return '';
}

function anyValueRaw(v: AnyValue | undefined): unknown {
  if (!v) return null;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return double(v.doubleValue);
  return anyValueString(v);
}
