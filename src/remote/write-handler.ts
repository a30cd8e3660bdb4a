// The remote-write 1.0 receiver (POST /api/v1/write): a snappy-compressed
// prompb.WriteRequest. Valid samples are stored even when some in the batch
// are out of order or duplicates; those are answered with 400, as Prometheus
// does, so the sender does not retry them.
//
// The request is read by WriteRequestReader (no object per sample) and each
// series is appended by ref: refs are cached per database by the bytes of
// the series' labels, so a series seen before skips label decoding and
// lookup. One commit per request: one log write, acknowledged after it.

import { handleRemoteWriteV2, remoteWriteMessage } from './write-v2-handler.js';
import { type ProtobufMessage, V2_MESSAGE } from './write-v2-proto.js';
import { snappyDecode } from './snappy-decode.js';
import type { Appendable } from '../storage/interfaces.js';
import { StorageError, UnknownSeriesError } from '../storage/errors.js';
import { InvalidLabelsError } from '../model/labels.js';
import { ProtoDecodeError, WriteRequestReader } from './write-decoder.js';
import { SeriesRefCache } from './series-ref-cache.js';
import { addRemoteWriteExemplars, type SeriesWithExemplars } from './write-exemplars.js';
import { appendSeriesHistograms } from './write-histograms.js';

export interface WriteResult {
  status: number;
  body: string;
  appended: number;
  rejected: number;
  /** Response headers (remote write 2.0's written counts). */
  headers?: Record<string, string>;
}

/** What the receivers read of a request's headers: a fetch `Headers`, or node:http's headers behind `get`. */
export interface RequestHeaders {
  get(name: string): string | null;
}

export interface RemoteWriteOptions {
  /**
   * Largest decompressed WriteRequest accepted, in bytes (checked against
   * snappy's length header before anything is allocated).
   */
  maxDecompressedBytes?: number;
}

/** Default decompressed-size limit: far above what a Prometheus sender batches (2,000 samples per request). */
export const MAX_DECOMPRESSED_BYTES = 32 * 1024 * 1024;

const caches = new WeakMap<Appendable, SeriesRefCache>();

/**
 * Requests up to this size are inflated into one reused buffer: a request is
 * read to its end without yielding (everything kept from it is copied out),
 * so no two requests use it at once, and a stream of requests allocates none.
 */
const SCRATCH_BYTES = 4 * 1024 * 1024;
let scratch: Uint8Array | null = null;

function scratchFor(length: number): Uint8Array | undefined {
  if (length > SCRATCH_BYTES) return undefined;
  if (!scratch || scratch.length < length) scratch = new Uint8Array(Math.min(SCRATCH_BYTES, Math.max(length, 2 * (scratch?.length ?? 64 * 1024))));
  return scratch;
}

let sharedReader: WriteRequestReader | undefined;

function cacheFor(db: Appendable): SeriesRefCache {
  let c = caches.get(db);
  if (!c) caches.set(db, (c = new SeriesRefCache()));
  return c;
}

/** snappy's uvarint length header, or -1 when it is malformed. */
function snappyLength(body: Uint8Array): number {
  let result = 0;
  for (let i = 0, shift = 0; i < body.length && i < 5; i++, shift += 7) {
    const b = body[i]!;
    result += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return result;
  }
  return -1;
}

export async function handleRemoteWrite(db: Appendable, body: Uint8Array, headers: RequestHeaders, opts: RemoteWriteOptions = {}): Promise<WriteResult> {
  const checked = checkRemoteWrite(body, headers, opts);
  if ('status' in checked) return checked;
  if (checked.message === V2_MESSAGE) return { ...(await handleRemoteWriteV2(db, body, headers, checked.limit)), rejected: 0 };
  // Every element is checked against the input as it is decoded: a block that declares more than it holds costs nothing.
  let raw: Uint8Array;
  try {
    raw = snappyDecode(body, checked.limit, scratchFor(checked.length));
  } catch (e) {
    return fail(400, `snappy decode error: ${(e as Error).message}`);
  }
  // One reader for every request: a request is read to its end without yielding.
  return appendWriteRequest(db, (sharedReader ??= new WriteRequestReader(raw)).reset(raw));
}

