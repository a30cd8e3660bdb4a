// A CodeMirror 6 PromQL editor: highlighting and completion from
// codemirror-promql (its "server" is the cell's backend), diagnostics
// from promlet's own parser, Enter and Shift+Enter to run.

import { EditorView, keymap, placeholder, drawSelection } from '@codemirror/view';
import { EditorState, Prec } from '@codemirror/state';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { autocompletion, closeBrackets, closeBracketsKeymap, closeCompletion, completionKeymap } from '@codemirror/autocomplete';
import { syntaxHighlighting, HighlightStyle, bracketMatching } from '@codemirror/language';
import { tags } from '@lezer/highlight';
import { linter, type Diagnostic } from '@codemirror/lint';
import { PromQLExtension } from '@prometheus-io/codemirror-promql';
import type { QueryBackend } from './backend.js';

/** PromQL's colors from the design system's tokens, so they hold in light and dark. */
const PROMQL_COLORS = HighlightStyle.define([
  { tag: tags.keyword, color: 'var(--syntax-keyword)' },
  { tag: [tags.function(tags.variableName), tags.function(tags.name)], color: 'var(--syntax-function)' },
  { tag: tags.labelName, color: 'var(--syntax-label)' },
  { tag: tags.string, color: 'var(--syntax-string)' },
  { tag: tags.number, color: 'var(--syntax-number)' },
  { tag: [tags.operator, tags.compareOperator, tags.arithmeticOperator, tags.logicOperator], color: 'var(--syntax-operator)' },
  { tag: tags.comment, color: 'var(--text-muted)', fontStyle: 'italic' },
  { tag: tags.invalid, color: 'var(--danger)' },
]);

export interface QueryEditor {
  view: EditorView;
  text(): string;
  closeCompletion(): void;
}

export function createEditor(parent: HTMLElement, backend: QueryBackend, doc: string, onRun: () => void, onChange: (text: string) => void): QueryEditor {
  const promql = new PromQLExtension()
    .activateLinter(false)
    .setComplete({
      remote: {
        url: '',
        fetchFn: (input: RequestInfo, init?: RequestInit) => backend.fetch(input, init),
        // Loaded data may be old: look for label names and values over all of it.
        lookbackInterval: 100 * 365 * 24 * 3600_000,
        httpMethod: 'GET',
        // Data can change at any moment (pasted, scraped): keep answers briefly.
        cache: { maxAge: 5000 },
      },
    });
  const lint = linter(async (view): Promise<Diagnostic[]> => {
    const text = view.state.doc.toString();
    if (text.trim() === '') return [];
    const errors = await backend.lint(text);
    const len = view.state.doc.length;
    return errors.map((e) => {
      const from = Math.min(e.from, len);
      const to = Math.min(Math.max(e.to, from + 1), len);
      return { from: to === from && from > 0 ? from - 1 : from, to, severity: 'error', message: e.message, source: 'promlet' };
    });
  }, { delay: 250 });
  const run = () => {
    onRun();
    return true;
  };
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc,
      extensions: [
        history(),
        drawSelection(),
        bracketMatching(),
        closeBrackets(),
        autocompletion(),
        syntaxHighlighting(PROMQL_COLORS),
        placeholder('Expression (Enter runs, Shift+Enter too)'),
        promql.asExtension(),
        lint,
        // Completion's own Enter (accept) comes first while its list is open.
        Prec.high(keymap.of([{ key: 'Enter', run }, { key: 'Shift-Enter', run }])),
        keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, ...completionKeymap]),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) onChange(u.state.doc.toString());
        }),
        EditorView.lineWrapping,
      ],
    }),
  });
  return { view, text: () => view.state.doc.toString(), closeCompletion: () => void closeCompletion(view) };
}
