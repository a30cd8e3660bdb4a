// The series notation of test scripts (and promtool's `values:`):
// `metric{a="b"} 1+2x3 _ stale 5x2`. Labels use PromQL string syntax.

import type { Label, Labels } from '../../model/labels.js';
import { unquoteString } from '../parser/literals.js';
import { SeriesSyntaxError } from './series-error.js';
import { type HistogramLiteral, parseHistogramLiteral } from './histogram-literal.js';
import { addHistogram, subHistogram } from '../../model/histogram-arith.js';
import { copyHistogram } from '../../model/histogram-resolution.js';

/** One slot of a series: a value, a missing sample (null) or a staleness marker. */
export type SeriesValue = number | null | 'stale';

/** A slot that may also hold a native histogram. */
export type SeriesSample = SeriesValue | HistogramLiteral;

export { SeriesSyntaxError };

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*/;

function quotedEnd(s: string, i: number): number {
  const q = s[i]!;
  for (let j = i + 1; j < s.length; j++) {
    if (q !== '`' && s[j] === '\\') j++;
    else if (s[j] === q) return j + 1;
  }
  throw new SeriesSyntaxError(`unterminated quoted string in ${JSON.stringify(s)}`);
}

/** Splits `name{labels} rest` into labels and the rest of the line. */
export function parseSeriesLabels(text: string): { labels: Labels; rest: string } {
  let s = text.trim();
  const out: Label[] = [];
  const name = NAME.exec(s);
  if (name) {
    out.push({ name: '__name__', value: name[0] });
    s = s.slice(name[0].length);
  }
  if (s.startsWith('{')) {
    let i = 1;
    const skipWs = () => { while (i < s.length && /\s/.test(s[i]!)) i++; };
    for (;;) {
      skipWs();
      if (s[i] === '}') { i++; break; }
      let key: string;
      if (s[i] === '"' || s[i] === "'" || s[i] === '`') {
        const end = quotedEnd(s, i);
        key = unquoteString(s.slice(i, end));
        i = end;
      } else {
        const m = LABEL.exec(s.slice(i));
        if (!m) throw new SeriesSyntaxError(`unexpected ${JSON.stringify(s.slice(i, i + 10))} in label set of ${JSON.stringify(text)}`);
        key = m[0];
        i += m[0].length;
      }
      skipWs();
      if (s[i] === '=') {
        i++;
        skipWs();
        if (!(s[i] === '"' || s[i] === "'" || s[i] === '`')) throw new SeriesSyntaxError(`label value must be quoted in ${JSON.stringify(text)}`);
        const end = quotedEnd(s, i);
        out.push({ name: key, value: unquoteString(s.slice(i, end)) });
        i = end;
      } else {
        // A quoted name standing alone is the metric name.
        out.push({ name: '__name__', value: key });
      }
      skipWs();
      if (s[i] === ',') { i++; continue; }
      if (s[i] === '}') { i++; break; }
      throw new SeriesSyntaxError(`expected "," or "}" in label set of ${JSON.stringify(text)}`);
    }
    s = s.slice(i);
  } else if (!name) {
    throw new SeriesSyntaxError(`expected a metric name or label set in ${JSON.stringify(text)}`);
  }
  const labels = out.filter((l) => l.value !== '').sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { labels, rest: s.trim() };
}

const NUM = String.raw`[+-]?(?:[iI][nN][fF]|[nN][aA][nN]|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)`;
const UNUM = String.raw`(?:[iI][nN][fF]|[nN][aA][nN]|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)`;
const ITEM = new RegExp(`^(${NUM})(?:(?:([+-])(${UNUM}))?x(\\d+))?$`);

function num(s: string): number {
  const l = s.toLowerCase().replace(/^\+/, '');
  if (l === 'inf') return Infinity;
  if (l === '-inf') return -Infinity;
  if (l === 'nan' || l === '-nan') return NaN;
  return Number(s);
}

/**
 * Expands space-separated items: `_` and `_xN` are missing slots, and
 * `a`, `axN`, `a+bxN`, `a-bxN` (matched by re, read by read) repeat by
 * adding b to a, as upstream does (so rounding accumulates the same way).
 */
