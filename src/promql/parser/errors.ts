import { type PositionRange, lineColumn } from './posrange.js';

/**
 * A PromQL parse or type-check error. Its message reads like Prometheus's:
 * `1:14: parse error: unexpected "}" in label matching, expected string`.
 */
export class ParseError extends Error {
  /** 1-based line of the error's start. */
  readonly line: number;
  /** 1-based column (in UTF-8 bytes, as Prometheus counts) of the error's start. */
  readonly column: number;
  /** The message without the position prefix. */
  readonly detail: string;

  constructor(
    detail: string,
    readonly positionRange: PositionRange,
    readonly query: string,
    /** Every error found, first one first (this error is the first). */
    readonly errors: ReadonlyArray<{ detail: string; positionRange: PositionRange }> = [{ detail, positionRange }],
  ) {
    const { line, column } = lineColumn(query, positionRange.start);
    super(`${line}:${column}: parse error: ${detail}`);
    this.name = 'ParseError';
    this.line = line;
    this.column = column;
    this.detail = detail;
  }
}

/** Collects errors while parsing and checking; the first one is reported. */
export class ErrorList {
  readonly items: { detail: string; positionRange: PositionRange }[] = [];

  add(positionRange: PositionRange, detail: string): void {
    this.items.push({ detail, positionRange });
  }

  get empty(): boolean {
    return this.items.length === 0;
  }

  toError(query: string): ParseError {
    const first = this.items[0]!;
    return new ParseError(first.detail, first.positionRange, query, this.items);
  }
}
