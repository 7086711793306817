// The Dockerfile editor: CodeMirror 6 with the legacy Dockerfile mode, the core's diagnostics
// pushed in after each simulation, hover docs (instructions and build-check rules) and
// completion of instructions, flags, mount types and stage names.

import { EditorView, keymap, hoverTooltip, lineNumbers, highlightActiveLine, highlightActiveLineGutter, drawSelection } from '@codemirror/view';
import { EditorState } from '@codemirror/state';
import { StreamLanguage, syntaxHighlighting, HighlightStyle, bracketMatching, indentOnInput } from '@codemirror/language';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { setDiagnostics, lintGutter, lintKeymap } from '@codemirror/lint';
import { autocompletion, completionKeymap, closeBrackets } from '@codemirror/autocomplete';
import { searchKeymap, highlightSelectionMatches } from '@codemirror/search';
import { tags } from '@lezer/highlight';
import { dockerFile } from '@codemirror/legacy-modes/mode/dockerfile';
import { h } from './dom.js';

const highlight = HighlightStyle.define([
  { tag: tags.keyword, color: 'var(--hl-keyword)', fontWeight: '600' },
  { tag: tags.comment, color: 'var(--hl-comment)', fontStyle: 'italic' },
  { tag: tags.string, color: 'var(--hl-string)' },
  { tag: [tags.number, tags.bool, tags.atom], color: 'var(--hl-number)' },
  { tag: tags.variableName, color: 'var(--hl-variable)' },
  { tag: tags.invalid, color: 'var(--hl-error)' },
]);

const theme = EditorView.theme({
  '&': { height: '100%', backgroundColor: 'var(--bg-editor)', color: 'var(--fg)' },
  '.cm-content': { caretColor: 'var(--fg)', fontFamily: 'var(--mono)' },
  '.cm-gutters': { backgroundColor: 'var(--bg-panel)', color: 'var(--fg-muted)', border: 'none' },
  '.cm-activeLine': { backgroundColor: 'var(--bg-active)' },
  '.cm-activeLineGutter': { backgroundColor: 'var(--bg-active)' },
  '&.cm-focused .cm-selectionBackground, .cm-selectionBackground': { backgroundColor: 'var(--bg-selection) !important' },
  '.cm-tooltip': { backgroundColor: 'var(--bg-panel)', color: 'var(--fg)', border: '1px solid var(--border)' },
  '.cm-scroller': { overflow: 'auto' },
});

/** Offsets of a diagnostic in the document (1-based lines, UTF-16 columns, end exclusive). */
export function diagnosticRange(doc, d) {
  const pos = (line, col) => {
    const l = doc.line(Math.min(Math.max(1, line | 0), doc.lines));
    return Math.min(l.to, l.from + Math.max(0, (col | 0) - 1));
  };
  const from = pos(d.line, d.column);
  let to = pos(d.end_line || d.line, d.end_column || d.column);
  if (to < from) to = from;
  return { from, to };
}

/** The core's instruction table by name: { summary, flags: ['--name=' | '--name'] }. */
function byName(table) {
  const out = {};
  for (const i of (table && table.instructions) || []) {
    out[i.name] = { summary: i.summary, flags: i.flags.map((f) => (f.takes === 'bool' ? `--${f.name}` : `--${f.name}=`)) };
  }
  return out;
}

