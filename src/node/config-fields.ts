// The fields prometheus.yml's sections take, with the Go type names promtool
// reports for a field it does not know ("field X not found in type
// config.ScrapeConfig"). A section maps each field to its own section (a
// mapping, or a list of mappings) or to null (a value not checked here).

export interface Section {
  type: string;
  fields: Record<string, Section | null>;
  /** Fields whose value is a list of this section's mappings. */
  lists?: Set<string>;
}

const leaf = (names: string): Record<string, null> => Object.fromEntries(names.split(/\s+/).filter(Boolean).map((n) => [n, null]));

const tls: Section = { type: 'config.plain', fields: leaf('ca ca_file ca_ref cert cert_file cert_ref key key_file key_ref server_name insecure_skip_verify min_version max_version') };
const basicAuth: Section = { type: 'config.plain', fields: leaf('username username_file username_ref password password_file password_ref') };
const authorization: Section = { type: 'config.Authorization', fields: leaf('type credentials credentials_file credentials_ref') };
const oauth2: Section = { type: 'config.OAuth2', fields: { ...leaf('client_id client_secret client_secret_file client_secret_ref scopes token_url endpoint_params proxy_url no_proxy proxy_from_environment proxy_connect_header'), tls_config: tls } };

/** Prometheus's common HTTP client settings, shared by scrapes, remote write and Alertmanagers. */
const httpClient = {
  ...leaf('bearer_token bearer_token_file proxy_url no_proxy proxy_from_environment proxy_connect_header follow_redirects enable_http2 http_headers'),
  basic_auth: basicAuth, authorization, oauth2, tls_config: tls,
};

const relabel: Section = { type: 'relabel.plain', fields: leaf('source_labels separator regex modulus target_label replacement action') };
const staticConfig: Section = { type: 'struct { Targets []string "yaml:\\"targets\\""; Labels model.LabelSet "yaml:\\"labels\\"" }', fields: leaf('targets labels') };
const fileSd: Section = { type: 'file.plain', fields: leaf('files refresh_interval') };

// Service discoveries promlet does not run: their fields are not checked, only their names.
const OTHER_SD = 'azure consul digitalocean docker dockerswarm dns ec2 eureka gce hetzner http ionos kubernetes kuma lightsail linode marathon nerve nomad openstack ovhcloud puppetdb scaleway serverset stackit triton uyuni vultr';
const otherSd = Object.fromEntries(OTHER_SD.split(' ').map((n) => [`${n}_sd_configs`, null]));

const discovery = { static_configs: staticConfig, file_sd_configs: fileSd, ...otherSd };
const discoveryLists = ['static_configs', 'file_sd_configs'];

const scrapeConfig: Section = {
  type: 'config.ScrapeConfig',
  fields: {
    ...leaf(`job_name honor_labels honor_timestamps track_timestamps_staleness params scrape_interval scrape_timeout scrape_protocols
      fallback_scrape_protocol scrape_failure_log_file always_scrape_classic_histograms convert_classic_histograms_to_nhcb
      scrape_native_histograms metrics_path scheme enable_compression body_size_limit sample_limit target_limit label_limit
      label_name_length_limit label_value_length_limit native_histogram_bucket_limit native_histogram_min_bucket_factor
      keep_dropped_targets metric_name_validation_scheme metric_name_escaping_scheme`),
    ...httpClient, ...discovery,
    relabel_configs: relabel, metric_relabel_configs: relabel,
  },
  lists: new Set([...discoveryLists, 'relabel_configs', 'metric_relabel_configs']),
};

const global: Section = {
  type: 'config.plain',
  fields: leaf(`scrape_interval scrape_timeout scrape_protocols evaluation_interval rule_query_offset external_labels query_log_file
    scrape_failure_log_file body_size_limit sample_limit target_limit label_limit label_name_length_limit label_value_length_limit
    keep_dropped_targets metric_name_validation_scheme metric_name_escaping_scheme always_scrape_classic_histograms
    convert_classic_histograms_to_nhcb scrape_native_histograms`),
};

const alertmanager: Section = {
  type: 'config.AlertmanagerConfig',
  fields: { ...leaf('timeout api_version path_prefix scheme sigv4'), ...httpClient, ...discovery, relabel_configs: relabel, alert_relabel_configs: relabel },
  lists: new Set([...discoveryLists, 'relabel_configs', 'alert_relabel_configs']),
};

const alerting: Section = {
  type: 'config.plain',
  fields: { alert_relabel_configs: relabel, alertmanagers: alertmanager },
  lists: new Set(['alert_relabel_configs', 'alertmanagers']),
};

const queueConfig: Section = {
  type: 'config.QueueConfig',
  fields: leaf('capacity max_shards min_shards max_samples_per_send batch_send_deadline min_backoff max_backoff retry_on_http_429 sample_age_limit'),
};

const metadataConfig: Section = { type: 'config.MetadataConfig', fields: leaf('send send_interval max_samples_per_send') };
const sigv4: Section = { type: 'sigv4.plain', fields: leaf('region access_key secret_key profile role_arn use_fips_sts_endpoint service_name') };

const remoteWrite: Section = {
  type: 'config.plain',
  fields: {
    ...leaf('url remote_timeout headers name send_exemplars send_native_histograms round_robin_dns protobuf_message azuread google_iam'),
    ...httpClient, queue_config: queueConfig, write_relabel_configs: relabel, metadata_config: metadataConfig, sigv4,
  },
  lists: new Set(['write_relabel_configs']),
};

export const CONFIG_ROOT: Section = {
  type: 'config.plain',
  fields: {
    ...leaf('scrape_config_files rule_files remote_read storage tracing otlp runtime'),
    global, scrape_configs: scrapeConfig, alerting, remote_write: remoteWrite,
  },
  lists: new Set(['scrape_configs', 'remote_write']),
};
