// Serves public/ and the compiled client in dist/; /api/hello answers as HTML-escaped text.
const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');
const escapeHtml = require('escape-html');

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8' };
const ROOTS = { '/dist/': path.join(__dirname, 'dist'), '/': path.join(__dirname, 'public') };

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  if (url.pathname === '/api/hello') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<p>Hello, ${escapeHtml(url.searchParams.get('name') || 'world')}!</p>`);
    return;
  }
  const prefix = url.pathname.startsWith('/dist/') ? '/dist/' : '/';
  const rel = url.pathname.slice(prefix.length) || 'index.html';
  const file = path.join(ROOTS[prefix], path.normalize(rel));
  if (!file.startsWith(ROOTS[prefix]) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
    return;
  }
  res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream' });
  fs.createReadStream(file).pipe(res);
});

server.listen(Number(process.env.PORT) || 3000, () => console.log('listening on', server.address().port));
