// The filesystem panel: any stage at any layer (or its final state) as a lazily expanded tree
// with sizes, where each entry came from and that layer's fidelity, a viewer for files and the
// layer's diff. The tree is an ARIA tree with roving focus: arrows move, Right/Left expand and
// collapse, Enter opens a file.

import { h, clear, formatSize, stageLabel } from './dom.js';

const KIND_ICON = { dir: '▸', file: '·', symlink: '↪' };
const AUTO_EXPAND_LIMIT = 40;

export class FsPanel {
  constructor(root, client) {
    this.root = root;
    this.client = client;
    this.report = null;
    this.stage = null;
    this.layer = null;
    this.token = 0;
    this.stageSelect = h('select', { 'aria-label': 'Stage', onchange: () => { this.stage = Number(this.stageSelect.value); this.layer = null; this.render(); } });
    this.layerSelect = h('select', { 'aria-label': 'Layer', onchange: () => { this.layer = this.layerSelect.value === '' ? null : Number(this.layerSelect.value); this.render(); } });
    this.tree = h('ul.tree', { role: 'tree', 'aria-label': 'Files' });
    this.tree.addEventListener('keydown', (e) => this.onKey(e));
    this.viewer = h('div.viewer', null, h('p.muted', null, 'Select a file to see its content.'));
    this.diffBox = h('div.diff');
    this.info = h('div.layer-info');
    const tarButton = h('button', { type: 'button', id: 'stage-tar', onclick: () => this.downloadTar() }, 'Download stage .tar');
    clear(root).append(
      h('div.toolbar', null, h('label', null, 'Stage ', this.stageSelect), h('label', null, 'Layer ', this.layerSelect), this.info, tarButton),
      h('div.fs-grid', null, h('div.tree-box', null, this.tree), h('div.side', null, h('h3', null, 'File'), this.viewer, h('h3', null, 'Layer diff'), this.diffBox)));
  }

  fidelityOf(ref) {
    if (!ref || !this.report) return null;
    return this.report.stages?.[ref.stage]?.layers?.[ref.index] ?? null;
  }

  /** A new simulation: keep the stage and layer when they still exist. */
  update(report) {
    this.report = report;
    const stages = (report.stages || []).filter((st) => st.built);
    const imageStage = report.image ? report.image.stage : stages.at(-1)?.index;
    if (this.stage === null || !stages.some((st) => st.index === this.stage)) { this.stage = imageStage ?? null; this.layer = null; }
    const st = report.stages?.[this.stage];
    if (this.layer !== null && (!st || this.layer >= st.layers.length)) this.layer = null;
    clear(this.stageSelect);
    for (const s of stages) {
      this.stageSelect.appendChild(h('option', { value: s.index, selected: s.index === this.stage }, `${stageLabel(s)}${report.image?.stage === s.index ? ' (image)' : ''}${s.opaque ? ' (opaque steps)' : ''}`));
    }
    this.render();
  }

