// Parsers for the Prometheus text format (0.0.4, and 1.0.0's quoted UTF-8
// names) and OpenMetrics 1.0 text, following model/textparse: metadata
// lines, samples with optional timestamps, exemplars, `# EOF`. Errors carry
// the 1-based line number; one bad line fails the whole input, as a scrape.

import type { Label } from '../model/labels.js';
import { formatOpenMetricsFloat } from './float.js';

export type ExpositionFormat = 'text' | 'openmetrics';

export interface Exemplar {
  labels: Label[];
  value: number;
  /** ms, when given. */
  timestamp?: number;
}

export interface ParsedSample {
  /** Labels including __name__, sorted by name. */
  labels: Label[];
  value: number;
  /** ms since the epoch, when the line carries one. */
  timestamp?: number;
  /**
   * Labels the line sets to "" (left out of `labels`): with honor_labels they
   * still win over the target's, as /federate's instance="" relies on.
   */
  emptyLabels?: string[];
  exemplar?: Exemplar;
  line: number;
}

export interface MetricMetadata {
  type: string;
  help: string;
  unit: string;
}

export interface ParsedExposition {
  samples: ParsedSample[];
  /** By metric family name. */
  metadata: Map<string, MetricMetadata>;
}

export class ExpositionError extends Error {
  constructor(readonly line: number, message: string) {
    super(`line ${line}: ${message}`);
    this.name = 'ExpositionError';
  }
}

const TEXT_TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const OM_TYPES = new Set(['counter', 'gauge', 'histogram', 'gaugehistogram', 'stateset', 'info', 'summary', 'unknown']);

/** The format of a file's text: OpenMetrics when it has the "# EOF" line OpenMetrics ends with. */
export function formatOfText(text: string): ExpositionFormat {
  return /^# EOF\s*$/m.test(text) ? 'openmetrics' : 'text';
}

/** The format a scrape's Content-Type names, or null when it names none promlet reads. */
export function formatFromContentType(ct: string | null): ExpositionFormat | null {
  if (!ct) return null;
  const type = ct.split(';')[0]!.trim().toLowerCase();
  if (type === 'application/openmetrics-text') return 'openmetrics';
  if (type === 'text/plain') return 'text';
  return null;
}

const isNameStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 58;
const isNameChar = (c: number) => isNameStart(c) || (c >= 48 && c <= 57);
const isLabelStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isLabelChar = (c: number) => isLabelStart(c) || (c >= 48 && c <= 57);

/** Go strconv.ParseFloat for exposition values: decimal, exponent, Inf/Infinity/NaN in any case. */
export function parseGoFloat(s: string): number | null {
  if (s === '') return null;
  const c = s.charCodeAt(0);
  if ((c >= 48 && c <= 57) || c === 46 || c === 45 || c === 43) {
    if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return Number(s);
  }
  const l = s.toLowerCase();
  if (l === 'nan' || l === '+nan' || l === '-nan') return NaN;
  if (l === 'inf' || l === '+inf' || l === 'infinity' || l === '+infinity') return Infinity;
  if (l === '-inf' || l === '-infinity') return -Infinity;
  return null;
}

/** Reads one line's sample: name{labels} value [timestamp] [# exemplar]. */
class LineReader {
  pos = 0;
  constructor(readonly s: string, readonly line: number) {}

  fail(msg: string): never {
    throw new ExpositionError(this.line, msg);
  }

  peek(): number {
    return this.s.charCodeAt(this.pos);
  }

  skipSpaces(): void {
    while (this.pos < this.s.length && (this.s[this.pos] === ' ' || this.s[this.pos] === '\t')) this.pos++;
  }

  name(isStart: (c: number) => boolean, isChar: (c: number) => boolean, what: string): string {
    const start = this.pos;
    if (!isStart(this.peek())) this.fail(`expected ${what}, got ${JSON.stringify(this.s.slice(this.pos, this.pos + 10))}`);
    this.pos++;
    while (this.pos < this.s.length && isChar(this.peek())) this.pos++;
    return this.s.slice(start, this.pos);
  }

  /** A double-quoted string with \\, \" and \n escapes (other backslashes kept). */
  quoted(): string {
    if (this.s[this.pos] !== '"') this.fail(`expected quoted string, got ${JSON.stringify(this.s.slice(this.pos, this.pos + 10))}`);
    this.pos++;
    let out = '';
    let start = this.pos;
    for (;;) {
      if (this.pos >= this.s.length) this.fail('unterminated quoted string');
      const ch = this.s[this.pos];
      if (ch === '"') break;
      if (ch === '\\') {
        out += this.s.slice(start, this.pos);
        const next = this.s[this.pos + 1];
        out += next === 'n' ? '\n' : next === '\\' ? '\\' : next === '"' ? '"' : `\\${next ?? ''}`;
        this.pos += 2;
        start = this.pos;
        continue;
      }
      this.pos++;
    }
    out += this.s.slice(start, this.pos);
    this.pos++;
    return out;
  }

