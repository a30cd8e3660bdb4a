// The PromQL grammar as a Chevrotain parser that builds the AST directly.
// Precedence comes from rule nesting, lowest first (generated_parser.y):
// or < and/unless < comparisons < + - < * / % atan2 < unary < ^ (right).
// Postfix modifiers ([range], [range:step], offset, @, anchored, smoothed)
// bind tightest, to the operand they follow.

import type { IToken, TokenType } from 'chevrotain';
import { EmbeddedActionsParser, tokenMatcher } from './chevrotain.js';
import * as T from './tokens.js';
import type {
  AggregateOp, BinaryOp, DurationExpr, Expr, LabelMatcher, MatchType, NumberLiteral, VectorMatching, VectorSelector,
} from './ast.js';
import { getFunction, type FunctionDef } from './functions.js';
import { LiteralError, parseNumber, secondsToMillis, unquoteString } from './literals.js';
import { parseDuration } from '../../model/duration.js';
import type { ErrorList } from './errors.js';
import type { PositionRange } from './posrange.js';

/** Parser options, named after Prometheus's feature flags. */
export interface ParseOptions {
  /** promql-experimental-functions: experimental functions and limitk/limit_ratio. */
  experimentalFunctions?: boolean;
  /** promql-extended-range-selectors: the anchored and smoothed modifiers. */
  extendedRangeSelectors?: boolean;
  /** promql-binop-fill-modifiers: fill(), fill_left(), fill_right(). */
  binopFillModifiers?: boolean;
  /** promql-duration-expr: arithmetic in ranges and offsets (on by default, as in 3.14). */
  durationExpressions?: boolean;
}

interface BinModifiers {
  returnBool: boolean;
  matching: VectorMatching;
  /** Range of the modifiers' fill keywords, for "not enabled" errors. */
  fillRange: PositionRange | null;
}

const BINARY_OPS = new Map<TokenType, BinaryOp>([
  [T.Add, '+'], [T.Sub, '-'], [T.Mul, '*'], [T.Div, '/'], [T.Mod, '%'], [T.Pow, '^'], [T.Atan2, 'atan2'],
  [T.EqlC, '=='], [T.Neq, '!='], [T.Gtr, '>'], [T.Lss, '<'], [T.Gte, '>='], [T.Lte, '<='], [T.TrimUpper, '</'], [T.TrimLower, '>/'],
  [T.And, 'and'], [T.Or, 'or'], [T.Unless, 'unless'],
]);
const MATCH_OPS = new Map<TokenType, MatchType>([[T.Eql, '='], [T.Neq, '!='], [T.EqlRegex, '=~'], [T.NeqRegex, '!~']]);
const FUNCTION_NAME_TOKENS: TokenType[] = [T.Identifier, T.Start, T.End, T.Step, T.Range];

/** Offset just past a token. */
export const endOf = (t: IToken): number => (t.endOffset ?? t.startOffset) + 1;
/** Binary operators handled by the expr rule, and their precedence (higher binds tighter). */
const CHAIN_OPS: TokenType[] = [T.Or, T.And, T.Unless, T.CmpOpTok, T.Add, T.Sub, T.Mul, T.Div, T.Mod, T.Atan2];
function precedence(t: TokenType): number {
  if (t === T.Or) return 1;
  if (t === T.And || t === T.Unless) return 2;
  if (t === T.Add || t === T.Sub) return 4;
  if (t === T.Mul || t === T.Div || t === T.Mod || t === T.Atan2) return 5;
  return 3; // comparisons and the histogram trim operators
}

const span = (a: IToken, b: IToken): PositionRange => ({ start: a.startOffset, end: endOf(b) });
const tokRange = (t: IToken): PositionRange => span(t, t);

export class PromQLParser extends EmbeddedActionsParser {
  /** Collects semantic errors found while parsing; set by parse(). */
  errs!: ErrorList;
  opts: Required<ParseOptions> = { experimentalFunctions: false, extendedRangeSelectors: false, binopFillModifiers: false, durationExpressions: true };
  /** End offset of the last token consumed by a rule that closes an expression. */
  private lastEnd = 0;

  constructor() {
    super(T.ALL_TOKENS, { maxLookahead: 3, recoveryEnabled: false });
    this.performSelfAnalysis();
  }

  private err(range: PositionRange, msg: string): void {
    this.ACTION(() => this.errs.add(range, msg));
  }

  private take(t: TokenType, idx = 0): IToken {
    const tok = idx === 0 ? this.CONSUME(t) : idx === 1 ? this.CONSUME1(t) : this.CONSUME2(t);
    this.lastEnd = endOf(tok);
    return tok;
  }

