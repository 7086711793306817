// The playground page: the editor, the build context, the build options and the panels, over
// a simulation worker. Every piece of text shown comes from textContent (see dom.js).

import { EditorView } from '@codemirror/view';
import { EXAMPLES, FIRST_EXAMPLE } from 'virtual:examples';
import { SimClient } from './client.js';
import { createEditor, showDiagnostics, diagnosticRange } from './editor.js';
import { renderGraph } from './graph.js';
import { FsPanel } from './fs.js';
import { renderImage, renderLog, renderChecks } from './panels.js';
import { encodeState, decodeState } from './share.js';
import { h, clear, formatSize, stageLabel } from './dom.js';

const $ = (id) => document.getElementById(id);

const state = {
  files: [],            // [{ path, text } | { path, bytes }]
  selectedFile: null,   // path
  options: { target: '', platform: '', buildArgs: {} },
  argRows: [],          // [{ key, value }] as typed
  result: null,
  rules: [],
  instructions: null,  // the core's instruction table (names, summaries, flags, mount types)
  stageNames: [],
  example: null,        // the gallery example loaded last (null after a shared link)
  pristine: null,       // the state as loaded (example or link), to tell whether it was edited
  catalogs: [],         // [{ name, text, images }]: base-image catalog files (`stagecraft image snapshot`)
  contextUnknown: false, // the context's files are not given: COPY brings stand-ins
};

// ---------- theme ----------
function applyTheme(theme) {
  if (theme === 'light' || theme === 'dark') document.documentElement.dataset.theme = theme;
  else delete document.documentElement.dataset.theme;
}
let savedTheme = null;
try { savedTheme = localStorage.getItem('stagecraft-theme'); } catch { /* storage may be off */ }
applyTheme(savedTheme);
$('theme').addEventListener('click', () => {
  const current = document.documentElement.dataset.theme || (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light');
  const next = current === 'dark' ? 'light' : 'dark';
  applyTheme(next);
  try { localStorage.setItem('stagecraft-theme', next); } catch { /* ignore */ }
});

// ---------- the worker ----------
const status = $('status');
const client = new SimClient({
  onResult: (result, input) => showResult(result, input),
  onError: (err) => { status.textContent = `Error: ${err.message}`; status.className = 'status error'; },
  onBusy: (busy) => { document.body.classList.toggle('busy', busy); if (busy) status.textContent = 'simulating…'; },
});
client.request('rules').then((r) => { state.rules = r.rules || []; state.instructions = r.instructions || null; $('version').textContent = `core ${r.version}`; }, () => {});

function contextValue() {
  return {
    files: state.files.map((f) => ({ ...(f.bytes ? { path: f.path, bytes: f.bytes } : { path: f.path, text: f.text }), ...(f.mode !== undefined ? { mode: f.mode } : {}) })),
    dockerignore: state.files.find((f) => f.path === '.dockerignore')?.text,
    ...(state.contextUnknown ? { unknown: true } : {}),
  };
}

function optionsValue() {
  const o = {};
  if (state.options.target) o.target = state.options.target;
  if (state.options.platform) o.platform = state.options.platform;
  const args = {};
  for (const { key, value } of state.argRows) if (key.trim()) args[key.trim()] = value;
  o.buildArgs = args;
  return o;
}

function input() {
  return { dockerfile: editor.state.doc.toString(), context: contextValue(), options: optionsValue(), catalogs: state.catalogs.map((c) => c.text) };
}

function schedule(delay = 150) {
  client.simulate(input(), delay);
}

// ---------- editor ----------
const editor = createEditor($('editor'), {
  text: '',
  onChange: () => schedule(),
  getStageNames: () => state.stageNames,
  getRules: () => state.rules,
  getInstructions: () => state.instructions,
});

function setDockerfile(text) {
  editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: text } });
}

function jumpTo(d) {
  const { from, to } = diagnosticRange(editor.state.doc, d);
  editor.dispatch({ selection: { anchor: from, head: to }, effects: EditorView.scrollIntoView(from, { y: 'center' }) });
  editor.focus();
}