  /** The stage's root filesystem as a tar, like `docker export`. */
  async downloadTar() {
    if (this.stage === null) return;
    try {
      const tar = await this.client.request('stageTar', { stage: this.stage });
      const url = URL.createObjectURL(new Blob([tar], { type: 'application/x-tar' }));
      const a = h('a', { href: url, download: `stage-${this.stage}.tar` });
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (e) {
      clear(this.viewer).appendChild(h('p.error', null, e.message));
    }
  }

  showStage(index) {
    if (!this.report?.stages?.[index]?.built) return;
    this.stage = index;
    this.layer = null;
    this.stageSelect.value = String(index);
    this.render();
  }

  async render() {
    const token = ++this.token;
    const st = this.report?.stages?.[this.stage];
    clear(this.layerSelect);
    clear(this.tree);
    clear(this.diffBox);
    clear(this.info);
    if (!st) { this.tree.appendChild(h('li.muted', null, 'No built stage.')); return; }
    this.layerSelect.appendChild(h('option', { value: '', selected: this.layer === null }, 'final state'));
    st.layers.forEach((l, i) => this.layerSelect.appendChild(h('option', { value: i, selected: this.layer === i }, `${i}: ${l.instruction.slice(0, 60)} [${l.fidelity}]`)));
    if (this.layer !== null) {
      const l = st.layers[this.layer];
      this.info.append(badge(l.fidelity), ` +${l.added} ~${l.modified} -${l.deleted}, ${formatSize(l.size)}`);
    } else {
      this.info.append(`${formatSize(st.size)}${st.opaque ? ', has opaque steps' : ''}`);
    }
    const rootItem = await this.dirItems('/', 1, token);
    if (token !== this.token || !rootItem) return;
    this.tree.append(...rootItem);
    const first = this.tree.querySelector('[role=treeitem]');
    if (first) first.tabIndex = 0;
    await this.autoExpand(st, token);
    if (token !== this.token) return;
    await this.renderDiff(token);
  }

  async renderDiff(token) {
    if (this.layer === null) {
      this.diffBox.appendChild(h('p.muted', null, 'Pick a layer to see what it added, modified and deleted.'));
      return;
    }
    try {
      const diff = await this.client.request('diff', { stage: this.stage, layer: this.layer });
      if (token !== this.token) return;
      if (!diff.length) this.diffBox.appendChild(h('p.muted', null, 'No changes.'));
      const list = h('ul.diff-list');
      for (const d of diff.slice(0, 2000)) list.appendChild(h(`li.diff-${d.kind}`, null, h('span.diff-kind', null, d.kind === 'added' ? '+' : d.kind === 'deleted' ? '-' : '~'), ' ', d.path, d.size != null ? h('span.size', null, formatSize(d.size)) : null));
      this.diffBox.appendChild(list);
      if (diff.length > 2000) this.diffBox.appendChild(h('p.muted', null, `and ${diff.length - 2000} more`));
    } catch (e) {
      this.diffBox.appendChild(h('p.error', null, e.message));
    }
  }

  /** Opens the directories holding what the stage's own steps changed, so they show at once. */
  async autoExpand(st, token) {
    const paths = [];
    const last = this.layer === null ? st.layers.length - 1 : this.layer;
    for (let i = 0; i <= last && paths.length < AUTO_EXPAND_LIMIT; i++) {
      const l = st.layers[i];
      if (!l.makes_layer || !(l.added + l.modified)) continue;
      try {
        const diff = await this.client.request('diff', { stage: this.stage, layer: i });
        for (const d of diff) if (d.kind !== 'deleted' && paths.length < AUTO_EXPAND_LIMIT) paths.push({ path: d.path, dir: d.entry === 'dir' });
      } catch { /* the tree still works without it */ }
      if (token !== this.token) return;
    }
    // A changed directory opens too (a COPY of a folder is one grafted entry in the diff), so
    // what the step put there shows.
    const budget = { left: 12 };
    for (const { path: p, dir: isDir } of paths) {
      const parts = p.split('/').filter(Boolean);
      let dir = '';
      for (let i = 0; i < parts.length - (isDir ? 0 : 1); i++) {
        dir += `/${parts[i]}`;
        const li = this.findItem(dir);
        if (!li) break;
        if (li.getAttribute('aria-expanded') === 'false') await this.expand(li, token);
        if (token !== this.token) return;
      }
      const li = this.findItem(p);
      li?.classList.add('changed');
      // A directory the step added whole (COPY --from=build /etc/ssl/... into scratch is one
      // added /etc): open a few levels of what is inside, so the files show too.
      if (li && isDir) await this.expandInside(li, token, budget);
      if (token !== this.token) return;
    }
  }

  /** Opens the directories under `li`, breadth first, while they are small and the budget lasts. */
  async expandInside(li, token, budget) {
    const queue = [li];
    while (queue.length && budget.left > 0) {
      const dir = queue.shift();
      if (dir.getAttribute('aria-expanded') === 'false') { budget.left--; await this.expand(dir, token); }
      if (token !== this.token) return;
      const kids = [...(dir.querySelector(':scope > ul')?.children || [])];
      if (kids.length > 20) continue;
      for (const k of kids) if (k.dataset.kind === 'dir') queue.push(k);
    }
  }

  findItem(path) {
    for (const li of this.tree.querySelectorAll('[role=treeitem]')) if (li.dataset.path === path) return li;
    return null;
  }

  async dirItems(dir, level, token) {
    let entries;
    try {
      entries = await this.client.request('list', { stage: this.stage, layer: this.layer, dir });
    } catch (e) {
      return [h('li.error', { role: 'none' }, e.message)];
    }
    if (token !== this.token) return null;
    // Entries have `type` (file, dir, symlink) and `path`; the name is its last component.
    const norm = entries.map((e) => ({ ...e, kind: e.type ?? e.kind, name: e.name ?? e.path.slice(e.path.lastIndexOf('/') + 1) }));
    norm.sort((a, b) => ((a.kind === 'dir') === (b.kind === 'dir') ? (a.name < b.name ? -1 : 1) : a.kind === 'dir' ? -1 : 1));
    return norm.map((e) => this.item(e, level));
  }

  item(e, level) {
    const layer = this.fidelityOf(e.layer);
    const origin = e.layer
      ? `${stageLabel(this.report.stages[e.layer.stage])} step ${e.layer.index}: ${layer?.instruction ?? ''}`
      : 'base image';
    const li = h('li', {
      role: 'treeitem', tabindex: -1, 'aria-level': level, 'data-path': e.path, 'data-kind': e.kind,
      'aria-expanded': e.kind === 'dir' ? 'false' : null, title: origin,
    },
    h('div.row', null,
      h('span.icon', null, KIND_ICON[e.kind] || '?'),
      h('span.name', null, e.name),
      e.kind === 'symlink' ? h('span.target', null, ` → ${e.target ?? ''}`) : null,
      h('span.mode', null, `${e.mode} ${e.uid}:${e.gid}`),
      h('span.size', null, e.kind === 'dir' ? '' : formatSize(e.size)),
      h('span.origin', null, e.layer ? `${this.report.stages[e.layer.stage]?.name ?? `#${e.layer.stage}`}:${e.layer.index}` : 'base'),
      layer ? badge(layer.fidelity) : null));
    li.querySelector('.row').addEventListener('click', (ev) => {
      ev.stopPropagation();
      this.focusItem(li);
      this.activate(li);
    });
    return li;
  }

  async activate(li) {
    if (li.dataset.kind === 'dir') {
      if (li.getAttribute('aria-expanded') === 'true') this.collapse(li);
      else await this.expand(li, this.token);
    } else {
      await this.open(li.dataset.path);
    }
  }

  async expand(li, token) {
    if (li.getAttribute('aria-expanded') !== 'false') return;
    li.setAttribute('aria-expanded', 'true');
    li.querySelector('.icon').textContent = '▾';
    const items = await this.dirItems(li.dataset.path, Number(li.getAttribute('aria-level')) + 1, token);
    if (!items || token !== this.token || li.getAttribute('aria-expanded') !== 'true') return;
    li.appendChild(h('ul', { role: 'group' }, ...items));
  }

  collapse(li) {
    li.setAttribute('aria-expanded', 'false');
    li.querySelector('.icon').textContent = '▸';
    li.querySelector(':scope > ul')?.remove();
  }

  async open(path) {
    clear(this.viewer).appendChild(h('p.muted', null, path));
    try {
      const r = await this.client.request('readFile', { stage: this.stage, layer: this.layer, path });
      clear(this.viewer).appendChild(h('div.viewer-path', null, path));
      if (typeof r.text === 'string') this.viewer.appendChild(h('pre.file-text', null, r.text.length > 200000 ? `${r.text.slice(0, 200000)}\n…` : r.text));
      else if (r.bytes) this.viewer.appendChild(h('pre.file-hex', null, hexdump(r.bytes)));
      else if (r.synthetic) this.viewer.appendChild(h('p.muted', null, `Not modelled byte for byte: ${formatSize(r.synthetic.size)}, ${r.synthetic.identity ?? ''}`));
    } catch (e) {
      this.viewer.appendChild(h('p.error', null, e.message));
    }
  }

  visibleItems() {
    return [...this.tree.querySelectorAll('[role=treeitem]')];
  }

  focusItem(li) {
    for (const x of this.tree.querySelectorAll('[role=treeitem][tabindex="0"]')) x.tabIndex = -1;
    li.tabIndex = 0;
    li.focus();
  }

  onKey(e) {
    const li = e.target.closest('[role=treeitem]');
    if (!li) return;
    const items = this.visibleItems();
    const i = items.indexOf(li);
    const go = (x) => { if (x) { e.preventDefault(); this.focusItem(x); } };
    switch (e.key) {
      case 'ArrowDown': go(items[i + 1]); break;
      case 'ArrowUp': go(items[i - 1]); break;
      case 'Home': go(items[0]); break;
      case 'End': go(items.at(-1)); break;
      case 'ArrowRight':
        e.preventDefault();
        if (li.dataset.kind === 'dir' && li.getAttribute('aria-expanded') === 'false') this.expand(li, this.token);
        else if (li.getAttribute('aria-expanded') === 'true') go(li.querySelector('[role=treeitem]'));
        break;
      case 'ArrowLeft':
        e.preventDefault();
        if (li.getAttribute('aria-expanded') === 'true') this.collapse(li);
        else go(li.parentElement.closest('[role=treeitem]'));
        break;
      case 'Enter': case ' ':
        e.preventDefault();
        this.activate(li);
        break;
      default:
    }
  }
}

export function badge(fidelity) {
  return h(`span.badge.fidelity-${['exact', 'modeled', 'opaque', 'failed'].includes(fidelity) ? fidelity : 'unknown'}`, { title: `fidelity: ${fidelity}` }, fidelity);
}

function hexdump(bytes) {
  const n = Math.min(bytes.length, 4096);
  const lines = [];
  for (let i = 0; i < n; i += 16) {
    const row = bytes.subarray(i, Math.min(i + 16, n));
    const hex = [...row].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    const asc = [...row].map((b) => (b >= 32 && b < 127 ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${i.toString(16).padStart(8, '0')}  ${hex.padEnd(47)}  ${asc}`);
  }
  if (bytes.length > n) lines.push(`… ${bytes.length - n} more bytes`);
  return lines.join('\n');
}
