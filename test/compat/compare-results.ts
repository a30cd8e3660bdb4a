// Comparing query results of promlet and Prometheus: same series, same
// timestamps, values within a relative 1e-6 (NaN equal to NaN).

interface ApiSample {
  metric: Record<string, string>;
  value?: [number, string];
  values?: [number, string][];
}

function num(s: string): number {
  return s === '+Inf' ? Infinity : s === '-Inf' ? -Infinity : Number(s);
}

function close(a: string, b: string): boolean {
  const x = num(a), y = num(b);
  if (Number.isNaN(x) && Number.isNaN(y)) return true;
  if (x === y) return true;
  return Math.abs(x - y) / Math.max(Math.abs(x), Math.abs(y)) < 1e-6;
}

const key = (m: Record<string, string>) => JSON.stringify(Object.entries(m).sort(([a], [b]) => (a < b ? -1 : 1)));

/** Differences between two API results, as readable lines (empty when they agree). */
export function diff(ours: { resultType: string; result: unknown }, theirs: { resultType: string; result: unknown }): string[] {
  if (ours.resultType !== theirs.resultType) return [`result type ${ours.resultType} vs ${theirs.resultType}`];
  if (ours.resultType === 'scalar' || ours.resultType === 'string') {
    const [ta, va] = ours.result as [number, string];
    const [tb, vb] = theirs.result as [number, string];
    return ta === tb && close(va, vb) ? [] : [`${va}@${ta} vs ${vb}@${tb}`];
  }
  const a = new Map((ours.result as ApiSample[]).map((s) => [key(s.metric), s]));
  const b = new Map((theirs.result as ApiSample[]).map((s) => [key(s.metric), s]));
  const out: string[] = [];
  for (const k of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(k), y = b.get(k);
    if (!x || !y) {
      out.push(`${k} only in ${x ? 'promlet' : 'Prometheus'}`);
      continue;
    }
    const px = x.values ?? [x.value!], py = y.values ?? [y.value!];
    if (px.length !== py.length) {
      out.push(`${k}: ${px.length} points vs ${py.length}`);
      continue;
    }
    px.forEach(([t, v], i) => {
      const [t2, v2] = py[i]!;
      if (t !== t2 || !close(v, v2)) out.push(`${k}: ${v}@${t} vs ${v2}@${t2}`);
    });
  }
  return out;
}

