// Chevrotain token types of PromQL. The lexer (lexer.ts) is hand-written
// because PromQL's lexing depends on context (inside braces, inside
// brackets, keyword or not); it emits instances of these types.
//
// Categories let a rule consume a whole class: any word that may be a
// metric name, any word that may be a label name in a grouping list, any
// aggregation operator, and so on.

import type { TokenType } from 'chevrotain';
import { createToken, Lexer } from './chevrotain.js';

const NA = Lexer.NA;

// Categories.
export const MetricNameTok = createToken({ name: 'MetricNameTok', pattern: NA });
export const LabelNameTok = createToken({ name: 'LabelNameTok', pattern: NA });
export const AggregatorTok = createToken({ name: 'AggregatorTok', pattern: NA });
export const CmpOpTok = createToken({ name: 'CmpOpTok', pattern: NA });
export const MatchOpTok = createToken({ name: 'MatchOpTok', pattern: NA });
export const NumberLikeTok = createToken({ name: 'NumberLikeTok', pattern: NA });

const word = (name: string, cats: TokenType[]) => createToken({ name, pattern: NA, categories: cats });
const metricAndLabel = [MetricNameTok, LabelNameTok];

export const Identifier = word('Identifier', metricAndLabel);
export const MetricIdentifier = word('MetricIdentifier', metricAndLabel);
export const NumberTok = word('Number', [NumberLikeTok]);
export const DurationTok = word('Duration', [NumberLikeTok]);
export const StringTok = word('String', []);

export const LParen = word('LParen', []);
export const RParen = word('RParen', []);
export const LBrace = word('LBrace', []);
export const RBrace = word('RBrace', []);
export const LBracket = word('LBracket', []);
export const RBracket = word('RBracket', []);
export const Comma = word('Comma', []);
export const Colon = word('Colon', []);
export const At = word('At', []);

export const Add = word('Add', []);
export const Sub = word('Sub', []);
export const Mul = word('Mul', []);
export const Div = word('Div', []);
export const Mod = word('Mod', []);
export const Pow = word('Pow', []);

export const Eql = word('Eql', [MatchOpTok]);
export const Neq = word('Neq', [MatchOpTok, CmpOpTok]);
export const EqlRegex = word('EqlRegex', [MatchOpTok]);
export const NeqRegex = word('NeqRegex', [MatchOpTok]);
export const EqlC = word('EqlC', [CmpOpTok]);
export const Lss = word('Lss', [CmpOpTok]);
export const Gtr = word('Gtr', [CmpOpTok]);
export const Lte = word('Lte', [CmpOpTok]);
export const Gte = word('Gte', [CmpOpTok]);
/** Histogram trim operators (3.11): keep buckets below / above a threshold. */
export const TrimUpper = word('TrimUpper', [CmpOpTok]);
export const TrimLower = word('TrimLower', [CmpOpTok]);

// Keywords (matched case-insensitively). Which may also be metric names or
// grouping labels follows Prometheus's metric_identifier and maybe_label rules.
export const And = word('And', metricAndLabel);
export const Or = word('Or', metricAndLabel);
export const Unless = word('Unless', metricAndLabel);
export const Atan2 = word('Atan2', [LabelNameTok]);

const agg = (name: string) => word(name, [AggregatorTok, MetricNameTok, LabelNameTok]);
export const Sum = agg('Sum');
export const Avg = agg('Avg');
export const Count = agg('Count');
export const Min = agg('Min');
export const Max = agg('Max');
export const Group = agg('Group');
export const Stddev = agg('Stddev');
export const Stdvar = agg('Stdvar');
export const Topk = agg('Topk');
export const Bottomk = agg('Bottomk');
export const CountValues = agg('CountValues');
export const Quantile = agg('Quantile');
export const Limitk = agg('Limitk');
export const LimitRatio = agg('LimitRatio');

