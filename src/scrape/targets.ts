// Scrape configs (the scrape_configs of a prometheus.yml) and the targets
// they produce: Prometheus's defaults, target labels, relabel_configs, and
// the URL each target is scraped at.

import { parseBase2Bytes } from '../model/units.js';
import { type Labels, labelsFrom } from '../model/labels.js';
import { formatDuration, parseDuration } from '../model/duration.js';
import { type RelabelConfig, relabel, relabelConfig } from './relabel.js';
import { type NativeHistogramScrapeConfig, nativeHistogramScrapeConfig } from './native-histograms.js';

export interface ScrapeConfig extends Partial<NativeHistogramScrapeConfig> {
  jobName: string;
  interval: number;
  timeout: number;
  metricsPath: string;
  scheme: string;
  params: Record<string, string[]>;
  honorLabels: boolean;
  honorTimestamps: boolean;
  staticConfigs: TargetGroup[];
  fileSdConfigs: { files: string[]; refreshInterval: number }[];
  relabelConfigs: RelabelConfig[];
  metricRelabelConfigs: RelabelConfig[];
  sampleLimit: number;
  labelLimit: number;
  bodySizeLimit: number;
  basicAuth?: { username: string; password: string };
  authorization?: { type: string; credentials: string };
  fallbackProtocol?: string;
  tls?: TlsConfig;
}

/** tls_config: read by the host's fetch (Node); browsers use their own trust store. */
export interface TlsConfig {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  serverName?: string;
  insecureSkipVerify: boolean;
}

export class ScrapeConfigError extends Error {}

/** A list of targets sharing labels (a static_configs entry or one from a file_sd file). */
export interface TargetGroup {
  targets: string[];
  labels: Record<string, string>;
}

/** Reads the target groups of file_sd_configs files (globs); supplied by the host (Node reads files). */
export type FileSdReader = (patterns: string[]) => TargetGroup[];

const dur = (v: unknown, dflt: number, what: string) => {
  if (v === undefined || v === null) return dflt;
  try {
    return parseDuration(String(v));
  } catch {
    throw new ScrapeConfigError(`${what}: not a valid duration string: ${JSON.stringify(v)}`);
  }
};

function bytes(v: unknown): number {
  if (v === undefined || v === null) return 0;
  const n = parseBase2Bytes(String(v));
  if (n === null) throw new ScrapeConfigError(`body_size_limit: invalid size ${JSON.stringify(v)}`);
  return n;
}

function nativeHistograms(raw: Record<string, unknown>, global: Record<string, unknown>, jobName: string): NativeHistogramScrapeConfig {
  try {
    return nativeHistogramScrapeConfig(raw, global, jobName);
  } catch (e) {
    throw new ScrapeConfigError((e as Error).message);
  }
}

/** Reads scrape_configs with Prometheus's defaults (global scrape_interval 1m, timeout 10s). */
export function scrapeConfigs(doc: Record<string, unknown>): ScrapeConfig[] {
  const global = (doc.global ?? {}) as Record<string, unknown>;
  const gInterval = dur(global.scrape_interval, 60_000, 'global.scrape_interval');
  const gTimeout = dur(global.scrape_timeout, Math.min(10_000, gInterval), 'global.scrape_timeout');
  const seen = new Set<string>();
  return ((doc.scrape_configs ?? []) as Record<string, unknown>[]).map((raw) => {
    const jobName = String(raw.job_name ?? '');
    if (jobName === '') throw new ScrapeConfigError('job_name is empty');
    if (seen.has(jobName)) throw new ScrapeConfigError(`found multiple scrape configs with job name ${JSON.stringify(jobName)}`);
    seen.add(jobName);
    const interval = dur(raw.scrape_interval, gInterval, `${jobName}: scrape_interval`);
    const timeout = dur(raw.scrape_timeout, Math.min(gTimeout, interval), `${jobName}: scrape_timeout`);
    if (timeout > interval) throw new ScrapeConfigError(`scrape timeout greater than scrape interval for scrape config with job name ${JSON.stringify(jobName)}`);
    const basic = raw.basic_auth as Record<string, unknown> | undefined;
    const auth = raw.authorization as Record<string, unknown> | undefined;
    return {
      jobName, interval, timeout,
      metricsPath: String(raw.metrics_path ?? '/metrics'),
      scheme: String(raw.scheme ?? 'http'),
      params: Object.fromEntries(Object.entries((raw.params ?? {}) as Record<string, unknown>).map(([k, v]) => [k, (Array.isArray(v) ? v : [v]).map(String)])),
      honorLabels: raw.honor_labels === true,
      honorTimestamps: raw.honor_timestamps !== false,
      staticConfigs: ((raw.static_configs ?? []) as Record<string, unknown>[]).map(targetGroup),
      fileSdConfigs: ((raw.file_sd_configs ?? []) as Record<string, unknown>[]).map((f) => ({
        files: ((f.files ?? []) as unknown[]).map(String),
        refreshInterval: dur(f.refresh_interval, 300_000, `${jobName}: file_sd_configs.refresh_interval`),
      })),
      relabelConfigs: ((raw.relabel_configs ?? []) as Record<string, unknown>[]).map(relabelConfig),
      metricRelabelConfigs: ((raw.metric_relabel_configs ?? []) as Record<string, unknown>[]).map(relabelConfig),
      // Unset in a job, the limits are global's, as in Prometheus 2.45 and later.
      sampleLimit: Number(raw.sample_limit ?? global.sample_limit ?? 0),
      labelLimit: Number(raw.label_limit ?? global.label_limit ?? 0),
      bodySizeLimit: bytes(raw.body_size_limit ?? global.body_size_limit),
      basicAuth: basic ? { username: String(basic.username ?? ''), password: String(basic.password ?? '') } : undefined,
      authorization: auth ? { type: String(auth.type ?? 'Bearer'), credentials: String(auth.credentials ?? '') } : undefined,
      fallbackProtocol: raw.fallback_scrape_protocol === undefined ? undefined : String(raw.fallback_scrape_protocol),
      tls: raw.tls_config ? tlsConfig(raw.tls_config as Record<string, unknown>) : undefined,
      ...nativeHistograms(raw, global, jobName),
    };
  });
}

