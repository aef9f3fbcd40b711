'use strict';
// 1. Valid HTML (the W3C Nu HTML Checker, one JVM over every build) and
//    well-formed, well-structured feed.xml and sitemap.xml.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { site, filesUnder, BASE_URL } = require('./lib/sites');
const { table, record } = require('./lib/report');
const xml = require('./lib/xml');

const VNU = path.join(path.dirname(require.resolve('vnu-jar')), 'build', 'dist', 'vnu.jar');
const SITEMAP_XSD = path.join(path.dirname(require.resolve('sitemap/package.json')), 'schema', 'sitemap.xsd');
const ATOM = 'http://www.w3.org/2005/Atom';
const SITEMAP_NS = 'http://www.sitemaps.org/schemas/sitemap/0.9';
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

const builds = {
  '(a) site': { dir: site.main(), base: 'https://example.org/' },
  '(b) /kb/ site': { dir: site.sub(), base: BASE_URL },
  '(b) /kb/ fixture': { dir: site.fixture(), base: BASE_URL },
  '(c) portable': { dir: site.portable(), base: 'https://example.org/' },
};

// One JVM start for all four builds; messages are grouped per build below.
let vnuRun;
function vnu() {
  if (vnuRun) return vnuRun;
  const dirs = Object.values(builds).map((b) => b.dir);
  const r = spawnSync('java', ['-jar', VNU, '--errors-only', '--skip-non-html', '--format', 'json', ...dirs], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  let messages;
  try {
    messages = JSON.parse(r.stderr || r.stdout).messages;
  } catch {
    throw new Error(`vnu did not print JSON (exit ${r.status}):\n${r.stderr}\n${r.stdout}`);
  }
  vnuRun = { messages };
  return vnuRun;
}

/** vnu's errors for one build, grouped by message (the templates repeat them). */
function vnuErrors(dir) {
  const prefix = 'file:' + dir + '/';
  const errors = vnu().messages.filter(
    (m) => decodeURIComponent(m.url || '').startsWith(prefix) && (m.type === 'error' || m.subType === 'fatal'),
  );
  const byMessage = new Map();
  for (const m of errors) {
    const page = decodeURIComponent(m.url).slice(prefix.length);
    if (!byMessage.has(m.message)) byMessage.set(m.message, { pages: [], line: m.lastLine, extract: (m.extract || '').replace(/\s+/g, ' ').trim() });
    byMessage.get(m.message).pages.push(page);
  }
  return { count: errors.length, byMessage };
}

test('vnu: figures for every build (one JVM)', () => {
  const rows = Object.entries(builds).map(([name, { dir }]) => {
    const { count, byMessage } = vnuErrors(dir);
    return [name, filesUnder(dir, '.html').length, count, byMessage.size];
  });
  table('Nu HTML Checker (--errors-only)', ['build', 'pages', 'errors', 'distinct messages'], rows);
});

for (const [name, { dir }] of Object.entries(builds)) {
  test(`vnu: zero HTML errors on every page of ${name}`, () => {
    const { count, byMessage } = vnuErrors(dir);
    const pages = filesUnder(dir, '.html').length;
    record('html', `vnu ${name}`, count === 0 ? 'pass' : 'FAIL', `${count} errors (${byMessage.size} distinct) on ${pages} pages`);
    const lines = [...byMessage].map(
      ([message, { pages: on, line, extract }]) =>
        `${message}\n    on ${on.length} page(s), e.g. ${on[0]}:${line}: ${extract.slice(0, 140)}`,
    );
    assert.equal(count, 0, `vnu reported ${count} errors in ${name}:\n  ${lines.join('\n  ')}`);
  });
}

function checkWellFormed(file) {
  // Python's expat is a conforming XML parser (undefined entities, bad
  // nesting, stray '&' all fail); xmllint is used too when it is installed.
  const py = spawnSync('python3', ['-c', 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])', file], {
    encoding: 'utf8',
  });
  assert.equal(py.status, 0, `${file} is not well-formed XML (expat):\n${py.stderr}`);
  if (hasXmllint()) {
    const r = spawnSync('xmllint', ['--noout', file], { encoding: 'utf8' });
    assert.equal(r.status, 0, `${file} is not well-formed XML (xmllint):\n${r.stderr}`);
  }
  return xml.parse(fs.readFileSync(file, 'utf8'));
}

let xmllint;
function hasXmllint() {
  if (xmllint === undefined) xmllint = spawnSync('xmllint', ['--version']).status === 0;
  return xmllint;
}

/** The built file a URL of the site points at, or null. */
function fileFor(url, base, dir) {
  if (!url.startsWith(base)) return null;
  let rel = decodeURIComponent(url.slice(base.length).split('#')[0]);
  if (rel === '' || rel.endsWith('/')) rel += 'index.html';
  const file = path.join(dir, rel);
  return fs.existsSync(file) ? file : null;
}

function assertAbsolute(url, base, what) {
  let parsed;
  assert.doesNotThrow(() => (parsed = new URL(url)), `${what}: ${url} is not an absolute URL`);
  assert.match(parsed.protocol, /^https?:$/, `${what}: ${url} is not http(s)`);
  assert.ok(url.startsWith(base), `${what}: ${url} is not under the base URL ${base}`);
}

