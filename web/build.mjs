// Bundles the playground into a static site:
//   node web/build.mjs --pkg <wasm-bindgen --target web output> --out web/dist
// writes index.html, app.js, worker.js, sw.js (offline cache), style.css (and embed.js when src/embed.js exists) and
// copies stagecraft_wasm_bg.wasm. `cargo xtask dist` runs it after building the wasm, then adds
// catalog/ itself; this script never touches catalog/.

import { build } from 'esbuild';
import { copyFile, mkdir, readFile, readdir, rm, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  if (i >= 0 && process.argv[i + 1]) return process.argv[i + 1];
  return fallback;
}

const pkg = path.resolve(arg('--pkg', path.join(here, '..', 'target', 'wasm-pkg')));
const out = path.resolve(arg('--out', path.join(here, 'dist')));
const wasmJs = path.join(pkg, 'stagecraft_wasm.js');
const wasmBin = path.join(pkg, 'stagecraft_wasm_bg.wasm');
for (const f of [wasmJs, wasmBin]) {
  if (!existsSync(f)) {
    console.error(`build.mjs: ${f} is missing (run wasm-bindgen --target web first, or cargo xtask dist)`);
    process.exit(2);
  }
}

// The examples gallery, embedded as text: every examples/<name>/ directory (a Dockerfile, its
// context files, a README.md whose first line is the title and the rest the description, and
// optionally .stagecraft.json: {"target": "...", "buildArgs": {...}}). README.md and
// .stagecraft.json stay out of the context; binary files are skipped. nginx-cert comes first
// (the playground opens on it), the others by name.
const EXAMPLES_DIR = path.join(here, '..', 'examples');
const FIRST_EXAMPLE = 'nginx-cert';
const FALLBACK_TITLES = { 'nginx-cert': 'nginx with a self-signed certificate (COPY --from=0)' };
const META_FILES = new Set(['README.md', '.stagecraft.json']);

function asText(buf) {
  if (buf.includes(0)) return null;
  try { return new TextDecoder('utf-8', { fatal: true }).decode(buf); } catch { return null; }
}

async function examplesModule() {
  const names = (await readdir(EXAMPLES_DIR, { withFileTypes: true }))
    .filter((e) => e.isDirectory() && existsSync(path.join(EXAMPLES_DIR, e.name, 'Dockerfile')))
    .map((e) => e.name)
    .sort((a, b) => (a === FIRST_EXAMPLE ? -1 : b === FIRST_EXAMPLE ? 1 : a < b ? -1 : 1));
  const all = {};
  for (const name of names) {
    const dir = path.join(EXAMPLES_DIR, name);
    const files = [];
    let dockerfile = '';
    let readme = '';
    let meta = {};
    const entries = (await readdir(dir, { recursive: true, withFileTypes: true }))
      .filter((e) => e.isFile())
      .map((e) => path.relative(dir, path.join(e.parentPath ?? e.path, e.name)).split(path.sep).join('/'))
      .sort();
    for (const rel of entries) {
      const text = asText(await readFile(path.join(dir, rel)));
      if (text === null) { console.warn(`build.mjs: examples/${name}/${rel} is binary: left out of the gallery`); continue; }
      if (rel === 'Dockerfile') dockerfile = text;
      else if (rel === 'README.md') readme = text;
      else if (rel === '.stagecraft.json') meta = JSON.parse(text);
      // Keep the permission bits (an executable script stays 0755, as the CLI sends it).
      const mode = (await stat(path.join(dir, rel))).mode & 0o7777;
      if (!META_FILES.has(rel) && rel !== 'Dockerfile') files.push({ path: rel, text, ...(mode !== 0o644 ? { mode } : {}) });
    }
    const [first = '', ...rest] = readme.split('\n');
    const title = first.replace(/^#+\s*/, '').trim() || FALLBACK_TITLES[name] || name;
    const buildArgs = {};
    for (const [k, v] of Object.entries(meta.buildArgs || {})) buildArgs[k] = String(v);
    all[name] = {
      title,
      description: rest.join('\n').trim(),
      dockerfile,
      files,
      target: typeof meta.target === 'string' ? meta.target : '',
      buildArgs,
    };
  }
  if (!all[FIRST_EXAMPLE]) throw new Error(`build.mjs: examples/${FIRST_EXAMPLE} is missing`);
  return `export const EXAMPLES = ${JSON.stringify(all)};\nexport const FIRST_EXAMPLE = ${JSON.stringify(FIRST_EXAMPLE)};`;
}

const virtual = {
  name: 'stagecraft-virtual',
  setup(b) {
    b.onResolve({ filter: /^virtual:examples$/ }, () => ({ path: 'examples', namespace: 'virtual' }));
    b.onLoad({ filter: /.*/, namespace: 'virtual' }, async () => ({ contents: await examplesModule(), loader: 'js' }));
    b.onResolve({ filter: /^stagecraft-wasm$/ }, () => ({ path: wasmJs }));
    // `./style.css?shadow`: the page's stylesheet as text for the widget's shadow root, its
    // :root rules (the theme variables) moved to :host, the theme chosen by an attribute.
    b.onResolve({ filter: /\?shadow$/ }, (a) => ({ path: path.resolve(a.resolveDir, a.path.replace(/\?shadow$/, '')), namespace: 'shadow-css' }));
    b.onLoad({ filter: /.*/, namespace: 'shadow-css' }, async (a) => {
      const css = (await readFile(a.path, 'utf8'))
        .replace(/:root:not\(\[data-theme=light\]\)/g, ':host(:not([theme=light]))')
        .replace(/:root\[data-theme=dark\]/g, ':host([theme=dark])')
        .replace(/:root/g, ':host');
      return { contents: css, loader: 'text' };
    });
  },
};

const OWN = ['index.html', 'app.js', 'worker.js', 'sw.js', 'embed.js', 'style.css', 'stagecraft_wasm_bg.wasm'];
await mkdir(out, { recursive: true });
for (const f of OWN) await rm(path.join(out, f), { force: true });

const entryPoints = {
  app: path.join(here, 'src', 'app.js'),
  worker: path.join(here, 'src', 'worker.js'),
  sw: path.join(here, 'src', 'sw.js'),
  style: path.join(here, 'src', 'style.css'),
};
if (existsSync(path.join(here, 'src', 'embed.js'))) entryPoints.embed = path.join(here, 'src', 'embed.js');

await build({
  entryPoints,
  outdir: out,
  bundle: true,
  format: 'esm',
  minify: true,
  target: ['chrome110', 'firefox115', 'safari16.4'],
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [virtual],
  // The core's tool models (core/src/run/tools.txt), bundled into the worker as text.
  loader: { '.txt': 'text' },
  // import.meta.url stays as it is: worker.js and the wasm sit beside the bundles.
});

await copyFile(path.join(here, 'src', 'index.html'), path.join(out, 'index.html'));
await copyFile(wasmBin, path.join(out, 'stagecraft_wasm_bg.wasm'));

let total = 0;
for (const f of OWN) {
  const p = path.join(out, f);
  if (!existsSync(p)) continue;
  const raw = await readFile(p);
  const gz = gzipSync(raw, { level: 9 }).length;
  if (f !== 'embed.js') total += gz;
  console.log(`${f.padEnd(26)} ${String((await stat(p)).size).padStart(9)} B  ${String(gz).padStart(8)} B gzipped`);
}
console.log(`${'playground total'.padEnd(26)} ${''.padStart(9)}    ${String(total).padStart(8)} B gzipped`);
