// Label sets: the identity of a series. The metric name is the __name__ label.

/** One label. */
export interface Label {
  readonly name: string;
  readonly value: string;
}

/** A label set sorted by name, without empty values. Treat as immutable. */
export type Labels = readonly Label[];

/** What callers may pass where a label set is expected. */
export type LabelsInput = Labels | Readonly<Record<string, string>>;

export const METRIC_NAME = '__name__';

/** Thrown for label sets that can never be stored. */
export class InvalidLabelsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidLabelsError';
  }
}

function isWellFormed(s: string): boolean {
  // Lone surrogates cannot be encoded as UTF-8.
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) return false;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return false;
    }
  }
  return true;
}

/**
 * Builds a sorted, validated label set. Empty values are dropped, as in
 * Prometheus (a label with an empty value is the same as no label).
 * Names may be any valid UTF-8 (Prometheus 3.x).
 */
export function labelsFrom(input: LabelsInput): Labels {
  if (Object.isFrozen(input) && Array.isArray(input) && isFrozenLabelSet(input as Labels)) return input as Labels;
  const pairs: Label[] = Array.isArray(input)
    // A frozen label cannot change under the caller's hands, so it is shared rather than copied
    // (the scrape cache keeps its labels frozen: one set of label objects per scraped series).
    ? (input as Labels).map((l) => (Object.isFrozen(l) ? l : { name: l.name, value: l.value }))
    : Object.entries(input as Record<string, string>).map(([name, value]) => ({ name, value }));
  for (const l of pairs) {
    if (typeof l.name !== 'string' || typeof l.value !== 'string') {
      throw new InvalidLabelsError(`label ${JSON.stringify(l.name)}: name and value must be strings`);
    }
    if (l.name === '') throw new InvalidLabelsError('empty label name');
    if (!isWellFormed(l.name)) throw new InvalidLabelsError(`label name ${JSON.stringify(l.name)} is not valid UTF-8`);
    if (!isWellFormed(l.value)) throw new InvalidLabelsError(`value of label ${JSON.stringify(l.name)} is not valid UTF-8`);
  }
  pairs.sort((a, b) => compareStrings(a.name, b.name));
  for (let i = 1; i < pairs.length; i++) {
    if (pairs[i]!.name === pairs[i - 1]!.name) throw new InvalidLabelsError(`duplicate label name ${JSON.stringify(pairs[i]!.name)}`);
  }
  // The mapped array has exactly its length; a filtered one is grown as it fills, with spare room kept.
  return pairs.some((l) => l.value === '') ? pairs.filter((l) => l.value !== '') : pairs;
}

/**
 * Whether a frozen array is already a valid label set of frozen labels: it
 * can then be shared as it is (the scrape cache keeps each series' labels
 * so, and the head holds the same array instead of a copy).
 */
function isFrozenLabelSet(ls: Labels): boolean {
  for (let i = 0; i < ls.length; i++) {
    const l = ls[i]!;
    if (!Object.isFrozen(l) || typeof l.name !== 'string' || typeof l.value !== 'string' || l.name === '' || l.value === '') return false;
    if (i > 0 && compareStrings(ls[i - 1]!.name, l.name) >= 0) return false;
    if (!isWellFormed(l.name) || !isWellFormed(l.value)) return false;
  }
  return true;
}

/** Byte-wise (UTF-8 order) string comparison, as Go compares strings. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // UTF-16 orders surrogates (astral code points) below U+E000..U+FFFF; UTF-8 does not.
    if (x >= 0xd800 && x <= 0xdfff) x += 0x2000;
    else if (x >= 0xe000) x -= 0x800;
    if (y >= 0xd800 && y <= 0xdfff) y += 0x2000;
    else if (y >= 0xe000) y -= 0x800;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/** Orders label sets as Prometheus's labels.Compare. */
export function compareLabels(a: Labels, b: Labels): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i]!, y = b[i]!;
    if (x.name !== y.name) return compareStrings(x.name, y.name);
    if (x.value !== y.value) return compareStrings(x.value, y.value);
  }
  return a.length - b.length;
}

/**
 * A string that identifies the label set (used as a map key): each name and
 * value followed by U+00FF, as Prometheus follows each with the byte 0xff.
 * That byte never occurs in UTF-8, but U+00FF (ÿ) is a character a label may
 * hold, so a name or value holding ÿ or U+00FE (þ) has them written as
 * þ\x01 and þ\x02 (keyPart): {a="1ÿbÿ2"} and {a="1", b="2"} would share a
 * key otherwise, and a `sum by (a, b)` would add them up as one group.
 */
export function labelsKey(ls: Labels): string {
  let s = '';
  for (let i = 0; i < ls.length; i++) {
    const l = ls[i]!;
    s += keyPart(l.name) + '\xff' + keyPart(l.value) + '\xff';
  }
  return s;
}

/** A name or value as a key holds it (see labelsKey): itself unless it holds ÿ or þ, which a key keeps for its own marks. */
export function keyPart(x: string): string {
  // Two scans of the string's own code, far cheaper than a regular expression on every part of every key.
  return x.indexOf('\xff') < 0 && x.indexOf('\xfe') < 0 ? x : x.replace(KEY_MARKS, (c) => (c === '\xff' ? '\xfe\x01' : '\xfe\x02'));
}

const KEY_MARKS = /[\xfe\xff]/g;

/**
 * FNV-1a over the label set's names and values (each followed by 0xff), without building a string: equal sets
 * hash alike, so a hash match only needs the sets (or their labelsKey) compared.
 */
export function labelsHash32(ls: Labels): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < ls.length; i++) {
    const { name, value } = ls[i]!;
    for (let k = 0; k < name.length; k++) h = Math.imul(h ^ name.charCodeAt(k), 0x01000193);
    h = Math.imul(h ^ 0xff, 0x01000193);
    for (let k = 0; k < value.length; k++) h = Math.imul(h ^ value.charCodeAt(k), 0x01000193);
    h = Math.imul(h ^ 0xff, 0x01000193);
  }
  return h;
}

export function getLabel(ls: Labels, name: string): string {
  for (const l of ls) if (l.name === name) return l.value;
  return '';
}

/** Plain-object form, e.g. for JSON output. */
export function labelsToRecord(ls: Labels): Record<string, string> {
  const o: Record<string, string> = {};
  for (const l of ls) o[l.name] = l.value;
  return o;
}

/** Prometheus's text form: name{a="1", b="2"}. */
export function formatLabels(ls: Labels): string {
  const name = getLabel(ls, METRIC_NAME);
  const rest = ls.filter((l) => l.name !== METRIC_NAME).map((l) => `${l.name}=${JSON.stringify(l.value)}`);
  return `${name}{${rest.join(', ')}}`;
}
