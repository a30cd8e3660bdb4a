// OpenTelemetry names to Prometheus names, as Prometheus's otlptranslator
// builds them: units become suffixes (`By` -> `_bytes`, `1/s` -> `_per_second`),
// monotonic sums end in `_total`, gauges of unit "1" in `_ratio`; with
// underscore escaping, characters Prometheus's legacy names lack become `_`.

export type MetricKind = 'gauge' | 'counter' | 'non-monotonic-counter' | 'histogram' | 'exponential-histogram' | 'summary';

export type TranslationStrategy = 'UnderscoreEscapingWithSuffixes' | 'UnderscoreEscapingWithoutSuffixes' | 'NoUTF8EscapingWithSuffixes' | 'NoTranslation';
export const TRANSLATION_STRATEGIES: readonly TranslationStrategy[] = [
  'UnderscoreEscapingWithSuffixes', 'UnderscoreEscapingWithoutSuffixes', 'NoUTF8EscapingWithSuffixes', 'NoTranslation',
];
export const shouldEscape = (s: TranslationStrategy) => s.startsWith('UnderscoreEscaping');
export const shouldAddSuffixes = (s: TranslationStrategy) => s === 'UnderscoreEscapingWithSuffixes' || s === 'NoUTF8EscapingWithSuffixes';

const UNITS: Record<string, string> = {
  d: 'days', h: 'hours', min: 'minutes', s: 'seconds', ms: 'milliseconds', us: 'microseconds', ns: 'nanoseconds',
  By: 'bytes', KiBy: 'kibibytes', MiBy: 'mebibytes', GiBy: 'gibibytes', TiBy: 'tibibytes',
  KBy: 'kilobytes', MBy: 'megabytes', GBy: 'gigabytes', TBy: 'terabytes',
  m: 'meters', V: 'volts', A: 'amperes', J: 'joules', W: 'watts', g: 'grams',
  Cel: 'celsius', Hz: 'hertz', '1': '', '%': 'percent',
};
const PER_UNITS: Record<string, string> = { s: 'second', m: 'minute', h: 'hour', d: 'day', w: 'week', mo: 'month', y: 'year' };

export class NamingError extends Error {}

const metricChar = (c: string) => /[a-zA-Z0-9:]/.test(c);
/** Runs of characters a legacy name can hold (underscores included), joined by `_`. */
const fieldsKeepingUnderscores = (s: string) => [...s].map((c) => (metricChar(c) || c === '_' ? c : ' ')).join('').split(' ').filter((t) => t !== '').join('_');
const labelChar = (c: string) => /[a-zA-Z0-9]/.test(c);
const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

/** Splits on every character a legacy metric name cannot hold (runs of them, including `_`). */
const metricTokens = (s: string) => [...s].reduce<string[]>((acc, c) => {
  if (metricChar(c)) acc[acc.length - 1] += c;
  else if (acc[acc.length - 1] !== '') acc.push('');
  return acc;
}, ['']).filter((t) => t !== '');

/** The main unit's and the per-unit's suffixes: `By/s` -> ["bytes", "per_second"]; `{requests}` adds nothing. */
export function unitSuffixes(unit: string): [string, string] {
  const [main, per] = unit.split(/\/(.*)/s, 2) as [string, string | undefined];
  let mainSuffix = '', perSuffix = '';
  const m = main.trim();
  if (m !== '' && !/[{}]/.test(m)) mainSuffix = UNITS[m] ?? m;
  if (per !== undefined && per !== '') {
    const p = per.trim();
    if (p !== '' && !/[{}]/.test(p)) perSuffix = PER_UNITS[p] ?? p;
    if (perSuffix !== '') perSuffix = `per_${perSuffix}`;
  }
  return [mainSuffix, perSuffix];
}

const cleanUnit = (u: string) => [...u].map((c) => (metricChar(c) ? c : '_')).join('').replace(/_+/g, '_').replace(/^_/, '');

/** The unit as metadata shows it (Prometheus's UnitNamer). */
export function unitName(unit: string, utf8: boolean): string {
  let [main, per] = unitSuffixes(unit);
  if (!utf8) [main, per] = [cleanUnit(main), cleanUnit(per)];
  const u = main && per ? `${main}_${per}` : main || per;
  return u.replace(/^_/, '').replace(/_$/, '');
}

