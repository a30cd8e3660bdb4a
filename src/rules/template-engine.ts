// An interpreter for the part of Go's text/template that alert templates
// use: text and actions with {{- -}} trimming, pipelines, parenthesised
// calls, variables ($x := ...), fields (.Labels.job), if / else if / else,
// range (with $i, $v :=) and with, and comments. It only walks the data it
// is given and calls the functions it is given: no template can reach
// JavaScript globals, prototypes or code.

export type Val = string | number | boolean | null | Val[] | { [k: string]: Val };
export type TemplateFunction = (...args: Val[]) => Val;

type Operand =
  | { k: 'lit'; v: Val }
  | { k: 'var'; name: string; fields: string[] }
  | { k: 'dot'; fields: string[] }
  | { k: 'fn'; name: string }
  | { k: 'paren'; pipe: Pipe; fields: string[] };

interface Pipe {
  decl: string[];
  cmds: Operand[][];
}

type Node =
  | { t: 'text'; s: string }
  | { t: 'out'; pipe: Pipe }
  | { t: 'if' | 'with'; pipe: Pipe; body: Node[]; orElse: Node[] }
  | { t: 'range'; pipe: Pipe; body: Node[]; orElse: Node[] };

type Piece = { kind: 'text'; s: string } | { kind: 'action'; s: string };

/** Splits a template into text and action bodies, applying {{- and -}} trimming. */
function lex(src: string): Piece[] {
  const out: Piece[] = [];
  let i = 0;
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    if (open < 0) {
      out.push({ kind: 'text', s: src.slice(i) });
      break;
    }
    let text = src.slice(i, open);
    let j = open + 2;
    if (src[j] === '-' && /\s/.test(src[j + 1] ?? '')) {
      text = text.replace(/\s+$/, '');
      j++;
    }
    let k = j;
    let quote: string | null = null;
    for (; k < src.length; k++) {
      const c = src[k];
      if (quote) {
        if (c === '\\' && quote === '"') k++;
        else if (c === quote) quote = null;
      } else if (c === '"' || c === '`' || c === "'") quote = c;
      else if (src.startsWith('}}', k)) break;
    }
    if (k >= src.length) throw new Error('unclosed action');
    let body = src.slice(j, k);
    let trimRight = false;
    if (/\s-$/.test(body)) {
      body = body.slice(0, -1);
      trimRight = true;
    }
    if (text) out.push({ kind: 'text', s: text });
    out.push({ kind: 'action', s: body.trim() });
    i = k + 2;
    if (trimRight) while (i < src.length && /\s/.test(src[i]!)) i++;
  }
  return out;
}

const TOKEN = /"(?:[^"\\]|\\.)*"|`[^`]*`|'(?:[^'\\]|\\.)'|:=|[()|,=]|[^\s()|,=]+/g;

function parseOperand(tok: string): Operand {
  if (tok.startsWith('"')) return { k: 'lit', v: JSON.parse(tok) as string };
  if (tok.startsWith('`')) return { k: 'lit', v: tok.slice(1, -1) };
  if (tok.startsWith("'")) return { k: 'lit', v: (JSON.parse(`"${tok.slice(1, -1)}"`) as string).charCodeAt(0) };
  if (/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(tok) || /^0x[0-9a-fA-F]+$/.test(tok)) return { k: 'lit', v: Number(tok) };
  if (tok === 'true' || tok === 'false') return { k: 'lit', v: tok === 'true' };
  if (tok === 'nil') return { k: 'lit', v: null };
  if (tok === '.') return { k: 'dot', fields: [] };
  if (tok.startsWith('.')) return { k: 'dot', fields: tok.slice(1).split('.') };
  if (tok.startsWith('$')) {
    const [name, ...fields] = tok.split('.');
    return { k: 'var', name: name!, fields };
  }
  if (/^[A-Za-z_]\w*$/.test(tok)) return { k: 'fn', name: tok };
  throw new Error(`unexpected ${JSON.stringify(tok)} in operand`);
}

