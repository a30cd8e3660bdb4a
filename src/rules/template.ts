// Alert label and annotation templates as Prometheus expands them
// (template/template.go): $labels, $value, $externalLabels, $externalURL,
// Go's builtins, and Prometheus's functions — the humanize family, printf,
// string and regex helpers, and query with first / value / label. The
// grammar is interpreted by template-engine.ts; failures expand to
// `<error expanding template: ...>`, as Prometheus writes them.

import { goFormatG } from '../model/float.js';
import { parseDuration as parsePromDuration } from '../model/duration.js';
import { regexMatch, regexReplaceAll } from './template-regex.js';
import { GoTemplate, type TemplateFunction, type Val, show, truthy } from './template-engine.js';
import type { FloatHistogram } from '../model/histogram.js';
import { histogramTemplateValue, isHistogramValue } from './template-histogram.js';

/** One sample of a `query` result, shaped as Prometheus's templates see it. */
export interface QuerySample {
  labels: Record<string, string>;
  value: number;
}

export interface TemplateData {
  labels: Record<string, string>;
  externalLabels: Record<string, string>;
  value: number;
  /** Set for a native histogram sample: $value is then the histogram, as in Prometheus's AlertTemplateData. */
  histogram?: FloatHistogram;
  externalURL?: string;
  /** Runs an instant query at the evaluation time (the `query` function). */
  query?: (expr: string) => QuerySample[];
}

/** Go's %.Ng: N significant digits, trailing zeros removed, exponent form as Go writes it. */
export function goG(v: number, prec = 4): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  if (v === 0) return '0';
  const exp = Math.floor(Math.log10(Math.abs(v)));
  if (exp < -4 || exp >= prec) {
    const [m, e] = v.toExponential(prec - 1).split('e') as [string, string];
    const mant = m.includes('.') ? m.replace(/0+$/, '').replace(/\.$/, '') : m;
    const n = Number(e);
    return `${mant}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
  }
  const s = v.toPrecision(prec);
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

function scaled(v: number, up: string[], down: string[], base: number): [number, string] {
  let prefix = '';
  if (Math.abs(v) >= 1) {
    for (const p of up) {
      if (Math.abs(v) < base) break;
      prefix = p;
      v /= base;
    }
  } else {
    for (const p of down) {
      if (Math.abs(v) >= 1) break;
      prefix = p;
      v *= 1000;
    }
  }
  return [v, prefix];
}

const num = (v: Val): number => {
  if (typeof v === 'number') return v;
  if (isHistogramValue(v)) throw new Error(`can't convert *histogram.FloatHistogram to float`);
  if (typeof v === 'boolean' || v === null || typeof v === 'object') throw new Error(`can't convert ${JSON.stringify(v)} to float`);
  const n = Number(v);
  if (Number.isNaN(n) && v !== 'NaN') throw new Error(`can't convert ${JSON.stringify(v)} to float`);
  return n;
};

type Sample = { Labels: Record<string, string>; Value: number };
const asSample = (v: Val): Sample => {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || !Object.hasOwn(v, 'Labels')) throw new Error('expected a sample');
  return v as unknown as Sample;
};
const asList = (v: Val): Val[] => {
  if (!Array.isArray(v)) throw new Error('expected a query result');
  return v;
};

function compare(a: Val, b: Val): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  throw new Error('incompatible types for comparison');
}

/** Go's text/template builtins that alert templates use. */
const BUILTINS: Record<string, TemplateFunction> = {
  eq: (a, ...bs) => bs.some((b) => a === b),
  ne: (a, b) => a !== b,
  lt: (a, b) => compare(a, b) < 0,
  le: (a, b) => compare(a, b) <= 0,
  gt: (a, b) => compare(a, b) > 0,
  ge: (a, b) => compare(a, b) >= 0,
  and: (...xs) => xs.find((x) => !truthy(x)) ?? xs[xs.length - 1] ?? null,
  or: (...xs) => xs.find((x) => truthy(x)) ?? xs[xs.length - 1] ?? null,
  not: (x) => !truthy(x),
  len: (x) => (typeof x === 'string' ? x.length : Array.isArray(x) ? x.length : x !== null && typeof x === 'object' ? Object.keys(x).length : (() => { throw new Error(`len of ${typeof x}`); })()),
  index: (x, ...keys) => keys.reduce<Val>((v, k) => {
    if (Array.isArray(v)) return v[num(k)] ?? (() => { throw new Error(`index out of range: ${String(k)}`); })();
    if (v !== null && typeof v === 'object') return Object.hasOwn(v, String(k)) ? v[String(k)]! : '';
    throw new Error(`can't index item of type ${typeof v}`);
  }, x),
  print: (...xs) => xs.map((x) => show(x, goFormatG)).join(''),
  urlquery: (...xs) => new URLSearchParams({ q: xs.map((x) => show(x, goFormatG)).join('') }).toString().slice(2),
};