export const Offset = word('Offset', metricAndLabel);
export const Smoothed = word('Smoothed', metricAndLabel);
export const Anchored = word('Anchored', metricAndLabel);
export const By = word('By', metricAndLabel);
export const Without = word('Without', metricAndLabel);
export const On = word('On', [LabelNameTok]);
export const Ignoring = word('Ignoring', [LabelNameTok]);
export const GroupLeft = word('GroupLeft', [LabelNameTok]);
export const GroupRight = word('GroupRight', [LabelNameTok]);
export const Bool = word('Bool', [LabelNameTok]);
// fill* are keywords only when "(" follows (the lexer decides), so they are never names.
export const Fill = word('Fill', []);
export const FillLeft = word('FillLeft', []);
export const FillRight = word('FillRight', []);
export const Start = word('Start', metricAndLabel);
export const End = word('End', metricAndLabel);
export const Step = word('Step', metricAndLabel);
export const Range = word('Range', metricAndLabel);

export const KEYWORDS: ReadonlyMap<string, TokenType> = new Map([
  ['and', And], ['or', Or], ['unless', Unless], ['atan2', Atan2],
  ['sum', Sum], ['avg', Avg], ['count', Count], ['min', Min], ['max', Max], ['group', Group],
  ['stddev', Stddev], ['stdvar', Stdvar], ['topk', Topk], ['bottomk', Bottomk],
  ['count_values', CountValues], ['quantile', Quantile], ['limitk', Limitk], ['limit_ratio', LimitRatio],
  ['offset', Offset], ['smoothed', Smoothed], ['anchored', Anchored], ['by', By], ['without', Without],
  ['on', On], ['ignoring', Ignoring], ['group_left', GroupLeft], ['group_right', GroupRight],
  ['fill', Fill], ['fill_left', FillLeft], ['fill_right', FillRight], ['bool', Bool],
  ['start', Start], ['end', End], ['step', Step], ['range', Range],
]);

export const ALL_TOKENS: TokenType[] = [
  MetricNameTok, LabelNameTok, AggregatorTok, CmpOpTok, MatchOpTok, NumberLikeTok,
  Identifier, MetricIdentifier, NumberTok, DurationTok, StringTok,
  LParen, RParen, LBrace, RBrace, LBracket, RBracket, Comma, Colon, At,
  Add, Sub, Mul, Div, Mod, Pow, Eql, Neq, EqlRegex, NeqRegex, EqlC, Lss, Gtr, Lte, Gte, TrimUpper, TrimLower,
  ...new Set(KEYWORDS.values()),
];

const AGGREGATOR_TYPES = new Set<TokenType>([Sum, Avg, Count, Min, Max, Group, Stddev, Stdvar, Topk, Bottomk, CountValues, Quantile, Limitk, LimitRatio]);
const OPERATOR_TYPES = new Set<TokenType>([
  Add, Sub, Mul, Div, Mod, Pow, Neq, EqlRegex, NeqRegex, EqlC, Lss, Gtr, Lte, Gte, TrimUpper, TrimLower, At, And, Or, Unless, Atan2,
]);
const PLAIN_KEYWORDS = new Set<TokenType>([Offset, Smoothed, Anchored, By, Without, On, Ignoring, GroupLeft, GroupRight, Fill, FillLeft, FillRight, Bool]);

/** How Prometheus names a token in "unexpected ..." messages (lex.go Item.desc). */
export function describeToken(type: TokenType, image: string): string {
  switch (type) {
    case Identifier: return `identifier ${goQuoteShort(image)}`;
    case MetricIdentifier: return `metric identifier ${goQuoteShort(image)}`;
    case NumberTok: return `number ${goQuoteShort(image)}`;
    case DurationTok: return `duration ${goQuoteShort(image)}`;
    case StringTok: return `string ${goQuoteShort(image)}`;
  }
  if (AGGREGATOR_TYPES.has(type)) return `<aggr:${image}>`;
  if (OPERATOR_TYPES.has(type)) return `<op:${image}>`;
  if (PLAIN_KEYWORDS.has(type)) return `<${image}>`;
  return JSON.stringify(image);
}

/** Go's %q of a token value, shortened like Prometheus's Item.String (%.10q...) when long. */
function goQuoteShort(s: string): string {
  const runes = [...s];
  if (runes.length > 10) return JSON.stringify(runes.slice(0, 10).join('')) + '...';
  return JSON.stringify(s);
}