// ---------- build options ----------
const targetSelect = $('target');
targetSelect.addEventListener('change', () => { state.options.target = targetSelect.value; schedule(0); });
$('platform').addEventListener('input', (e) => { state.options.platform = e.target.value.trim(); schedule(); });
$('add-arg').addEventListener('click', () => { state.argRows.push({ key: '', value: '' }); renderArgs(); });

function renderArgs() {
  const box = clear($('args'));
  state.argRows.forEach((row, i) => {
    box.appendChild(h('div.arg-row', null,
      h('input', { type: 'text', placeholder: 'NAME', value: row.key, 'aria-label': 'Build arg name', oninput: (e) => { row.key = e.target.value; schedule(); } }),
      '=',
      h('input', { type: 'text', placeholder: 'value', value: row.value, 'aria-label': 'Build arg value', oninput: (e) => { row.value = e.target.value; schedule(); } }),
      h('button', { type: 'button', title: 'Remove', 'aria-label': 'Remove build arg', onclick: () => { state.argRows.splice(i, 1); renderArgs(); schedule(0); } }, '×')));
  });
}

function renderTargets(graph) {
  const stages = graph?.stages || [];
  state.stageNames = stages.filter((s) => s.name).map((s) => s.name);
  const want = state.options.target;
  clear(targetSelect);
  targetSelect.appendChild(h('option', { value: '' }, 'default (last stage)'));
  // `docker build --target` takes a stage name, so only named stages are offered.
  for (const s of stages) {
    if (!s.name) continue;
    targetSelect.appendChild(h('option', { value: s.name, selected: s.name === want }, stageLabel(s)));
  }
  if (want && ![...targetSelect.options].some((o) => o.value === want)) targetSelect.appendChild(h('option', { value: want, selected: true }, `${want} (not found)`));
}

// ---------- build context ----------
$('context-unknown').addEventListener('change', (e) => { state.contextUnknown = e.target.checked; schedule(0); });
function setContextUnknown(on) {
  state.contextUnknown = on;
  $('context-unknown').checked = on;
}
const fileEditor = $('file-text');
fileEditor.addEventListener('input', () => {
  const f = state.files.find((x) => x.path === state.selectedFile);
  if (f && !f.bytes) {
    f.text = fileEditor.value;
    const size = [...$('files').children].find((li) => li.dataset.path === f.path)?.querySelector('.size');
    if (size) size.textContent = formatSize(new TextEncoder().encode(f.text).length);
    schedule();
  }
});

function normalisePath(p) {
  return String(p).replace(/\\/g, '/').split('/').filter((x) => x && x !== '.' && x !== '..').join('/');
}

function upsertFile(file) {
  const path = normalisePath(file.path);
  if (!path) return;
  const i = state.files.findIndex((f) => f.path === path);
  const entry = file.bytes ? { path, bytes: file.bytes } : { path, text: file.text ?? '' };
  if (i >= 0) state.files[i] = entry; else state.files.push(entry);
  state.files.sort((a, b) => (a.path < b.path ? -1 : 1));
}

function renderFiles() {
  const list = clear($('files'));
  for (const f of state.files) {
    const selected = f.path === state.selectedFile;
    const name = h('button.file-name', { type: 'button', 'aria-pressed': selected ? 'true' : 'false', onclick: () => { state.selectedFile = f.path; renderFiles(); } }, f.path);
    const size = f.bytes ? f.bytes.length : new TextEncoder().encode(f.text).length;
    list.appendChild(h(`li${selected ? '.selected' : ''}`, { 'data-path': f.path }, name,
      h('span.size', null, `${formatSize(size)}${f.bytes ? ' binary' : ''}`),
      h('button', { type: 'button', title: 'Rename', 'aria-label': `Rename ${f.path}`, onclick: () => startRename(f) }, '✎'),
      h('button', { type: 'button', title: 'Delete', 'aria-label': `Delete ${f.path}`, onclick: () => { state.files = state.files.filter((x) => x !== f); if (state.selectedFile === f.path) state.selectedFile = null; renderFiles(); schedule(0); } }, '×')));
  }
  const f = state.files.find((x) => x.path === state.selectedFile);
  $('file-label').textContent = f ? f.path : 'no file selected';
  fileEditor.disabled = !f || !!f.bytes;
  fileEditor.value = f ? (f.bytes ? `(binary file, ${f.bytes.length} bytes)` : f.text) : '';
}

