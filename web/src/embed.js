// The widget for docs sites: <script type="module" src=".../embed.js"></script> and
//
//   <stagecraft-playground editable height="420px" panels="files,graph,checks" theme="dark" target="app">
//     <script type="text/x-dockerfile">FROM ...</script>
//     <script type="text/plain" data-path="app/main.go">...</script>
//   </stagecraft-playground>
//
// (with `editable`, the Dockerfile and each context file can be edited: a tab per file) or
// `src="example.json"` ({dockerfile, files: [{path, text}]}) or a Dockerfile URL. Shadow
// DOM keeps the host page's CSS out; the wasm loads once per page, in one worker shared by all
// widgets, when the first widget comes into view. Everything from the page is untrusted text.

import { EditorView } from '@codemirror/view';
import CSS from './style.css?shadow';
import { SimClient } from './client.js';
import { createEditor, showDiagnostics, diagnosticRange } from './editor.js';
import { renderGraph } from './graph.js';
import { FsPanel } from './fs.js';
import { renderImage, renderLog, renderChecks } from './panels.js';
import { h, clear, stageLabel } from './dom.js';

const PANELS = { files: 'Files', graph: 'Graph', image: 'Image', log: 'Build log', checks: 'Checks' };
const WIDGET_CSS = `
:host { all: initial !important; display: block !important; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif !important; color: var(--fg) !important; background: var(--bg) !important; border: 1px solid var(--border) !important; border-radius: 8px !important; overflow: hidden !important; text-align: left !important; }
:host([hidden]) { display: none !important; }
.w { display: flex; flex-direction: column; height: var(--height, auto); min-height: 240px; }
.w-head { display: flex; gap: 8px; align-items: center; padding: 4px 8px; border-bottom: 1px solid var(--border); background: var(--bg-panel); }
.w-head .title { font-weight: 600; }
.w-body { flex: 1; display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); min-height: 0; }
.w-left { display: flex; flex-direction: column; min-width: 0; min-height: 0; border-right: 1px solid var(--border); }
.w-left [hidden] { display: none !important; }
.w-editor { flex: 1; min-height: 160px; overflow: auto; }
.w-files { display: flex; flex-wrap: wrap; gap: 2px; padding: 4px 6px 0; border-bottom: 1px solid var(--border); }
.w-files [role=tab] { font-family: var(--mono); font-size: 12px; padding: 1px 8px; border-radius: 6px 6px 0 0; border-bottom: none; }
.w-files [role=tab][aria-selected=true] { background: var(--bg-active); border-color: var(--accent); font-weight: 600; }
.w-file { flex: 1; width: 100%; min-height: 160px; margin: 0; border: none; border-radius: 0; resize: none; font-family: var(--mono); font-size: 12.5px; background: var(--bg-editor); white-space: pre; }
.w-panels { display: flex; flex-direction: column; min-height: 0; }
.w-panels .panel { border: none; border-radius: 0; flex: 1; }
.tree-box { max-height: none; }
.fs-grid { grid-template-columns: 1fr; }
@media (max-width: 700px) { .w-body { grid-template-columns: 1fr; } }
.spacer { flex: 1; }
`;

function dedent(text) {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  while (lines.length && !lines[0].trim()) lines.shift();
  while (lines.length && !lines.at(-1).trim()) lines.pop();
  const indents = lines.filter((l) => l.trim()).map((l) => /^[ \t]*/.exec(l)[0].length);
  const cut = indents.length ? Math.min(...indents) : 0;
  return `${lines.map((l) => l.slice(cut)).join('\n')}\n`;
}

/** Only plain CSS lengths for the height attribute. */
function safeLength(v) {
  return v && /^\d+(\.\d+)?(px|em|rem|vh|%)$/.test(v.trim()) ? v.trim() : null;
}

function parseSource(text) {
  const t = text.trimStart();
  if (t.startsWith('{')) {
    const json = JSON.parse(t);
    const files = (Array.isArray(json.files) ? json.files : [])
      .filter((f) => f && typeof f.path === 'string' && typeof f.text === 'string')
      .map((f) => ({ path: f.path, text: f.text }));
    return { dockerfile: typeof json.dockerfile === 'string' ? json.dockerfile : '', files };
  }
  return { dockerfile: text, files: [] };
}