  public start = this.RULE('start', (): Expr => this.SUBRULE(this.expr));
  /**
   * Binary operators below ^ in one rule: operands and operators are
   * collected flat, then folded by precedence (all left-associative). One
   * rule instead of one per level keeps the recursion per nesting level
   * small, so deeply nested queries fit the stack.
   */
  public expr = this.RULE('expr', (): Expr => {
    const operands: Expr[] = [this.SUBRULE(this.operand)];
    const ops: { tok: IToken; mods: BinModifiers }[] = [];
    this.MANY(() => {
      const tok = this.OR(CHAIN_OPS.map((t) => ({ ALT: () => this.CONSUME(t) })));
      const mods = this.SUBRULE(this.binModifiers);
      operands.push(this.SUBRULE1(this.operand));
      ops.push({ tok, mods });
    });
    return this.ACTION(() => this.foldBinary(operands, ops));
  });

  private foldBinary(operands: Expr[], ops: { tok: IToken; mods: BinModifiers }[]): Expr {
    // Shunting-yard over left-associative levels.
    const out: Expr[] = [operands[0]!];
    const stack: { tok: IToken; mods: BinModifiers }[] = [];
    const reduce = () => {
      const op = stack.pop()!;
      const rhs = out.pop()!;
      const lhs = out.pop()!;
      out.push(this.binary(op.tok, op.mods, lhs, rhs));
    };
    ops.forEach((op, i) => {
      const p = precedence(op.tok.tokenType);
      while (stack.length > 0 && precedence(stack[stack.length - 1]!.tok.tokenType) >= p) reduce();
      stack.push(op);
      out.push(operands[i + 1]!);
    });
    while (stack.length > 0) reduce();
    return out[0]!;
  }

  /**
   * An operand: unary signs, a primary with its postfix modifiers, and an
   * optional right-associative `^ operand`. Signs bind looser than ^ and
   * tighter than *: -a ^ b is -(a ^ b).
   */
  private operand = this.RULE('operand', (): Expr => {
    const signs: IToken[] = [];
    this.MANY(() => {
      signs.push(this.OR([{ ALT: () => this.CONSUME(T.Add) }, { ALT: () => this.CONSUME(T.Sub) }]));
    });
    let e = this.SUBRULE(this.primary);
    this.MANY1(() => {
      this.OR1([
        { ALT: () => (e = this.SUBRULE(this.rangeSuffix, { ARGS: [e] })) },
        { ALT: () => (e = this.SUBRULE(this.offsetSuffix, { ARGS: [e] })) },
        { ALT: () => (e = this.SUBRULE(this.atSuffix, { ARGS: [e] })) },
        {
          ALT: () => {
            const t = this.OR2([{ ALT: () => this.CONSUME(T.Anchored) }, { ALT: () => this.CONSUME(T.Smoothed) }]);
            this.ACTION(() => this.setExtended(e, t));
          },
        },
      ]);
    });
    this.OPTION(() => {
      const op = this.CONSUME(T.Pow);
      const mods = this.SUBRULE(this.binModifiers);
      const rhs = this.SUBRULE(this.operand);
      e = this.ACTION(() => this.binary(op, mods, e, rhs));
    });
    return this.ACTION(() => signs.reduceRight((acc, sign) => this.unary(sign, acc), e));
  });