function startRename(f) {
  const li = [...$('files').children].find((x) => x.dataset.path === f.path);
  if (!li) return;
  const inp = h('input', { type: 'text', value: f.path, 'aria-label': 'New path' });
  const done = (commit) => {
    const path = normalisePath(inp.value);
    if (commit && path && path !== f.path && !state.files.some((x) => x.path === path)) {
      if (state.selectedFile === f.path) state.selectedFile = path;
      f.path = path;
      state.files.sort((a, b) => (a.path < b.path ? -1 : 1));
      schedule(0);
    }
    renderFiles();
  };
  inp.addEventListener('keydown', (e) => { if (e.key === 'Enter') done(true); if (e.key === 'Escape') done(false); });
  inp.addEventListener('blur', () => done(true));
  clear(li).appendChild(inp);
  inp.focus();
  inp.select();
}

$('new-file-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const path = normalisePath($('new-file').value);
  if (!path) return;
  if (!state.files.some((f) => f.path === path)) upsertFile({ path, text: '' });
  state.selectedFile = path;
  $('new-file').value = '';
  renderFiles();
  schedule(0);
});

async function readUpload(file, path) {
  const bytes = new Uint8Array(await file.arrayBuffer());
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    if (!text.includes('\u0000')) return { path, text };
  } catch { /* binary */ }
  return { path, bytes };
}

async function onUpload(e, folder) {
  const files = [...e.target.files];
  for (const file of files) upsertFile(await readUpload(file, folder ? file.webkitRelativePath.split('/').slice(1).join('/') || file.name : file.name));
  e.target.value = '';
  renderFiles();
  schedule(0);
}
// Base images from `stagecraft image snapshot`: checked here for the shape, by the core when
// the worker loads them (a bad file is reported in the status line).
function renderCatalogs() {
  const list = clear($('catalogs'));
  for (const c of state.catalogs) {
    const remove = h('button', { type: 'button', 'aria-label': `Remove ${c.name}`, onclick: () => {
      state.catalogs = state.catalogs.filter((x) => x !== c);
      renderCatalogs();
      schedule(0);
    } }, '×');
    list.append(h('li', { 'data-catalog': c.name }, h('span.file-name', {}, `${c.name}: ${c.images.join(', ')}`), remove));
  }
}
async function onCatalogUpload(e) {
  for (const file of [...e.target.files]) {
    const text = await file.text();
    let images = [];
    try {
      const parsed = JSON.parse(text);
      images = (parsed.images || []).map((i) => `${i.name}:${(i.tags || [])[0] || 'latest'}`);
      if (parsed.schema !== 1 || !images.length) throw new Error('not a catalog file (schema 1 with images)');
    } catch (err) {
      status.className = 'status error';
      status.textContent = `${file.name}: ${err.message}`;
      continue;
    }
    state.catalogs = state.catalogs.filter((c) => c.name !== file.name).concat([{ name: file.name, text, images }]);
  }
  e.target.value = '';
  renderCatalogs();
  schedule(0);
}
$('upload-catalog').addEventListener('change', onCatalogUpload);
$('upload').addEventListener('change', (e) => onUpload(e, false));
$('upload-dir').addEventListener('change', (e) => onUpload(e, true));

