import { describe, expect, it } from 'vitest';
import { parse, format, print, ParseError, sameAST, type Expr } from '../../src/index.js';

const ALL = { experimentalFunctions: true, extendedRangeSelectors: true, binopFillModifiers: true };

// Each row: input, then its canonical one-line form (Prometheus's String()).
const CANONICAL: [string, string][] = [
  // Literals.
  ['1', '1'],
  ['0x1F', '31'],
  ['0755', '493'],
  ['-0755', '-493'],
  ['1_000_000', '1000000'],
  ['.5', '0.5'],
  ['5.', '5'],
  ['12.34e6', '12340000'],
  ['1e-7', '0.0000001'],
  ['inF', '+Inf'],
  ['-inf', '-Inf'],
  ['NaN', 'NaN'],
  ['5m', '5m'],
  ['1h30m', '1h30m'],
  ['90s', '1m30s'],
  ['-2h', '-2h'],
  ['"a\\tb"', '"a\\tb"'],
  ["'it\\'s'", '"it\'s"'],
  ['`raw\\n`', '"raw\\\\n"'],
  ['"\\x41\\101\\u00e9\\U0001F600"', '"AAé😀"'],
  ['`multi\nline`', '"multi\\nline"'],
  ['"a\\xc5z"', '"a\\xc5z"'],
  // Precedence and associativity.
  ['1 + 2 * 3', '1 + 2 * 3'],
  ['(1 + 2) * 3', '(1 + 2) * 3'],
  ['1 - -1', '1 - -1'],
  ['- 2 ^ 2', '-2 ^ 2'],
  ['2 ^ 3 ^ 2', '2 ^ 3 ^ 2'],
  ['a or b and c unless d', 'a or b and c unless d'],
  ['a > bool 1', 'a > bool 1'],
  ['a + on(x) group_left(y) b', 'a + on (x) group_left (y) b'],
  ['a + ignoring(x) group_right b', 'a + ignoring (x) group_right () b'],
  ['a + on() b', 'a + on () b'],
  ['a atan2 b', 'a atan2 b'],
  ['a + fill(0) b', 'a + fill (0) b'],
  ['a + fill_left(1) fill_right(-2) b', 'a + fill_left (1) fill_right (-2) b'],
  ['h </ 0.5', 'h </ 0.5'],
  // Selectors.
  ['foo', 'foo'],
  ['foo{}', 'foo'],
  ['foo{job="a", env!="b",}', 'foo{env!="b",job="a"}'],
  ['{job=~"a.*"}', '{job=~"a.*"}'],
  ['{"my.metric", "a.b"="x"}', '{"a.b"="x",__name__="my.metric"}'],
  ['foo:bar:rate5m', 'foo:bar:rate5m'],
  ['foo[5m]', 'foo[5m]'],
  ['foo[300]', 'foo[5m]'],
  ['foo[90.5]', 'foo[1m30s500ms]'],
  ['foo offset 5m', 'foo offset 5m'],
  ['foo offset -1w', 'foo offset -1w'],
  ['foo[5m] offset 1m @ 10', 'foo[5m] @ 10.000 offset 1m'],
  ['foo @ 10 offset 1m', 'foo @ 10.000 offset 1m'],
  ['foo @ start()', 'foo @ start()'],
  ['foo @ end() [5m]'.replace(' [5m]', ''), 'foo @ end()'],
  ['foo @ 1.2345', 'foo @ 1.235'],
  ['rate(foo[5m] anchored)', 'rate(foo[5m] anchored)'],
  ['foo smoothed', 'foo smoothed'],
  // Subqueries.
  ['rate(foo[5m])[30m:1m]', 'rate(foo[5m])[30m:1m]'],
  ['foo[30m:]', 'foo[30m:]'],
  ['max_over_time(rate(foo[5m])[30m:1m] offset 5m)[2h:10m]', 'max_over_time(rate(foo[5m])[30m:1m] offset 5m)[2h:10m]'],
  ['foo[1h:5m] @ 100', 'foo[1h:5m] @ 100.000'],
  // Duration expressions.
  ['foo[5m+1m]', 'foo[5m + 1m]'],
  ['foo[2m*(10+5)]', 'foo[2m * (10 + 5)]'],
  ['foo[step()]', 'foo[step()]'],
  ['foo offset (1h/2)', 'foo offset (1h / 2)'],
  ['foo offset -step()*2', 'foo offset -step() * 2'],
  ['foo[min_of(step()+1,1h)]', 'foo[min_of(step() + 1, 1h)]'],
  // Aggregations.
  ['sum(foo)', 'sum(foo)'],
  ['sum by (job) (foo)', 'sum by (job) (foo)'],
  ['sum(foo) by (job)', 'sum by (job) (foo)'],
  ['sum without (job) (foo)', 'sum without (job) (foo)'],
  ['sum without () (foo)', 'sum without () (foo)'],
  ['sum by () (foo)', 'sum(foo)'],
  ['SUM BY (group) (foo)', 'sum by (group) (foo)'],
  ['topk(3, foo)', 'topk(3, foo)'],
  ['count_values("v", foo)', 'count_values("v", foo)'],
  ['quantile(0.9, foo) without (a,)', 'quantile without (a) (0.9, foo)'],
  ['sum by ("a.b", c) (foo)', 'sum by ("a.b", c) (foo)'],
  ['limitk(2, foo)', 'limitk(2, foo)'],
  // Keywords used as names.
  ['sum', 'sum'],
  ['offset offset 5m', 'offset offset 5m'],
  ['by{job="a"}', 'by{job="a"}'],
  ['foo{on="x", bool="y", offset="z"}', 'foo{bool="y",offset="z",on="x"}'],
  ['sum by (on, bool, sum) (foo)', 'sum by (on, bool, sum) (foo)'],
  ['fill + fill_left', 'fill + fill_left'],
  ['start', 'start'],
  // Functions.
  ['time()', 'time()'],
  ['round(foo, 5)', 'round(foo, 5)'],
  ['label_join(foo, "d", ",", "a", "b", "c")', 'label_join(foo, "d", ",", "a", "b", "c")'],
  ['histogram_quantile(0.99, sum by (le) (rate(h_bucket[5m])))', 'histogram_quantile(0.99, sum by (le) (rate(h_bucket[5m])))'],
  ['day_of_week()', 'day_of_week()'],
  // Comments and whitespace.
  ['sum( # the total\n  foo{a="b" # inline\n  }\n)', 'sum(foo{a="b"})'],
  ['\t foo \n', 'foo'],
];