  private binModifiers = this.RULE('binModifiers', (): BinModifiers => {
    const matching: VectorMatching = { card: 'one-to-one', matchingLabels: [], on: false, include: [], fillLHS: null, fillRHS: null };
    let returnBool = false;
    let fillRange: PositionRange | null = null;
    this.OPTION(() => {
      this.CONSUME(T.Bool);
      returnBool = true;
    });
    this.OPTION1(() => {
      const kw = this.OR([{ ALT: () => this.CONSUME(T.On) }, { ALT: () => this.CONSUME(T.Ignoring) }]);
      const labels = this.SUBRULE(this.groupingLabels);
      this.ACTION(() => {
        matching.on = kw.tokenType === T.On;
        matching.matchingLabels = labels;
      });
      this.OPTION2(() => {
        const g = this.OR1([{ ALT: () => this.CONSUME(T.GroupLeft) }, { ALT: () => this.CONSUME(T.GroupRight) }]);
        let include: string[] = [];
        this.OPTION3(() => {
          include = this.SUBRULE1(this.groupingLabels);
        });
        this.ACTION(() => {
          matching.card = g.tokenType === T.GroupLeft ? 'many-to-one' : 'one-to-many';
          matching.include = include;
        });
      });
    });
    this.OPTION4(() => {
      const first = this.OR2([
        { ALT: () => this.CONSUME(T.Fill) },
        { ALT: () => this.CONSUME(T.FillLeft) },
        { ALT: () => this.CONSUME(T.FillRight) },
      ]);
      const v = this.SUBRULE(this.fillValue);
      let last = first;
      this.ACTION(() => {
        if (first.tokenType === T.Fill) {
          matching.fillLHS = v;
          matching.fillRHS = v;
        } else if (first.tokenType === T.FillLeft) matching.fillLHS = v;
        else matching.fillRHS = v;
      });
      this.OPTION5(() => {
        const second = this.OR3([{ ALT: () => this.CONSUME1(T.FillLeft) }, { ALT: () => this.CONSUME1(T.FillRight) }]);
        const w = this.SUBRULE1(this.fillValue);
        last = second;
        this.ACTION(() => {
          if (first.tokenType === T.Fill || first.tokenType === second.tokenType) {
            this.err(tokRange(second), `unexpected ${T.describeToken(second.tokenType, second.image)} in fill modifier`);
          }
          if (second.tokenType === T.FillLeft) matching.fillLHS = w;
          else matching.fillRHS = w;
        });
      });
      fillRange = this.ACTION(() => ({ start: first.startOffset, end: endOf(last) }));
    });
    return { returnBool, matching, fillRange };
  });

  private fillValue = this.RULE('fillValue', (): number => {
    this.CONSUME(T.LParen);
    let sign = 1;
    this.OPTION(() => {
      const s = this.OR([{ ALT: () => this.CONSUME(T.Add) }, { ALT: () => this.CONSUME(T.Sub) }]);
      if (s.tokenType === T.Sub) sign = -1;
    });
    const n = this.CONSUME(T.NumberTok);
    this.CONSUME(T.RParen);
    return this.ACTION(() => sign * this.number(n));
  });

  /** `(a, b, "c.d")` after by/without/on/ignoring/group_x. */
  private groupingLabels = this.RULE('groupingLabels', (): string[] => {
    const labels: string[] = [];
    this.CONSUME(T.LParen);
    this.OPTION(() => {
      labels.push(this.SUBRULE(this.groupingLabel));
      this.MANY({
        GATE: () => !tokenMatcher(this.LA(2), T.RParen),
        DEF: () => {
          this.CONSUME(T.Comma);
          labels.push(this.SUBRULE1(this.groupingLabel));
        },
      });
      this.OPTION1(() => this.CONSUME1(T.Comma));
    });
    this.take(T.RParen);
    return labels;
  });

  private groupingLabel = this.RULE('groupingLabel', (): string =>
    this.OR([
      {
        ALT: () => {
          const t = this.CONSUME(T.LabelNameTok);
          if (t.tokenType === T.MetricIdentifier) {
            this.err(tokRange(t), `unexpected ${T.describeToken(t.tokenType, t.image)} in grouping opts, expected label`);
          }
          return t.image;
        },
      },
      { ALT: () => { const t = this.CONSUME(T.StringTok); return this.ACTION(() => this.string(t)); } },
    ]),
  );

  /** `[range]` (matrix selector) or `[range:step]` / `[range:]` (subquery). */
  private rangeSuffix = this.RULE('rangeSuffix', (e: Expr): Expr => {
    const open = this.CONSUME(T.LBracket);
    const range = this.SUBRULE(this.durationExpr);
    let colon: IToken | undefined;
    let step: Expr | undefined;
    this.OPTION(() => {
      colon = this.CONSUME(T.Colon);
      this.OPTION1(() => {
        step = this.SUBRULE1(this.durationExpr);
      });
    });
    const close = this.take(T.RBracket);
    return this.ACTION(() => {
      const [rangeMs, rangeExpr] = this.durationValue(range, true);
      const start = e.posRange.start;
      if (colon === undefined) {
        if (e.type !== 'VectorSelector') {
          this.err(span(open, close), 'ranges only allowed for vector selectors');
        } else if (e.offset !== 0 || e.offsetExpr !== null) {
          this.err(span(open, close), 'no offset modifiers allowed before range');
        } else if (e.timestamp !== null || e.startOrEnd !== null) {
          this.err(span(open, close), 'no @ modifiers allowed before range');
        }
        return { type: 'MatrixSelector', vectorSelector: e, range: rangeMs, rangeExpr, posRange: { start, end: endOf(close) } };
      }
      const [stepMs, stepExpr] = step === undefined ? [0, null] : this.durationValue(step, true);
      return {
        type: 'SubqueryExpr', expr: e, range: rangeMs, rangeExpr, step: stepMs, stepExpr,
        offset: 0, offsetExpr: null, timestamp: null, startOrEnd: null,
        posRange: { start, end: endOf(close) },
      };
    });
  });

