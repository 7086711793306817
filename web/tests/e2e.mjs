// End-to-end test of the playground in headless Chromium (playwright-core driving Debian's
// /usr/bin/chromium): serves web/dist/ from a tiny static server, then checks what a person
// sees. One line per check; exit status 1 when any fails, with a screenshot of the page in
// web/test-artifacts/. Without Chromium: a loud SKIP (a failure when CI is set).
//
//   node web/tests/e2e.mjs            (after cargo xtask dist)

import http from 'node:http';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const web = path.resolve(here, '..');
const dist = path.resolve(process.env.STAGECRAFT_DIST || path.join(web, 'dist'));
const artifacts = path.join(web, 'test-artifacts');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const PAYLOAD = '<img src=x onerror=window.__pwned=1>';
const EXAMPLES_DIR = path.resolve(web, '..', 'examples');
// For each gallery example, a file its final stage COPYs (from the context, a heredoc or the
// builder), which the final stage's tree must show once the example is simulated.
const EXAMPLE_FILES = {
  'nginx-cert': '/etc/nginx/conf.d/default.conf',
  'maven-war-tomcat': '/usr/local/tomcat/bin/setenv.sh',
  'gradle-spring-boot-jre': '/app/config/application.properties',
  'node-build-prod': '/app/server.js',
  'go-scratch': '/etc/ssl/certs/ca-certificates.crt',
  'arg-scoping': '/opt/app/stable/from-build/app-2.0.0-nightly.conf',
  'cache-secret-mounts': '/app/main.py',
  heredocs: '/usr/share/nginx/html/version.txt',
  'target-skip': '/app/src/greeter.py',
};

if (!existsSync(CHROMIUM)) {
  if (process.env.CI) {
    console.error(`FAIL: ${CHROMIUM} is missing (CI is set): apt-get install -y chromium`);
    process.exit(1);
  }
  console.log('#'.repeat(72));
  console.log(`# SKIPPED: the browser tests need ${CHROMIUM} (apt-get install -y chromium)`);
  console.log('#'.repeat(72));
  process.exit(0);
}
if (!existsSync(path.join(dist, 'index.html'))) {
  console.error(`FAIL: ${dist}/index.html is missing: run cargo xtask dist first`);
  process.exit(1);
}

const { chromium } = await import('playwright-core');

// ---------- a static server for dist/ ----------
const MIME = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.wasm': 'application/wasm', '.json': 'application/json', '.gz': 'application/octet-stream',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.txt': 'text/plain; charset=utf-8',
};
// A foreign page for the widget: hostile CSS, nothing but the script tag and the element.
const WIDGET_PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>docs</title>
<style>
* { color: red !important; font-size: 31px !important; display: inline !important; margin: 17px !important; }
div, li, ul, svg, span, pre { display: none !important; visibility: hidden !important; }
stagecraft-playground { display: none !important; height: 3px !important; }
</style></head><body><p>Some tutorial text.</p>
<stagecraft-playground editable panels="files,graph,checks" height="520px">
  <script type="text/x-dockerfile">
    FROM alpine:3.20 AS build
    COPY hello.txt /out/hello.txt
    FROM scratch
    COPY --from=build /out/ /srv/
    # ${PAYLOAD}
  </script>
  <script type="text/plain" data-path="hello.txt">hello ${PAYLOAD}</script>
</stagecraft-playground>
<script type="module" src="/embed.js"></script>
</body></html>`;

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  if (url.pathname === '/favicon.ico') {
    res.writeHead(204);
    res.end();
    return;
  }
  if (url.pathname === '/__widget-test.html') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(WIDGET_PAGE);
    return;
  }
  let rel = decodeURIComponent(url.pathname);
  if (rel.endsWith('/')) rel += 'index.html';
  const file = path.join(dist, path.normalize(rel).replace(/^(\.\.[/\\])+/, ''));
  if (!file.startsWith(dist) || !existsSync(file) || !statSync(file).isFile()) {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
    return;
  }
  res.writeHead(200, { 'content-type': MIME[path.extname(file)] || 'application/octet-stream', 'cache-control': 'no-cache' });
  res.end(readFileSync(file));
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const origin = `http://127.0.0.1:${server.address().port}`;

// ---------- the browser ----------
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1400, height: 1000 } });
const foreign = [];
const pageErrors = [];
context.on('request', (r) => {
  const u = r.url();
  if (!u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:')) foreign.push(u);
});

function watch(page) {
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) pageErrors.push(`console: ${m.text()}`); });
  page.on('response', (r) => { if (r.status() >= 400) pageErrors.push(`HTTP ${r.status()} ${r.url()}`); });
  return page;
}

let failures = 0;
let current = null;
async function check(name, fn) {
  const t0 = Date.now();
  try {
    const detail = await fn();
    console.log(`ok   ${name} (${Date.now() - t0} ms)${detail ? `: ${detail}` : ''}`);
  } catch (e) {
    failures++;
    console.log(`FAIL ${name}: ${String(e.message || e).split('\n')[0]}`);
    if (current) {
      mkdirSync(artifacts, { recursive: true });
      const shot = path.join(artifacts, `${name.replace(/[^\w-]+/g, '_')}.png`);
      await current.screenshot({ path: shot, fullPage: true }).catch(() => {});
      console.log(`     screenshot: ${path.relative(process.cwd(), shot)}`);
    }
  }
}
function assert(cond, message) { if (!cond) throw new Error(message); }