const trimSuffix = (name: string, suffix: string) =>
  name.endsWith(suffix) && name.length > suffix.length + 1 ? name.slice(0, name.length - suffix.length - 1) : name;

export function metricName(name: string, unit: string, kind: MetricKind, strategy: TranslationStrategy, namespace = ''): string {
  const suffixes = shouldAddSuffixes(strategy);
  if (!shouldEscape(strategy)) return utf8MetricName(name, unit, kind, suffixes, namespace);
  let out: string;
  if (suffixes) {
    let tokens = metricTokens(name);
    let [main, per] = unitSuffixes(unit);
    main = cleanUnit(main);
    per = cleanUnit(per);
    if (tokens.includes(main)) main = '';
    if (per === 'per_') per = '';
    else {
      per = per.replace(/_$/, '');
      if (tokens.includes(per)) per = '';
    }
    if (per !== '') main = main.replace(/_$/, '');
    if (main !== '') tokens.push(main);
    if (per !== '') tokens.push(per);
    if (kind === 'counter') tokens = [...tokens.filter((t) => t !== 'total'), 'total'];
    if (unit === '1' && kind === 'gauge') tokens = [...tokens.filter((t) => t !== 'ratio'), 'ratio'];
    if (namespace !== '') tokens.unshift(namespace);
    out = tokens.join('_');
    if (isDigit(out[0])) out = `_${out}`;
  } else {
    // Without suffixes only invalid characters are replaced; underscores stay as they are.
    const simple = fieldsKeepingUnderscores(name);
    if (namespace !== '') out = `${fieldsKeepingUnderscores(namespace)}_${simple}`;
    else out = isDigit(simple[0]) ? `_${simple}` : simple;
  }
  if (out === '') throw new NamingError(`normalization for metric ${JSON.stringify(name)} resulted in empty name`);
  if (out !== name && /^_+$/.test(out)) throw new NamingError(`normalization for metric ${JSON.stringify(name)} resulted in invalid name ${JSON.stringify(out)}`);
  return out;
}

function utf8MetricName(name: string, unit: string, kind: MetricKind, suffixes: boolean, namespace: string): string {
  let out = namespace !== '' ? `${namespace}_${name}` : name;
  if (!suffixes) return out;
  const tail: string[] = [];
  if (unit === '1' && kind === 'gauge') {
    out = trimSuffix(out, 'ratio');
    tail.unshift('_ratio');
  }
  if (kind === 'counter') {
    out = trimSuffix(out, 'total');
    tail.unshift('_total');
  }
  const [main, per] = unitSuffixes(unit);
  if (per !== '') {
    out = trimSuffix(out, per);
    tail.unshift(`_${per}`);
  }
  if (main !== '' && !out.endsWith(main)) out = `${out}_${main}`;
  return out + tail.join('');
}

export interface LabelNamerOptions {
  utf8: boolean;
  underscoreSanitization?: boolean;
  preserveMultipleUnderscores?: boolean;
}

/** An attribute key as a label name (Prometheus's LabelNamer). */
export function labelName(key: string, o: LabelNamerOptions): string {
  if (key === '') throw new NamingError('label name is empty');
  if (o.utf8) {
    if (/^_+$/.test(key)) throw new NamingError(`label name ${JSON.stringify(key)} contains only underscores`);
    return key;
  }
  let out: string;
  if (o.preserveMultipleUnderscores) {
    out = [...key].map((c) => (labelChar(c) ? c : '_')).join('');
  } else {
    const reserved = key.length >= 4 && key.startsWith('__') && key.endsWith('__');
    const inner = reserved ? key.slice(2, -2) : key;
    let body = '';
    let prevUnderscore = false;
    for (const c of inner) {
      if (labelChar(c)) {
        body += c;
        prevUnderscore = false;
      } else if (!prevUnderscore) {
        body += '_';
        prevUnderscore = true;
      }
    }
    out = reserved ? `__${body}__` : body;
  }
  if (isDigit(out[0])) out = `key_${out}`;
  else if (o.underscoreSanitization && out.startsWith('_') && !out.startsWith('__')) out = `key${out}`;
  if (/^_*$/.test(out)) throw new NamingError(`normalization for label name ${JSON.stringify(key)} resulted in invalid name ${JSON.stringify(out)}`);
  return out;
}