export function tlsConfig(raw: Record<string, unknown>): TlsConfig {
  const str = (k: string) => (raw[k] === undefined ? undefined : String(raw[k]));
  return { caFile: str('ca_file'), certFile: str('cert_file'), keyFile: str('key_file'), serverName: str('server_name'), insecureSkipVerify: raw.insecure_skip_verify === true };
}

/** A target group from YAML or JSON: {targets: [...], labels: {...}}. */
export function targetGroup(raw: Record<string, unknown>): TargetGroup {
  return {
    targets: ((raw?.targets ?? []) as unknown[]).map(String),
    labels: Object.fromEntries(Object.entries((raw?.labels ?? {}) as Record<string, unknown>).map(([k, v]) => [k, String(v)])),
  };
}

export interface Target {
  /** Labels before relabeling (what /api/v1/targets calls discoveredLabels). */
  discovered: Record<string, string>;
  /** Labels attached to every sample (no __ labels). */
  labels: Labels;
  url: string;
  key: string;
}

// __scrape_interval__ and __scrape_timeout__ as Prometheus writes durations ("1h", "1m30s").
const fmtDur = formatDuration;

/** The targets of a scrape config after relabel_configs (dropped ones left out). */
export function targetsOf(
  sc: ScrapeConfig, readFileSd?: FileSdReader, discovered?: (jobName: string) => TargetGroup[],
): { active: Target[]; dropped: Record<string, string>[] } {
  const active: Target[] = [];
  const dropped: Record<string, string>[] = [];
  const fromFiles = readFileSd ? sc.fileSdConfigs.flatMap((f) => readFileSd(f.files)) : [];
  for (const group of [...sc.staticConfigs, ...fromFiles, ...(discovered?.(sc.jobName) ?? [])]) {
    for (const address of group.targets) {
      const discovered: Record<string, string> = {
        ...group.labels, job: sc.jobName, __address__: address, __scheme__: sc.scheme, __metrics_path__: sc.metricsPath,
        __scrape_interval__: fmtDur(sc.interval), __scrape_timeout__: fmtDur(sc.timeout),
      };
      for (const [k, v] of Object.entries(sc.params)) discovered[`__param_${k}`] = v[0] ?? '';
      const relabeled = relabel(labelsFrom(discovered), sc.relabelConfigs);
      if (!relabeled) {
        dropped.push(discovered);
        continue;
      }
      const all = new Map(relabeled.map((l) => [l.name, l.value]));
      const addr = all.get('__address__');
      if (!addr) {
        dropped.push(discovered);
        continue;
      }
      const params = new URLSearchParams();
      for (const [k, vs] of Object.entries(sc.params)) for (const v of vs) params.append(k, v);
      for (const [k, v] of all) if (k.startsWith('__param_')) params.set(k.slice(8), v);
      const qs = params.toString();
      const url = `${all.get('__scheme__') ?? sc.scheme}://${addr}${all.get('__metrics_path__') ?? sc.metricsPath}${qs ? `?${qs}` : ''}`;
      if (!all.has('instance')) all.set('instance', addr);
      const labels = labelsFrom(Object.fromEntries([...all].filter(([k]) => !k.startsWith('__'))));
      active.push({ discovered, labels, url, key: `${sc.jobName}\xff${url}\xff${JSON.stringify(labels)}` });
    }
  }
  return { active, dropped };
}