const item = (p) => `.tree [role=treeitem][data-path="${p}"]`;
const simulatedCount = (page) => page.evaluate(() => Number(document.body.dataset.simulated || 0));
async function waitSimulated(page, after) {
  await page.waitForFunction((n) => Number(document.body.dataset.simulated || 0) > n && !document.body.classList.contains('busy'), after, { timeout: 15000 });
}
async function typeLines(page, lines) {
  await page.click('.cm-content');
  await page.keyboard.press('Control+End');
  for (const line of lines) {
    await page.keyboard.press('Escape'); // close a completion popup, so Enter is a newline
    await page.keyboard.press('Enter');
    await page.keyboard.insertText(line);
  }
}

const page = watch(await context.newPage());
current = page;
let firstResultMs = null;
let originalText = null;

await check('loads nginx-cert and shows the final image tree without a click', async () => {
  const t0 = Date.now();
  await page.goto(`${origin}/`);
  await page.waitForSelector(item('/etc/nginx/conf.d/default.conf'), { timeout: 20000 });
  firstResultMs = Date.now() - t0;
  const stages = await page.$$eval('svg.graph .node', (n) => n.length);
  assert(stages === 2, `the graph shows ${stages} stages, expected 2`);
  originalText = await page.evaluate(() => window.stagecraft.dockerfile());
  assert(originalText.includes('FROM nginx'), 'the editor does not hold the nginx-cert Dockerfile');
  const timeline = await page.evaluate(() => document.body.dataset.timeline || '');
  return `first simulated result ${firstResultMs} ms after navigation (worker ${timeline})`;
});

await check('cert.pem and cert.key are in the final image, made by a modeled openssl step, no layer opaque', async () => {
  // The issue's acceptance line: without any click, the final image shows both certificates
  // next to default.conf. They come from stage 0's RUN openssl req, which the interpreter in
  // the .wasm runs (openssl is modeled: PEM files of the default sizes).
  for (const p of ['/etc/nginx/cert.pem', '/etc/nginx/cert.key']) {
    await page.waitForSelector(item(p), { timeout: 10000 });
  }
  await page.selectOption('#panel-fs select[aria-label=Stage]', '0');
  const layers = await page.$$eval('#panel-fs select[aria-label=Layer] option', (n) => n.map((o) => o.textContent));
  const run = layers.find((l) => /openssl req/.test(l));
  assert(run && /\[modeled\]/.test(run), `the openssl step is not modeled: ${run}`);
  assert(!layers.some((l) => /\[opaque\]/.test(l)), `an opaque layer in stage 0: ${layers.join(' | ')}`);
  await page.selectOption('#panel-fs select[aria-label=Stage]', '1');
  await page.waitForSelector(item('/etc/nginx/conf.d/default.conf'), { timeout: 5000 });
  const finalLayers = await page.$$eval('#panel-fs select[aria-label=Layer] option', (n) => n.map((o) => o.textContent));
  assert(!finalLayers.some((l) => /\[opaque\]/.test(l)), `an opaque layer in the final stage: ${finalLayers.join(' | ')}`);
  return `both in the final image; stage 0's openssl step: ${run.trim()}`;
});

await check('bench: analyse+simulate nginx-cert 50 times', async () => {
  const r = await page.evaluate(() => window.stagecraft.bench(50));
  assert(typeof r.median === 'number' && r.median >= 0, 'no median');
  // The issue's budget is a median under 2 ms; printed here, enforced by nothing yet.
  return `median ${r.median.toFixed(3)} ms (min ${r.min.toFixed(3)}, max ${r.max.toFixed(3)}, ${r.runs} runs; budget 2 ms: ${r.median < 2 ? 'within' : 'OVER'})`;
});

await check('the tree moves with the arrow keys', async () => {
  const first = await page.$('.tree [role=treeitem]');
  await first.focus();
  await page.keyboard.press('ArrowDown');
  const focused = await page.evaluate(() => document.activeElement?.dataset?.path);
  const second = await page.$$eval('.tree [role=treeitem]', (n) => n[1]?.dataset.path);
  assert(focused && focused === second, `focus is on ${focused}, expected ${second}`);
});

await check('an edit updates the diagnostics, the graph and the tree', async () => {
  const before = await simulatedCount(page);
  const diagBefore = await page.$$eval('#panel-checks li', (n) => n.length);
  await typeLines(page, ['FROM scratch as extra', 'COPY --from=0 /src /src']);
  await waitSimulated(page, before);
  await page.waitForSelector('svg.graph .node[data-stage="2"]', { timeout: 5000 });
  const edges = await page.$$eval('svg.graph path.edge', (n) => n.map((e) => e.dataset.kind));
  assert(edges.includes('copy'), `no COPY --from edge in the graph (edges: ${edges.join(',')})`);
  const codes = await page.$$eval('#panel-checks .code', (n) => n.map((e) => e.textContent));
  assert(codes.includes('FromAsCasing'), `no FromAsCasing diagnostic (have ${codes.join(',') || 'none'}; ${diagBefore} before)`);
  assert(await page.$('.cm-lintRange-warning, .cm-lintRange-error, .cm-lintRange-info'), 'no diagnostic underlined in the editor');
  await page.waitForSelector(item('/src/cert_defaults.txt'), { timeout: 5000 });
});