  /** `offset <duration>`, `offset -<duration>`, `offset (<duration expression>)`, `offset step()`... */
  private offsetSuffix = this.RULE('offsetSuffix', (e: Expr): Expr => {
    this.CONSUME(T.Offset);
    let sign: IToken | undefined;
    this.OPTION(() => {
      sign = this.OR([{ ALT: () => this.CONSUME(T.Add) }, { ALT: () => this.CONSUME(T.Sub) }]);
    });
    const atom = this.SUBRULE(this.durationAtom);
    return this.ACTION(() => {
      const value = sign ? this.applyUnary(sign, atom) : atom;
      const [ms, expr] = this.durationValue(value, false);
      this.setOffset(e, ms, expr);
      return e;
    });
  });

  /** `@ <time>`, `@ start()`, `@ end()`. */
  private atSuffix = this.RULE('atSuffix', (e: Expr): Expr => {
    const at = this.CONSUME(T.At);
    return this.OR([
      {
        ALT: () => {
          const which = this.OR1([{ ALT: () => this.CONSUME(T.Start) }, { ALT: () => this.CONSUME(T.End) }]);
          this.CONSUME(T.LParen);
          this.take(T.RParen);
          return this.ACTION(() => {
            this.setAt(e, at, null, which.tokenType === T.Start ? 'start' : 'end');
            return e;
          });
        },
      },
      {
        ALT: () => {
          let negative = false;
          this.OPTION(() => {
            const s = this.OR2([{ ALT: () => this.CONSUME(T.Add) }, { ALT: () => this.CONSUME(T.Sub) }]);
            negative = s.tokenType === T.Sub;
          });
          const n = this.OR3([{ ALT: () => this.take(T.NumberTok) }, { ALT: () => this.take(T.DurationTok) }]);
          return this.ACTION(() => {
            const seconds = (negative ? -1 : 1) * (n.tokenType === T.DurationTok ? this.duration(n) / 1000 : this.number(n));
            this.setAt(e, at, seconds, null);
            return e;
          });
        },
      },
    ]);
  });

  // ---- duration expressions (inside [...] and after offset) ----

  private durationExpr = this.RULE('durationExpr', (): Expr => {
    let lhs = this.SUBRULE(this.durMul);
    this.MANY(() => {
      const op = this.OR([{ ALT: () => this.CONSUME(T.Add) }, { ALT: () => this.CONSUME(T.Sub) }]);
      const rhs = this.SUBRULE1(this.durMul);
      lhs = this.ACTION(() => this.durBinary(op, lhs, rhs));
    });
    return lhs;
  });

  private durMul = this.RULE('durMul', (): Expr => {
    let lhs = this.SUBRULE(this.durUnary);
    this.MANY(() => {
      const op = this.OR([{ ALT: () => this.CONSUME(T.Mul) }, { ALT: () => this.CONSUME(T.Div) }, { ALT: () => this.CONSUME(T.Mod) }]);
      const rhs = this.SUBRULE1(this.durUnary);
      lhs = this.ACTION(() => this.durBinary(op, lhs, rhs));
    });
    return lhs;
  });

  private durUnary = this.RULE('durUnary', (): Expr =>
    this.OR([
      {
        ALT: () => {
          const op = this.OR1([{ ALT: () => this.CONSUME(T.Add) }, { ALT: () => this.CONSUME(T.Sub) }]);
          const e = this.SUBRULE(this.durUnary);
          return this.ACTION(() => this.applyUnary(op, e));
        },
      },
      { ALT: () => this.SUBRULE(this.durPow) },
    ]),
  );

  private durPow = this.RULE('durPow', (): Expr => {
    let lhs = this.SUBRULE(this.durationAtom);
    this.OPTION(() => {
      const op = this.CONSUME(T.Pow);
      const rhs = this.SUBRULE(this.durUnary);
      lhs = this.ACTION(() => this.durBinary(op, lhs, rhs));
    });
    return lhs;
  });