  /** {a="b",...}; a quoted name alone is the metric name (text 1.0.0 / OpenMetrics UTF-8 names). */
  labels(out: Label[], allowName: boolean): string | null {
    let metricName: string | null = null;
    this.pos++;
    for (;;) {
      this.skipSpaces();
      if (this.s[this.pos] === '}') {
        this.pos++;
        return metricName;
      }
      let key: string;
      if (this.s[this.pos] === '"') {
        key = this.quoted();
        this.skipSpaces();
        if (this.s[this.pos] !== '=') {
          if (!allowName || metricName !== null) this.fail(`expected equal, got ${JSON.stringify(this.s.slice(this.pos, this.pos + 10))}`);
          metricName = key;
          if (this.s[this.pos] === ',') this.pos++;
          continue;
        }
      } else {
        key = this.name(isLabelStart, isLabelChar, 'label name');
        this.skipSpaces();
      }
      if (this.s[this.pos] !== '=') this.fail(`expected equal, got ${JSON.stringify(this.s.slice(this.pos, this.pos + 10))}`);
      this.pos++;
      this.skipSpaces();
      const value = this.quoted();
      out.push({ name: key, value });
      this.skipSpaces();
      if (this.s[this.pos] === ',') {
        this.pos++;
        continue;
      }
      if (this.s[this.pos] !== '}') this.fail(`expected "," or "}" after label value, got ${JSON.stringify(this.s.slice(this.pos, this.pos + 10))}`);
    }
  }

  token(): string {
    const start = this.pos;
    while (this.pos < this.s.length && this.s[this.pos] !== ' ' && this.s[this.pos] !== '\t') this.pos++;
    return this.s.slice(start, this.pos);
  }
}

function sortLabels(ls: Label[], line: number): Label[] {
  ls.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (let i = 1; i < ls.length; i++) {
    if (ls[i]!.name === ls[i - 1]!.name) throw new ExpositionError(line, `duplicate label name ${JSON.stringify(ls[i]!.name)}`);
  }
  return ls.filter((l) => l.value !== '');
}

function parseTimestamp(tok: string, om: boolean, r: LineReader): number {
  if (om) {
    const v = parseGoFloat(tok);
    if (v === null || !Number.isFinite(v)) r.fail(`invalid timestamp ${JSON.stringify(tok)}`);
    return Math.round(v * 1000);
  }
  if (!/^\d+$/.test(tok)) r.fail(`invalid timestamp ${JSON.stringify(tok)}`);
  const t = Number(tok);
  if (!Number.isSafeInteger(t)) r.fail(`timestamp ${tok} out of range`);
  return t;
}

/** The family a sample belongs to: its name, or its name without a type's suffix. */
function familyOf(name: string, metadata: Map<string, MetricMetadata>): MetricMetadata | undefined {
  const direct = metadata.get(name);
  if (direct) return direct;
  for (const suffix of ['_bucket', '_count', '_sum', '_total', '_created', '_gcount', '_gsum', '_info']) {
    if (name.endsWith(suffix)) {
      const m = metadata.get(name.slice(0, -suffix.length));
      if (m) return m;
    }
  }
  return undefined;
}

function unescapeHelp(s: string, om: boolean): string {
  return s.replace(/\\(.)/g, (m, c: string) => (c === 'n' ? '\n' : c === '\\' ? '\\' : om && c === '"' ? '"' : m));
}

