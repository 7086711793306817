// The image, build log and checks panels, shared by the playground and the widget.

import { h, clear, formatSize, stageLabel } from './dom.js';
import { badge } from './fs.js';

export function renderImage(container, report) {
  const box = clear(container);
  const img = report.image;
  if (!img) { box.appendChild(h('p.muted', null, 'No image (the target did not build).')); return; }
  const st = report.stages[img.stage];
  box.append(
    h('h3', null, `Image: ${stageLabel(st)}`),
    sizesBlock(report),
    h('h3', null, 'Layers'),
    h('table.layers', null, h('thead', null, h('tr', null, h('th', null, '#'), h('th', null, 'instruction'), h('th', null, 'fidelity'), h('th', null, 'changes'), h('th', null, 'size'))),
      h('tbody', null, ...st.layers.map((l, i) => h(`tr${l.makes_layer ? '' : '.nolayer'}`, null, h('td', null, i), h('td.mono', null, l.instruction), h('td', null, badge(l.fidelity)),
        h('td', null, `+${l.added} ~${l.modified} -${l.deleted}`), h('td', null, l.makes_layer ? formatSize(l.size) : '(config only)'))))),
    h('h3', null, 'Config'),
    configTable(img.config || {}));
}

/**
 * The image's size against the largest stage built and against one stage doing every step
 * (`report.sizes`: the core's figures; computed here from the stages when it is missing).
 */
function sizesBlock(report) {
  const img = report.image;
  const built = report.stages.filter((s) => s.built);
  let sizes = report.sizes;
  if (!sizes) {
    const largest = built.reduce((a, b) => (b.size > (a?.size ?? -1) ? b : a), null);
    sizes = { image: img.size, largest_stage: { index: largest?.index ?? img.stage, size: largest?.size ?? img.size }, single_stage: null };
  }
  const largest = report.stages[sizes.largest_stage.index];
  const single = sizes.single_stage;
  const max = Math.max(sizes.image, sizes.largest_stage.size, single ?? 0, 1);
  const bar = (kind, label, size, note) => h('div.bar-row', { 'data-size': kind, 'data-bytes': size },
    h('span.bar-label', null, label),
    h('span.bar', { role: 'img', 'aria-label': `${label}: ${formatSize(size)}` }, h(`span.bar-fill.bar-${kind}`, { style: `width:${(100 * size) / max}%` })),
    h('span.size', { title: `${size} bytes${note ? ' or more' : ''}` }, `${note || ''}${formatSize(size)}`));
  const opaque = built.filter((s) => s.opaque);
  const imageOpaque = opaque.some((s) => s.index === img.stage);
  const rows = [
    bar('image', 'final image', sizes.image, imageOpaque ? '≥ ' : ''),
    bar('largest', `largest stage: ${stageLabel(largest)}`, sizes.largest_stage.size, opaque.some((s) => s.index === sizes.largest_stage.index) ? '≥ ' : ''),
  ];
  if (single !== null && single !== undefined) rows.push(bar('single', 'single-stage build (estimate)', single, opaque.length ? '≥ ' : ''));
  const notes = [];
  if (single) {
    const saving = 1 - sizes.image / single;
    const pct = Math.round(saving * 1000) / 10;
    notes.push(h('p.sizes-note.saving', { 'data-saving': pct },
      pct >= 1
        ? `The multi-stage build saves about ${pct}% (${formatSize(single - sizes.image)}) against the same steps in one stage.`
        : `About the same size as the same steps in one stage (${formatSize(Math.max(single - sizes.image, 0))} less): what the image leaves behind in the other stages is small, as far as it is simulated.`));
    notes.push(h('p.sizes-note.muted', null, 'The single-stage figure is an estimate: the largest base image among the built stages plus every built stage\'s own layers, as if one stage had run every step and left nothing behind.'));
  } else {
    notes.push(h('p.sizes-note.muted', null, 'No single-stage estimate from this version of the core.'));
  }
  if (opaque.length) {
    notes.push(h('p.sizes-note.warn', { 'data-opaque': opaque.map((s) => s.index).join(',') },
      `Opaque steps in ${opaque.map(stageLabel).join(', ')}: what they add is not simulated yet (RUN), so those stages' sizes, and the figures marked ≥, are lower bounds and the saving is indicative.`));
  }
  const modeled = built.filter((s) => !s.opaque && (s.layers || []).some((l) => l.fidelity === 'modeled'));
  if (modeled.length) {
    notes.push(h('p.sizes-note.muted', { 'data-modeled': modeled.map((s) => s.index).join(',') },
      `Modeled steps in ${modeled.map(stageLabel).join(', ')}: package managers and build tools are not run here; what they add is estimated (each step's note says how), so those sizes are estimates.`));
  }
  return h('div.sizes', { 'data-image': sizes.image, 'data-largest': sizes.largest_stage.size, 'data-largest-stage': sizes.largest_stage.index, 'data-single': single ?? '' }, ...rows, ...notes);
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