await check('changing the target skips stages', async () => {
  let before = await simulatedCount(page);
  await typeLines(page, ['FROM nginx AS final', 'COPY --from=extra /src /usr/share/nginx/html/']);
  await waitSimulated(page, before);
  await page.waitForSelector('svg.graph .node[data-stage="3"][data-built="true"]', { timeout: 5000 });
  before = await simulatedCount(page);
  await page.selectOption('#target', 'extra');
  await waitSimulated(page, before);
  const states = await page.$$eval('svg.graph .node', (n) => n.map((e) => `${e.dataset.stage}:${e.dataset.built}`));
  const want = ['0:true', '1:false', '2:true', '3:false'];
  assert(want.every((x) => states.includes(x)), `stages: ${states.join(' ')}, expected ${want.join(' ')}`);
  const why = await page.$eval('ul.why li[data-stage="3"]', (e) => e.textContent);
  assert(/skipped/.test(why), `stage 3's why says: ${why}`);
  assert(await page.$('svg.graph .node.skipped[data-stage="3"]'), 'stage 3 is not drawn as skipped');
});

await check('a diagnostic in the checks list jumps to its line', async () => {
  await page.click('#tab-checks');
  const first = await page.$('#panel-checks button.check');
  assert(first, 'no diagnostic in the checks list');
  const loc = await first.$eval('.loc', (e) => e.textContent);
  await first.click();
  const line = await page.evaluate(() => {
    const sel = document.getSelection();
    const el = sel?.anchorNode?.parentElement?.closest('.cm-line');
    return el ? [...el.parentElement.children].indexOf(el) + 1 : null;
  });
  assert(line === Number(loc.split(':')[0]), `the cursor is on line ${line}, the diagnostic on ${loc}`);
  await page.click('#tab-fs');
});

await check('each build check comes with its explanation (bundled, not in the wasm)', async () => {
  const rules = await page.evaluate(() => window.stagecraft.rules());
  assert(rules.length === 22, `${rules.length} rules`);
  const missing = rules.filter((r) => !(r.description && r.what && r.why && r.bad && r.good)).map((r) => r.name);
  assert(missing.length === 0, `rules without an explanation: ${missing.join(', ')}`);
  const casing = rules.find((r) => r.name === 'StageNameCasing');
  assert(/builder-base/.test(casing.good), `StageNameCasing: ${JSON.stringify(casing)}`);
  return `${rules.length} rules explained`;
});

await check('hover docs and flag completion come from the core', async () => {
  // Hover the COPY keyword of the nginx-cert example: its summary and flags, from the core.
  const copy = page.locator('.cm-line', { hasText: 'COPY default.conf' }).first();
  await copy.click();
  await page.keyboard.press('Home'); // earlier checks may have scrolled the editor sideways
  const keyword = copy.getByText('COPY', { exact: true }).first();
  // The editor may still be scrolling or laying out after the click: hover again (away and
  // back, from a fresh box) until the tooltip shows, a few times.
  let doc = null;
  for (let attempt = 0; attempt < 4 && !doc; attempt++) {
    const box = await keyword.boundingBox();
    assert(box, 'no COPY keyword in the editor');
    await page.mouse.move(0, 0);
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 4 });
    doc = await page.waitForSelector('.hover-doc', { timeout: 3000 }).catch(() => null);
  }
  assert(doc, 'no hover doc over COPY after 4 tries');
  const text = await doc.textContent();
  assert(/Copies files/.test(text) && /--from=/.test(text) && /--parents/.test(text), `hover: ${text}`);
  // Completing a flag after `COPY --` offers COPY's flags, not ADD's.
  await page.mouse.move(0, 0);
  await copy.click();
  await page.keyboard.press('End');
  await page.keyboard.type(' --');
  await page.keyboard.press('Control+Space');
  const options = await page.waitForSelector('.cm-tooltip-autocomplete', { timeout: 5000 }).then((e) => e.textContent());
  await page.keyboard.press('Escape');
  for (let i = 0; i < 3; i++) await page.keyboard.press('Backspace');
  assert(/--chown=/.test(options) && /--from=/.test(options) && !/--checksum/.test(options), `completion: ${options}`);
  return 'COPY summary and flags';
});

await check('an uploaded binary file joins the context', async () => {
  const before = await simulatedCount(page);
  const bytes = Buffer.from([0, 1, 2, 255, 254, 0, 10, 13]);
  await page.setInputFiles('#upload', { name: 'blob.bin', mimeType: 'application/octet-stream', buffer: bytes });
  await page.waitForSelector('#files li[data-path="blob.bin"]', { timeout: 5000 });
  const label = await page.$eval('#files li[data-path="blob.bin"] .size', (e) => e.textContent);
  assert(/binary/.test(label), `blob.bin is listed as ${label}`);
  await waitSimulated(page, before);
});