describe('parse and print', () => {
  for (const [input, want] of CANONICAL) {
    it(`${JSON.stringify(input)} prints as ${want}`, () => {
      const ast = parse(input, ALL);
      expect(print(ast)).toBe(want);
      expect(sameAST(parse(print(ast), ALL), ast)).toBe(true);
      expect(format(input, ALL)).toBe(want);
    });
  }
});

describe('tree shape', () => {
  const bin = (e: Expr) => {
    if (e.type !== 'BinaryExpr') throw new Error(`not a binary expression: ${e.type}`);
    return e;
  };

  it('^ is right-associative, * is left-associative', () => {
    expect(bin(parse('2 ^ 3 ^ 2')).lhs).toMatchObject({ type: 'NumberLiteral', val: 2 });
    expect(bin(parse('2 * 3 * 4')).rhs).toMatchObject({ type: 'NumberLiteral', val: 4 });
  });

  it('unary minus binds looser than ^ and folds into number literals', () => {
    expect(parse('-1')).toMatchObject({ type: 'NumberLiteral', val: -1 });
    expect(parse('-2 ^ 2')).toMatchObject({ type: 'UnaryExpr', op: '-', expr: { type: 'BinaryExpr', op: '^' } });
    expect(bin(parse('-foo * 2')).lhs).toMatchObject({ type: 'UnaryExpr' });
  });

  it('offset binds to the operand before it', () => {
    expect(bin(parse('a + b offset 5m')).rhs).toMatchObject({ type: 'VectorSelector', name: 'b', offset: 300_000 });
    expect(bin(parse('foo offset step()*2', ALL)).lhs).toMatchObject({ type: 'VectorSelector', offsetExpr: { op: 'step' } });
  });

  it('keeps the metric name as the last matcher and positions every node', () => {
    const e = parse('sum(rate(foo{a="b"}[5m]))');
    expect(e.posRange).toEqual({ start: 0, end: 25 });
    if (e.type !== 'AggregateExpr' || e.expr.type !== 'Call') throw new Error('shape');
    const ms = e.expr.args[0]!;
    expect(ms.posRange).toEqual({ start: 9, end: 23 });
    if (ms.type !== 'MatrixSelector' || ms.vectorSelector.type !== 'VectorSelector') throw new Error('shape');
    expect(ms.range).toBe(300_000);
    expect(ms.vectorSelector.matchers).toEqual([
      { type: '=', name: 'a', value: 'b' },
      { type: '=', name: '__name__', value: 'foo' },
    ]);
  });

  it('sets matching to many-to-many for set operators and drops it for scalars', () => {
    expect(bin(parse('a and b')).matching?.card).toBe('many-to-many');
    expect(bin(parse('a + 1')).matching).toBeNull();
  });

  it('@ times are rounded to milliseconds', () => {
    expect(parse('foo @ 1.0005')).toMatchObject({ timestamp: 1001 });
    expect(parse('foo @ -10')).toMatchObject({ timestamp: -10_000 });
  });
});

