// promlet's own metrics, rendered at /metrics in the text format (which the
// default configuration scrapes, as job "promlet").

import type { DB } from '../storage/db.js';
import { writeText } from '../exposition/write.js';

export interface MetricSample {
  labels: Record<string, string>;
  value: number;
}

export interface MetricFamily {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  samples: MetricSample[];
}

export class SelfMetrics {
  private readonly httpRequests = new Map<string, number>();
  private queries = 0;
  private readonly sources: (() => MetricFamily[])[] = [];
  readonly startTime = Date.now();

  /** Adds metrics another part of the server keeps (rule groups, notifier). */
  addSource(families: () => MetricFamily[]): void {
    this.sources.push(families);
  }

  constructor(private readonly db: DB, private readonly version: string) {}

  countRequest(handler: string, code: number): void {
    const k = `${handler}\xff${code}`;
    this.httpRequests.set(k, (this.httpRequests.get(k) ?? 0) + 1);
    if (handler === '/api/v1/query' || handler === '/api/v1/query_range') this.queries++;
  }

  families(): MetricFamily[] {
    const st = this.db.stats();
    const mem = process.memoryUsage();
    return [
      { name: 'promlet_build_info', help: 'promlet build information.', type: 'gauge', samples: [{ labels: { version: this.version }, value: 1 }] },
      { name: 'process_start_time_seconds', help: 'Start time of the process since unix epoch in seconds.', type: 'gauge', samples: [{ labels: {}, value: Math.floor(this.startTime / 1000) }] },
      { name: 'process_resident_memory_bytes', help: 'Resident memory size in bytes.', type: 'gauge', samples: [{ labels: {}, value: mem.rss }] },
      { name: 'nodejs_heap_used_bytes', help: 'V8 heap in use, in bytes.', type: 'gauge', samples: [{ labels: {}, value: mem.heapUsed }] },
      { name: 'promlet_tsdb_head_series', help: 'Series in the head.', type: 'gauge', samples: [{ labels: {}, value: st.series }] },
      { name: 'promlet_tsdb_head_samples', help: 'Samples in the head.', type: 'gauge', samples: [{ labels: {}, value: st.headSamples }] },
      { name: 'promlet_tsdb_head_chunks', help: 'Chunks in the head.', type: 'gauge', samples: [{ labels: {}, value: st.chunks }] },
      { name: 'promlet_tsdb_wasm_memory_bytes', help: 'Size of the WebAssembly memory holding the chunks.', type: 'gauge', samples: [{ labels: {}, value: st.wasmMemoryBytes }] },
      { name: 'promlet_tsdb_out_of_order_samples_total', help: 'Samples rejected as out of order.', type: 'counter', samples: [{ labels: {}, value: st.outOfOrderSamples }] },
      { name: 'promlet_engine_queries_total', help: 'Instant and range queries served over HTTP.', type: 'counter', samples: [{ labels: {}, value: this.queries }] },
      {
        name: 'promlet_http_requests_total', help: 'HTTP requests by handler and status code.', type: 'counter',
        samples: [...this.httpRequests].map(([k, value]) => {
          const [handler, code] = k.split('\xff') as [string, string];
          return { labels: { handler, code }, value };
        }),
      },
      ...this.sources.flatMap((f) => f()),
    ];
  }

  /** The text exposition format (0.0.4). */
  text(): string {
    return writeText(this.families());
  }
}
