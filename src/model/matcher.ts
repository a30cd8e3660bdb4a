// Label matchers: = != =~ !~.

import { compileRegex, type ValueMatcher } from './regex.js';

export type MatchType = '=' | '!=' | '=~' | '!~';

/** A compiled label matcher. */
export class Matcher {
  private readonly test: ValueMatcher;

  /** Throws RegexError for an invalid regular expression. */
  constructor(readonly type: MatchType, readonly name: string, readonly value: string) {
    switch (type) {
      case '=': this.test = (v) => v === value; break;
      case '!=': this.test = (v) => v !== value; break;
      case '=~': this.test = compileRegex(value); break;
      case '!~': { const re = compileRegex(value); this.test = (v) => !re(v); break; }
      default: throw new Error(`unknown match type ${JSON.stringify(type)}`);
    }
  }

  /** Whether a label value (empty for an absent label) satisfies the matcher. */
  matches(value: string): boolean {
    return this.test(value);
  }

  /** The matcher with the opposite type (= ↔ !=, =~ ↔ !~). */
  inverse(): Matcher {
    const inv: Record<MatchType, MatchType> = { '=': '!=', '!=': '=', '=~': '!~', '!~': '=~' };
    return new Matcher(inv[this.type], this.name, this.value);
  }

  toString(): string {
    return `${this.name}${this.type}${JSON.stringify(this.value)}`;
  }
}