// Each row: input, the whole error message Prometheus gives.
const ERRORS: [string, string][] = [
  ['', '1:1: parse error: no expression found in input'],
  ['foo{a=}', '1:7: parse error: unexpected "}" in label matching, expected string'],
  ['foo{a}', '1:6: parse error: unexpected "}" in label matching, expected label matching operator'],
  ['foo bar', '1:5: parse error: unexpected identifier "bar"'],
  ['rate(foo[5m]', '1:13: parse error: unclosed left parenthesis'],
  ['foo{a="b"', '1:10: parse error: unexpected end of input inside braces'],
  ['foo[5m', '1:7: parse error: unclosed left bracket'],
  ['foo)', '1:4: parse error: unexpected right parenthesis \')\''],
  ['"abc', '1:1: parse error: unterminated quoted string'],
  ['"a\\qb"', "1:1: parse error: unknown escape sequence U+0071 'q'"],
  ['1 > 2', '1:3: parse error: comparisons between scalars must use BOOL modifier'],
  ['1 and 2', '1:1: parse error: set operator "and" not allowed in binary scalar expression'],
  ['foo + bool bar', '1:5: parse error: bool modifier can only be used on comparison operators'],
  ['foo == on(a) group_left(a) bar', '1:5: parse error: label "a" must not occur in ON and GROUP clause at once'],
  ['foo and on(a) group_left bar', '1:1: parse error: no grouping allowed for "and" operation'],
  ['"a" + 1', '1:1: parse error: binary expression must contain only scalar and instant vector types'],
  ['-"a"', '1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got "string"'],
  ['rate(foo)', '1:6: parse error: expected type range vector in call to function "rate", got instant vector'],
  ['abs(foo[5m])', '1:5: parse error: expected type instant vector in call to function "abs", got range vector'],
  ['rate()', '1:1: parse error: expected 1 argument(s) in call to "rate", got 0'],
  ['round(foo, 1, 2)', '1:1: parse error: expected at most 2 argument(s) in call to "round", got 3'],
  ['label_join(foo)', '1:1: parse error: expected at least 3 argument(s) in call to "label_join", got 1'],
  ['RATE(foo[5m])', '1:1: parse error: unknown function with name "RATE"'],
  ['sort_by_label(foo)', '1:1: parse error: function "sort_by_label" is not enabled'],
  ['rate(foo[5m],)', '1:13: parse error: trailing commas not allowed in function call args'],
  ['topk(foo, bar)', '1:6: parse error: expected type scalar in aggregation parameter, got instant vector'],
  ['count_values(1, foo)', '1:14: parse error: expected type string in aggregation parameter, got scalar'],
  ['sum(foo, bar)', '1:1: parse error: wrong number of arguments for aggregate expression provided, expected 1, got 2'],
  ['sum()', '1:1: parse error: no arguments for aggregate expression provided'],
  ['limitk(1, foo)', '1:1: parse error: limitk() is experimental and must be enabled with --enable-feature=promql-experimental-functions'],
  ['{}', '1:1: parse error: vector selector must contain at least one non-empty matcher'],
  ['{a=~".*"}', '1:1: parse error: vector selector must contain at least one non-empty matcher'],
  ['foo{__name__="bar"}', '1:1: parse error: metric name must not be set twice: "foo" or "bar"'],
  ['foo{a=~"(b"}', '1:1: parse error: error parsing regexp: missing closing ): `^(?s:(b)$`'],
  ['count_values("a\\xc5z", foo) + bar{a="\\xff"', '1:43: parse error: unexpected end of input inside braces'],
  ['(foo)[5m]', '1:6: parse error: ranges only allowed for vector selectors'],
  ['foo offset 1m [5m]', '1:15: parse error: no offset modifiers allowed before range'],
  ['foo offset 1m offset 2m', '1:1: parse error: offset may not be set multiple times'],
  ['sum(foo) offset 1m', '1:1: parse error: offset modifier must be preceded by an instant vector selector or range vector selector or a subquery'],
  ['foo @ 1 @ 2', '1:1: parse error: @ <timestamp> may not be set multiple times'],
  ['sum(foo) @ 1', '1:1: parse error: @ modifier must be preceded by an instant vector selector or range vector selector or a subquery'],
  ['foo[0]', '1:5: parse error: duration must be greater than 0'],
  ['foo[5m:1m:1m]', '1:10: parse error: unexpected repeated colon in duration expression'],
  ['rate(foo[5m] anchored)', '1:6: parse error: anchored modifier is experimental and not enabled'],
  ['a + fill(0) b', '1:1: parse error: binop fill modifiers are experimental and not enabled'],
  ['foo +\n  bar{', '2:7: parse error: unexpected end of input inside braces'],
  ['1 +', '1:4: parse error: unexpected end of input'],
];