let observer = null;
function whenVisible(el, fn) {
  if (!('IntersectionObserver' in window)) return fn();
  observer ||= new IntersectionObserver((entries) => {
    for (const e of entries) {
      if (!e.isIntersecting) continue;
      observer.unobserve(e.target);
      e.target.__stagecraftStart?.();
    }
  }, { rootMargin: '200px' });
  el.__stagecraftStart = fn;
  observer.observe(el);
}

class StagecraftPlayground extends HTMLElement {
  connectedCallback() {
    if (this.shadowRoot) return;
    const root = this.attachShadow({ mode: 'open' });
    const theme = this.getAttribute('theme');
    if (theme === 'light' || theme === 'dark') this.setAttribute('theme', theme);
    const height = safeLength(this.getAttribute('height'));
    root.appendChild(h('style', null, CSS + WIDGET_CSS));
    this.status = h('span.status', { role: 'status' }, 'waiting to come into view…');
    this.wrap = h('div.w', height ? { style: `--height:${height}` } : null,
      h('div.w-head', null, h('span.title', null, 'Stagecraft'), this.status));
    root.appendChild(this.wrap);
    whenVisible(this, () => this.start().catch((e) => { this.status.textContent = `Error: ${e.message}`; }));
  }

  async start() {
    let source;
    const src = this.getAttribute('src');
    if (src) {
      const res = await fetch(new URL(src, document.baseURI));
      if (!res.ok) throw new Error(`${src}: HTTP ${res.status}`);
      source = parseSource(await res.text());
    } else {
      const df = this.querySelector('script[type="text/x-dockerfile"]');
      source = {
        dockerfile: df ? dedent(df.textContent) : '',
        files: [...this.querySelectorAll('script[type="text/plain"][data-path]')].map((s) => ({ path: s.dataset.path, text: dedent(s.textContent) })),
      };
    }
    this.files = source.files;
    this.options = { target: this.getAttribute('target') || '', buildArgs: {} };
    const editable = this.hasAttribute('editable');
    const wanted = (this.getAttribute('panels') || 'files,graph,checks,log,image').split(',').map((p) => p.trim()).filter((p) => PANELS[p]);
    const panels = wanted.length ? wanted : ['files'];

    this.client = new SimClient({
      onResult: (r) => this.show(r),
      onError: (e) => { this.status.textContent = `Error: ${e.message}`; },
      onBusy: (b) => { if (b) this.status.textContent = 'simulating…'; },
    });
    this.rules = [];
    this.instructions = null;
    this.client.request('rules').then((r) => { this.rules = r.rules || []; this.instructions = r.instructions || null; }, () => {});

    const editorBox = h('div.w-editor');
    this.targetSelect = h('select', { 'aria-label': 'Target', onchange: () => { this.options.target = this.targetSelect.value; this.run(0); } });
    this.wrap.firstChild.append(h('span.spacer'), h('label', null, 'Target ', this.targetSelect));
    const tabs = h('div.tabs', { role: 'tablist' });
    const bodies = {};
    const boxes = h('div.w-panels', null, tabs);
    const select = (name) => {
      for (const [n, b] of Object.entries(bodies)) {
        b.hidden = n !== name;
        const t = tabs.querySelector(`[data-panel="${n}"]`);
        t.setAttribute('aria-selected', n === name ? 'true' : 'false');
        t.tabIndex = n === name ? 0 : -1;
      }
    };
    for (const name of panels) {
      bodies[name] = h('div.panel', { role: 'tabpanel', 'data-panel': name });
      boxes.appendChild(bodies[name]);
      tabs.appendChild(h('button', {
        role: 'tab', type: 'button', 'data-panel': name, onclick: () => select(name),
        onkeydown: (e) => {
          const i = panels.indexOf(name);
          const next = e.key === 'ArrowRight' ? panels[(i + 1) % panels.length] : e.key === 'ArrowLeft' ? panels[(i - 1 + panels.length) % panels.length] : null;
          if (next) { e.preventDefault(); select(next); tabs.querySelector(`[data-panel="${next}"]`).focus(); }
        },
      }, PANELS[name]));
    }
    this.bodies = bodies;
    this.wrap.appendChild(h('div.w-body', null, this.contextEditor(editorBox, editable), boxes));
    select(panels[0]);
    if (bodies.files) this.fs = new FsPanel(bodies.files, this.client);

    this.editor = createEditor(editorBox, {
      text: source.dockerfile,
      onChange: () => this.run(),
      getStageNames: () => this.stageNames || [],
      getRules: () => this.rules,
      getInstructions: () => this.instructions,
      root: this.shadowRoot,
      editable,
    });
    this.run(0);
  }

