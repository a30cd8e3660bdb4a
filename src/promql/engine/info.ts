// info(v, {data label matchers}): enriches series with the data labels of
// info metrics (target_info by default) that share their identifying labels
// instance and job (Prometheus promql/info.go).

import { Matcher } from '../../model/matcher.js';
import { type Labels, keyPart } from '../../model/labels.js';
import type { Call, Expr, SubqueryExpr, VectorSelector } from '../parser/ast.js';
import { QueryError } from './errors.js';
import type { Evaluator } from './evaluator.js';
import { upperBound, type SeriesData } from './selection.js';
import { type Matrix, type Vector, SeriesCollector, getLabel, labelsKey, labelsString, setLabel, totalSamples } from './value.js';

const TARGET_INFO = 'target_info';
const IDENTIFYING = ['instance', 'job'];

const quoteMeta = (s: string) => s.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');

/**
 * The time the info series are read at for evaluation time ts: that of the
 * argument's first selector, through the @ and offsets of the subqueries
 * around it, so enrichment matches the base samples' own time.
 */
function referenceTime(ev: Evaluator, e: Expr): ((ts: number) => number) | null {
  const p = ev.q.prepared;
  const shift = (n: VectorSelector | SubqueryExpr, f: (ts: number) => number) => {
    const at = p.at.get(n);
    const off = p.offset.get(n)!;
    return at !== undefined ? () => at - off : (ts: number) => f(ts) - off;
  };
  const walk = (x: Expr, f: (ts: number) => number): ((ts: number) => number) | null => {
    switch (x.type) {
      case 'VectorSelector': return shift(x, f);
      case 'MatrixSelector': return walk(x.vectorSelector, f);
      case 'SubqueryExpr': return walk(x.expr, shift(x, f));
      case 'AggregateExpr': return (x.param && walk(x.param, f)) || walk(x.expr, f);
      case 'BinaryExpr': return walk(x.lhs, f) || walk(x.rhs, f);
      case 'Call': for (const a of x.args) { const r = walk(a, f); if (r) return r; } return null;
      case 'ParenExpr': case 'UnaryExpr': return walk(x.expr, f);
      default: return null;
    }
  };
  return walk(e, (ts) => ts);
}

export function evalInfo(ev: Evaluator, e: Call): Matrix {
  const mat = ev.matrix(e.args[0]!);
  const dataMatchers = new Map<string, Matcher[]>();
  let nameMatchers: Matcher[] = [];
  const sel = e.args[1];
  if (sel && sel.type === 'VectorSelector') {
    for (const m of sel.matchers) {
      const matcher = new Matcher(m.type, m.name, m.value);
      dataMatchers.set(m.name, [...(dataMatchers.get(m.name) ?? []), matcher]);
      if (m.name === '__name__') nameMatchers.push(matcher);
    }
  } else {
    nameMatchers = [new Matcher('=', '__name__', TARGET_INFO)];
  }
  // Only negative name matchers still mean info metrics: those named *_info.
  if (nameMatchers.length > 0 && !nameMatchers.some((m) => m.type === '=' || m.type === '=~')) {
    const infoOnly = new Matcher('=~', '__name__', '.+_info');
    nameMatchers.push(infoOnly);
    dataMatchers.get('__name__')!.push(infoOnly);
  }
  // Base series that are info series themselves pass through unenriched.
  const ignore = new Set<string>();
  if (nameMatchers.length > 0) {
    for (const s of mat) {
      const name = getLabel(s.metric, '__name__');
      if (nameMatchers.every((m) => m.matches(name))) ignore.add(labelsKey(s.metric));
    }
  }
  const info = fetchInfoSeries(ev, e.args[0]!, mat, ignore, dataMatchers);
  return combine(ev, mat, info, ignore, dataMatchers);
}

function fetchInfoSeries(ev: Evaluator, arg: Expr, mat: Matrix, ignore: Set<string>, dataMatchers: Map<string, Matcher[]>): Matrix {
  const dropNameMatchers = () => {
    for (const [name, ms] of dataMatchers) {
      const rest = ms.filter((m) => m.name !== '__name__');
      if (rest.length > 0) dataMatchers.set(name, rest);
      else dataMatchers.delete(name);
    }
  };
  const idValues = new Map<string, Set<string>>();
  for (const s of mat) {
    if (ignore.has(labelsKey(s.metric))) continue;
    for (const l of IDENTIFYING) {
      const v = getLabel(s.metric, l);
      if (v === '') continue;
      if (!idValues.has(l)) idValues.set(l, new Set());
      idValues.get(l)!.add(v);
    }
  }
  if (idValues.size === 0) {
    dropNameMatchers();
    return [];
  }
  const matchers: Matcher[] = [];
  for (const [name, vals] of idValues) matchers.push(new Matcher('=~', name, [...vals].map(quoteMeta).join('|')));
  let hasName = false;
  for (const ms of dataMatchers.values()) {
    for (const m of ms) {
      if (m.name === '__name__') hasName = true;
      matchers.push(m);
    }
  }
  dropNameMatchers();
  if (!hasName) matchers.unshift(new Matcher('=', '__name__', TARGET_INFO));

  const ref = referenceTime(ev, arg) ?? ((ts: number) => ts);
  const a = ref(ev.start), b = ref(ev.end);
  const series = ev.q.selection.select(matchers, { start: Math.min(a, b) - ev.cfg.lookbackDelta + 1, end: Math.max(a, b) });
  return evalWithSampleTimes(ev, series, ref);
}