function parsePipe(text: string): Pipe {
  const toks = [...text.matchAll(TOKEN)].map((m) => m[0]);
  let i = 0;
  const pipe = (closing: boolean): Pipe => {
    const decl: string[] = [];
    // `$x :=` or `$i, $v :=`
    const assign = toks.indexOf(':=', i);
    if (assign > i && toks.slice(i, assign).every((t) => t === ',' || t.startsWith('$'))) {
      decl.push(...toks.slice(i, assign).filter((t) => t !== ','));
      i = assign + 1;
    }
    const cmds: Operand[][] = [[]];
    while (i < toks.length) {
      const t = toks[i++]!;
      if (t === ')') {
        if (!closing) throw new Error('unexpected ")"');
        return { decl, cmds };
      }
      if (t === '|') cmds.push([]);
      else if (t === '(') {
        const inner = pipe(true);
        // Fields of a parenthesised result: (index $x 0).Value
        const next = toks[i];
        const fields = next?.startsWith('.') && next.length > 1 ? (i++, next.slice(1).split('.')) : [];
        cmds[cmds.length - 1]!.push({ k: 'paren', pipe: inner, fields });
      } else cmds[cmds.length - 1]!.push(parseOperand(t));
    }
    if (closing) throw new Error('unclosed left paren');
    return { decl, cmds };
  };
  const p = pipe(false);
  if (p.cmds.some((c) => c.length === 0)) throw new Error('missing command in pipeline');
  return p;
}

const keyword = (s: string) => /^(if|else|end|range|with|define|template|block|break|continue)\b/.exec(s)?.[1];

function parseNodes(pieces: Piece[]): Node[] {
  let i = 0;
  // Returns the nodes up to a closing keyword, and that keyword's action text.
  const list = (): { nodes: Node[]; stop: string | null } => {
    const nodes: Node[] = [];
    while (i < pieces.length) {
      const p = pieces[i++]!;
      if (p.kind === 'text') {
        nodes.push({ t: 'text', s: p.s });
        continue;
      }
      if (p.s.startsWith('/*')) continue;
      const kw = keyword(p.s);
      if (kw === 'end' || kw === 'else') return { nodes, stop: p.s };
      if (kw === 'if' || kw === 'with' || kw === 'range') nodes.push(block(kw, p.s.slice(kw.length)));
      else if (kw) throw new Error(`"${kw}" actions are not supported`);
      else nodes.push({ t: 'out', pipe: parsePipe(p.s) });
    }
    return { nodes, stop: null };
  };
  const block = (kind: 'if' | 'with' | 'range', rest: string): Node => {
    const pipe = parsePipe(rest);
    const body = list();
    let orElse: Node[] = [];
    if (body.stop === null) throw new Error(`unexpected EOF in ${kind}`);
    if (body.stop.startsWith('else')) {
      const tail = body.stop.slice(4).trim();
      // `else if` / `else with` chains share the outer block's end.
      if (tail.startsWith('if ') || tail.startsWith('with ')) {
        const k = tail.startsWith('if ') ? 'if' : 'with';
        orElse = [block(k, tail.slice(k.length))];
        return { t: kind, pipe, body: body.nodes, orElse };
      }
      if (tail !== '') throw new Error(`unexpected ${JSON.stringify(tail)} after else`);
      const e = list();
      if (e.stop === null || keyword(e.stop) !== 'end') throw new Error(`expected end after else in ${kind}`);
      orElse = e.nodes;
    }
    return { t: kind, pipe, body: body.nodes, orElse };
  };
  const { nodes, stop } = list();
  if (stop !== null) throw new Error(`unexpected {{${stop}}}`);
  return nodes;
}

