// Alert label and annotation templates: the part of Go's text/template that
// rule files use — {{ $labels.x }}, {{ $value }}, {{ $externalLabels.x }},
// pipelines and the humanize family, printf, case and regex helpers. It is an
// interpreter of that grammar, never JavaScript evaluation: a template cannot
// reach anything but the data it is given. Anything else expands to
// `<error expanding template: ...>`, as Prometheus writes failures.

import { goFormatG } from '../exposition/float.js';

export interface TemplateData {
  labels: Record<string, string>;
  externalLabels: Record<string, string>;
  value: number;
}

type Val = string | number | Record<string, string>;

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
  const n = typeof v === 'number' ? v : Number(v);
  if (typeof v === 'object' || Number.isNaN(n) && v !== 'NaN') throw new Error(`can't convert ${JSON.stringify(v)} to float`);
  return n;
};

export const FUNCTIONS: Record<string, (...args: Val[]) => Val> = {
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
  reReplaceAll: (re, repl, s) => String(s).replace(new RegExp(String(re), 'g'), String(repl).replace(/\$\{?(\d+)\}?/g, '$$$1')),
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

/** Splits an action into space-separated tokens, keeping quoted strings whole. */
function tokens(s: string): string[] {
  const out: string[] = [];
  const re = /"(?:[^"\\]|\\.)*"|`[^`]*`|\|+|[^\s|]+/g;
  for (const m of s.matchAll(re)) out.push(m[0]);
  return out;
}

function operand(tok: string, d: TemplateData): Val {
  if (tok.startsWith('"')) return JSON.parse(tok) as string;
  if (tok.startsWith('`')) return tok.slice(1, -1);
  if (/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(tok)) return Number(tok);
  const path = tok.split('.');
  let base: Val;
  switch (path[0]) {
    case '$value': base = d.value; break;
    case '$labels': base = d.labels; break;
    case '$externalLabels': base = d.externalLabels; break;
    case '': { // .Value, .Labels.x
      path.shift();
      const field: string = path[0] ?? '';
      if (field === 'Value') base = d.value;
      else if (field === 'Labels') base = d.labels;
      else if (field === 'ExternalLabels') base = d.externalLabels;
      else throw new Error(`can't evaluate field ${field}`);
      break;
    }
    default: throw new Error(`undefined variable or function "${tok}"`);
  }
  for (const key of path.slice(1)) {
    if (typeof base !== 'object') throw new Error(`can't evaluate field ${key}`);
    // Own keys only: a template reads data, never the objects' prototypes.
    base = Object.hasOwn(base, key) ? base[key]! : '';
  }
  return base;
}

function runPipeline(action: string, d: TemplateData): string {
  const cmds: string[][] = [[]];
  for (const t of tokens(action)) {
    if (t === '|') cmds.push([]);
    else cmds[cmds.length - 1]!.push(t);
  }
  let prev: Val | undefined;
  for (const cmd of cmds) {
    if (cmd.length === 0) throw new Error('missing command in pipeline');
    const [head, ...rest] = cmd as [string, ...string[]];
    const fn = Object.hasOwn(FUNCTIONS, head) ? FUNCTIONS[head] : undefined;
    if (fn) {
      const args = rest.map((t) => operand(t, d));
      if (prev !== undefined) args.push(prev);
      prev = fn(...args);
    } else {
      if (rest.length > 0 || prev !== undefined) throw new Error(`${head} is not a function`);
      prev = operand(head, d);
    }
  }
  if (prev === undefined) return '';
  if (typeof prev === 'number') return goFormatG(prev);
  if (typeof prev === 'object') return `map[${Object.entries(prev).sort().map(([k, v]) => `${k}:${v}`).join(' ')}]`;
  return prev;
}

/** Expands a template; failures give Prometheus's `<error expanding template: ...>` text. */
export function expandTemplate(text: string, d: TemplateData, name = 'template'): string {
  try {
    return text.replace(/\{\{-?\s*(.*?)\s*-?\}\}/gs, (_m, action: string) => {
      if (/^(if|else|end|range|with|define|template|block)\b/.test(action)) throw new Error(`"${action.split(/\s/)[0]}" actions are not supported`);
      if (action.startsWith('/*')) return '';
      return runPipeline(action, d);
    });
  } catch (e) {
    return `<error expanding template: template: ${name}: ${(e as Error).message}>`;
  }
}
