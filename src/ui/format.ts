// Numbers, times and durations as people read them. The exact value stays
// available wherever a formatted one is shown (a title, a data attribute).

const grouped = new Intl.NumberFormat('en', { maximumFractionDigits: 3 });
const small = new Intl.NumberFormat('en', { maximumSignificantDigits: 4 });

/**
 * A sample value for reading: integers grouped (1,234,567), fractions to three
 * decimals or four significant digits when smaller than 1 (0.0001235), very
 * large or small magnitudes in exponent form; NaN and infinities as Prometheus writes them.
 */
export function formatValue(v: string | number): string {
  const x = typeof v === 'number' ? v : parseSampleValue(v);
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  const a = Math.abs(x);
  if (a === 0) return '0';
  if (a >= 1e15 || a < 1e-6) return x.toExponential(3).replace(/\.?0+e/, 'e');
  return a < 1 ? small.format(x) : grouped.format(x);
}

/** A sample value as the API writes it: Go's float text, with "+Inf", "-Inf" and "NaN" (which Number() does not all read). */
export function parseSampleValue(s: string): number {
  if (s === '+Inf' || s === 'Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  return Number(s);
}

/** A compact axis label: 1.5k, 2M, 0.25, 3e-7. */
export function formatAxis(x: number): string {
  const a = Math.abs(x);
  if (a === 0) return '0';
  for (const [div, suffix] of [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']] as const) {
    if (a >= div) return `${Number((x / div).toPrecision(3))}${suffix}`;
  }
  if (a < 1e-3) return x.toExponential(1).replace(/\.0e/, 'e');
  return String(Number(x.toPrecision(3)));
}

/** A duration in ms as Prometheus's UI writes it: 1d 2h, 3m 12s, 250ms. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (ms < 1000) return `${Number(ms.toPrecision(3))}ms`;
  if (ms < 60_000) return `${Number((ms / 1000).toPrecision(3))}s`;
  const parts: string[] = [];
  let s = Math.round(ms / 1000);
  for (const [unit, size] of [['w', 604800], ['d', 86400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    if (s >= size) {
      parts.push(`${Math.floor(s / size)}${unit}`);
      s %= size;
    }
  }
  return parts.slice(0, 2).join(' ');
}

/** Seconds (as the API reports evaluation and scrape durations) for reading: 1.234ms, 2.5s. */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '—';
  if (s < 1) return `${Number((s * 1000).toPrecision(3))}ms`;
  return formatDuration(s * 1000);
}

/** How long ago a time was: "12s ago", "never" for Go's zero time. */
export function formatAgo(time: string | number, now = Date.now()): string {
  const t = typeof time === 'number' ? time : Date.parse(time);
  if (!Number.isFinite(t) || t <= 0 || new Date(t).getUTCFullYear() <= 1) return 'never';
  const d = now - t;
  return d < 0 ? `in ${formatDuration(-d)}` : `${formatDuration(d)} ago`;
}

/** A time in the reader's zone, to the second: 2026-12-01 15:04:05. */
export function formatLocalTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** A byte count: 1.5 KiB, 12 MiB. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${Number(v.toPrecision(3))} ${units[i]}`;
}