function expand<T>(text: string, re: RegExp, read: (s: string) => number, what: string, special: (item: string) => T | undefined): (number | null | T)[] {
  const out: (number | null | T)[] = [];
  for (const item of text.split(/\s+/).filter((x) => x !== '')) {
    const sp = special(item);
    if (sp !== undefined) {
      out.push(sp);
      continue;
    }
    if (item === '_') {
      out.push(null);
      continue;
    }
    const blank = /^_x(\d+)$/.exec(item);
    if (blank) {
      for (let i = 0; i < Number(blank[1]); i++) out.push(null);
      continue;
    }
    const m = re.exec(item);
    if (!m) throw new SeriesSyntaxError(`invalid ${what} ${JSON.stringify(item)}`);
    const [, a, sign, b, times] = m;
    let v = read(a!);
    out.push(v);
    const inc = b === undefined ? 0 : read(b) * (sign === '-' ? -1 : 1);
    for (let i = 0; i < Number(times ?? 0); i++) {
      v += inc;
      out.push(v);
    }
  }
  return out;
}

/** Expands `1+2x3 _ _x2 stale 5x2` into one slot per item (floats only; see parseSeriesSamples). */
export function parseSeriesValues(text: string): SeriesValue[] {
  return parseSeriesSamples(text).map((v) => {
    if (v !== null && typeof v === 'object') throw new SeriesSyntaxError('native histogram samples are not supported here');
    return v;
  });
}

// Splits series items at spaces, keeping `{{...}}` literals (which contain
// spaces) and their `+`/`-`/`x` continuations in one item.
function seriesItems(text: string): string[] {
  const items: string[] = [];
  let cur = '';
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '{' && text[i + 1] === '{') {
      depth++;
      cur += '{{';
      i++;
      continue;
    }
    if (c === '}' && text[i + 1] === '}' && depth > 0) {
      depth--;
      cur += '}}';
      i++;
      continue;
    }
    if (depth === 0 && /\s/.test(c)) {
      if (cur !== '') items.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  if (depth > 0) throw new SeriesSyntaxError(`unterminated histogram in ${JSON.stringify(text)}`);
  if (cur !== '') items.push(cur);
  return items;
}

// `{{a}}`, `{{a}}xN` (N+1 copies), `{{a}}+{{b}}xN` and `{{a}}-{{b}}xN`
// (a, then b added or subtracted N times).
function histogramItem(item: string): HistogramLiteral[] {
  const first = item.indexOf('}}') + 2;
  const base = parseHistogramLiteral(item.slice(0, first));
  const rest = item.slice(first);
  if (rest === '') return [base];
  const times = /^x(\d+)$/.exec(rest);
  if (times) return new Array<HistogramLiteral>(Number(times[1]) + 1).fill(base);
  const m = /^([+-])(\{\{.*\}\})x(\d+)$/.exec(rest);
  if (!m) throw new SeriesSyntaxError(`invalid histogram series item ${JSON.stringify(item)}`);
  const inc = parseHistogramLiteral(m[2]!).h;
  // As upstream, the hint set flag is the last literal's (the increment's).
  const hintSet = parseHistogramLiteral(m[2]!).hintSet;
  const out: HistogramLiteral[] = [{ h: base.h, hintSet }];
  let cur = base.h;
  for (let i = 1; i <= Number(m[3]); i++) {
    if (cur.schema > inc.schema) throw new SeriesSyntaxError(`error combining histograms: cannot merge from schema ${inc.schema} to ${cur.schema}`);
    const next = copyHistogram(cur);
    if (m[1] === '+') addHistogram(next, inc);
    else subHistogram(next, inc);
    out.push({ h: next, hintSet });
    cur = next;
  }
  return out;
}

/** Expands a series' items, native histogram literals included, into one slot per item. */
export function parseSeriesSamples(text: string): SeriesSample[] {
  const out: SeriesSample[] = [];
  for (const item of seriesItems(text)) {
    if (item.startsWith('{{')) out.push(...histogramItem(item));
    else out.push(...expand<'stale'>(item, ITEM, num, 'series value', (x) => (x === 'stale' ? 'stale' : undefined)));
  }
  return out;
}

const DUR = String.raw`[+-]?(?:0|(?:\d+(?:ms|s|m|h|d|w|y))+)`;
const UDUR = String.raw`(?:0|(?:\d+(?:ms|s|m|h|d|w|y))+)`;
const ST_ITEM = new RegExp(`^(${DUR})(?:(?:([+-])(${UDUR}))?x(\\d+))?$`);

function signedDuration(s: string, parse: (d: string) => number): number {
  const neg = s.startsWith('-');
  const body = s.replace(/^[+-]/, '');
  const ms = body === '0' ? 0 : parse(body);
  return neg ? -ms : ms;
}

/**
 * The start-timestamp line of a series (`name{...}@st -30s-1mx2 _ 0`): per
 * sample, the offset of its start time from its own timestamp, or null.
 */
export function parseStartOffsets(text: string, parseDuration: (d: string) => number): (number | null)[] {
  return expand<never>(text, ST_ITEM, (d) => signedDuration(d, parseDuration), 'start timestamp offset', () => undefined);
}
