// A scrape's view of an exposition body: sample lines one at a time as the
// raw text of their series (name and labels, exactly as written), a value
// and an optional timestamp, without building labels. A caller that keeps
// series by that text (the scrape cache) asks for the full parse (`parse()`)
// only for a series it does not know. Lines the fast path does not cover
// (exemplars, odd spacing, anything malformed) go through the full line
// parser, so errors and values are always exactly parseExposition's.

import { ExpositionLineParser, scanGoFloat, type Exemplar, type ExpositionFormat, type MetricMetadata, type ParsedSample } from './parse.js';

const isNameStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 58;
const isNameChar = (c: number) => isNameStart(c) || (c >= 48 && c <= 57);
const isBlank = (c: number) => c === 32 || c === 9;

export class SampleScanner {
  private readonly parser: ExpositionLineParser;
  private readonly om: boolean;
  private pos = 0;
  private lineStart = 0;
  private lineEnd = 0;
  /** End of the current line without its newline (and, in the text format, a carriage return). */
  private contentEnd = 0;
  private full: ParsedSample | null = null;
  /**
   * Lines starting with "#" passed so far: metadata (a TYPE) can change how
   * later lines of a series parse (le, quantile), so a caller keeping parsed
   * labels by series text drops them when this moves.
   */
  metadataLines = 0;
  /** 1-based number of the current line. */
  lineNo = 0;
  /** Where the current sample's series text ("name{labels}" as written) starts and ends; end -1 when it could not be cut out. */
  seriesStart = 0;
  seriesEnd = -1;
  /** FNV-1a hash of the series text, computed while scanning it. */
  seriesHash = 0;
  value = 0;
  /** ms, when the line carries a timestamp. */
  timestamp: number | undefined = undefined;

  private body: string;
  /** Whether the text ends the input (then OpenMetrics's # EOF is checked at its end). */
  private final = true;

  constructor(text: string, format: ExpositionFormat = 'text') {
    this.body = text;
    this.parser = new ExpositionLineParser(format);
    this.om = format === 'openmetrics';
  }

  /** The text being scanned (the current piece, for an input fed in pieces). */
  get text(): string {
    return this.body;
  }

  /**
   * Continues with the next piece of a long input (a file read in chunks):
   * whole lines only, metadata and line numbers carried on; `final` for the
   * last piece, after which the end checks apply.
   */
  continueWith(text: string, final: boolean): void {
    this.body = text;
    this.final = final;
    this.pos = 0;
    this.lineStart = this.lineEnd = this.contentEnd = 0;
    this.full = null;
    this.seriesEnd = -1;
  }

  get metadata(): Map<string, MetricMetadata> {
    return this.parser.metadata;
  }

  /** Moves to the next sample line and reads it; false after the last (OpenMetrics's # EOF checked). Throws ExpositionError. */
  next(): boolean {
    if (!this.nextLine()) return false;
    this.read();
    return true;
  }

  /**
   * Moves to the next sample line without reading it: then either known()
   * or read(). False after the last line (OpenMetrics's # EOF checked).
   */
  nextLine(): boolean {
    const text = this.body;
    const n = text.length;
    while (this.pos < n) {
      const start = this.pos;
      let end = text.indexOf('\n', start);
      if (end < 0) end = n;
      this.pos = end + 1;
      this.lineNo++;
      this.lineStart = start;
      this.lineEnd = end;
      this.full = null;
      this.seriesEnd = -1;
      let e = end;
      if (!this.om && e > start && text.charCodeAt(e - 1) === 13) e--;
      this.contentEnd = e;
      const c = text.charCodeAt(start);
      if (e === start || c === 35 || this.parser.eof) {
        if (c === 35) this.metadataLines++;
        this.parser.line(c === 35 ? detachedLine(text, start, end) : text.slice(start, end), this.lineNo);
        continue;
      }
      if (!isNameStart(c) && c !== 123) {
        // Blanks (of any kind), or an error: the full parser decides.
        const s = this.parser.line(text.slice(start, end), this.lineNo);
        if (!s) continue;
        this.full = s;
      }
      return true;
    }
    if (this.final) this.parser.finish(this.lineNo);
    return false;
  }

  /**
   * Whether the current line's series is exactly `key` (a series text seen
   * before), checked in place; then its value and timestamp are read. The
   * cheap path for a target that lists its series in the same order every time.
   */
  known(key: string): boolean {
    if (this.full || key.length === 0) return false;
    const text = this.body;
    const start = this.lineStart, end = start + key.length;
    // substring + === compares with memcmp, several times faster than startsWith or a char loop.
    if (end >= this.contentEnd || !isBlank(text.charCodeAt(end)) || text.substring(start, end) !== key) return false;
    if (!this.valueAndTimestamp(end, this.contentEnd)) return false;
    this.seriesStart = start;
    this.seriesEnd = end;
    return true;
  }

