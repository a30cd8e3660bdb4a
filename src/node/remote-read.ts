// remote_read for `promlet serve`: the configured remotes behind a fanout
// engine (src/remote/fanout.ts), and the /api/v1/read endpoint with the
// --storage.remote.read-* limits. A reload replaces the remotes.

import type { DB } from '../storage/db.js';
import type { Engine, EngineOptions } from '../promql/engine/engine.js';
import { START_TIME_MARGIN, type RemoteReadSet } from '../remote/fanout.js';
import { createFanoutEngine } from './remote-read-engine.js';
import { remoteReadConfigs } from '../remote/read-config.js';
import { RemoteReadClient } from '../remote/read-client.js';
import { type RemoteReadHandlerOptions, createRemoteReadHandler } from '../remote/read-handler.js';
import type { MetricFamily } from './self-metrics.js';

export interface RemoteRead {
  engine: Engine;
  /** The remotes and the local start time, for an engine that fetches before evaluating (src/node/offthread-engine.ts). */
  source: { set(): RemoteReadSet; localStartTime(): number };
  handler: (req: Request) => Promise<Response>;
  /** Applies the remote_read section and external labels of a (re)loaded configuration. */
  apply(doc: Record<string, unknown>, externalLabels: Record<string, string>): void;
  metrics(): MetricFamily[];
}

export function startRemoteRead(db: DB, engineOptions: EngineOptions, limits: Omit<RemoteReadHandlerOptions, 'externalLabels'>): RemoteRead {
  let set: RemoteReadSet = { clients: [], externalLabels: {} };
  // As Prometheus's readyStorage.StartTime (no blocks: now), plus its margin.
  const localStart = () => (db.stats().minTime ?? Date.now()) + START_TIME_MARGIN;
  return {
    engine: createFanoutEngine(db, () => set, localStart, engineOptions),
    source: { set: () => set, localStartTime: localStart },
    handler: createRemoteReadHandler(db, { ...limits, externalLabels: () => set.externalLabels }),
    apply(doc, externalLabels) {
      set = { clients: remoteReadConfigs(doc).map((c) => new RemoteReadClient(c)), externalLabels };
    },
    metrics: () => [{
      name: 'prometheus_remote_storage_read_queries_total',
      help: 'Remote read requests, by response type and HTTP status code (type none, code error: no answer).',
      type: 'counter',
      samples: set.clients.flatMap((c) => [...c.queries].map(([k, value]) => {
        const [responseType, code] = k.split(' ') as [string, string];
        return { labels: { remote_name: c.cfg.name, url: c.cfg.url, response_type: responseType, code }, value };
      })),
    }],
  };
}
