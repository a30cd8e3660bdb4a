// The remote-write 1.0 receiver (POST /api/v1/write): a snappy-compressed
// prompb.WriteRequest. Valid samples are stored even when some in the batch
// are out of order or duplicates; those are answered with 400, as Prometheus
// does, so the sender does not retry them.

import { WriteRequest } from './proto.js';
import { handleRemoteWriteV2, remoteWriteMessage } from './write-v2-handler.js';
import { V2_MESSAGE } from './write-v2-proto.js';
import { uncompress } from 'snappyjs';
import type { Appendable } from '../storage/interfaces.js';
import { StorageError } from '../storage/errors.js';
import { InvalidLabelsError } from '../model/labels.js';
import { addRemoteWriteExemplars } from './write-exemplars.js';

interface DecodedSeries {
  labels?: { name: string; value: string }[];
  samples?: { value?: number; timestamp?: number | { toNumber(): number } }[];
  histograms?: Uint8Array[];
  exemplars?: { labels?: { name: string; value: string }[]; value?: number; timestamp?: number | { toNumber(): number } }[];
}

export interface WriteResult {
  status: number;
  body: string;
  appended: number;
  rejected: number;
  /** Response headers (remote write 2.0's written counts). */
  headers?: Record<string, string>;
}

const MAX_DECOMPRESSED = 64 * 1024 * 1024;

export async function handleRemoteWrite(db: Appendable, body: Uint8Array, headers: Headers): Promise<WriteResult> {
  const fail = (status: number, msg: string): WriteResult => ({ status, body: `${msg}\n`, appended: 0, rejected: 0 });
  const message = remoteWriteMessage(headers.get('content-type'));
  if (typeof message !== 'string') return fail(415, message.error);
  if (message === V2_MESSAGE) return { ...(await handleRemoteWriteV2(db, body, headers)), rejected: 0 };
  const enc = headers.get('content-encoding');
  if (enc && enc !== 'snappy') return fail(415, `unsupported Content-Encoding ${JSON.stringify(enc)}, want snappy`);
  let raw: Uint8Array;
  try {
    raw = uncompress(body, MAX_DECOMPRESSED);
  } catch (e) {
    return fail(400, `snappy decode error: ${(e as Error).message}`);
  }
  let req: { timeseries?: DecodedSeries[] };
  try {
    req = WriteRequest.toObject(WriteRequest.decode(raw), { defaults: false }) as { timeseries?: DecodedSeries[] };
  } catch (e) {
    return fail(400, `protobuf decode error: ${(e as Error).message}`);
  }
  const app = db.appender();
  let appended = 0, rejected = 0, histograms = 0;
  let firstError = '';
  for (const ts of req.timeseries ?? []) {
    const labels = Object.fromEntries((ts.labels ?? []).map((l) => [l.name, l.value ?? '']));
    histograms += ts.histograms?.length ?? 0;
    for (const s of ts.samples ?? []) {
      const t = typeof s.timestamp === 'object' ? s.timestamp.toNumber() : (s.timestamp ?? 0);
      try {
        app.append(labels, t, s.value ?? 0);
        appended++;
      } catch (e) {
        if (!(e instanceof StorageError) && !(e instanceof InvalidLabelsError)) throw e;
        rejected++;
        firstError ||= (e as Error).message;
      }
    }
  }
  await app.commit();
  addRemoteWriteExemplars(db, req.timeseries ?? []);
  if (rejected > 0) return { status: 400, body: `${rejected} samples rejected, first: ${firstError}\n`, appended, rejected };
  if (histograms > 0) return { status: 400, body: `${histograms} native histogram samples are not supported\n`, appended, rejected: histograms };
  return { status: 204, body: '', appended, rejected: 0 };
}