const fail = (status: number, msg: string): WriteResult => ({ status, body: `${msg}\n`, appended: 0, rejected: 0 });

/**
 * What can be answered from the headers and snappy's length header alone
 * (415, 413), or which message the body carries, its declared inflated
 * length and the limit that applies.
 */
export function checkRemoteWrite(body: Uint8Array, headers: RequestHeaders, opts: RemoteWriteOptions = {}): WriteResult | { message: ProtobufMessage; length: number; limit: number } {
  const message = remoteWriteMessage(headers.get('content-type'));
  if (typeof message !== 'string') return fail(415, message.error);
  const enc = headers.get('content-encoding');
  if (enc && enc !== 'snappy') return fail(415, `unsupported Content-Encoding ${JSON.stringify(enc)}, want snappy`);
  const limit = opts.maxDecompressedBytes ?? MAX_DECOMPRESSED_BYTES;
  const length = snappyLength(body);
  if (length > limit) return fail(413, `snappy: decompressed size ${length} bytes is over the limit of ${limit} bytes`);
  return { message, length, limit };
}

/**
 * Appends a 1.0 WriteRequest series by series from `reader` (the bytes read
 * as they go, or a ReplayReader over a request read ahead) in one commit.
 */
export async function appendWriteRequest(db: Appendable, reader: WriteRequestReader): Promise<WriteResult> {
  const raw = reader.buf;
  const cache = cacheFor(db);
  const app = db.appender();
  let appended = 0, rejected = 0, histograms = 0;
  let firstError = '';
  const withExemplars: SeriesWithExemplars[] = [];
  const reject = (e: unknown, n: number) => {
    if (!(e instanceof StorageError) && !(e instanceof InvalidLabelsError)) throw e;
    rejected += n;
    firstError ||= (e as Error).message;
  };
  try {
    while (reader.nextSeries()) {
      if (reader.histogramCount > 0) {
        const h = appendSeriesHistograms(app, reader, reject);
        if (h < 0) histograms += reader.histogramCount;
        else appended += h;
      }
      if (reader.exemplarCount > 0) withExemplars.push({ labels: reader.labelPairs(), exemplars: reader.exemplars() });
      const n = reader.sampleCount;
      if (n === 0) continue;
      const keyed = reader.labelsStart >= 0;
      let ref = keyed ? cache.get(raw, reader.labelsStart, reader.labelsEnd) : undefined;
      let labels: Record<string, string> | undefined;
      const ts = reader.ts, vs = reader.vs;
      for (let i = 0; i < n; i++) {
        try {
          if (ref !== undefined) {
            try {
              app.append(ref, ts[i]!, vs[i]!);
            } catch (e) {
              // The cached ref's series is gone (retention): resolve its labels again.
              if (!(e instanceof UnknownSeriesError)) throw e;
              ref = undefined;
            }
          }
          if (ref === undefined) {
            // Labels are decoded only for a series not seen before.
            labels ??= reader.labels();
            ref = app.append(labels, ts[i]!, vs[i]!);
            if (keyed) cache.set(raw, reader.labelsStart, reader.labelsEnd, ref);
          }
          appended++;
          if (app.appendRange) {
            // The ref is good now: the rest of the series in one call.
            appended += app.appendRange(ref, ts, vs, i + 1, n, (_j, e) => reject(e, 1));
            break;
          }
        } catch (e) {
          if (e instanceof InvalidLabelsError) {
            reject(e, n - i);
            break;
          }
          reject(e, 1);
        }
      }
    }
  } catch (e) {
    app.rollback();
    if (e instanceof ProtoDecodeError) return fail(400, `protobuf decode error: ${e.message}`);
    throw e;
  }
  await app.commit();
  addRemoteWriteExemplars(db, withExemplars);
  if (rejected > 0) return { status: 400, body: `${rejected} samples rejected, first: ${firstError}\n`, appended, rejected };
  if (histograms > 0) return { status: 400, body: `${histograms} native histogram samples are not supported\n`, appended, rejected: histograms };
  return { status: 204, body: '', appended, rejected: 0 };
}