  private durationAtom = this.RULE('durationAtom', (): Expr =>
    this.OR([
      { ALT: () => { const t = this.take(T.NumberTok); return this.ACTION(() => this.numberLiteral(t)); } },
      { ALT: () => { const t = this.take(T.DurationTok); return this.ACTION(() => this.numberLiteral(t)); } },
      {
        ALT: () => {
          const kw = this.OR1([{ ALT: () => this.CONSUME(T.Step) }, { ALT: () => this.CONSUME(T.Range) }]);
          this.CONSUME(T.LParen);
          const close = this.take(T.RParen);
          return this.ACTION((): Expr => ({
            type: 'DurationExpr', op: kw.tokenType === T.Step ? 'step' : 'range', lhs: null, rhs: null, wrapped: false, posRange: span(kw, close),
          }));
        },
      },
      {
        GATE: () => /^(min|max)_of$/i.test(this.LA(1).image),
        ALT: () => {
          const name = this.CONSUME(T.Identifier);
          this.CONSUME1(T.LParen);
          const a = this.SUBRULE(this.durationExpr);
          this.CONSUME(T.Comma);
          const b = this.SUBRULE1(this.durationExpr);
          const close = this.take(T.RParen, 1);
          return this.ACTION((): Expr => ({
            type: 'DurationExpr', op: name.image.toLowerCase() === 'min_of' ? 'min_of' : 'max_of', lhs: a, rhs: b, wrapped: false, posRange: span(name, close),
          }));
        },
      },
      {
        ALT: () => {
          const open = this.CONSUME2(T.LParen);
          const inner = this.SUBRULE2(this.durationExpr);
          const close = this.take(T.RParen, 2);
          return this.ACTION(() => this.wrapDuration(inner, span(open, close)));
        },
      },
    ]),
  );

  // ---- primaries ----

  private primary = this.RULE('primary', (): Expr =>
    this.OR({
      IGNORE_AMBIGUITIES: true,
      DEF: [
        {
          GATE: () => tokenMatcher(this.LA(1), T.AggregatorTok) &&
            (tokenMatcher(this.LA(2), T.LParen) || tokenMatcher(this.LA(2), T.By) || tokenMatcher(this.LA(2), T.Without)),
          ALT: () => this.SUBRULE(this.aggregation),
        },
        {
          GATE: () => FUNCTION_NAME_TOKENS.some((t) => tokenMatcher(this.LA(1), t)) && tokenMatcher(this.LA(2), T.LParen),
          ALT: () => this.SUBRULE(this.functionCall),
        },
        { ALT: () => this.SUBRULE(this.vectorSelector) },
        { ALT: () => { const t = this.take(T.NumberTok); return this.ACTION(() => this.numberLiteral(t)); } },
        { ALT: () => { const t = this.take(T.DurationTok); return this.ACTION(() => this.numberLiteral(t)); } },
        {
          ALT: () => {
            const t = this.CONSUME(T.StringTok);
            return this.ACTION((): Expr => ({ type: 'StringLiteral', val: this.string(t), posRange: tokRange(t) }));
          },
        },
        {
          ALT: () => {
            const open = this.CONSUME(T.LParen);
            const e = this.SUBRULE(this.expr);
            const close = this.take(T.RParen);
            return this.ACTION((): Expr => ({ type: 'ParenExpr', expr: e, posRange: span(open, close) }));
          },
        },
      ],
    }),
  );

  private aggregation = this.RULE('aggregation', (): Expr => {
    const op = this.CONSUME(T.AggregatorTok);
    let grouping: string[] = [];
    let without = false;
    const modifier = () => {
      const kw = this.OR([{ ALT: () => this.CONSUME(T.By) }, { ALT: () => this.CONSUME(T.Without) }]);
      grouping = this.SUBRULE(this.groupingLabels);
      without = kw.tokenType === T.Without;
    };
    let args: Expr[] = [];
    let end = 0;
    this.OR1([
      {
        ALT: () => {
          modifier();
          args = this.SUBRULE(this.callArgs);
          end = this.lastEnd;
        },
      },
      {
        ALT: () => {
          args = this.SUBRULE1(this.callArgs);
          end = this.lastEnd;
          this.OPTION(() => {
            const kw = this.OR2([{ ALT: () => this.CONSUME1(T.By) }, { ALT: () => this.CONSUME1(T.Without) }]);
            grouping = this.SUBRULE1(this.groupingLabels);
            without = kw.tokenType === T.Without;
          });
        },
      },
    ]);
    return this.ACTION(() => this.aggregate(op, args, grouping, without, { start: op.startOffset, end }));
  });

  private functionCall = this.RULE('functionCall', (): Expr => {
    const name = this.OR(FUNCTION_NAME_TOKENS.map((t) => ({ ALT: () => this.CONSUME(t) })));
    const args = this.SUBRULE(this.callArgs);
    const end = this.lastEnd;
    return this.ACTION(() => this.call(name, args, { start: name.startOffset, end }));
  });

