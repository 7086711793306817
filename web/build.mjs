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

// The examples the playground opens on, embedded as text (examples/<name>/: a Dockerfile and
// its context files).
const EXAMPLES = ['nginx-cert'];
async function examplesModule() {
  const all = {};
  for (const name of EXAMPLES) {
    const dir = path.join(here, '..', 'examples', name);
    const files = [];
    let dockerfile = '';
    for (const entry of (await readdir(dir, { recursive: true, withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (!entry.isFile()) continue;
      const full = path.join(entry.parentPath ?? entry.path, entry.name);
      const rel = path.relative(dir, full).split(path.sep).join('/');
      const text = await readFile(full, 'utf8');
      if (rel === 'Dockerfile') dockerfile = text;
      else files.push({ path: rel, text });
    }
    all[name] = { dockerfile, files };
  }
  return `export const EXAMPLES = ${JSON.stringify(all)};`;
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