/** Like an instant selector, but each point's value is the sample's own timestamp. */
function evalWithSampleTimes(ev: Evaluator, series: SeriesData[], ref: (ts: number) => number): Matrix {
  const out: Matrix = [];
  for (const s of series) {
    const floats = [];
    for (let ts = ev.start; ts <= ev.end; ts += ev.interval) {
      const i = ev.lookup(s, ref(ts));
      if (i < 0) continue;
      if (s.h?.[i]) throw new QueryError('info sample should be float');
      ev.q.add(1);
      floats.push({ t: ts, f: s.t[i]! });
    }
    if (floats.length > 0) out.push({ metric: s.labels, floats, dropName: false });
  }
  return out;
}

function signature(name: string, ls: Labels): string {
  let sig = `__name__\xff${keyPart(name)}\xff`;
  for (const l of IDENTIFYING) {
    const v = getLabel(ls, l);
    if (v !== '') sig += `${l}\xff${keyPart(v)}\xff`;
  }
  return sig;
}

function combine(ev: Evaluator, mat: Matrix, info: Matrix, ignore: Set<string>, dataMatchers: Map<string, Matcher[]>): Matrix {
  const infoNames = [...new Set(info.map((s) => getLabel(s.metric, '__name__')))];
  const baseSigs = new Map(mat.map((s) => [labelsKey(s.metric), infoNames.map((n) => [n, signature(n, s.metric)] as const)]));
  const infoSigs = new Map(info.map((s) => [labelsKey(s.metric), signature(getLabel(s.metric, '__name__'), s.metric)]));
  const cursors = [new Int32Array(mat.length), new Int32Array(info.length)];
  const gather = (m: Matrix, c: Int32Array, ts: number): Vector => {
    const out: Vector = [];
    m.forEach((s, i) => {
      const p = s.floats[c[i]!];
      if (p && p.t === ts) {
        out.push({ metric: s.metric, t: ts, f: p.f, dropName: s.dropName });
        c[i]!++;
        return;
      }
      // Histogram samples of the enriched series pass through with their labels enriched.
      const hp = s.histograms?.find((x) => x.t === ts);
      if (hp) out.push({ metric: s.metric, t: ts, f: 0, h: hp.h, dropName: s.dropName });
    });
    return out;
  };
  const collector = new SeriesCollector();
  const original = ev.q.current;
  for (let ts = ev.start; ts <= ev.end; ts += ev.interval) {
    ev.cfg.checkAbort();
    const base = gather(mat, cursors[0]!, ts);
    const infoVec = gather(info, cursors[1]!, ts);
    const result = combineVector(base, infoVec, ignore, baseSigs, infoSigs, dataMatchers);
    ev.q.add(result.length);
    collector.add(result, ts);
  }
  const out = collector.matrix();
  ev.q.current = original;
  ev.q.add(totalSamples(out));
  return out;
}

function combineVector(
  base: Vector, info: Vector, ignore: Set<string>, baseSigs: Map<string, (readonly [string, string])[]>,
  infoSigs: Map<string, string>, dataMatchers: Map<string, Matcher[]>,
): Vector {
  if (base.length === 0) return [];
  const right = new Map<string, { metric: Labels; origT: number }>();
  for (const s of info) {
    const origT = Math.trunc(s.f);
    const sig = infoSigs.get(labelsKey(s.metric))!;
    const existing = right.get(sig);
    if (!existing || existing.origT < origT) right.set(sig, { metric: s.metric, origT });
    else if (existing.origT === origT) {
      throw new QueryError(`found duplicate series for info metric: existing ${labelsString(existing.metric)} @ ${existing.origT}, new ${labelsString(s.metric)} @ ${origT}`);
    }
  }
  const out: Vector = [];
  for (const bs of base) {
    const key = labelsKey(bs.metric);
    if (ignore.has(key)) {
      out.push(bs);
      continue;
    }
    let added: Labels = [];
    let seen = 0;
    for (const [, sig] of baseSigs.get(key) ?? []) {
      const is = right.get(sig);
      if (!is) continue;
      seen++;
      for (const l of is.metric) {
        if (l.name === '__name__') continue;
        if (dataMatchers.size > 0 && !dataMatchers.has(l.name)) continue;
        const have = getLabel(added, l.name);
        if (have !== '' && have !== l.value) throw new QueryError(`conflicting label: ${l.name}`);
        if (bs.metric.some((b) => b.name === l.name)) continue;
        added = setLabel(added, l.name, l.value);
      }
    }
    if (seen === 0) {
      const allMatchEmpty = [...dataMatchers.values()].every((ms) => ms.every((m) => m.matches('')));
      if (!allMatchEmpty) continue;
    }
    let metric = bs.metric;
    for (const l of added) metric = setLabel(metric, l.name, l.value);
    out.push(bs.h ? { metric, t: bs.t, f: bs.f, h: bs.h, dropName: bs.dropName } : { metric, t: bs.t, f: bs.f, dropName: bs.dropName });
  }
  return out;
}