  private callArgs = this.RULE('callArgs', (): Expr[] => {
    const args: Expr[] = [];
    this.CONSUME(T.LParen);
    this.OPTION(() => {
      args.push(this.SUBRULE(this.expr));
      this.MANY(() => {
        const comma = this.CONSUME(T.Comma);
        let got = false;
        this.OPTION1(() => {
          args.push(this.SUBRULE1(this.expr));
          got = true;
        });
        if (!got) this.err(tokRange(comma), 'trailing commas not allowed in function call args');
      });
    });
    this.take(T.RParen);
    return args;
  });

  private vectorSelector = this.RULE('vectorSelector', (): Expr =>
    this.OR([
      {
        ALT: () => {
          const name = this.take(T.MetricNameTok);
          let braces: [LabelMatcher[], IToken, IToken] | undefined;
          this.OPTION(() => {
            braces = this.SUBRULE(this.labelMatchers);
          });
          return this.ACTION(() => this.selector(name.image, braces?.[0] ?? [], { start: name.startOffset, end: endOf(braces?.[1] ?? name) }));
        },
      },
      {
        ALT: () => {
          const braces = this.SUBRULE1(this.labelMatchers);
          return this.ACTION(() => this.selector('', braces[0], span(braces[2], braces[1])));
        },
      },
    ]),
  );

  private labelMatchers = this.RULE('labelMatchers', (): [LabelMatcher[], IToken, IToken] => {
    const matchers: LabelMatcher[] = [];
    const open = this.CONSUME(T.LBrace);
    this.OPTION(() => {
      matchers.push(this.SUBRULE(this.labelMatcher));
      this.MANY({
        GATE: () => !tokenMatcher(this.LA(2), T.RBrace),
        DEF: () => {
          this.CONSUME(T.Comma);
          matchers.push(this.SUBRULE1(this.labelMatcher));
        },
      });
      this.OPTION1(() => this.CONSUME1(T.Comma));
    });
    const close = this.take(T.RBrace);
    return [matchers, close, open];
  });

  private labelMatcher = this.RULE('labelMatcher', (): LabelMatcher =>
    this.OR([
      {
        ALT: () => {
          const name = this.CONSUME(T.Identifier);
          const op = this.CONSUME(T.MatchOpTok);
          const value = this.CONSUME(T.StringTok);
          return this.ACTION(() => ({ type: MATCH_OPS.get(op.tokenType)!, name: name.image, value: this.string(value) }));
        },
      },
      {
        ALT: () => {
          const name = this.CONSUME1(T.StringTok);
          let op: IToken | undefined;
          let value: IToken | undefined;
          this.OPTION(() => {
            op = this.CONSUME1(T.MatchOpTok);
            value = this.CONSUME2(T.StringTok);
          });
          return this.ACTION((): LabelMatcher => {
            const n = this.string(name);
            if (op === undefined) return { type: '=', name: '__name__', value: n };
            return { type: MATCH_OPS.get(op.tokenType)!, name: n, value: this.string(value!) };
          });
        },
      },
    ]),
  );

  // ---- AST construction (only called outside grammar recording) ----

  private number(t: IToken): number {
    try {
      return parseNumber(t.image);
    } catch (e) {
      this.errs.add(tokRange(t), `error parsing number: ${(e as Error).message}`);
      return 0;
    }
  }

  private duration(t: IToken): number {
    try {
      return parseDuration(t.image);
    } catch (e) {
      this.errs.add(tokRange(t), (e as Error).message);
      return 0;
    }
  }

  private string(t: IToken): string {
    try {
      return unquoteString(t.image);
    } catch (e) {
      this.errs.add(tokRange(t), `error unquoting string ${JSON.stringify(t.image)}: ${(e as LiteralError).message}`);
      return '';
    }
  }

  private numberLiteral(t: IToken): NumberLiteral {
    if (t.tokenType === T.DurationTok) {
      return { type: 'NumberLiteral', val: this.duration(t) / 1000, duration: true, posRange: tokRange(t) };
    }
    return { type: 'NumberLiteral', val: this.number(t), duration: false, posRange: tokRange(t) };
  }

  private unary(op: IToken, e: Expr): Expr {
    if (e.type === 'NumberLiteral') {
      // A sign directly on a number is part of the literal.
      if (op.tokenType === T.Sub) e.val = -e.val;
      e.posRange = { start: op.startOffset, end: e.posRange.end };
      return e;
    }
    return { type: 'UnaryExpr', op: op.tokenType === T.Sub ? '-' : '+', expr: e, posRange: { start: op.startOffset, end: e.posRange.end } };
  }

