// Reads Prometheus's PromQL test-script format (promql/promqltest): load,
// clear and eval commands with their indented bodies. Evaluation lives
// elsewhere; this module only turns text into commands with line numbers.

export interface LoadCommand {
  kind: 'load';
  line: number;
  /** Step between the points of each series, as written (e.g. "5m"). */
  interval: string;
  /** load_with_nhcb: also convert classic histograms to native ones. */
  withNhcb: boolean;
  series: { line: number; text: string }[];
}

export interface ClearCommand {
  kind: 'clear';
  line: number;
}

export type Expectation =
  | { type: 'fail'; message?: string; regex?: string }
  | { type: 'warn' | 'info'; message?: string; regex?: string }
  | { type: 'no_warn' | 'no_info' | 'ordered' }
  | { type: 'string'; value: string }
  | { type: 'range vector'; start: string; end: string; step: string };

export interface EvalCommand {
  kind: 'eval';
  line: number;
  /** Instant (at) or range (start, end, step) query; times as written. */
  query: { type: 'instant'; at: string } | { type: 'range'; start: string; end: string; step: string };
  expr: string;
  /** Column (0-based) where the expression starts on its line. */
  exprColumn: number;
  expectations: Expectation[];
  /** Expected result lines (`series points` or a bare scalar), as written. */
  results: { line: number; text: string }[];
}

export type Command = LoadCommand | ClearCommand | EvalCommand;

export class ScriptError extends Error {
  constructor(readonly file: string, readonly line: number, message: string) {
    super(`${file}:${line}: ${message}`);
    this.name = 'ScriptError';
  }
}

const EVAL_RE = /^(eval(?:_fail|_warn|_info|_ordered)?)\s+(instant|range)\s+(.*)$/;

function parseExpect(text: string): Expectation | null {
  const m = /^expect\s+(fail|warn|info|no_warn|no_info|ordered|string|range vector)\b\s*(.*)$/.exec(text);
  if (!m) return null;
  const [, type, rest = ''] = m;
  if (type === 'string') return { type: 'string', value: rest.trim() };
  if (type === 'range vector') {
    const r = /^(?:from\s+)?(\S+)\s+to\s+(\S+)\s+step\s+(\S+)$/.exec(rest.trim());
    if (!r) return null;
    return { type: 'range vector', start: r[1]!, end: r[2]!, step: r[3]! };
  }
  if (type === 'no_warn' || type === 'no_info' || type === 'ordered') return { type };
  const msg = /^msg:\s?(.*)$/.exec(rest);
  const regex = /^regex:\s?(.*)$/.exec(rest);
  return { type: type as 'fail' | 'warn' | 'info', message: msg ? msg[1]!.trim() : undefined, regex: regex ? regex[1]!.trim() : undefined };
}

/** Splits a test script into commands. Throws ScriptError with the line for malformed commands. */
export function parseScript(text: string, file = '<script>'): Command[] {
  const lines = text.split('\n');
  const commands: Command[] = [];
  let current: LoadCommand | EvalCommand | null = null;
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const raw = lines[i]!.replace(/\r$/, '');
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) {
      current = null;
      continue;
    }
    const indented = /^\s/.test(raw);
    if (indented && current) {
      if (current.kind === 'load') {
        current.series.push({ line: lineNo, text: trimmed });
      } else {
        const legacy = /^expected_fail_(message|regexp)\s+(.*)$/.exec(trimmed);
        if (legacy) {
          current.expectations = current.expectations.filter((x) => x.type !== 'fail');
          current.expectations.push(legacy[1] === 'message' ? { type: 'fail', message: legacy[2]!.trim() } : { type: 'fail', regex: legacy[2]!.trim() });
          continue;
        }
        const exp = trimmed.startsWith('expect ') ? parseExpect(trimmed) : null;
        if (trimmed.startsWith('expect ') && !exp) throw new ScriptError(file, lineNo, `invalid expect line: ${trimmed}`);
        if (exp) current.expectations.push(exp);
        else current.results.push({ line: lineNo, text: trimmed });
      }
      continue;
    }
    current = null;
    const word = trimmed.split(/\s+/, 1)[0]!;
    if (word === 'clear') {
      commands.push({ kind: 'clear', line: lineNo });
    } else if (word === 'load' || word === 'load_with_nhcb') {
      const interval = trimmed.slice(word.length).trim();
      if (interval === '') throw new ScriptError(file, lineNo, 'load needs an interval');
      current = { kind: 'load', line: lineNo, interval, withNhcb: word === 'load_with_nhcb', series: [] };
      commands.push(current);
    } else if (word.startsWith('eval')) {
      const m = EVAL_RE.exec(trimmed);
      if (!m) throw new ScriptError(file, lineNo, `invalid eval command: ${trimmed}`);
      const [, variant, kind, rest] = m;
      let query: EvalCommand['query'];
      let expr: string;
      if (kind === 'instant') {
        const r = /^at\s+(\S+)\s+(.*)$/.exec(rest!);
        if (!r) throw new ScriptError(file, lineNo, `invalid instant eval: ${trimmed}`);
        query = { type: 'instant', at: r[1]! };
        expr = r[2]!;
      } else {
        const r = /^from\s+(\S+)\s+to\s+(\S+)\s+step\s+(\S+)\s+(.*)$/.exec(rest!);
        if (!r) throw new ScriptError(file, lineNo, `invalid range eval: ${trimmed}`);
        query = { type: 'range', start: r[1]!, end: r[2]!, step: r[3]! };
        expr = r[4]!;
      }
      const expectations: Expectation[] = [];
      if (variant === 'eval_fail') expectations.push({ type: 'fail' });
      if (variant === 'eval_warn') expectations.push({ type: 'warn' });
      if (variant === 'eval_info') expectations.push({ type: 'info' });
      if (variant === 'eval_ordered') expectations.push({ type: 'ordered' });
      current = { kind: 'eval', line: lineNo, query, expr, exprColumn: raw.indexOf(expr), expectations, results: [] };
      commands.push(current);
    } else {
      throw new ScriptError(file, lineNo, `unknown command ${JSON.stringify(word)}`);
    }
  }
  return commands;
}
