// Parsers for the Prometheus text format (0.0.4, and 1.0.0's quoted UTF-8
// names) and OpenMetrics 1.0 text, following model/textparse: metadata
// lines, samples with optional timestamps, exemplars, `# EOF`. Errors carry
// the 1-based line number; one bad line fails the whole input, as a scrape.

import type { Label } from '../model/labels.js';
import { formatOpenMetricsFloat } from '../model/float.js';

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
  return scanGoFloat(s, 0, s.length);
}

/**
 * parseGoFloat over s[start, end), in one pass (no regex: a backtracking
 * pattern over 80,000 digits is quadratic). Plain integers of up to 15
 * digits are computed directly; anything else goes through Number().
 */
const POW10 = Array.from({ length: 16 }, (_, i) => 10 ** i);

export function scanGoFloat(s: string, start: number, end: number): number | null {
  if (start >= end) return null;
  let i = start;
  let c = s.charCodeAt(i);
  const negative = c === 45;
  if (c === 45 || c === 43) {
    if (++i === end) return null;
    c = s.charCodeAt(i);
  }
  if ((c >= 48 && c <= 57) || c === 46) {
    let intDigits = 0, fracDigits = 0, acc = 0;
    while (i < end && (c = s.charCodeAt(i)) >= 48 && c <= 57) {
      acc = acc * 10 + (c - 48);
      intDigits++;
      i++;
    }
    if (i === end && intDigits <= 15) return negative ? -acc : acc;
    if (i < end && s.charCodeAt(i) === 46) {
      i++;
      while (i < end && (c = s.charCodeAt(i)) >= 48 && c <= 57) {
        if (fracDigits < 16) acc = acc * 10 + (c - 48);
        fracDigits++;
        i++;
      }
    }
    if (intDigits === 0 && fracDigits === 0) return null;
    // Up to 15 digits in all are an exact integer over an exact power of ten: one correctly rounded division.
    if (i === end && intDigits + fracDigits <= 15) return (negative ? -acc : acc) / POW10[fracDigits]!;
    if (i < end && ((c = s.charCodeAt(i)) === 101 || c === 69)) {
      i++;
      if (i < end && ((c = s.charCodeAt(i)) === 43 || c === 45)) i++;
      const expStart = i;
      while (i < end && (c = s.charCodeAt(i)) >= 48 && c <= 57) i++;
      if (i === expStart) return null;
    }
    if (i !== end) return null;
    return Number(s.slice(start, end));
  }
  if (end - start > 9) return null;
  const l = s.slice(start, end).toLowerCase();
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

/** A token quoted for an error message, cut short: an 80,000-digit value must not make an 80 KB message. */
export function quoteShort(s: string, max = 40): string {
  return s.length > max ? `${JSON.stringify(s.slice(0, max))}…` : JSON.stringify(s);
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
    if (v === null || !Number.isFinite(v)) r.fail(`invalid timestamp ${quoteShort(tok)}`);
    return Math.round(v * 1000);
  }
  if (!/^[+-]?\d+$/.test(tok)) r.fail(`invalid timestamp ${quoteShort(tok)}`);
  const t = Number(tok);
  if (!Number.isSafeInteger(t)) r.fail(`timestamp ${quoteShort(tok)} out of range`);
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

const isBlank = (c: number) => c === 32 || c === 9;

/**
 * Splits a metadata line ("# HELP name text", "# TYPE", "# UNIT") by hand,
 * in one pass; null for any other comment.
 */
function metadataParts(line: string, lineNo: number): { kind: string; name: string; rest: string } | null {
  let i = 1;
  const n = line.length;
  const skip = () => {
    const from = i;
    while (i < n && isBlank(line.charCodeAt(i))) i++;
    return i > from;
  };
  if (!skip()) return null;
  const kind = line.slice(i, i + 4);
  if (kind !== 'HELP' && kind !== 'TYPE' && kind !== 'UNIT') return null;
  i += 4;
  if (!skip() || i === n) return null;
  let name: string;
  if (line.charCodeAt(i) === 34) {
    const r = new LineReader(line, lineNo);
    r.pos = i;
    try {
      name = r.quoted();
      i = r.pos;
    } catch {
      return null;
    }
    if (i < n && !isBlank(line.charCodeAt(i))) return null;
  } else {
    const from = i;
    while (i < n && !isBlank(line.charCodeAt(i))) i++;
    name = line.slice(from, i);
  }
  skip();
  return { kind, name, rest: line.slice(i) };
}

/**
 * The parser's state across lines (metadata, OpenMetrics's # EOF), fed one
 * line at a time: parseExposition runs it over a whole text, and the scrape
 * loop over the lines its cache does not already know.
 */
export class ExpositionLineParser {
  readonly om: boolean;
  readonly metadata = new Map<string, MetricMetadata>();
  eof = false;

  constructor(readonly format: ExpositionFormat = 'text') {
    this.om = format === 'openmetrics';
  }

  private meta(name: string): MetricMetadata {
    let m = this.metadata.get(name);
    if (!m) {
      m = { type: this.om ? 'unknown' : 'untyped', help: '', unit: '' };
      this.metadata.set(name, m);
    }
    return m;
  }

  /**
   * One line (without its newline). Returns the sample it holds, or null for
   * metadata, comments and blank lines; throws ExpositionError for bad input.
   */
  line(raw: string, lineNo: number): ParsedSample | null {
    const om = this.om;
    const line = !om && raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (this.eof) throw new ExpositionError(lineNo, 'unexpected data after # EOF');
    if (line.trim() === '') {
      if (om) throw new ExpositionError(lineNo, 'unexpected blank line');
      return null;
    }
    if (line.charCodeAt(0) === 35) {
      this.metadataLine(line, lineNo);
      return null;
    }
    return this.sampleLine(line, lineNo);
  }

  private metadataLine(line: string, lineNo: number): void {
    const om = this.om;
    if (om && line === '# EOF') {
      this.eof = true;
      return;
    }
    const m = metadataParts(line, lineNo);
    if (!m) {
      if (om) throw new ExpositionError(lineNo, `invalid metadata line ${quoteShort(line)}`);
      return; // A comment.
    }
    const { kind, name, rest } = m;
    if (kind === 'HELP') this.meta(name).help = unescapeHelp(rest, om);
    else if (kind === 'TYPE') {
      const type = rest.trim().toLowerCase();
      if (!(om ? OM_TYPES : TEXT_TYPES).has(type)) throw new ExpositionError(lineNo, `invalid metric type ${quoteShort(rest.trim())}`);
      if (om && this.metadata.get(name)?.type !== undefined && this.metadata.get(name)!.type !== 'unknown') {
        throw new ExpositionError(lineNo, `second TYPE line for metric name ${quoteShort(name)}`);
      }
      this.meta(name).type = type;
    } else {
      if (!om) return;
      const unit = rest.trim();
      if (unit !== '' && !name.endsWith(`_${unit}`)) throw new ExpositionError(lineNo, `unit ${quoteShort(unit)} not a suffix of metric ${quoteShort(name)}`);
      this.meta(name).unit = unit;
    }
  }

  private sampleLine(line: string, lineNo: number): ParsedSample {
    const om = this.om;
    const r: LineReader = new LineReader(line, lineNo);
    const labels: Label[] = [];
    let name: string | null = null;
    if (isNameStart(r.peek())) name = r.name(isNameStart, isNameChar, 'metric name');
    if (r.s[r.pos] === '{') {
      const quotedName = r.labels(labels, name === null);
      if (quotedName !== null) name = quotedName;
    }
    if (name === null) r.fail(`expected a metric name, got ${quoteShort(line, 20)}`);
    if (r.pos < line.length && line[r.pos] !== ' ' && line[r.pos] !== '\t') r.fail(`unexpected ${JSON.stringify(line[r.pos])} after metric name`);
    r.skipSpaces();
    const valueTok = r.token();
    const value = parseGoFloat(valueTok);
    if (value === null) r.fail(valueTok === '' ? 'expected a value' : `invalid value ${quoteShort(valueTok)}`);
    r.skipSpaces();
    let timestamp: number | undefined;
    let exemplar: Exemplar | undefined;
    if (r.pos < line.length && line[r.pos] !== '#') {
      timestamp = parseTimestamp(r.token(), om, r);
      r.skipSpaces();
    }
    if (r.pos < line.length) {
      if (!om || line[r.pos] !== '#') r.fail(`unexpected ${quoteShort(line.slice(r.pos, r.pos + 10))} at end of sample`);
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
    const family = familyOf(name, this.metadata);
    if (family && (family.type === 'histogram' || family.type === 'gaugehistogram' || family.type === 'summary')) {
      const key = family.type === 'summary' ? 'quantile' : 'le';
      labels.forEach((l, i) => {
        if (l.name !== key) return;
        const f = parseGoFloat(l.value);
        if (f !== null) labels[i] = { name: key, value: formatOpenMetricsFloat(f) };
      });
    }
    labels.push({ name: '__name__', value: name });
    const sample: ParsedSample = { labels: sortLabels(labels, lineNo), value, line: lineNo };
    const empty = labels.filter((l) => l.value === '');
    if (empty.length > 0) sample.emptyLabels = empty.map((l) => l.name);
    if (timestamp !== undefined) sample.timestamp = timestamp;
    if (exemplar) sample.exemplar = exemplar;
    return sample;
  }

  /** After the last line: OpenMetrics must have ended with # EOF. */
  finish(lastLine: number): void {
    if (this.om && !this.eof) throw new ExpositionError(lastLine, 'data does not end with # EOF');
  }
}

export function parseExposition(text: string, format: ExpositionFormat = 'text'): ParsedExposition {
  const parser = new ExpositionLineParser(format);
  const samples: ParsedSample[] = [];
  let lineNo = 0;
  let start = 0;
  const n = text.length;
  while (start < n) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = n;
    lineNo++;
    const s = parser.line(text.slice(start, end), lineNo);
    if (s) samples.push(s);
    start = end + 1;
  }
  parser.finish(lineNo);
  return { samples, metadata: parser.metadata };
}
