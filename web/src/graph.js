// The stage graph as SVG: stages in columns by dependency depth, built and skipped styles,
// edges styled by kind (FROM, COPY --from, RUN --mount from, ONBUILD), and each stage's
// "why" from the core's graph report.

import { h, s, clear } from './dom.js';

const KIND_LABEL = { from: 'FROM', copy: 'COPY --from', mount: 'RUN --mount from', onbuild: 'ONBUILD' };
const W = 190, H = 54, GX = 70, GY = 22, PAD = 16, MAX_STAGES = 400;

function baseText(base) {
  if (!base) return '';
  if (typeof base.image === 'string') return base.image;
  if (typeof base.stage === 'number') return `stage #${base.stage}`;
  if (base.context) return `context ${base.context.name}`;
  if (typeof base.unknown === 'string') return `? ${base.unknown}`;
  return '';
}

export function renderGraph(container, graph, onSelectStage) {
  clear(container);
  const stages = (graph?.stages || []).slice(0, MAX_STAGES);
  if (!stages.length) {
    container.appendChild(h('p.muted', null, 'No stages.'));
    return;
  }
  const level = new Map();
  for (const st of stages) {
    let lv = 0;
    for (const d of st.deps || []) if (level.has(d.stage)) lv = Math.max(lv, level.get(d.stage) + 1);
    level.set(st.index, lv);
  }
  const columns = [];
  for (const st of stages) (columns[level.get(st.index)] ||= []).push(st);
  const pos = new Map();
  columns.forEach((col, x) => col.forEach((st, y) => pos.set(st.index, { x: PAD + x * (W + GX), y: PAD + y * (H + GY) })));
  const width = PAD * 2 + columns.length * (W + GX) - GX;
  const height = PAD * 2 + Math.max(...columns.map((c) => c.length)) * (H + GY) - GY;

  const svg = s('svg', { class: 'graph', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': 'Stage graph' });
  svg.appendChild(s('defs', null,
    ...['from', 'copy', 'mount', 'onbuild'].map((k) => s('marker', { id: `arrow-${k}`, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
      s('path', { d: 'M0,0 L10,5 L0,10 z', class: `arrowhead edge-${k}` })))));
  for (const st of stages) {
    const to = pos.get(st.index);
    (st.deps || []).forEach((d, i) => {
      const from = pos.get(d.stage);
      if (!from || !to) return;
      const x1 = from.x + W, y1 = from.y + H / 2 + (i % 3) * 4, x2 = to.x, y2 = to.y + H / 2 + (i % 3) * 4;
      const mx = (x1 + x2) / 2;
      const backward = x2 <= x1;
      const d0 = backward
        ? `M${from.x + W / 2},${from.y + H} C${from.x + W / 2},${from.y + H + 40} ${to.x + W / 2},${to.y + H + 40} ${to.x + W / 2},${to.y + H}`
        : `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}`;
      const kind = KIND_LABEL[d.kind] ? d.kind : 'from';
      svg.appendChild(s('path', { d: d0, class: `edge edge-${kind}`, 'data-kind': kind, 'marker-end': `url(#arrow-${kind})` },
        s('title', null, `${KIND_LABEL[kind]} (line ${d.line})`)));
    });
  }
  for (const st of stages) {
    const p = pos.get(st.index);
    const name = st.name || `#${st.index}`;
    const target = graph.target && graph.target.index === st.index;
    const g = s('g', {
      class: `node ${st.built ? 'built' : 'skipped'}${target ? ' target' : ''}`,
      transform: `translate(${p.x},${p.y})`, tabindex: 0, role: 'button',
      'data-stage': st.index, 'data-built': st.built ? 'true' : 'false',
      'aria-label': `${name}: ${st.why}`,
    },
    s('title', null, `${name}\n${st.why}`),
    s('rect', { width: W, height: H, rx: 8 }),
    s('text', { x: 10, y: 20, class: 'node-name' }, name.length > 24 ? `${name.slice(0, 23)}…` : name),
    s('text', { x: 10, y: 38, class: 'node-base' }, (() => { const b = baseText(st.base); return b.length > 28 ? `${b.slice(0, 27)}…` : b; })()),
    s('text', { x: W - 10, y: 20, class: 'node-state', 'text-anchor': 'end' }, target ? 'target' : st.built ? 'built' : 'skipped'));
    const select = () => onSelectStage?.(st.index);
    g.addEventListener('click', select);
    g.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); select(); } });
    svg.appendChild(g);
  }
  container.appendChild(h('div.legend', null,
    h('span.legend-built', null, 'built'), h('span.legend-skipped', null, 'skipped'),
    ...Object.entries(KIND_LABEL).map(([k, v]) => h(`span.legend-edge.edge-${k}`, null, v))));
  container.appendChild(h('div.graph-scroll', null, svg));
  if ((graph.stages || []).length > MAX_STAGES) container.appendChild(h('p.muted', null, `Showing the first ${MAX_STAGES} of ${graph.stages.length} stages.`));
  container.appendChild(h('ul.why', null, ...stages.map((st) => h('li', { 'data-stage': st.index },
    h('strong', null, st.name || `#${st.index}`), ` (line ${st.line}, ${baseText(st.base)}): `, h(`span.${st.built ? 'built' : 'skipped'}`, null, st.why)))));
  if (graph.notes?.length) container.appendChild(h('ul.notes', null, ...graph.notes.map((n) => h('li', null, n))));
}