  /**
   * The Dockerfile editor with, when there are context files, a tab per file: a file's tab
   * shows it in a text area, editable when the widget is (read-only otherwise).
   */
  contextEditor(editorBox, editable) {
    if (!this.files.length) return h('div.w-left', null, editorBox);
    const area = h('textarea.w-file', { spellcheck: 'false', hidden: true, readonly: !editable, 'aria-label': 'Context file content' });
    const tabs = h('div.w-files', { role: 'tablist', 'aria-label': 'Dockerfile and context files' });
    const names = ['Dockerfile', ...this.files.map((f) => f.path)];
    let current = 0;
    const select = (i, focus) => {
      current = i;
      [...tabs.children].forEach((t, j) => { t.setAttribute('aria-selected', j === i ? 'true' : 'false'); t.tabIndex = j === i ? 0 : -1; });
      editorBox.hidden = i !== 0;
      area.hidden = i === 0;
      if (i > 0) { area.value = this.files[i - 1].text; area.setAttribute('aria-label', `Content of ${this.files[i - 1].path}`); }
      if (focus) tabs.children[i].focus();
    };
    names.forEach((name, i) => tabs.appendChild(h('button', {
      role: 'tab', type: 'button', 'data-file': i === 0 ? '' : name, onclick: () => select(i),
      onkeydown: (e) => {
        const next = e.key === 'ArrowRight' ? (i + 1) % names.length : e.key === 'ArrowLeft' ? (i - 1 + names.length) % names.length : null;
        if (next !== null) { e.preventDefault(); select(next, true); }
      },
    }, name)));
    area.addEventListener('input', () => {
      if (current === 0 || !editable) return;
      this.files[current - 1].text = area.value;
      this.run();
    });
    select(0);
    return h('div.w-left', null, tabs, editorBox, area);
  }

  run(delay = 150) {
    const options = { buildArgs: {} };
    if (this.options.target) options.target = this.options.target;
    this.client.simulate({ dockerfile: this.editor.state.doc.toString(), context: { files: this.files }, options }, delay);
  }

  jumpTo(d) {
    const { from, to } = diagnosticRange(this.editor.state.doc, d);
    this.editor.dispatch({ selection: { anchor: from, head: to }, effects: EditorView.scrollIntoView(from, { y: 'center' }) });
    this.editor.focus();
  }

  show(result) {
    const { report, graph } = result;
    this.status.textContent = `simulated in ${result.ms.toFixed(1)} ms`;
    showDiagnostics(this.editor, report.diagnostics || [], this.rules);
    this.stageNames = (graph.stages || []).filter((s) => s.name).map((s) => s.name);
    clear(this.targetSelect).appendChild(h('option', { value: '' }, 'default'));
    for (const s of graph.stages || []) {
      if (s.name) this.targetSelect.appendChild(h('option', { value: s.name, selected: s.name === this.options.target }, stageLabel(s)));
    }
    if (this.fs) this.fs.update(report);
    if (this.bodies.graph) renderGraph(this.bodies.graph, graph, (i) => this.fs?.showStage(i));
    if (this.bodies.image) renderImage(this.bodies.image, report);
    if (this.bodies.log) renderLog(this.bodies.log, result);
    if (this.bodies.checks) renderChecks(this.bodies.checks, report.diagnostics || [], (d) => this.jumpTo(d));
    this.dataset.simulated = String(Number(this.dataset.simulated || 0) + 1);
  }
}

if (!customElements.get('stagecraft-playground')) customElements.define('stagecraft-playground', StagecraftPlayground);