  private binary(op: IToken, mods: BinModifiers, lhs: Expr, rhs: Expr): Expr {
    if (mods.fillRange && !this.opts.binopFillModifiers) {
      this.errs.add({ start: lhs.posRange.start, end: rhs.posRange.end }, 'binop fill modifiers are experimental and not enabled');
    }
    return {
      type: 'BinaryExpr', op: BINARY_OPS.get(op.tokenType)!, lhs, rhs, matching: mods.matching, returnBool: mods.returnBool,
      posRange: { start: lhs.posRange.start, end: rhs.posRange.end },
    };
  }

  private selector(name: string, matchers: LabelMatcher[], posRange: PositionRange): VectorSelector {
    const all = name === '' ? matchers : [...matchers, { type: '=' as const, name: '__name__', value: name }];
    for (const m of all) {
      if (m.type === '=~' || m.type === '!~') this.checkRegex(m, posRange);
    }
    return {
      type: 'VectorSelector', name, matchers: all, offset: 0, offsetExpr: null, timestamp: null, startOrEnd: null,
      anchored: false, smoothed: false, bypassEmptyMatcherCheck: false, posRange,
    };
  }

  private checkRegex(m: LabelMatcher, posRange: PositionRange): void {
    try {
      this.regexCheck(m.value);
    } catch (e) {
      this.errs.add(posRange, (e as Error).message);
    }
  }

  /** Validates a regex (set by parse(): the parser itself does not depend on the regex engine). */
  regexCheck: (pattern: string) => void = () => {};

  private aggregate(op: IToken, args: Expr[], grouping: string[], without: boolean, posRange: PositionRange): Expr {
    const name = op.image.toLowerCase() as AggregateOp;
    const withParam = ['topk', 'bottomk', 'count_values', 'quantile', 'limitk', 'limit_ratio'].includes(name);
    const node: Expr = { type: 'AggregateExpr', op: name, expr: args[args.length - 1]!, param: null, grouping, without, posRange };
    if (args.length === 0) {
      this.errs.add(posRange, 'no arguments for aggregate expression provided');
      return node;
    }
    if ((name === 'limitk' || name === 'limit_ratio') && !this.opts.experimentalFunctions) {
      this.errs.add(posRange, `${name}() is experimental and must be enabled with --enable-feature=promql-experimental-functions`);
      return node;
    }
    const want = withParam ? 2 : 1;
    if (withParam) node.param = args[0]!;
    if (args.length !== want) {
      this.errs.add(posRange, `wrong number of arguments for aggregate expression provided, expected ${want}, got ${args.length}`);
    }
    node.expr = args[want - 1] ?? args[0]!;
    return node;
  }

  private call(name: IToken, args: Expr[], posRange: PositionRange): Expr {
    let func: FunctionDef | undefined = getFunction(name.image);
    if (!func) {
      this.errs.add(tokRange(name), `unknown function with name ${JSON.stringify(name.image)}`);
      func = { name: name.image, argTypes: [], variadic: 0, returnType: 'none', experimental: false };
    } else if (func.experimental && !this.opts.experimentalFunctions) {
      this.errs.add(tokRange(name), `function ${JSON.stringify(name.image)} is not enabled`);
    }
    return { type: 'Call', func, args, posRange };
  }

  private setExtended(e: Expr, t: IToken): void {
    const anchored = t.tokenType === T.Anchored;
    const word = anchored ? 'anchored' : 'smoothed';
    const range = { start: e.posRange.start, end: endOf(t) };
    if (!this.opts.extendedRangeSelectors) {
      this.errs.add(range, `${word} modifier is experimental and not enabled`);
      return;
    }
    const vs = e.type === 'VectorSelector' ? e : e.type === 'MatrixSelector' && e.vectorSelector.type === 'VectorSelector' ? e.vectorSelector : null;
    if (e.type === 'SubqueryExpr') {
      this.errs.add(range, `${word} modifier is not supported for subqueries`);
      return;
    }
    if (!vs) {
      this.errs.add(range, `${word} modifier not implemented`);
      return;
    }
    if (anchored) vs.anchored = true;
    else vs.smoothed = true;
    if (vs.anchored && vs.smoothed) this.errs.add(range, 'anchored and smoothed modifiers cannot be used together');
    e.posRange = range;
  }

