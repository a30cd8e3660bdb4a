// Which remote-write message a request carries, from its Content-Type, as
// Prometheus 3's receiver decides it (client_golang exp/api/remote): no
// Content-Type or no proto parameter means 1.0; anything but
// application/x-protobuf, or an unknown proto, is 415. And the 2.0 path:
// snappy, then writeV2, answered with the written counts.

import { snappyDecode } from './snappy-decode.js';
import type { Appendable } from '../storage/interfaces.js';
import { type ProtobufMessage, V1_MESSAGE, V2_MESSAGE, WRITTEN_HEADERS } from './write-v2-proto.js';
import { writeV2 } from './write-v2.js';

export function remoteWriteMessage(contentType: string | null): ProtobufMessage | { error: string } {
  if (!contentType) return V1_MESSAGE;
  const [media, ...params] = contentType.split(';').map((p) => p.trim());
  if (media !== 'application/x-protobuf') return { error: `expected application/x-protobuf as the first (media) part, got ${contentType} content-type` };
  for (const p of params) {
    const [k, v] = p.split('=', 2).map((x) => x.trim());
    if (k !== 'proto') continue;
    if (v === V1_MESSAGE || v === V2_MESSAGE) return v;
    return { error: `unknown type for remote write protobuf message ${v}, supported: ${V1_MESSAGE}, ${V2_MESSAGE}` };
  }
  return V1_MESSAGE;
}

const MAX_DECOMPRESSED = 64 * 1024 * 1024;

export async function handleRemoteWriteV2(db: Appendable, body: Uint8Array, headers: { get(name: string): string | null }, maxDecompressed = MAX_DECOMPRESSED): Promise<{ status: number; body: string; headers: Record<string, string>; appended: number }> {
  const enc = headers.get('content-encoding');
  if (enc && enc !== 'snappy') return { status: 415, body: `unsupported Content-Encoding ${JSON.stringify(enc)}, want snappy\n`, headers: {}, appended: 0 };
  let raw: Uint8Array;
  try {
    raw = snappyDecode(body, maxDecompressed);
  } catch (e) {
    return { status: 400, body: `snappy decode error: ${(e as Error).message}\n`, headers: {}, appended: 0 };
  }
  const r = await writeV2(db, raw);
  return {
    status: r.status,
    body: r.body,
    appended: r.written.samples,
    headers: {
      [WRITTEN_HEADERS.samples]: String(r.written.samples),
      [WRITTEN_HEADERS.histograms]: String(r.written.histograms),
      [WRITTEN_HEADERS.exemplars]: String(r.written.exemplars),
    },
  };
}