await check('a share link round-trips', async () => {
  const text = await page.evaluate(() => window.stagecraft.dockerfile());
  await page.click('#share');
  await page.waitForFunction(() => document.getElementById('share-url').value.includes('#s='));
  const url = await page.$eval('#share-url', (e) => e.value);
  const other = watch(await context.newPage());
  current = other;
  await other.goto(url);
  await waitSimulated(other, 0);
  const restored = await other.evaluate(() => window.stagecraft.dockerfile());
  assert(restored === text, 'the restored Dockerfile differs');
  const target = await other.$eval('#target', (e) => e.value);
  assert(target === 'extra', `the restored target is ${JSON.stringify(target)}`);
  const files = await other.$$eval('#files li', (n) => n.map((e) => e.dataset.path));
  assert(['cert_defaults.txt', 'default.conf', 'blob.bin'].every((f) => files.includes(f)), `restored files: ${files.join(',')}`);
  await other.close();
  current = page;
  return `${url.length} characters`;
});

await check('the context downloads as a valid tar', async () => {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
  const tar = readFileSync(await download.path());
  const entries = parseTar(tar);
  const names = entries.map((e) => e.name);
  for (const n of ['Dockerfile', 'cert_defaults.txt', 'default.conf', 'blob.bin']) assert(names.includes(n), `${n} missing from the tar (${names.join(',')})`);
  const blob = entries.find((e) => e.name === 'blob.bin').data;
  assert(blob.equals(Buffer.from([0, 1, 2, 255, 254, 0, 10, 13])), 'blob.bin is not byte for byte what was uploaded');
  const dockerfile = entries.find((e) => e.name === 'Dockerfile');
  const text = await page.evaluate(() => window.stagecraft.dockerfile());
  assert(dockerfile.data.toString('utf8') === text, 'the Dockerfile in the tar differs from the editor');
  assert(await page.isVisible('#docker-cmd'), 'the docker build command is not shown');
  return `${entries.length} entries, ${tar.length} bytes`;
});

await check('HTML injection stays inert (Dockerfile, file name, file content)', async () => {
  const p = watch(await context.newPage());
  current = p;
  await p.goto(`${origin}/`);
  await waitSimulated(p, 0);
  const before = await simulatedCount(p);
  await p.fill('#new-file', `${PAYLOAD}.txt`);
  await p.click('#new-file-form button[type=submit]');
  await p.fill('#file-text', `${PAYLOAD}\n<script>window.__pwned=2</script>`);
  await p.evaluate((payload) => window.stagecraft.setDockerfile(
    `# ${payload}\nFROM alpine:3.20 AS <b>bold</b>\nFROM alpine:3.20\nLABEL x="${payload}"\nCOPY . /app/\nRUN echo '${payload}'\n`), PAYLOAD);
  await waitSimulated(p, before);
  // The file (named and filled with the payload) in the final image's tree, opened in the viewer.
  const fileItem = `.tree [role=treeitem][data-path="/app/${PAYLOAD}.txt"]`;
  await p.waitForSelector(fileItem, { timeout: 10000 });
  await p.click(`${fileItem} > .row`);
  await p.waitForSelector('.viewer pre.file-text', { timeout: 5000 });
  for (const tab of ['#tab-image', '#tab-log', '#tab-checks', '#tab-fs']) { await p.click(tab); await p.waitForTimeout(100); }
  await p.hover('.cm-lintRange-error, .cm-lintRange-warning').catch(() => {});
  await p.waitForTimeout(300);
  const pwned = await p.evaluate(() => window.__pwned);
  assert(pwned === undefined, `window.__pwned = ${pwned}`);
  const injected = await p.evaluate(() => document.querySelectorAll('img, b, script:not([src])').length);
  assert(injected === 0, `${injected} injected element(s) in the page`);
  const shown = await p.evaluate((payload) => document.body.innerText.includes(payload), PAYLOAD);
  assert(shown, 'the payload is not shown as text anywhere');
  await p.close();
  current = page;
});

await check('the widget works on a foreign page with hostile CSS', async () => {
  assert(existsSync(path.join(dist, 'embed.js')), 'dist/embed.js is missing');
  const p = watch(await context.newPage());
  current = p;
  await p.goto(`${origin}/__widget-test.html`);
  const file = 'stagecraft-playground [role=treeitem][data-path="/srv/hello.txt"]';
  await p.waitForSelector(file, { state: 'visible', timeout: 20000 });
  const box = await p.$eval('stagecraft-playground', (el) => { const r = el.getBoundingClientRect(); return { w: r.width, h: r.height }; });
  assert(box.h > 200 && box.w > 300, `the widget is ${box.w}x${box.h}`);
  const font = await p.$eval(file, (el) => getComputedStyle(el.querySelector('.name')).fontSize);
  assert(font !== '31px', 'the page\'s CSS reached inside the widget');
  assert(await p.$('stagecraft-playground svg.graph .node[data-stage="0"]'), 'no stage graph in the widget');
  const pwned = await p.evaluate(() => window.__pwned);
  assert(pwned === undefined, `window.__pwned = ${pwned}`);
  const imgs = await p.evaluate(() => document.querySelectorAll('img').length + document.querySelector('stagecraft-playground').shadowRoot.querySelectorAll('img').length);
  assert(imgs === 0, `${imgs} img element(s)`);
  await p.close();
  current = page;
});