  /** Reads the current line: its series text (and hash), value and timestamp. */
  read(): void {
    if (this.full) {
      this.value = this.full.value;
      this.timestamp = this.full.timestamp;
      return;
    }
    const start = this.lineStart, e = this.contentEnd;
    const seriesEnd = this.scanSeries(start, e);
    this.seriesStart = start;
    this.seriesEnd = seriesEnd;
    if (seriesEnd >= 0 && this.valueAndTimestamp(seriesEnd, e)) return;
    const s = this.parse();
    this.value = s.value;
    this.timestamp = s.timestamp;
  }

  /** The current line's exemplar: lines with one always take the full parse, so it is known without asking for it. */
  get exemplar(): Exemplar | undefined {
    return this.full?.exemplar;
  }

  /** The current series text ("" when it could not be cut out): a copy, for keeping. */
  get series(): string {
    return this.seriesEnd < 0 ? '' : this.body.slice(this.seriesStart, this.seriesEnd);
  }

  /** Whether the current series text is `key`, without copying it out. */
  seriesIs(key: string): boolean {
    return this.seriesEnd >= 0 && key.length === this.seriesEnd - this.seriesStart && this.body.substring(this.seriesStart, this.seriesEnd) === key;
  }

  /** The current line fully parsed: labels, metadata-dependent forms, exemplar. */
  parse(): ParsedSample {
    this.full ??= this.parser.line(this.body.slice(this.lineStart, this.lineEnd), this.lineNo)!;
    return this.full;
  }

  /** End of "name{...}" (quotes and escapes respected), or -1; hashes the text on the way. */
  private scanSeries(start: number, e: number): number {
    const text = this.body;
    let h = 0x811c9dc5;
    let i = start;
    let c = text.charCodeAt(i);
    if (isNameStart(c)) {
      do {
        h = Math.imul(h ^ c, 0x01000193);
        c = text.charCodeAt(++i);
      } while (i < e && isNameChar(c));
    }
    if (i < e && c === 123) {
      h = Math.imul(h ^ c, 0x01000193);
      i++;
      for (;;) {
        if (i >= e) return -1;
        c = text.charCodeAt(i);
        h = Math.imul(h ^ c, 0x01000193);
        i++;
        if (c === 125) break;
        if (c === 34) {
          for (;;) {
            if (i >= e) return -1;
            c = text.charCodeAt(i++);
            h = Math.imul(h ^ c, 0x01000193);
            if (c === 34) break;
            if (c === 92) {
              if (i >= e) return -1;
              h = Math.imul(h ^ text.charCodeAt(i++), 0x01000193);
            }
          }
        }
      }
    }
    this.seriesHash = h >>> 0;
    return i === start ? -1 : i;
  }

  /** The common " value [timestamp]" tail; false for anything else (the full parser decides). */
  private valueAndTimestamp(i: number, e: number): boolean {
    const text = this.body;
    if (i >= e || !isBlank(text.charCodeAt(i))) return false;
    while (i < e && isBlank(text.charCodeAt(i))) i++;
    const vs = i;
    while (i < e && !isBlank(text.charCodeAt(i))) i++;
    const v = scanGoFloat(text, vs, i);
    if (v === null) return false;
    while (i < e && isBlank(text.charCodeAt(i))) i++;
    if (i === e) {
      this.value = v;
      this.timestamp = undefined;
      return true;
    }
    if (text.charCodeAt(i) === 35) return false;
    const ts = i;
    while (i < e && !isBlank(text.charCodeAt(i))) i++;
    const te = i;
    while (i < e && isBlank(text.charCodeAt(i))) i++;
    if (i !== e) return false;
    let t: number;
    if (this.om) {
      const f = scanGoFloat(text, ts, te);
      if (f === null || !Number.isFinite(f)) return false;
      t = Math.round(f * 1000);
    } else {
      if (te - ts > 16) return false;
      t = 0;
      for (let k = ts; k < te; k++) {
        const c = text.charCodeAt(k);
        if (c < 48 || c > 57) return false;
        t = t * 10 + (c - 48);
      }
      if (!Number.isSafeInteger(t)) return false;
    }
    this.value = v;
    this.timestamp = t;
    return true;
  }
}

/**
 * A comment line copied out of the piece of text it is in. The parser keeps
 * what HELP, TYPE and UNIT lines say for the whole scrape; a slice would keep
 * the piece alive with it, and a piece alive that long is moved to the old
 * generation, where only a full collection frees it: every piece of every
 * body has a HELP line. Converting a concatenation to a number flattens it
 * into a string of its own, which the slice then refers to instead.
 */
function detachedLine(text: string, start: number, end: number): string {
  const joined = ' ' + text.slice(start, end);
  flattened = Number(joined);
  return joined.slice(1);
}
let flattened = 0;