// ---------- tabs (arrow keys move between them) ----------
const tabs = [...document.querySelectorAll('[role=tab]')];
function selectTab(tab) {
  for (const t of tabs) {
    const on = t === tab;
    t.setAttribute('aria-selected', on ? 'true' : 'false');
    t.tabIndex = on ? 0 : -1;
    $(t.getAttribute('aria-controls')).hidden = !on;
  }
}
for (const t of tabs) {
  t.addEventListener('click', () => selectTab(t));
  t.addEventListener('keydown', (e) => {
    const i = tabs.indexOf(t);
    const next = e.key === 'ArrowRight' ? tabs[(i + 1) % tabs.length] : e.key === 'ArrowLeft' ? tabs[(i - 1 + tabs.length) % tabs.length] : null;
    if (next) { e.preventDefault(); selectTab(next); next.focus(); }
  });
}

// ---------- panels ----------
const fsPanel = new FsPanel($('panel-fs'), client);

function showResult(result, inp) {
  state.result = result;
  const { report, graph } = result;
  status.className = 'status';
  status.textContent = `simulated in ${result.ms.toFixed(1)} ms${result.fetchNotes?.length ? ` (${result.fetchNotes.join('; ')})` : ''}`;
  if (result.timeline) {
    const t = result.timeline;
    status.title = `first load: wasm ready at ${t.wasm.toFixed(0)} ms, catalog index at ${t.index.toFixed(0)} ms, listings ${t.listings.toFixed(0)} ms, simulation ${t.simulate.toFixed(0)} ms`;
    document.body.dataset.timeline = status.title;
  }
  showDiagnostics(editor, report.diagnostics || [], state.rules);
  renderTargets(graph);
  renderGraph($('panel-graph'), graph, (i) => { fsPanel.showStage(i); selectTab(tabs.find((t) => t.id === 'tab-fs')); });
  fsPanel.update(report);
  renderImage($('panel-image'), report);
  renderLog($('panel-log'), result);
  renderChecks($('panel-checks'), report.diagnostics || [], jumpTo);
  $('tab-checks').textContent = `Checks (${(report.diagnostics || []).length})`;
  document.body.dataset.simulated = String(Number(document.body.dataset.simulated || 0) + 1);
  void inp;
}

// ---------- share and download ----------
$('share').addEventListener('click', async () => {
  const hash = await encodeState({ dockerfile: editor.state.doc.toString(), files: state.files, options: { ...optionsValue(), target: state.options.target, platform: state.options.platform, contextUnknown: state.contextUnknown } });
  history.replaceState(null, '', hash);
  const url = location.href;
  $('share-url').value = url;
  $('share-box').hidden = false;
  try { await navigator.clipboard.writeText(url); $('share-note').textContent = 'Copied to the clipboard.'; } catch { $('share-note').textContent = 'Copy the link above.'; }
});

$('download').addEventListener('click', async () => {
  try {
    const { dockerfile, context } = input();
    const tar = await client.request('contextTar', { dockerfile, context });
    const url = URL.createObjectURL(new Blob([tar], { type: 'application/x-tar' }));
    const a = h('a', { href: url, download: 'context.tar' });
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    $('docker-cmd').hidden = false;
    // The tar holds the files listed only: with the context "not given", a real build of it
    // fails where a COPY names a file the simulation stood in for.
    if (state.contextUnknown) status.textContent = 'The context is "not given": the tar holds only the files listed, so COPYs of others will fail in a real build.';
  } catch (e) {
    status.textContent = `Error: ${e.message}`;
  }
});

// ---------- the examples gallery ----------
const exampleSelect = $('example');

/** Everything a person can edit, as one string: equal strings mean nothing was edited. */
function snapshot() {
  return JSON.stringify({
    d: editor.state.doc.toString(),
    f: state.files.map((f) => [f.path, f.bytes ? `bytes:${f.bytes.length}:${f.bytes.join(',')}` : f.text]),
    t: state.options.target,
    p: state.options.platform,
    a: state.argRows.filter((r) => r.key.trim()).map((r) => [r.key.trim(), r.value]),
    u: state.contextUnknown,
  });
}
const edited = () => state.pristine !== null && snapshot() !== state.pristine;

