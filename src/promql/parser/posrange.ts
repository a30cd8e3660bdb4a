// Positions in a query: offsets are JavaScript string indices (UTF-16
// code units), so editors can use them directly. Rendered "line:col"
// columns count UTF-8 bytes, as Prometheus's error messages do.

export interface PositionRange {
  start: number;
  end: number;
}

/** Prometheus's "line:col" for an offset: 1-based line, 1-based byte column. */
export function lineColumn(query: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < query.length; i++) {
    if (query.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: utf8Length(query.slice(lineStart, offset)) + 1 };
}

export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}