  private setOffset(e: Expr, ms: number, expr: DurationExpr | null): void {
    let target: { offset: number; offsetExpr: DurationExpr | null } | null = null;
    if (e.type === 'VectorSelector' || e.type === 'SubqueryExpr') target = e;
    else if (e.type === 'MatrixSelector' && e.vectorSelector.type === 'VectorSelector') target = e.vectorSelector;
    if (!target) {
      this.errs.add(e.posRange, e.type === 'MatrixSelector' ? 'ranges only allowed for vector selectors'
        : 'offset modifier must be preceded by an instant vector selector or range vector selector or a subquery');
      return;
    }
    if (target.offset !== 0 || target.offsetExpr !== null) {
      this.errs.add(e.posRange, 'offset may not be set multiple times');
    } else {
      target.offset = ms;
      target.offsetExpr = expr;
    }
    e.posRange = { start: e.posRange.start, end: this.lastEnd };
  }

  private setAt(e: Expr, at: IToken, seconds: number | null, which: 'start' | 'end' | null): void {
    if (seconds !== null && (!Number.isFinite(seconds) || seconds >= 9.223372036854776e18 || seconds <= -9.223372036854776e18)) {
      this.errs.add(e.posRange, `timestamp out of bounds for @ modifier: ${seconds.toFixed(6).replace('Infinity', '+Inf')}`);
    }
    let target: { timestamp: number | null; startOrEnd: 'start' | 'end' | null } | null = null;
    if (e.type === 'VectorSelector' || e.type === 'SubqueryExpr') target = e;
    else if (e.type === 'MatrixSelector' && e.vectorSelector.type === 'VectorSelector') target = e.vectorSelector;
    if (!target) {
      this.errs.add(e.posRange, e.type === 'MatrixSelector' ? 'ranges only allowed for vector selectors'
        : '@ modifier must be preceded by an instant vector selector or range vector selector or a subquery');
      return;
    }
    if (target.timestamp !== null || target.startOrEnd !== null) {
      this.errs.add(e.posRange, '@ <timestamp> may not be set multiple times');
      return;
    }
    target.timestamp = seconds === null ? null : Math.round(seconds * 1000);
    target.startOrEnd = which;
    e.posRange = { start: e.posRange.start, end: this.lastEnd };
    void at;
  }

  private applyUnary(op: IToken, e: Expr): Expr {
    if (e.type === 'NumberLiteral') {
      if (op.tokenType === T.Sub) e.val = -e.val;
      e.posRange = { start: op.startOffset, end: e.posRange.end };
      return e;
    }
    if (op.tokenType === T.Add) return e;
    return { type: 'DurationExpr', op: '-', lhs: null, rhs: e, wrapped: false, posRange: { start: op.startOffset, end: e.posRange.end } };
  }

  private durBinary(op: IToken, lhs: Expr, rhs: Expr): Expr {
    const o = BINARY_OPS.get(op.tokenType) as DurationExpr['op'];
    if ((o === '/' || o === '%') && rhs.type === 'NumberLiteral' && rhs.val === 0) {
      this.errs.add(tokRange(op), o === '/' ? 'division by zero' : 'modulo by zero');
    }
    return { type: 'DurationExpr', op: o, lhs, rhs, wrapped: false, posRange: { start: lhs.posRange.start, end: rhs.posRange.end } };
  }

  private wrapDuration(e: Expr, posRange: PositionRange): Expr {
    if (e.type === 'DurationExpr') {
      e.wrapped = true;
      e.posRange = posRange;
      return e;
    }
    return { type: 'DurationExpr', op: '+', lhs: null, rhs: e, wrapped: true, posRange };
  }

  /**
   * A range, step or offset: a plain number/duration becomes milliseconds;
   * anything else stays an expression, evaluated now when it is constant
   * (so an invalid one fails here) and per query when it uses step()/range().
   */
  private durationValue(e: Expr, positive: boolean): [number, DurationExpr | null] {
    if (e.type === 'NumberLiteral') {
      const ms = e.duration ? Math.round(e.val * 1000) : secondsToMillis(e.val);
      if (!Number.isFinite(e.val) || Math.abs(e.val) > 9223372036.854775) {
        this.errs.add(e.posRange, 'duration out of range');
        return [0, null];
      }
      if (positive && ms <= 0) this.errs.add(e.posRange, 'duration must be greater than 0');
      return [ms, null];
    }
    if (e.type !== 'DurationExpr') {
      this.errs.add(e.posRange, 'expected number literal or duration expression');
      return [0, null];
    }
    if (!this.opts.durationExpressions) this.errs.add(e.posRange, 'experimental duration expression is not enabled');
    return [0, e];
  }
}
