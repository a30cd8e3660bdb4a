// statsd lines to events, as Prometheus's statsd_exporter reads them:
// `name:value|type[|@rate][|#tags]`, several values per line (`a:1|c:2|c`),
// DogStatsD extended aggregation (`t:1:2:3|ms`), and tags in the DogStatsD
// (`|#k:v`), InfluxDB (`name,k=v`), Librato (`name#k=v`) and SignalFX
// (`name[k=v]`) styles. Sets (`|s`), which statsd_exporter refuses, are
// read too (see exporter.ts). Errors are counted by statsd_exporter's reasons.

export type StatsdEvent =
  | { type: 'counter'; name: string; value: number; labels: Record<string, string> }
  | { type: 'gauge'; name: string; value: number; relative: boolean; labels: Record<string, string> }
  | { type: 'observer'; name: string; value: number; labels: Record<string, string> }
  | { type: 'set'; name: string; member: string; labels: Record<string, string> };

export interface LineStats {
  samples: number;
  tags: number;
  tagErrors: number;
  /** Sample errors by statsd_exporter's reason label. */
  errors: Map<string, number>;
}

export const newLineStats = (): LineStats => ({ samples: 0, tags: 0, tagErrors: 0, errors: new Map() });

export interface ParserOptions {
  dogstatsd?: boolean;
  influxdb?: boolean;
  librato?: boolean;
  signalfx?: boolean;
}

const fail = (st: LineStats, reason: string) => st.errors.set(reason, (st.errors.get(reason) ?? 0) + 1);

/** statsd_exporter's EscapeMetricName: invalid characters become `_` ("--" counts once), a leading digit gets `_`. */
export function escapeMetricName(name: string): string {
  let out = /^[0-9]/.test(name) ? '_' : '';
  let prev = '';
  for (const c of name) {
    if (/[a-zA-Z0-9_]/.test(c)) out += c;
    else if (!(c === '-' && prev === '-')) out += '_';
    prev = c;
  }
  return out;
}

function parseTag(tag: string, sep: string, labels: Record<string, string>, st: LineStats): void {
  const i = tag.indexOf(sep);
  if (tag === '' || i < 0 || i === 0 || i === tag.length - 1) {
    st.tagErrors++;
    return;
  }
  labels[escapeMetricName(tag.slice(0, i))] = tag.slice(i + 1);
}

const parseTags = (s: string, sep: string, labels: Record<string, string>, st: LineStats, trimHash = false) => {
  const tags = s.split(',');
  // A trailing comma ends the list; an empty tag elsewhere is an error.
  if (tags.at(-1) === '') tags.pop();
  for (const t of tags) {
    parseTag(trimHash && t.startsWith('#') ? t.slice(1) : t, sep, labels, st);
  }
};

function nameAndTags(name: string, o: ParserOptions, labels: Record<string, string>, st: LineStats): string {
  if (o.signalfx !== false) {
    const a = name.indexOf('['), b = name.indexOf(']');
    if (a >= 0 && b >= 0) {
      parseTags(name.slice(a + 1, b), '=', labels, st);
      return name.slice(0, a) + name.slice(b + 1);
    }
    if ((a >= 0) !== (b >= 0)) {
      st.tagErrors++;
      return name;
    }
  }
  for (let i = 0; i < name.length; i++) {
    const c = name[i];
    if ((c === '#' && o.librato !== false) || (c === ',' && o.influxdb !== false)) {
      parseTags(name.slice(i + 1), '=', labels, st);
      return name.slice(0, i);
    }
  }
  return name;
}

/** Go's strconv.ParseFloat as statsd values use it (decimal and exponent forms, inf, nan). */
function parseValue(s: string): number | null {
  if (/^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?)$/.test(s)) return Number(s);
  if (/^[+-]?(inf|infinity)$/i.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
  if (/^nan$/i.test(s)) return NaN;
  return null;
}

export function parseLine(line: string, o: ParserOptions, st: LineStats): StatsdEvent[] {
  const events: StatsdEvent[] = [];
  if (line === '') return events;
  const colon = line.indexOf(':');
  if (colon <= 0 || line.includes('\ufffd')) {
    fail(st, 'malformed_line');
    return events;
  }
  const rest = line.slice(colon + 1);
  const lineLabels: Record<string, string> = {};
  const name = nameAndTags(line.slice(0, colon), o, lineLabels, st);
  const dogTags = rest.includes('|#');
  if (dogTags && Object.keys(lineLabels).length > 0) {
    fail(st, 'mixed_tagging_styles');
    return events;
  }
  const parts = rest.split('|');
  if (parts.length < 2) {
    fail(st, 'not_enough_parts_after_colon');
    return events;
  }
  let samples: string[];
  if (parts[0]!.includes(':')) {
    if (!['ms', 'h', 'd'].includes(parts[1]!)) {
      fail(st, 'invalid_extended_aggregate_type');
      return events;
    }
    const suffix = rest.slice(rest.indexOf('|') + 1);
    samples = parts[0]!.split(':').map((v) => `${v}|${suffix}`);
  } else if (dogTags) {
    samples = [rest];
  } else {
    samples = rest.split(':');
  }
  sample: for (const sample of samples) {
    st.samples++;
    const labels = { ...lineLabels };
    const comps = sample.split('|');
    if (comps.length < 2 || comps.length > 6) {
      fail(st, 'malformed_component');
      continue;
    }
    const [valueStr, type] = comps as [string, string];
    const relative = valueStr.startsWith('+') || valueStr.startsWith('-');
    let value = type === 's' ? 0 : parseValue(valueStr);
    if (value === null) {
      fail(st, 'malformed_value');
      continue;
    }
    let copies = 1;
    if (comps.slice(2).some((c) => c === '')) {
      fail(st, 'malformed_component');
      continue;
    }
    for (const c of comps.slice(2)) {
      switch (c[0]) {
        case '@': {
          let rate = parseValue(c.slice(1));
          if (rate === null) {
            fail(st, 'invalid_sample_factor');
            rate = 0;
          }
          if (rate === 0) rate = 1;
          if (type === 'c') value /= rate;
          else if (type === 'ms' || type === 'h' || type === 'd') copies = Math.trunc(1 / rate);
          break;
        }
        case '#':
          if (o.dogstatsd !== false) parseTags(c.slice(1), ':', labels, st, true);
          break;
        case 'c':
          if (c.startsWith('c:') && c.length > 2) labels.container_id = c.slice(2);
          else {
            fail(st, 'malformed_container_id');
            continue sample;
          }
          break;
        case 'T':
          // DogStatsD's per-sample timestamp: ignored, as statsd_exporter does.
          break;
        default:
          fail(st, 'invalid_sample_factor');
          continue sample;
      }
    }
    if (Object.keys(labels).length > 0) st.tags++;
    for (let i = 0; i < copies; i++) {
      switch (type) {
        case 'c': events.push({ type: 'counter', name, value, labels }); break;
        case 'g': events.push({ type: 'gauge', name, value, relative, labels }); break;
        // statsd timers are milliseconds; Prometheus wants seconds.
        case 'ms': events.push({ type: 'observer', name, value: value / 1000, labels }); break;
        case 'h': case 'd': events.push({ type: 'observer', name, value, labels }); break;
        case 's': events.push({ type: 'set', name, member: valueStr, labels }); break;
        default: fail(st, 'illegal_event');
      }
    }
  }
  return events;
}