/** README text with `code` spans, as text nodes and <code> elements (never markup). */
function withCode(text) {
  return text.split('`').map((part, i) => (i % 2 ? h('code', null, part) : part));
}

function renderGallery() {
  clear(exampleSelect);
  if (state.example === null) exampleSelect.appendChild(h('option', { value: '', selected: true, disabled: true }, '(from a shared link)'));
  for (const [name, ex] of Object.entries(EXAMPLES)) {
    exampleSelect.appendChild(h('option', { value: name, selected: name === state.example }, ex.title));
  }
  const ex = EXAMPLES[state.example];
  $('example-about').hidden = !ex;
  clear($('example-title')).append(ex ? `About: ${ex.title}` : '');
  clear($('example-text')).append(...(ex ? withCode(ex.description || 'No description.') : []));
}

/** Replaces the Dockerfile, the context and the options with an example's. */
function loadExample(name) {
  const ex = EXAMPLES[name];
  state.example = name;
  state.files = ex.files.map((f) => ({ ...f }));
  state.selectedFile = state.files[0]?.path ?? null;
  state.options.target = ex.target || '';
  state.options.platform = '';
  $('platform').value = '';
  setContextUnknown(false);
  state.argRows = Object.entries(ex.buildArgs || {}).map(([key, value]) => ({ key, value }));
  return ex.dockerfile;
}

/** After a load: show it all, simulate at once, and remember it as not edited. */
function afterLoad(dockerfile) {
  setDockerfile(dockerfile);
  renderArgs();
  renderFiles();
  renderTargets(null);
  renderGallery();
  fsPanel.stage = null; // the new build's image stage
  fsPanel.layer = null;
  client.simulate(input(), 0);
  state.pristine = snapshot();
}

exampleSelect.addEventListener('change', () => {
  const name = exampleSelect.value;
  if (!EXAMPLES[name] || (name === state.example && !edited())) return;
  if (edited() && !confirm(`Replace your Dockerfile and build context with the example "${EXAMPLES[name].title}"? Your edits will be lost.`)) {
    exampleSelect.value = state.example ?? '';
    return;
  }
  if (location.hash.startsWith('#s=')) history.replaceState(null, '', location.pathname + location.search);
  $('share-box').hidden = true;
  $('docker-cmd').hidden = true;
  afterLoad(loadExample(name));
});

// ---------- start ----------
async function start() {
  let dockerfile = null;
  if (location.hash.startsWith('#s=')) {
    try {
      const shared = await decodeState(location.hash);
      dockerfile = shared.dockerfile;
      state.files = [];
      for (const f of shared.files) upsertFile(f);
      state.selectedFile = state.files[0]?.path ?? null;
      state.options.target = shared.options.target;
      state.options.platform = shared.options.platform;
      state.argRows = Object.entries(shared.options.buildArgs).map(([key, value]) => ({ key, value }));
      $('platform').value = state.options.platform;
      setContextUnknown(shared.options.contextUnknown);
    } catch (e) {
      status.textContent = `Could not open the shared link: ${e.message}`;
    }
  }
  if (dockerfile === null) dockerfile = loadExample(FIRST_EXAMPLE);
  afterLoad(dockerfile);
}

// Hooks for the end-to-end test and the console (same-origin code only; nothing reads them).
window.stagecraft = {
  bench: (runs = 50) => client.request('bench', { ...input(), runs }),
  dockerfile: () => editor.state.doc.toString(),
  setDockerfile,
  examples: () => Object.entries(EXAMPLES).map(([name, ex]) => ({ name, title: ex.title, target: ex.target, buildArgs: ex.buildArgs })),
  example: () => state.example,
  rules: () => state.rules,
};

start();

// Offline once loaded: a service worker keeps what the page fetched (not on file:// pages).
if ('serviceWorker' in navigator && location.protocol.startsWith('http')) {
  navigator.serviceWorker.register(new URL('./sw.js', import.meta.url)).catch(() => {});
}