export function parseExposition(text: string, format: ExpositionFormat = 'text'): ParsedExposition {
  const om = format === 'openmetrics';
  const samples: ParsedSample[] = [];
  const metadata = new Map<string, MetricMetadata>();
  const meta = (name: string) => {
    let m = metadata.get(name);
    if (!m) {
      m = { type: om ? 'unknown' : 'untyped', help: '', unit: '' };
      metadata.set(name, m);
    }
    return m;
  };
  const lines = text.split('\n');
  let eof = false;
  let lastLine = lines.length;
  if (lines[lines.length - 1] === '') lastLine--;
  for (let i = 0; i < lastLine; i++) {
    const lineNo = i + 1;
    const raw = lines[i]!;
    const line = raw.endsWith('\r') && !om ? raw.slice(0, -1) : raw;
    if (eof) throw new ExpositionError(lineNo, 'unexpected data after # EOF');
    if (line.trim() === '') {
      if (om) throw new ExpositionError(lineNo, 'unexpected blank line');
      continue;
    }
    const r: LineReader = new LineReader(line, lineNo);
    if (line.startsWith('#')) {
      if (om && line === '# EOF') {
        eof = true;
        continue;
      }
      const m = /^#[ \t]+(HELP|TYPE|UNIT)[ \t]+("(?:[^"\\]|\\.)*"|\S+)(?:[ \t]+(.*))?$/.exec(line);
      if (!m) {
        if (om) throw new ExpositionError(lineNo, `invalid metadata line ${JSON.stringify(line.slice(0, 40))}`);
        continue; // A comment.
      }
      const [, kind, rawName, rest = ''] = m;
      const name = rawName!.startsWith('"') ? new LineReader(rawName!, lineNo).quoted() : rawName!;
      if (kind === 'HELP') meta(name).help = unescapeHelp(rest, om);
      else if (kind === 'TYPE') {
        const type = rest.trim().toLowerCase();
        if (!(om ? OM_TYPES : TEXT_TYPES).has(type)) throw new ExpositionError(lineNo, `invalid metric type ${JSON.stringify(rest.trim())}`);
        if (om && metadata.get(name)?.type !== undefined && metadata.get(name)!.type !== 'unknown') {
          throw new ExpositionError(lineNo, `second TYPE line for metric name ${JSON.stringify(name)}`);
        }
        meta(name).type = type;
      } else {
        if (kind === 'UNIT' && !om) continue;
        const unit = rest.trim();
        if (unit !== '' && !name.endsWith(`_${unit}`)) throw new ExpositionError(lineNo, `unit ${JSON.stringify(unit)} not a suffix of metric ${JSON.stringify(name)}`);
        meta(name).unit = unit;
      }
      continue;
    }
    const labels: Label[] = [];
    let name: string | null = null;
    if (isNameStart(r.peek())) name = r.name(isNameStart, isNameChar, 'metric name');
    if (r.s[r.pos] === '{') {
      const quotedName = r.labels(labels, name === null);
      if (quotedName !== null) name = quotedName;
    }
    if (name === null) r.fail(`expected a metric name, got ${JSON.stringify(line.slice(0, 20))}`);
    if (r.pos < line.length && line[r.pos] !== ' ' && line[r.pos] !== '\t') r.fail(`unexpected ${JSON.stringify(line[r.pos])} after metric name`);
    r.skipSpaces();
    const valueTok = r.token();
    const value = parseGoFloat(valueTok);
    if (value === null) r.fail(valueTok === '' ? 'expected a value' : `invalid value ${JSON.stringify(valueTok)}`);
    r.skipSpaces();
    let timestamp: number | undefined;
    let exemplar: Exemplar | undefined;
    if (r.pos < line.length && line[r.pos] !== '#') {
      timestamp = parseTimestamp(r.token(), om, r);
      r.skipSpaces();
    }
    if (r.pos < line.length) {
      if (!om || line[r.pos] !== '#') r.fail(`unexpected ${JSON.stringify(line.slice(r.pos, r.pos + 10))} at end of sample`);
      r.pos++;
      r.skipSpaces();
      if (line[r.pos] !== '{') r.fail('expected exemplar labels');
      const exLabels: Label[] = [];
      r.labels(exLabels, false);
      r.skipSpaces();
      const exValue = parseGoFloat(r.token());
      if (exValue === null) r.fail('invalid exemplar value');
      r.skipSpaces();
      exemplar = { labels: sortLabels(exLabels, lineNo), value: exValue };
      if (r.pos < line.length) exemplar.timestamp = parseTimestamp(r.token(), true, r);
      r.skipSpaces();
      if (r.pos < line.length) r.fail('unexpected data after exemplar');
    }
    // Prometheus 3 stores le and quantile in OpenMetrics's canonical float form.
    const family = familyOf(name, metadata);
    if (family && (family.type === 'histogram' || family.type === 'gaugehistogram' || family.type === 'summary')) {
      const key = family.type === 'summary' ? 'quantile' : 'le';
      labels.forEach((l, i) => {
        if (l.name !== key) return;
        const f = parseGoFloat(l.value);
        if (f !== null) labels[i] = { name: key, value: formatOpenMetricsFloat(f) };
      });
    }
    if (name === '') r.fail('metric name is empty');
    labels.push({ name: '__name__', value: name });
    const sample: ParsedSample = { labels: sortLabels(labels, lineNo), value, line: lineNo };
    const empty = labels.filter((l) => l.value === '');
    if (empty.length > 0) sample.emptyLabels = empty.map((l) => l.name);
    if (timestamp !== undefined) sample.timestamp = timestamp;
    if (exemplar) sample.exemplar = exemplar;
    samples.push(sample);
  }
  if (om && !eof) throw new ExpositionError(lastLine, 'data does not end with # EOF');
  return { samples, metadata };
}
