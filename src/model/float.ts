// Floats as Go and Prometheus print them: strconv.FormatFloat's 'f' and 'g'
// shortest forms, and OpenMetrics' integers with ".0".

/** strconv.FormatFloat(v, 'f', -1, 64): shortest digits, never an exponent. */
export function formatFloat(v: number): string {
  // From 1e-6 up to (not including) 1e21 JavaScript writes the shortest digits
  // without an exponent too (Number::toString): the common case, no checks.
  const abs = v < 0 ? -v : v;
  if (abs >= 1e-6 && abs < 1e21) return String(v);
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  if (v !== v) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return withoutExponent(String(v));
}

/** "1.25e-7" or "-1e+21" (a shortest form with one digit before the point) as plain decimal digits. */
function withoutExponent(s: string): string {
  const e = s.indexOf('e');
  const neg = s.charCodeAt(0) === 45; // '-'
  const mantissa = s.slice(neg ? 1 : 0, e);
  const dot = mantissa.indexOf('.');
  const digits = dot < 0 ? mantissa : mantissa.slice(0, dot) + mantissa.slice(dot + 1);
  const point = (dot < 0 ? mantissa.length : dot) + Number(s.slice(e + 1));
  const sign = neg ? '-' : '';
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

/**
 * A sample value as Prometheus's JSON writes it (util/jsonutil.MarshalFloat):
 * shortest decimal, in exponent form below 1e-6 and from 1e21 (`1e-07`).
 * Answers' matrices and vectors get the same bytes from the WebAssembly core
 * (src/wasm/float-text.ts), whose tests hold it to this function.
 */
export function jsonFloat(f: number): string {
  const abs = f < 0 ? -f : f;
  // The common case first: String writes these without an exponent, as Go's 'f' does.
  if (abs >= 1e-6 && abs < 1e21) return String(f);
  if (abs === 0 || abs !== abs || abs === Infinity) return formatFloat(f);
  // Go's 'e' form has at least two exponent digits: 1e-7 is "1e-07".
  const s = f.toExponential();
  const sign = s.length - 2;
  return s.charCodeAt(sign) === 43 || s.charCodeAt(sign) === 45 ? `${s.slice(0, sign + 1)}0${s.slice(sign + 1)}` : s;
}
