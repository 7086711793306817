// The simulation, off the main thread: loads the wasm once, keeps one Playground, fetches the
// base-image catalog lazily (the index at start, each listing when a Dockerfile needs it) and
// answers the page's requests in order. The page terminates this worker when a request runs
// too long, so nothing here needs to be interruptible.

import init, { Playground, instructions, loadToolModels, rules, version } from 'stagecraft-wasm';
// The RUN interpreter's tool models (what apt, gpg, conda, compilers... write): the core's data
// file, handed to the wasm at start rather than carried in it.
import toolModels from '../../core/src/run/tools.txt';
// Each build check's explanation (what, why, a bad and a good example): the core's data
// file, bundled here rather than carried by the .wasm.
import explanations from '../../core/src/lint/explanations.json';

// One Playground per session (the playground page has one; each widget of a page has its own,
// all in this one worker, so the wasm and the catalog texts are loaded once per page).
const sessions = new Map();
let indexText = null;
const listingTexts = new Map(); // name -> Promise<string>

// Milliseconds since the worker started, for the first result's timeline.
const timeline = {};
const ready = (async () => {
  // The index downloads while the wasm compiles.
  const index = fetch(new URL('./catalog/index.json', import.meta.url))
    .then((res) => (res.ok ? res.text() : Promise.reject(new Error(`HTTP ${res.status}`))))
    .catch((e) => { console.warn('catalog index unavailable:', e.message); return null; });
  await init({ module_or_path: new URL('./stagecraft_wasm_bg.wasm', import.meta.url) });
  loadToolModels(toolModels);
  timeline.wasm = performance.now();
  indexText = await index;
  timeline.index = performance.now();
})();

function session(id) {
  const key = typeof id === 'string' ? id : 'main';
  let s = sessions.get(key);
  if (!s) {
    s = { pg: new Playground(), loaded: new Set(), catalogs: new Set() };
    if (indexText !== null) s.pg.addIndex(indexText);
    sessions.set(key, s);
  }
  return s;
}

function listingText(name) {
  if (!listingTexts.has(name)) {
    const p = (async () => {
      const res = await fetch(new URL(`./catalog/${encodeURIComponent(name)}.gz`, import.meta.url));
      if (!res.ok) throw new Error(`catalog listing ${name}: HTTP ${res.status}`);
      return new Response(res.body.pipeThrough(new DecompressionStream('gzip'))).text();
    })();
    listingTexts.set(name, p);
    p.catch(() => listingTexts.delete(name)); // a failed fetch is retried next time
  }
  return listingTexts.get(name);
}

// The package catalog (what Debian's packages install), fetched once, when a Dockerfile first
// installs with apt: most never do, and it is the largest asset.
let packagesText = null;
function packagesFor(dockerfile) {
  if (!/\bapt(-get)?\b[^\n]*\binstall\b/.test(dockerfile)) return null;
  if (!packagesText) {
    packagesText = (async () => {
      const res = await fetch(new URL('./catalog/packages-debian-bookworm.txt.gz', import.meta.url));
      if (!res.ok) throw new Error(`package catalog: HTTP ${res.status}`);
      return new Response(res.body.pipeThrough(new DecompressionStream('gzip'))).text();
    })();
    packagesText.catch(() => { packagesText = null; }); // retried next time
  }
  return packagesText;
}

async function ensureListings(s, dockerfile, options) {
  const missing = (s.pg.missingListings(dockerfile, options) || []).filter((n) => !s.loaded.has(n));
  const failures = [];
  await Promise.all(missing.map(async (name) => {
    try {
      s.pg.addListing(name, await listingText(name));
      s.loaded.add(name);
    } catch (e) {
      failures.push(String(e.message || e));
    }
  }));
  const packages = packagesFor(dockerfile);
  if (packages && !s.packages) {
    try {
      s.pg.loadPackages(await packages);
      s.packages = true;
    } catch (e) {
      failures.push(String(e.message || e));
    }
  }
  return failures;
}

const handlers = {
  async simulate({ dockerfile, context, options, catalogs }, s) {
    // Base images the page loaded (`stagecraft image snapshot`); their images win. A catalog
    // cannot be taken out of a Playground: when one was removed, the session starts afresh
    // (the listings it had are cached in this worker).
    const wanted = new Set(catalogs || []);
    if ([...s.catalogs].some((t) => !wanted.has(t))) {
      s.pg.free();
      s.pg = new Playground();
      if (indexText !== null) s.pg.addIndex(indexText);
      s.loaded.clear();
      s.catalogs.clear();
      s.packages = false;
    }
    for (const text of wanted) {
      if (!s.catalogs.has(text)) {
        s.pg.addCatalog(text);
        s.catalogs.add(text);
      }
    }
    const l0 = performance.now();
    const notes = await ensureListings(s, dockerfile, options);
    const pg = s.pg;
    const t0 = performance.now();
    const result = pg.simulate(dockerfile, context, options);
    const ms = performance.now() - t0;
    let first = null;
    if (!timeline.done) {
      timeline.done = true;
      first = { wasm: timeline.wasm, index: timeline.index, listings: t0 - l0, simulate: ms };
    }
    return { ...result, ms, fetchNotes: notes, timeline: first };
  },
  list: ({ stage, layer, dir }, s) => s.pg.list(stage, layer, dir),
  diff: ({ stage, layer }, s) => s.pg.diff(stage, layer),
  readFile: ({ stage, layer, path }, s) => s.pg.readFile(stage, layer, path),
  contextTar: ({ dockerfile, context }, s) => s.pg.contextTar(dockerfile, context),
  stageTar: ({ stage }, s) => s.pg.stageTar(stage),
  rules: () => ({
    rules: rules().map((r) => ({ ...r, ...(explanations[r.name] || {}) })),
    instructions: instructions(),
    version: version(),
  }),
  // A fresh session, so the benchmark's runs do not disturb the page's cache report.
  async bench({ dockerfile, context, options, runs }) {
    const s = session('bench');
    const pg = s.pg;
    await ensureListings(s, dockerfile, options);
    const times = [];
    for (let i = 0; i < (runs || 50); i++) {
      const t0 = performance.now();
      pg.simulate(dockerfile, context, options);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    return { median: times[Math.floor(times.length / 2)], min: times[0], max: times[times.length - 1], runs: times.length };
  },
};

self.onmessage = async (event) => {
  const { id, type, args } = event.data || {};
  try {
    await ready;
    const handler = handlers[type];
    if (!handler) throw new Error(`unknown request ${type}`);
    const a = args || {};
    const value = await handler(a, session(a.session));
    const transfer = value instanceof Uint8Array ? [value.buffer] : [];
    self.postMessage({ id, ok: true, value }, transfer);
  } catch (e) {
    self.postMessage({ id, ok: false, error: String((e && e.message) || e) });
  }
};
