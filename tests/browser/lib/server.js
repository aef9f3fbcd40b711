'use strict';
// A tiny static file server for the tests: binds 127.0.0.1 on an ephemeral
// port, serves `index.html` for directory paths, and `404.html` with status
// 404 for anything else. With `prefix` ('/kb/'), the folder is served under
// that sub-path and every path outside it is a 404, as on a host where the
// site is published under a sub-path. No compression, no caching headers:
// the sizes the browser sees are the sizes of the files.
const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.xml': 'application/xml',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

function isFile(p) {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function isDir(p) {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Serve `root` under `prefix`. Resolves to { origin, base, url(rel), log, close() }.
 * `log` records every request: { method, path, status, bytes }.
 */
function serve(root, { prefix = '/' } = {}) {
  root = path.resolve(root);
  if (!prefix.startsWith('/') || !prefix.endsWith('/')) throw new Error(`bad prefix ${prefix}`);
  const log = [];
  const server = http.createServer((req, res) => {
    const send = (status, file, headers = {}) => {
      const body = file ? fs.readFileSync(file) : Buffer.alloc(0);
      const type = file ? TYPES[path.extname(file)] || 'application/octet-stream' : 'text/plain';
      res.writeHead(status, { 'Content-Type': type, 'Content-Length': body.length, ...headers });
      res.end(req.method === 'HEAD' ? undefined : body);
      log.push({ method: req.method, path: req.url, status, bytes: body.length });
    };
    const notFound = () => {
      const page = path.join(root, '404.html');
      if (isFile(page)) send(404, page);
      else send(404, null);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, null, { Allow: 'GET, HEAD' });
    let pathname;
    try {
      pathname = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    } catch {
      return send(400, null);
    }
    // The bare prefix without its slash redirects, as a host would.
    if (prefix !== '/' && pathname === prefix.slice(0, -1)) return send(301, null, { Location: prefix });
    if (!pathname.startsWith(prefix) || pathname.includes('\0')) return notFound();
    const rel = pathname.slice(prefix.length);
    const file = path.resolve(root, '.' + path.posix.normalize('/' + rel));
    if (file !== root && !file.startsWith(root + path.sep)) return notFound();
    if (isDir(file)) {
      if (!pathname.endsWith('/')) return send(301, null, { Location: pathname + '/' });
      const index = path.join(file, 'index.html');
      return isFile(index) ? send(200, index) : notFound();
    }
    return isFile(file) ? send(200, file) : notFound();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const origin = `http://127.0.0.1:${server.address().port}`;
      resolve({
        origin,
        base: origin + prefix,
        url: (rel = '') => origin + prefix + rel.replace(/^\//, ''),
        log,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections?.();
            server.close(() => done());
          }),
      });
    });
  });
}

module.exports = { serve };
