// `promlet serve`'s flags for the size limits of what arrives over HTTP:
// request bodies, and what remote write, pushes and OTLP may inflate to.
// Prometheus has no flags for these (it has no such limits); the names
// follow its `--web.remote-write-receiver.*` family. Scrape limits are
// prometheus.yml fields as in Prometheus (body_size_limit, sample_limit,
// label_limit, per job or under global).

import { parseBase2Bytes } from '../model/units.js';
import { MAX_DECOMPRESSED_BYTES } from '../remote/write-handler.js';
import { MAX_PUSH_DECOMPRESSED_BYTES } from '../push/body.js';
import { DEFAULT_MAX_OTLP_BODY } from '../otlp/receiver.js';
import { UsageError, flagValue } from './args.js';

/** Largest request body the server reads (compressed bytes, for encoded ones). */
export const DEFAULT_MAX_REQUEST_BODY = 4 * 1024 * 1024;

export interface IngestLimits {
  /** --web.max-request-body-size: bytes of any request's body as sent (default 4 MiB). */
  maxRequestBodyBytes?: number;
  /** --web.remote-write-receiver.max-decompressed-size: a remote write request inflated (default 32 MiB). */
  remoteWriteMaxDecompressedBytes?: number;
  /** --web.push.max-decompressed-size: a gzip push body inflated (default 32 MiB). */
  pushMaxDecompressedBytes?: number;
  /** --web.otlp-receiver.max-decompressed-size: an OTLP request inflated (default 32 MiB). */
  otlpMaxDecompressedBytes?: number;
}

const FLAGS: [flag: string, key: keyof IngestLimits, fallback: number][] = [
  ['--web.max-request-body-size', 'maxRequestBodyBytes', DEFAULT_MAX_REQUEST_BODY],
  ['--web.remote-write-receiver.max-decompressed-size', 'remoteWriteMaxDecompressedBytes', MAX_DECOMPRESSED_BYTES],
  ['--web.push.max-decompressed-size', 'pushMaxDecompressedBytes', MAX_PUSH_DECOMPRESSED_BYTES],
  ['--web.otlp-receiver.max-decompressed-size', 'otlpMaxDecompressedBytes', DEFAULT_MAX_OTLP_BODY],
];

export const INGEST_LIMIT_FLAGS = FLAGS.map(([flag]) => flag);

export const INGEST_LIMIT_USAGE = `  --web.max-request-body-size SIZE           any request's body as sent (default 4MiB; 413 past it)
  --web.remote-write-receiver.max-decompressed-size SIZE   a remote write request inflated (default 32MiB)
  --web.push.max-decompressed-size SIZE      a gzip push body inflated (default 32MiB)
  --web.otlp-receiver.max-decompressed-size SIZE   an OTLP request inflated (default 32MiB)
`;

/** The limits the command line sets, checked: a size such as 16MiB, 64MB or a number of bytes, above 0. */
export function ingestLimitFlags(args: string[]): IngestLimits {
  const out: IngestLimits = {};
  for (const [flag, key] of FLAGS) {
    const v = flagValue(args, flag);
    if (v === undefined) continue;
    const n = parseBase2Bytes(v);
    if (n === null || n <= 0) throw new UsageError(`${flag}: want a size above 0 such as 16MiB, got ${JSON.stringify(v)}`);
    out[key] = n;
  }
  return out;
}

/** The limits as /api/v1/status/flags shows them, defaults filled in. */
export function ingestLimitFlagValues(o: IngestLimits): Record<string, string> {
  return Object.fromEntries(FLAGS.map(([flag, key, fallback]) => [flag.slice(2), String(o[key] ?? fallback)]));
}