for (const [name, { dir, base }] of Object.entries(builds)) {
  test(`sitemap.xml ${name}: well-formed, valid against the sitemap 0.9 schema, every loc published`, (t) => {
    const file = path.join(dir, 'sitemap.xml');
    const root = checkWellFormed(file);
    if (hasXmllint()) {
      const r = spawnSync('xmllint', ['--noout', '--schema', SITEMAP_XSD, file], { encoding: 'utf8' });
      assert.equal(r.status, 0, `sitemap.xml does not validate against sitemap.xsd:\n${r.stderr}`);
    } else {
      t.diagnostic('xmllint is not installed (Debian libxml2-utils): schema validation skipped, structure checked');
    }
    assert.equal(root.name, 'urlset');
    assert.equal(root.ns, SITEMAP_NS);
    const locs = xml.children(root, 'url').map((u) => {
      const locs = xml.children(u, 'loc');
      assert.equal(locs.length, 1, 'each <url> has exactly one <loc>');
      return locs[0].text.trim();
    });
    assert.ok(locs.length > 0, 'the sitemap lists pages');
    assert.equal(new Set(locs).size, locs.length, 'no URL is listed twice');
    for (const loc of locs) {
      assertAbsolute(loc, base, 'sitemap <loc>');
      assert.ok(loc.length < 2048, `${loc} is too long for a sitemap`);
      assert.ok(fileFor(loc, base, dir), `sitemap lists ${loc}, which is not in the build`);
    }
    // Every published page is listed, but the 404 page and the search page
    // (which has no content of its own).
    const pages = filesUnder(dir, '.html').filter((p) => p !== '404.html' && p !== 'search/index.html');
    const listed = new Set(locs.map((l) => path.relative(dir, fileFor(l, base, dir)).split(path.sep).join('/')));
    const missing = pages.filter((p) => !listed.has(p));
    assert.deepEqual(missing, [], 'pages missing from the sitemap');
    const robots = fs.readFileSync(path.join(dir, 'robots.txt'), 'utf8');
    assert.match(robots, new RegExp(`^Sitemap: ${base.replace(/[.]/g, '\\.')}sitemap\\.xml$`, 'm'), 'robots.txt names the sitemap');
    record('xml', `sitemap.xml ${name}`, 'pass', `${locs.length} URLs${hasXmllint() ? ', valid against sitemap.xsd' : ''}`);
  });

  test(`feed.xml ${name}: well-formed Atom with id, title, updated and link on the feed and every entry`, (t) => {
    const root = checkWellFormed(path.join(dir, 'feed.xml'));
    assert.equal(root.name, 'feed');
    assert.equal(root.ns, ATOM, 'the root is an Atom <feed>');
    const one = (el, tag, where) => {
      const found = xml.children(el, tag).filter((c) => c.ns === ATOM);
      assert.equal(found.length, 1, `${where} has exactly one <${tag}>`);
      return found[0];
    };
    const checkCommon = (el, where) => {
      assertAbsolute(one(el, 'id', where).text.trim(), base, `${where} <id>`);
      assert.ok(one(el, 'title', where).text.trim(), `${where} <title> is empty`);
      const updated = one(el, 'updated', where).text.trim();
      assert.match(updated, RFC3339, `${where} <updated> is not an RFC 3339 date-time`);
      const links = xml.children(el, 'link');
      assert.ok(links.length > 0, `${where} has a <link>`);
      for (const l of links) assertAbsolute(l.attrs.href || '', base, `${where} <link href>`);
      return { links, updated };
    };
    const feed = checkCommon(root, 'the feed');
    const self = feed.links.find((l) => l.attrs.rel === 'self');
    assert.ok(self, 'the feed has a rel="self" link');
    assert.equal(self.attrs.href, base + 'feed.xml');
    const entries = xml.children(root, 'entry');
    const articles = fs.readdirSync(path.join(dir, 'articles'), { withFileTypes: true }).filter((e) => e.isDirectory());
    assert.equal(entries.length, articles.length, 'one entry per article');
    const hasAuthor = xml.children(root, 'author').length > 0;
    const ids = new Set();
    const epoch = [];
    for (const [i, entry] of entries.entries()) {
      const where = `entry ${i + 1}`;
      const { links, updated } = checkCommon(entry, where);
      if (updated.startsWith('1970-01-01')) epoch.push(where);
      const id = one(entry, 'id', where).text.trim();
      assert.ok(!ids.has(id), `${where}: duplicate id ${id}`);
      ids.add(id);
      const alt = links.find((l) => (l.attrs.rel || 'alternate') === 'alternate');
      assert.ok(alt, `${where} has an alternate link`);
      assert.ok(fileFor(alt.attrs.href, base, dir), `${where} links to ${alt.attrs.href}, which is not in the build`);
      assert.ok(hasAuthor || xml.children(entry, 'author').length > 0, `${where} has no author and the feed has none`);
    }
    if (epoch.length) {
      t.diagnostic(`note: ${epoch.length} of ${entries.length} entries are dated 1970-01-01 (articles without a date)`);
    }
    record('xml', `feed.xml ${name}`, 'pass', `${entries.length} entries${epoch.length ? `; ${epoch.length} dated 1970-01-01` : ''}`);
  });
}
