// The io.prometheus.client.MetricFamily messages /federate writes when a
// client negotiates the protobuf exposition format (client_model's
// metrics.proto, proto2: repeated scalars unpacked), and the Accept
// negotiation of Prometheus's expfmt.Negotiate.

import protobuf from 'protobufjs/light.js';

const unpacked = { packed: false };
const root = protobuf.Root.fromJSON({
  nested: {
    io: { nested: { prometheus: { nested: { client: { nested: {
      LabelPair: { fields: { name: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } } },
      MetricType: { values: { COUNTER: 0, GAUGE: 1, SUMMARY: 2, UNTYPED: 3, HISTOGRAM: 4, GAUGE_HISTOGRAM: 5 } },
      Untyped: { fields: { value: { type: 'double', id: 1 } } },
      Bucket: { fields: { cumulativeCount: { type: 'uint64', id: 1 }, cumulativeCountFloat: { type: 'double', id: 4 }, upperBound: { type: 'double', id: 2 } } },
      BucketSpan: { fields: { offset: { type: 'sint32', id: 1 }, length: { type: 'uint32', id: 2 } } },
      Histogram: {
        fields: {
          sampleCount: { type: 'uint64', id: 1 },
          sampleCountFloat: { type: 'double', id: 4 },
          sampleSum: { type: 'double', id: 2 },
          bucket: { rule: 'repeated', type: 'Bucket', id: 3 },
          schema: { type: 'sint32', id: 5 },
          zeroThreshold: { type: 'double', id: 6 },
          zeroCount: { type: 'uint64', id: 7 },
          zeroCountFloat: { type: 'double', id: 8 },
          negativeSpan: { rule: 'repeated', type: 'BucketSpan', id: 9 },
          negativeDelta: { rule: 'repeated', type: 'sint64', id: 10, options: unpacked },
          negativeCount: { rule: 'repeated', type: 'double', id: 11, options: unpacked },
          positiveSpan: { rule: 'repeated', type: 'BucketSpan', id: 12 },
          positiveDelta: { rule: 'repeated', type: 'sint64', id: 13, options: unpacked },
          positiveCount: { rule: 'repeated', type: 'double', id: 14, options: unpacked },
        },
      },
      Metric: {
        fields: {
          label: { rule: 'repeated', type: 'LabelPair', id: 1 },
          untyped: { type: 'Untyped', id: 5 },
          histogram: { type: 'Histogram', id: 7 },
          timestampMs: { type: 'int64', id: 6 },
        },
      },
      MetricFamily: {
        fields: {
          name: { type: 'string', id: 1 },
          help: { type: 'string', id: 2 },
          type: { type: 'MetricType', id: 3 },
          metric: { rule: 'repeated', type: 'Metric', id: 4 },
          unit: { type: 'string', id: 5 },
        },
      },
    } } } } } },
  },
});

export const MetricFamily = root.lookupType('io.prometheus.client.MetricFamily');
export const MetricType = { UNTYPED: 3, HISTOGRAM: 4, GAUGE_HISTOGRAM: 5 } as const;

/** expfmt's FmtProtoDelim: length-delimited MetricFamily messages. */
export const PROTO_DELIMITED = 'application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited';

/**
 * Whether the Accept header asks for delimited protobuf before the text
 * format (expfmt.Negotiate with the formats promlet writes: the protobuf
 * text and compact forms are not written, so they fall back to text).
 */
export function acceptsProtobuf(accept: string | null): boolean {
  if (!accept) return false;
  const ranges = accept.split(',').map((part, i) => {
    const [type = '', ...params] = part.split(';').map((x) => x.trim());
    const p = new Map(params.map((kv) => {
      const eq = kv.indexOf('=');
      return [kv.slice(0, eq).trim().toLowerCase(), kv.slice(eq + 1).trim().replace(/^"|"$/g, '')] as const;
    }));
    const q = p.has('q') ? Number(p.get('q')) : 1;
    return { type: type.toLowerCase(), p, q: Number.isNaN(q) ? 0 : q, i };
  }).filter((r) => r.q > 0).sort((a, b) => b.q - a.q || a.i - b.i);
  for (const r of ranges) {
    if (r.type === 'application/vnd.google.protobuf' && r.p.get('proto') === 'io.prometheus.client.MetricFamily') {
      if (r.p.get('encoding') === 'delimited') return true;
      continue;
    }
    if (r.type === 'text/plain') return false;
  }
  return false;
}