export function createEditor(parent, { text, onChange, getStageNames, getRules, getInstructions = () => null, root, editable = true }) {
  // Filled from the core (the worker's `instructions()`) once it has answered.
  let known = null;
  let INSTRUCTIONS = {};
  let MOUNT_TYPES = [];
  const refresh = () => {
    const table = getInstructions();
    if (table && table !== known) {
      known = table;
      INSTRUCTIONS = byName(table);
      MOUNT_TYPES = (table.mount_types || []).map((t) => `type=${t}`);
    }
  };
  const instructionAt = (state, pos) => {
    const line = state.doc.lineAt(pos);
    const m = /^\s*([A-Za-z]+)/.exec(line.text);
    return m ? m[1].toUpperCase() : null;
  };

  function complete(ctx) {
    refresh();
    const line = ctx.state.doc.lineAt(ctx.pos);
    const before = line.text.slice(0, ctx.pos - line.from);
    if (/^\s*[A-Za-z]*$/.test(before)) {
      const word = ctx.matchBefore(/[A-Za-z]*/);
      if (!word || (word.from === word.to && !ctx.explicit)) return null;
      return {
        from: word.from,
        options: Object.entries(INSTRUCTIONS).map(([label, { summary }]) => ({ label, type: 'keyword', info: summary, apply: `${label} ` })),
        validFor: /^[A-Za-z]*$/,
      };
    }
    const inst = instructionAt(ctx.state, ctx.pos);
    const fromArg = ctx.matchBefore(/--from=[\w.-]*$/) || ctx.matchBefore(/\bfrom=[\w.-]*$/);
    if (fromArg) {
      const at = fromArg.from + fromArg.text.indexOf('=') + 1;
      return { from: at, options: getStageNames().map((label) => ({ label, type: 'variable', detail: 'stage' })), validFor: /^[\w.-]*$/ };
    }
    const mount = ctx.matchBefore(/--mount=[\w=]*$/);
    if (mount && inst === 'RUN') {
      return { from: mount.from + 8, options: MOUNT_TYPES.map((label) => ({ label, type: 'enum' })) };
    }
    const flag = ctx.matchBefore(/--[\w-]*$/);
    if (flag && inst && INSTRUCTIONS[inst]) {
      return { from: flag.from, options: INSTRUCTIONS[inst].flags.map((label) => ({ label, type: 'property' })), validFor: /^--[\w-]*=?$/ };
    }
    if (inst === 'FROM') {
      const word = ctx.matchBefore(/^\s*FROM\s+(--\S+\s+)*[\w.-]*$/i);
      if (word) {
        const start = ctx.matchBefore(/[\w.-]*$/);
        return { from: start.from, options: [...getStageNames().map((label) => ({ label, type: 'variable', detail: 'stage' })), { label: 'scratch', type: 'constant' }] };
      }
    }
    return null;
  }

  const hover = hoverTooltip((view, pos) => {
    refresh();
    const line = view.state.doc.lineAt(pos);
    const rel = pos - line.from;
    const re = /[A-Za-z][\w-]*/g;
    let m;
    while ((m = re.exec(line.text))) {
      if (m.index <= rel && rel <= m.index + m[0].length) break;
    }
    if (!m) return null;
    const word = m[0];
    const isFirst = /^\s*$/.test(line.text.slice(0, m.index));
    const upper = word.toUpperCase();
    let content = null;
    if (isFirst && INSTRUCTIONS[upper]) {
      const { summary, flags } = INSTRUCTIONS[upper];
      content = h('div.hover-doc', null, h('strong', null, upper), ' ', summary,
        flags.length ? h('div.muted', null, 'flags: ', flags.join(' ')) : null);
    } else {
      const rule = (getRules() || []).find((r) => r.name === word);
      if (rule) content = ruleDoc(rule);
    }
    if (!content) return null;
    return { pos: line.from + m.index, end: line.from + m.index + word.length, above: true, create: () => ({ dom: content }) };
  });

  const view = new EditorView({
    parent,
    root,
    state: EditorState.create({
      doc: text,
      extensions: [
        lineNumbers(), highlightActiveLineGutter(), highlightActiveLine(), drawSelection(), history(),
        indentOnInput(), bracketMatching(), closeBrackets(), highlightSelectionMatches(),
        StreamLanguage.define(dockerFile), syntaxHighlighting(highlight), theme,
        lintGutter(), hover, autocompletion({ override: [complete] }),
        keymap.of([...defaultKeymap, ...historyKeymap, ...completionKeymap, ...lintKeymap, ...searchKeymap, indentWithTab]),
        EditorView.updateListener.of((u) => { if (u.docChanged) onChange(u.state.doc.toString()); }),
        EditorView.contentAttributes.of({ 'aria-label': 'Dockerfile' }),
        EditorView.editable.of(editable),
        EditorState.readOnly.of(!editable),
      ],
    }),
  });
  return view;
}

/** A rule's documentation as DOM. */
export function ruleDoc(rule) {
  return h('div.hover-doc', null,
    h('strong', null, rule.name), rule.experimental ? ' (experimental)' : '',
    h('div', null, rule.description),
    rule.what ? h('div', null, rule.what) : null,
    rule.why ? h('div.muted', null, rule.why) : null,
    rule.bad ? h('pre.bad', null, rule.bad) : null,
    rule.good ? h('pre.good', null, rule.good) : null);
}

/** Pushes the core's diagnostics into the editor, with rule docs in each message. */
export function showDiagnostics(view, diagnostics, rules) {
  const doc = view.state.doc;
  const items = [];
  for (const d of diagnostics) {
    const { from, to } = diagnosticRange(doc, d);
    const rule = (rules || []).find((r) => r.name === d.code);
    items.push({
      from, to,
      severity: d.severity === 'error' ? 'error' : d.severity === 'warning' ? 'warning' : 'info',
      source: d.code || undefined,
      message: d.message + (d.help ? `\n${d.help}` : ''),
      renderMessage: () => h('div', null, h('div', null, d.message), d.help ? h('div.muted', null, d.help) : null,
        rule ? h('div.muted', null, rule.description) : null),
    });
  }
  view.dispatch(setDiagnostics(view.state, items));
}