export const FUNCTIONS: Record<string, TemplateFunction> = {
  ...BUILTINS,
  first: (v) => {
    const l = asList(v);
    if (l.length === 0) throw new Error('first() called on vector with no elements');
    return l[0]!;
  },
  label: (name, s) => asSample(s).Labels[String(name)] ?? '',
  value: (s) => asSample(s).Value,
  strvalue: (s) => asSample(s).Labels.__value__ ?? '',
  sortByLabel: (name, v) => [...asList(v)].sort((a, b) => compare(asSample(a).Labels[String(name)] ?? '', asSample(b).Labels[String(name)] ?? '')),
  match: (re, s) => regexMatch(String(re), String(s)),
  args: (...xs) => Object.fromEntries(xs.map((x, i) => [`arg${i}`, x])),
  safeHtml: (s) => String(s),
  parseDuration: (s) => parsePromDuration(String(s)) / 1000,
  humanize: (x) => {
    const v = num(x);
    if (v === 0 || !Number.isFinite(v)) return goG(v);
    const [m, p] = scaled(v, ['k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y'], ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y'], 1000);
    return `${goG(m)}${p}`;
  },
  humanize1024: (x) => {
    const v = num(x);
    if (Math.abs(v) <= 1 || !Number.isFinite(v)) return goG(v);
    const [m, p] = scaled(v, ['ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'Zi', 'Yi'], [], 1024);
    return `${goG(m)}${p}`;
  },
  humanizeDuration: (x) => {
    let v = num(x);
    if (v === 0 || !Number.isFinite(v)) return `${goG(v)}s`;
    if (Math.abs(v) >= 1) {
      const sign = v < 0 ? '-' : '';
      v = Math.abs(v);
      const d = Math.trunc(v);
      const [s, m, h, days] = [d % 60, Math.trunc(d / 60) % 60, Math.trunc(d / 3600) % 24, Math.trunc(d / 86400)];
      if (days) return `${sign}${days}d ${h}h ${m}m ${s}s`;
      if (h) return `${sign}${h}h ${m}m ${s}s`;
      if (m) return `${sign}${m}m ${s}s`;
      return `${sign}${goG(v)}s`;
    }
    const [mv, p] = scaled(v, [], ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y'], 1000);
    return `${goG(mv)}${p}s`;
  },
  humanizePercentage: (x) => `${goG(num(x) * 100)}%`,
  humanizeTimestamp: (x) => {
    const v = num(x);
    if (!Number.isFinite(v)) return goG(v);
    const d = new Date(v * 1000);
    const frac = d.getUTCMilliseconds() ? `.${String(d.getUTCMilliseconds()).padStart(3, '0').replace(/0+$/, '')}` : '';
    return `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 19)}${frac} +0000 UTC`;
  },
  toUpper: (s) => String(s).toUpperCase(),
  toLower: (s) => String(s).toLowerCase(),
  title: (s) => String(s).replace(/\b\w/g, (c) => c.toUpperCase()),
  stripPort: (s) => String(s).replace(/^\[(.*)\]:\d+$/, '$1').replace(/^([^:]*):\d+$/, '$1'),
  reReplaceAll: (re, repl, s) => regexReplaceAll(String(re), String(repl), String(s)),
  printf: (fmt, ...args) => {
    let i = 0;
    return String(fmt).replace(/%(-?\d*)(?:\.(\d+))?([sdfgvq%])/g, (_m, _w, p: string | undefined, c: string) => {
      if (c === '%') return '%';
      const a = args[i++];
      switch (c) {
        case 'd': return String(Math.trunc(num(a as Val)));
        case 'f': return num(a as Val).toFixed(p === undefined ? 6 : Number(p));
        case 'g': return goG(num(a as Val), p === undefined ? 17 : Number(p));
        case 'q': return JSON.stringify(String(a));
        default: return typeof a === 'number' ? goFormatG(a) : String(a);
      }
    });
  },
};

/** Expands a template; failures give Prometheus's `<error expanding template: ...>` text. */
export function expandTemplate(text: string, d: TemplateData, name = 'template'): string {
  if (!text.includes('{{')) return text;
  const fns: Record<string, TemplateFunction> = {
    ...FUNCTIONS,
    externalURL: () => d.externalURL ?? '',
    pathPrefix: () => (d.externalURL ? new URL(d.externalURL).pathname.replace(/\/$/, '') : ''),
    query: (q) => {
      if (!d.query) throw new Error('query is not available here');
      return d.query(String(q)).map((s) => ({ Labels: s.labels, Value: s.value }));
    },
  };
  const value: Val = d.histogram ? histogramTemplateValue(d.histogram) : d.value;
  const dot: Val = { Labels: d.labels, ExternalLabels: d.externalLabels, ExternalURL: d.externalURL ?? '', Value: value };
  try {
    return new GoTemplate(text).execute(dot, {
      $labels: d.labels, $externalLabels: d.externalLabels, $externalURL: d.externalURL ?? '', $value: value,
    }, fns, goFormatG);
  } catch (e) {
    return `<error expanding template: template: ${name}: ${(e as Error).message}>`;
  }
}
