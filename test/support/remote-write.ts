// Remote-write 1.0 requests for tests: a snappy-compressed prompb.WriteRequest.

import protobuf from 'protobufjs/light.js';
import { compress } from 'snappyjs';

const root = protobuf.Root.fromJSON({
  nested: {
    WriteRequest: { fields: { timeseries: { rule: 'repeated', type: 'TimeSeries', id: 1 } } },
    TimeSeries: { fields: { labels: { rule: 'repeated', type: 'Label', id: 1 }, samples: { rule: 'repeated', type: 'Sample', id: 2 } } },
    Label: { fields: { name: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } } },
    Sample: { fields: { value: { type: 'double', id: 1 }, timestamp: { type: 'int64', id: 2 } } },
  },
});
const WriteRequest = root.lookupType('WriteRequest');

export function encodeWriteRequest(series: { labels: Record<string, string>; samples: [number, number][] }[]): Uint8Array {
  const msg = WriteRequest.fromObject({
    timeseries: series.map((s) => ({
      labels: Object.entries(s.labels).map(([name, value]) => ({ name, value })),
      samples: s.samples.map(([timestamp, value]) => ({ timestamp, value })),
    })),
  });
  return compress(WriteRequest.encode(msg).finish());
}

/** POSTs one request to BASE/api/v1/write; its status and body. */
export async function remoteWrite(base: string, series: Parameters<typeof encodeWriteRequest>[0]): Promise<{ status: number; text: string }> {
  const r = await fetch(`${base}/api/v1/write`, {
    method: 'POST', body: encodeWriteRequest(series) as BodyInit,
    headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy', 'x-prometheus-remote-write-version': '0.1.0' },
  });
  return { status: r.status, text: await r.text() };
}
