// The image, build log and checks panels, shared by the playground and the widget.

import { h, clear, formatSize, stageLabel } from './dom.js';
import { badge } from './fs.js';

export function renderImage(container, report) {
  const box = clear(container);
  const img = report.image;
  if (!img) { box.appendChild(h('p.muted', null, 'No image (the target did not build).')); return; }
  const st = report.stages[img.stage];
  const built = report.stages.filter((s) => s.built);
  const largest = built.reduce((a, b) => (b.size > (a?.size ?? -1) ? b : a), null);
  const max = Math.max(img.size, largest?.size || 0, 1);
  const bar = (label, size) => h('div.bar-row', null, h('span.bar-label', null, label), h('span.bar', null, h('span.bar-fill', { style: `width:${(100 * size) / max}%` })), h('span.size', null, formatSize(size)));
  box.append(...[
    h('h3', null, `Image: ${stageLabel(st)}`),
    bar('final image', img.size),
    largest && largest.index !== img.stage ? bar(`largest stage: ${stageLabel(largest)}`, largest.size) : h('p.muted', null, 'The image is the largest stage built.'),
    h('h3', null, 'Layers'),
    h('table.layers', null, h('thead', null, h('tr', null, h('th', null, '#'), h('th', null, 'instruction'), h('th', null, 'fidelity'), h('th', null, 'changes'), h('th', null, 'size'))),
      h('tbody', null, ...st.layers.map((l, i) => h(`tr${l.makes_layer ? '' : '.nolayer'}`, null, h('td', null, i), h('td.mono', null, l.instruction), h('td', null, badge(l.fidelity)),
        h('td', null, `+${l.added} ~${l.modified} -${l.deleted}`), h('td', null, l.makes_layer ? formatSize(l.size) : '(config only)'))))),
    h('h3', null, 'Config'),
    configTable(img.config || {})]);
}

function configTable(config) {
  const rows = [];
  for (const [k, v] of Object.entries(config)) {
    if (v === null || v === undefined || v === '' || (Array.isArray(v) && !v.length) || (typeof v === 'object' && !Array.isArray(v) && !Object.keys(v).length)) continue;
    let text;
    if (Array.isArray(v) && ['cmd', 'entrypoint', 'shell'].includes(k)) text = JSON.stringify(v);
    else if (Array.isArray(v)) text = v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join('\n');
    else if (typeof v === 'object') text = Object.entries(v).map(([a, b]) => `${a}=${typeof b === 'string' ? b : JSON.stringify(b)}`).join('\n');
    else text = String(v);
    rows.push(h('tr', null, h('th', null, k), h('td.mono', null, text)));
  }
  return h('table.config', null, h('tbody', null, ...rows));
}

export function renderLog(container, result) {
  const box = clear(container);
  box.appendChild(h('pre.log', null, result.log || ''));
  const missed = (result.statuses || []).filter((s) => s.status === 'missed' && s.reason);
  if (missed.length) {
    box.appendChild(h('h3', null, 'Why steps were not cached'));
    box.appendChild(h('ul.reasons', null, ...missed.map((s) => h('li', null, `${stageLabel(result.report.stages[s.stage])} step ${s.step}: ${s.reason}`))));
  }
}

export function renderChecks(container, diagnostics, jumpTo) {
  const box = clear(container);
  if (!diagnostics.length) { box.appendChild(h('p.muted', null, 'No problems.')); return; }
  const list = h('ul.checks');
  for (const d of diagnostics) {
    list.appendChild(h(`li.sev-${d.severity}`, null, h('button.check', { type: 'button', onclick: () => jumpTo(d) },
      h('span.sev', null, d.severity), ' ', h('span.loc', null, `${d.line}:${d.column}`), ' ', h('span.code', null, d.code || ''), ' ', h('span.msg', null, d.message)),
    d.help ? h('div.muted', null, d.help) : null,
    d.url && /^https:\/\//.test(d.url) ? h('a', { href: d.url, target: '_blank', rel: 'noopener noreferrer' }, 'docs') : null));
  }
  box.appendChild(list);
}