export function truthy(v: Val): boolean {
  if (v === null || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

function field(base: Val, name: string): Val {
  if (base === null || typeof base !== 'object' || Array.isArray(base)) throw new Error(`can't evaluate field ${name} in type ${Array.isArray(base) ? 'slice' : typeof base}`);
  // Own keys only: a template reads data, never prototypes. A missing map key reads as "", as Go's map[string]string does.
  return Object.hasOwn(base, name) ? base[name]! : '';
}

/** A value that prints as its String() method does in Go (fmt's Stringer), e.g. a histogram's $value. */
export const STRINGER = Symbol('String');

export function show(v: Val, formatNumber: (n: number) => string): string {
  if (v === null) return '<no value>';
  if (typeof v === 'object' && !Array.isArray(v) && STRINGER in v) return (v as unknown as { [STRINGER]: () => string })[STRINGER]();
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map((x) => show(x, formatNumber)).join(' ')}]`;
  if (typeof v === 'object') return `map[${Object.keys(v).sort().map((k) => `${k}:${show(v[k]!, formatNumber)}`).join(' ')}]`;
  return v;
}

type Scope = Map<string, Val>;

class Executor {
  constructor(private readonly fns: Record<string, TemplateFunction>, private readonly formatNumber: (n: number) => string) {}

  run(nodes: Node[], dot: Val, scope: Scope, out: string[]): void {
    for (const n of nodes) {
      switch (n.t) {
        case 'text':
          out.push(n.s);
          break;
        case 'out': {
          const v = this.pipe(n.pipe, dot, scope);
          if (n.pipe.decl.length === 0) out.push(show(v, this.formatNumber));
          break;
        }
        case 'if':
        case 'with': {
          const inner = new Map(scope);
          const v = this.pipe(n.pipe, dot, inner);
          if (truthy(v)) this.run(n.body, n.t === 'with' ? v : dot, inner, out);
          else this.run(n.orElse, dot, new Map(scope), out);
          break;
        }
        case 'range': {
          const v = this.pipe({ ...n.pipe, decl: [] }, dot, scope);
          const entries: [Val, Val][] = Array.isArray(v) ? v.map((x, i) => [i, x])
            : v !== null && typeof v === 'object' ? Object.keys(v).sort().map((k) => [k, v[k]!])
            : typeof v === 'number' ? Array.from({ length: Math.max(0, Math.trunc(v)) }, (_, i) => [i, i])
            : truthy(v) ? (() => { throw new Error(`range can't iterate over ${show(v, this.formatNumber)}`); })() : [];
          if (entries.length === 0) this.run(n.orElse, dot, new Map(scope), out);
          for (const [k, x] of entries) {
            const inner = new Map(scope);
            const d = n.pipe.decl;
            if (d.length === 1) inner.set(d[0]!, x);
            if (d.length === 2) {
              inner.set(d[0]!, k);
              inner.set(d[1]!, x);
            }
            this.run(n.body, x, inner, out);
          }
          break;
        }
      }
    }
  }

  private pipe(p: Pipe, dot: Val, scope: Scope): Val {
    let prev: Val | undefined;
    for (const cmd of p.cmds) prev = this.command(cmd, dot, scope, prev);
    const v = prev ?? null;
    for (const name of p.decl) scope.set(name, v);
    return v;
  }

  private command(cmd: Operand[], dot: Val, scope: Scope, prev: Val | undefined): Val {
    const [head, ...rest] = cmd as [Operand, ...Operand[]];
    if (head.k === 'fn') {
      const fn = Object.hasOwn(this.fns, head.name) ? this.fns[head.name] : undefined;
      if (!fn) throw new Error(`function "${head.name}" not defined`);
      const args = rest.map((o) => this.operand(o, dot, scope));
      if (prev !== undefined) args.push(prev);
      try {
        return fn(...args);
      } catch (e) {
        throw new Error(`error calling ${head.name}: ${(e as Error).message}`);
      }
    }
    if (rest.length > 0 || prev !== undefined) throw new Error(`can't give argument to non-function ${describe(head)}`);
    return this.operand(head, dot, scope);
  }

  private operand(o: Operand, dot: Val, scope: Scope): Val {
    switch (o.k) {
      case 'lit': return o.v;
      case 'dot': return o.fields.reduce(field, dot);
      case 'var': {
        if (!scope.has(o.name)) throw new Error(`undefined variable "${o.name}"`);
        return o.fields.reduce(field, scope.get(o.name)!);
      }
      case 'paren': return o.fields.reduce(field, this.pipe(o.pipe, dot, new Map(scope)));
      case 'fn': return this.command([o], dot, scope, undefined);
    }
  }
}

const describe = (o: Operand) => (o.k === 'lit' ? JSON.stringify(o.v) : o.k === 'var' ? o.name : o.k === 'dot' ? `.${o.fields.join('.')}` : 'value');

/** A parsed template, ready to run against data. */
export class GoTemplate {
  private readonly nodes: Node[];

  constructor(text: string) {
    this.nodes = parseNodes(lex(text));
  }

  execute(dot: Val, vars: Record<string, Val>, fns: Record<string, TemplateFunction>, formatNumber: (n: number) => string): string {
    const out: string[] = [];
    new Executor(fns, formatNumber).run(this.nodes, dot, new Map(Object.entries({ $: dot, ...vars })), out);
    return out.join('');
  }
}
