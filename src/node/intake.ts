// The ways in beside scraping that `promlet serve` runs: the exemplar store
// (storage.exemplars in the config), the OTLP receiver
// (--web.enable-otlp-receiver, the config's otlp block) and the statsd
// receiver (--statsd.*). serve.ts hands requests and reloads to this file.

import type { DB } from '../storage/db.js';
import { attachExemplarStore, DEFAULT_MAX_EXEMPLARS, ExemplarStore } from '../storage/exemplars.js';
import { OTLP_PATH, OtlpReceiver } from '../otlp/receiver.js';
import { otlpConfig, type OtlpConfig } from '../otlp/config.js';
import type { MetricFamily } from './self-metrics.js';
import { startStatsd, type StatsdOptions, type StatsdReceiver } from './statsd-listener.js';
import { applyOutOfOrderTimeWindow, outOfOrderMetricFamilies, outOfOrderTimeWindow } from './ooo-config.js';

export interface IntakeOptions {
  /** --web.enable-otlp-receiver */
  otlpReceiver?: boolean;
  /** --enable-feature names (otlp-native-delta-ingestion is read here). */
  features?: readonly string[];
  /** ms, for target_info's sample spacing. */
  lookbackDelta?: number;
  /** The statsd receiver, when --statsd.listen-udp or --statsd.listen-tcp is given. */
  statsd?: StatsdOptions;
  /** --web.otlp-receiver.max-decompressed-size */
  otlpMaxBodyBytes?: number;
}

export interface Intake {
  receivers: Record<string, (req: Request) => Promise<Response>>;
  statsd: StatsdReceiver | null;
  metrics(): MetricFamily[];
  metadata(): Record<string, { type: string; help: string; unit: string }[]>;
  /** Applies a reloaded configuration (throws, changing nothing, when its blocks are invalid). */
  reload(config: Record<string, unknown>): Promise<void>;
  stop(): Promise<void>;
}

/** storage.exemplars.max_exemplars, Prometheus's default when absent. */
export function maxExemplars(config: Record<string, unknown>): number {
  const storage = config.storage as { exemplars?: { max_exemplars?: unknown } } | undefined;
  const v = storage?.exemplars?.max_exemplars;
  if (v === undefined || v === null) return DEFAULT_MAX_EXEMPLARS;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new Error(`storage.exemplars.max_exemplars must be a non-negative integer, got ${JSON.stringify(v)}`);
  return v;
}

export async function startIntake(db: DB, config: Record<string, unknown>, o: IntakeOptions = {}): Promise<Intake> {
  applyOutOfOrderTimeWindow(db, config);
  const exemplars = new ExemplarStore(maxExemplars(config));
  attachExemplarStore(db, exemplars);
  const nameValidation = (c: Record<string, unknown>) => (c.global as Record<string, unknown> | undefined)?.metric_name_validation_scheme;
  let otlpCfg: OtlpConfig = otlpConfig(config.otlp, nameValidation(config));
  const otlp = o.otlpReceiver
    ? new OtlpReceiver(db, {
      config: () => otlpCfg, lookbackDelta: o.lookbackDelta, maxBodyBytes: o.otlpMaxBodyBytes,
      allowDelta: o.features?.includes('otlp-native-delta-ingestion'), deltaToCumulative: o.features?.includes('otlp-deltatocumulative'),
    })
    : null;
  const statsd = o.statsd && (o.statsd.udp || o.statsd.tcp) ? await startStatsd(db, o.statsd) : null;
  const receivers: Intake['receivers'] = {};
  if (otlp) receivers[OTLP_PATH] = (req) => otlp.handle(req);
  return {
    receivers,
    statsd,
    metrics: () => [...outOfOrderMetricFamilies(db), ...exemplars.metrics(), ...(otlp?.metrics() ?? []), ...(statsd?.metrics() ?? [])],
    metadata: () => ({ ...(statsd?.exporter.metadata() ?? {}), ...Object.fromEntries([...(otlp?.metadata ?? [])].map(([name, m]) => [name, [m]])) }),
    reload: async (next) => {
      const max = maxExemplars(next);
      outOfOrderTimeWindow(next);
      const nextOtlp = otlpConfig(next.otlp, nameValidation(next));
      // statsd_exporter re-reads its mapping file on reload too.
      statsd?.reloadMapping();
      exemplars.resize(max);
      applyOutOfOrderTimeWindow(db, next);
      otlpCfg = nextOtlp;
    },
    stop: async () => {
      await statsd?.stop();
    },
  };
}