// ---------- the examples gallery ----------
const exampleDirs = readdirSync(EXAMPLES_DIR, { withFileTypes: true })
  .filter((e) => e.isDirectory() && existsSync(path.join(EXAMPLES_DIR, e.name, 'Dockerfile')))
  .map((e) => e.name);
const gallery = watch(await context.newPage());
gallery.on('dialog', (d) => d.accept());

await check('the gallery lists every example by its README title, opening on nginx-cert', async () => {
  current = gallery;
  await gallery.goto(`${origin}/`);
  await gallery.waitForSelector(item(EXAMPLE_FILES['nginx-cert']), { timeout: 20000 });
  const options = await gallery.$$eval('#example option', (n) => n.map((o) => ({ value: o.value, text: o.textContent, selected: o.selected })));
  assert(options.find((o) => o.selected)?.value === 'nginx-cert', `the gallery shows ${JSON.stringify(options.find((o) => o.selected))}`);
  const values = options.map((o) => o.value);
  for (const dir of exampleDirs) {
    assert(values.includes(dir), `examples/${dir} is not in the gallery (${values.join(',')})`);
    assert(EXAMPLE_FILES[dir], `examples/${dir} has no file named for this test (EXAMPLE_FILES)`);
    const readme = path.join(EXAMPLES_DIR, dir, 'README.md');
    if (existsSync(readme)) {
      const title = readFileSync(readme, 'utf8').split('\n')[0].replace(/^#+\s*/, '').trim();
      const shown = options.find((o) => o.value === dir).text;
      assert(shown === title, `${dir} is listed as ${JSON.stringify(shown)}, its README says ${JSON.stringify(title)}`);
    }
  }
  assert(values.length === exampleDirs.length, `the gallery lists ${values.length} examples, examples/ has ${exampleDirs.length}`);
  return `${values.length} examples`;
});

for (const name of Object.keys(EXAMPLE_FILES)) {
  await check(`gallery: ${name} loads, simulates without errors and shows ${EXAMPLE_FILES[name]}`, async () => {
    current = gallery;
    const errorsBefore = pageErrors.length;
    const before = await simulatedCount(gallery);
    // (The gallery page opens on nginx-cert, so that one is checked as it opened.)
    if (await gallery.$eval('#example', (e) => e.value) !== name) {
      await gallery.selectOption('#example', name);
      await waitSimulated(gallery, before);
    }
    await gallery.waitForSelector(item(EXAMPLE_FILES[name]), { timeout: 30000 });
    const text = await gallery.evaluate(() => window.stagecraft.dockerfile());
    assert(text === readFileSync(path.join(EXAMPLES_DIR, name, 'Dockerfile'), 'utf8'), 'the editor does not hold the example\'s Dockerfile');
    const errors = await gallery.$$eval('#panel-checks li.sev-error', (n) => n.map((e) => e.textContent));
    assert(!errors.length, `error diagnostics: ${errors.slice(0, 3).join(' | ')}`);
    assert(!/Error/.test(await gallery.$eval('#status', (e) => e.textContent)), `status: ${await gallery.$eval('#status', (e) => e.textContent)}`);
    const context = await gallery.$$eval('#files li', (n) => n.map((e) => e.dataset.path));
    assert(!context.includes('README.md') && !context.includes('.stagecraft.json'), `the gallery's own files are in the context: ${context.join(',')}`);
    const stages = await gallery.$$eval('svg.graph .node', (n) => n.map((e) => `${e.dataset.stage}:${e.dataset.built}`));
    let detail = `${stages.length} stages, ${context.length} context files`;
    if (name === 'target-skip') {
      assert(stages.includes('1:false') && stages.includes('3:true'), `target-skip's default build should skip stage 1 (test): ${stages.join(' ')}`);
      detail += ', test skipped';
    }
    if (name === 'maven-war-tomcat') {
      // The context keeps permission bits: setenv.sh is executable on disk, so in the image.
      const row = await gallery.$eval(item(EXAMPLE_FILES[name]), (e) => e.textContent);
      assert(/0755 \d/.test(row), `setenv.sh should be 0755 as on disk: ${row}`);
      detail += ', setenv.sh 0755';
    }
    if (name === 'arg-scoping') {
      const args = await gallery.$$eval('#args input', (n) => n.map((e) => e.value));
      assert(args.join('=') === 'APP_VERSION=2.0.0', `the build args are ${args.join('=')}, expected APP_VERSION=2.0.0 from .stagecraft.json`);
    }
    assert(pageErrors.length === errorsBefore, pageErrors.slice(errorsBefore, errorsBefore + 3).join(' | '));
    return detail;
  });
}

await check('the image panel compares sizes for go-scratch', async () => {
  current = gallery;
  if (await gallery.$eval('#example', (e) => e.value) !== 'go-scratch') {
    const before = await simulatedCount(gallery);
    await gallery.selectOption('#example', 'go-scratch');
    await waitSimulated(gallery, before);
  }
  await gallery.waitForSelector(item(EXAMPLE_FILES['go-scratch']), { timeout: 30000 });
  await gallery.click('#tab-image');
  const sizes = await gallery.$eval('#panel-image .sizes', (e) => ({ ...e.dataset, text: e.innerText }));
  const image = Number(sizes.image);
  const largest = Number(sizes.largest);
  const single = Number(sizes.single);
  assert(sizes.single !== '' && image > 0 && largest > 0 && single > 0, `sizes: ${JSON.stringify(sizes)}`);
  assert(image < single, `the image (${image}) is not smaller than the single-stage estimate (${single})`);
  assert(largest >= image, `the largest stage (${largest}) is smaller than the image (${image})`);
  const rows = await gallery.$$eval('#panel-image .sizes .bar-row', (n) => n.map((e) => `${e.dataset.size}: ${e.innerText.replace(/\s+/g, ' ')}`));
  assert(rows.length === 3 && rows.every((r) => /\d/.test(r)), `the bars: ${rows.join(' | ')}`);
  assert(/largest stage: build/.test(sizes.text), 'the largest stage is not named (build)');
  assert(/estimate/.test(sizes.text), 'the single-stage figure is not called an estimate');
  const pct = await gallery.$eval('#panel-image .sizes [data-saving]', (e) => Number(e.dataset.saving));
  assert(pct > 90 && pct < 100, `the saving is ${pct}%`);
  // go mod download and go build are modeled now (the RUN interpreter is in the .wasm): no
  // opaque stage, so no lower bounds, and the note names the estimated stage.
  assert(!/lower bounds/.test(sizes.text), 'the sizes are called lower bounds with no opaque stage');
  const modeled = await gallery.$eval('#panel-image .sizes [data-modeled]', (e) => e.dataset.modeled).catch(() => null);
  assert(modeled && modeled.split(',').includes('0') && /estimated/.test(sizes.text), `the modeled build stage is not named as estimated (${modeled})`);
  await gallery.click('#tab-fs');
  return rows.join(' | ') + `; saving ${pct}%`;
});

await check('choosing an example after an edit asks first, and keeps the edit when declined', async () => {
  const p = watch(await context.newPage());
  current = p;
  await p.goto(`${origin}/`);
  await waitSimulated(p, 0);
  const asked = [];
  p.on('dialog', (d) => { asked.push(d.message()); if (asked.length === 1) d.dismiss(); else d.accept(); });
  // An unedited example is replaced without asking.
  let before = await simulatedCount(p);
  await p.selectOption('#example', 'heredocs');
  await waitSimulated(p, before);
  assert(!asked.length, 'asked before replacing an unedited example');
  await typeLines(p, ['LABEL edited=yes']);
  await p.selectOption('#example', 'go-scratch');
  await p.waitForTimeout(200);
  assert(asked.length === 1, `${asked.length} confirmation(s) asked`);
  assert((await p.evaluate(() => window.stagecraft.dockerfile())).includes('LABEL edited=yes'), 'the edit was lost after declining');
  assert(await p.$eval('#example', (e) => e.value) === 'heredocs', 'the gallery does not show the example still loaded');
  before = await simulatedCount(p);
  await p.selectOption('#example', 'go-scratch');
  await waitSimulated(p, before);
  assert(asked.length === 2, `${asked.length} confirmation(s) asked`);
  assert(!(await p.evaluate(() => window.stagecraft.dockerfile())).includes('LABEL edited=yes'), 'the example did not replace the edit');
  await p.close();
  current = page;
});

await check('a share link and the context tar keep an example (target-skip, --target test)', async () => {
  const p = watch(await context.newPage());
  current = p;
  await p.goto(`${origin}/`);
  await waitSimulated(p, 0);
  let before = await simulatedCount(p);
  await p.selectOption('#example', 'target-skip');
  await waitSimulated(p, before);
  await p.waitForSelector(item(EXAMPLE_FILES['target-skip']), { timeout: 20000 });
  before = await simulatedCount(p);
  await p.selectOption('#target', 'test');
  await waitSimulated(p, before);
  const states = await p.$$eval('svg.graph .node', (n) => n.map((e) => `${e.dataset.stage}:${e.dataset.built}`));
  assert(['0:true', '1:true', '2:false', '3:false'].every((x) => states.includes(x)), `with --target test: ${states.join(' ')}`);
  const [download] = await Promise.all([p.waitForEvent('download'), p.click('#download')]);
  const names = parseTar(readFileSync(await download.path())).map((e) => e.name);
  for (const n of ['Dockerfile', 'src/greeter.py', 'tests/test_greeter.py']) assert(names.includes(n), `${n} missing from the tar (${names.join(',')})`);
  await p.click('#share');
  await p.waitForFunction(() => document.getElementById('share-url').value.includes('#s='));
  const url = await p.$eval('#share-url', (e) => e.value);
  const other = watch(await context.newPage());
  current = other;
  await other.goto(url);
  await waitSimulated(other, 0);
  assert(await other.$eval('#target', (e) => e.value) === 'test', 'the restored target is not test');
  const files = await other.$$eval('#files li', (n) => n.map((e) => e.dataset.path));
  assert(files.includes('tests/test_greeter.py'), `restored files: ${files.join(',')}`);
  assert((await other.evaluate(() => window.stagecraft.dockerfile())) === readFileSync(path.join(EXAMPLES_DIR, 'target-skip', 'Dockerfile'), 'utf8'), 'the restored Dockerfile differs');
  await other.close();
  await p.close();
  current = page;
  return `${names.length} tar entries, ${url.length}-character link`;
});
await gallery.close();

await check('the widget edits a context file and the tree shows the new content', async () => {
  const p = watch(await context.newPage());
  current = p;
  await p.goto(`${origin}/__widget-test.html`);
  const file = 'stagecraft-playground [role=treeitem][data-path="/srv/hello.txt"]';
  await p.waitForSelector(file, { state: 'visible', timeout: 20000 });
  const count = () => p.$eval('stagecraft-playground', (e) => Number(e.dataset.simulated || 0));
  const before = await count();
  await p.click('stagecraft-playground [role=tab][data-file="hello.txt"]');
  const area = 'stagecraft-playground textarea.w-file';
  await p.waitForSelector(area, { state: 'visible', timeout: 5000 });
  assert((await p.$eval(area, (e) => e.value)).startsWith('hello '), 'the text area does not hold hello.txt');
  await p.fill(area, 'edited in the widget\n');
  await p.waitForFunction((n) => Number(document.querySelector('stagecraft-playground').dataset.simulated || 0) > n, before, { timeout: 15000 });
  await p.waitForSelector(file, { state: 'visible', timeout: 10000 });
  const size = await p.$eval(`${file} .size`, (e) => e.textContent);
  assert(size === '21 B', `/srv/hello.txt is ${size}, expected 21 B`);
  await p.click(`${file} > .row`);
  await p.waitForFunction(() => /edited in the widget/.test(document.querySelector('stagecraft-playground').shadowRoot.querySelector('.viewer')?.textContent || ''), null, { timeout: 5000 });
  await p.click('stagecraft-playground [role=tab][data-file=""]');
  assert(await p.isVisible('stagecraft-playground .cm-content'), 'the Dockerfile editor does not come back');
  await p.close();
  current = page;
});

await check('a base-image snapshot file (stagecraft image snapshot) is loaded and used, and removed', async () => {
  const p = watch(await context.newPage());
  current = p;
  await p.goto(`${origin}/`);
  await waitSimulated(p, 0);
  const dir = (path) => ({ path, type: 'dir', mode: '0755', uid: 0, gid: 0 });
  const catalog = {
    schema: 1,
    images: [{
      name: 'local/tiny', tags: ['1'], source: 'e2e', config: { env: [['PATH', '/bin']] }, shell: { path: null, flavour: null },
      files: [dir('/etc'), { path: '/etc/tiny-release', type: 'file', mode: '0644', uid: 0, gid: 0, size: 5, content: 'tiny\n' }],
    }],
  };
  let before = await simulatedCount(p);
  await p.evaluate(() => window.stagecraft.setDockerfile('FROM local/tiny:1\nENV A=1\n'));
  await waitSimulated(p, before);
  assert(!(await p.$(item('/etc'))), '/etc is in the tree before the catalog is loaded');
  before = await simulatedCount(p);
  await p.setInputFiles('#upload-catalog', { name: 'tiny.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(catalog)) });
  await p.waitForSelector('#catalogs li[data-catalog="tiny.json"]', { timeout: 5000 });
  await waitSimulated(p, before);
  await p.waitForSelector(item('/etc'), { timeout: 5000 });
  // The checks know the image too (no "not in the catalog" note left).
  const text = await p.evaluate(() => document.body.textContent);
  assert(!/local\/tiny:1 is not in the catalog/.test(text), 'the checks still say local/tiny:1 is not in the catalog');
  // Removed, the image is unknown again: its files are gone from the tree.
  before = await simulatedCount(p);
  await p.click('#catalogs li[data-catalog="tiny.json"] button');
  await waitSimulated(p, before);
  await p.waitForSelector(item('/etc'), { state: 'detached', timeout: 5000 });
  await p.close();
  current = page;
});

await check('apt-get install unpacks real Debian packages (the package catalog, fetched on demand)', async () => {
  const p = watch(await context.newPage());
  current = p;
  await p.goto(`${origin}/`);
  await waitSimulated(p, 0);
  const before = await simulatedCount(p);
  await p.evaluate(() => window.stagecraft.setDockerfile('FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl\n'));
  await waitSimulated(p, before);
  // The note names what came from the catalog: curl, libcurl4 and their libraries.
  await p.waitForFunction(() => /apt-get installs \d+ packages from Debian 12's archive \(\d+ files/.test(document.body.textContent), null, { timeout: 15000 });
  const text = await p.evaluate(() => document.body.textContent);
  const n = Number(/apt-get installs (\d+) packages from Debian 12/.exec(text)[1]);
  assert(n >= 5, `only ${n} packages installed for curl (curl, libcurl4 and its libraries expected)`);
  await p.close();
  current = page;
  return `${n} packages`;
});

await check('a context that is not given: COPY brings stand-ins and the steps after it are modeled', async () => {
  const p = watch(await context.newPage());
  current = p;
  await p.goto(`${origin}/`);
  await waitSimulated(p, 0);
  let before = await simulatedCount(p);
  await p.evaluate(() => window.stagecraft.setDockerfile('FROM node:22-bookworm-slim\nWORKDIR /app\nCOPY package.json ./\nRUN npm ci\n'));
  await waitSimulated(p, before);
  let text = await p.evaluate(() => document.body.textContent);
  assert(/COPY failed: "\/package.json": not found/.test(text), 'the example context has no package.json: the COPY fails');
  before = await simulatedCount(p);
  await p.check('#context-unknown');
  await waitSimulated(p, before);
  text = await p.evaluate(() => document.body.textContent);
  assert(/a file of unknown content stands in for package.json/.test(text), 'no stand-in note for package.json');
  assert(!/COPY failed/.test(text), 'the COPY still fails with the context not given');
  await p.close();
  current = page;
});

await check('a huge Dockerfile leaves the page responsive', async () => {
  const p = watch(await context.newPage());
  current = p;
  await p.goto(`${origin}/`);
  await waitSimulated(p, 0);
  const before = await simulatedCount(p);
  // 3000 stages, each copying from the one before: big for the core, not for the page.
  await p.evaluate(() => {
    const lines = ['FROM alpine:3.20 AS s0'];
    for (let i = 1; i < 3000; i++) lines.push(`FROM alpine:3.20 AS s${i}`, `COPY --from=s${i - 1} /etc/hostname /h${i}`, `ENV V${i}=$UNDEFINED_${i}`);
    window.stagecraft.setDockerfile(`${lines.join('\n')}\n`);
  });
  let worst = 0;
  for (let i = 0; i < 10; i++) {
    const t0 = Date.now();
    await p.evaluate(() => new Promise((r) => requestAnimationFrame(() => r())));
    worst = Math.max(worst, Date.now() - t0);
    await p.waitForTimeout(50);
  }
  await p.waitForFunction((n) => Number(document.body.dataset.simulated || 0) > n || /Error/.test(document.getElementById('status').textContent), before, { timeout: 30000 });
  const status = await p.$eval('#status', (e) => e.textContent);
  const t0 = Date.now();
  await p.evaluate(() => new Promise((r) => requestAnimationFrame(() => r())));
  const after = Date.now() - t0;
  assert(worst < 500, `a frame took ${worst} ms while simulating`);
  assert(after < 1000, `the page took ${after} ms to show the result`);
  await p.close();
  current = page;
  return `worst frame ${worst} ms while simulating, ${after} ms after; ${status}`;
});

await check('works offline once loaded', async () => {
  const p = watch(await context.newPage());
  current = p;
  await p.goto(`${origin}/`);
  await waitSimulated(p, 0);
  const registered = await p.evaluate(() => Promise.race([
    navigator.serviceWorker.ready.then(() => true),
    new Promise((r) => setTimeout(() => r(false), 5000)),
  ]));
  assert(registered, 'no service worker is active after 5 s');
  await p.reload();
  await waitSimulated(p, 0); // the service worker now controls the page and has cached it
  await context.setOffline(true);
  try {
    await p.reload();
    await p.waitForSelector(item('/etc/nginx/conf.d/default.conf'), { timeout: 15000 });
  } finally {
    await context.setOffline(false);
  }
  await p.close();
  current = page;
});

await check('the theme toggles', async () => {
  const a = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  await page.click('#theme');
  const b = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert(a !== b, 'the background did not change');
});

await check('no request leaves the origin, no page error', async () => {
  assert(!foreign.length, `foreign requests: ${foreign.join(' ')}`);
  assert(!pageErrors.length, pageErrors.slice(0, 3).join(' | '));
});

await browser.close();
server.close();
if (firstResultMs !== null) console.log(`load to first simulated result: ${firstResultMs} ms (budget 1000 ms: ${firstResultMs < 1000 ? 'within' : 'OVER'})`);
console.log(failures ? `${failures} check(s) FAILED` : 'all checks passed');
process.exit(failures ? 1 : 0);

/** The entries of a ustar archive, each header's checksum verified. */
function parseTar(buf) {
  const entries = [];
  let off = 0;
  let zeros = 0;
  while (off + 512 <= buf.length) {
    const header = buf.subarray(off, off + 512);
    if (header.every((b) => b === 0)) { zeros++; off += 512; if (zeros === 2) break; continue; }
    const field = (a, b) => header.subarray(a, b).toString('latin1').replace(/\0.*$/s, '');
    const name = field(0, 100);
    const prefix = field(345, 500);
    const size = parseInt(field(124, 136).trim() || '0', 8);
    const stored = parseInt(field(148, 156).trim(), 8);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : header[i];
    assert(stored === sum, `bad checksum for ${name}: stored ${stored}, computed ${sum}`);
    assert(Number.isFinite(size) && size >= 0, `bad size for ${name}`);
    const data = buf.subarray(off + 512, off + 512 + size);
    entries.push({ name: prefix ? `${prefix}/${name}` : name, size, type: String.fromCharCode(header[156] || 48), data: Buffer.from(data) });
    off += 512 + Math.ceil(size / 512) * 512;
  }
  assert(entries.length > 0, 'an empty archive');
  assert(off <= buf.length, 'the archive is truncated');
  return entries;
}