describe('errors name what and where', () => {
  for (const [input, message] of ERRORS) {
    it(JSON.stringify(input), () => {
      let err: unknown;
      try {
        parse(input);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ParseError);
      expect((err as ParseError).message).toBe(message);
      const [line, col] = message.split(':').map(Number);
      expect((err as ParseError).line).toBe(line);
      expect((err as ParseError).column).toBe(col);
    });
  }

  it('reports the first of several errors', () => {
    const err = (() => { try { parse('rate(foo) + abs(bar[5m])'); } catch (e) { return e as ParseError; } })()!;
    expect(err.errors.length).toBeGreaterThanOrEqual(2);
    expect(err.message).toContain('1:6:');
  });

  it('counts columns in UTF-8 bytes, like Prometheus', () => {
    expect(() => parse('{a="é"} +')).toThrow('1:11: parse error: unexpected end of input');
  });
});

describe('the pretty printer', () => {
  it('keeps short expressions on one line', () => {
    expect(format('sum(rate(foo[5m]))', { pretty: true })).toBe('sum(rate(foo[5m]))');
  });

  it('splits long binary expressions and aggregations', () => {
    const q = 'sum by (job, instance, very_long_label_name_number_one) (rate(http_requests_total{job="api-server", handler=~"/api/v1/.*"}[5m])) / on(job) group_left sum(x)';
    expect(format(q, { pretty: true })).toBe(
      '  sum by (job, instance, very_long_label_name_number_one) (\n' +
      '    rate(http_requests_total{handler=~"/api/v1/.*",job="api-server"}[5m])\n' +
      '  )\n' +
      '/ on (job) group_left ()\n' +
      '  sum(x)',
    );
  });

  it('round-trips: the pretty form parses to the same tree', () => {
    const q = 'histogram_quantile(0.99, sum by (le, job, instance, handler, method) (rate(http_request_duration_seconds_bucket{job="api"}[5m]))) > on(job) group_left label_replace(up, "x", "$1", "job", "(.*)")';
    expect(sameAST(parse(format(q, { pretty: true })), parse(q))).toBe(true);
  });
});
