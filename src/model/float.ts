// Floats as Go and Prometheus print them: strconv.FormatFloat's 'f' and 'g'
// shortest forms, and OpenMetrics' integers with ".0".

/** strconv.FormatFloat(v, 'f', -1, 64): shortest digits, never an exponent. */
export function formatFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (Object.is(v, -0)) return '-0';
  const s = String(v);
  if (!s.includes('e')) return s;
  const m = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return s;
  const [, sign, int, frac = '', expStr] = m;
  const exp = Number(expStr);
  const digits = int! + frac;
  const point = int!.length + exp;
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** labels.FormatOpenMetricsFloat: like Go's 'f' shortest form, but integers keep ".0" (le="1.0"). */
export function formatOpenMetricsFloat(f: number): string {
  const s = formatFloat(f);
  if (/^-?\d+$/.test(s)) return s + '.0';
  return s;
}

/**
 * A float in the text exposition format, as Go's strconv.FormatFloat(f, 'g', -1, 64)
 * writes it (expfmt): the shortest digits, in exponent form when the decimal
 * exponent is below -4 or 6 and above.
 */
export function goFormatG(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (f === Infinity) return '+Inf';
  if (f === -Infinity) return '-Inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  const [mant, expStr] = f.toExponential().split('e') as [string, string];
  const exp = Number(expStr);
  if (exp < -4 || exp >= 6) return `${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return String(f);
}
