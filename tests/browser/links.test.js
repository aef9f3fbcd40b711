'use strict';
// 2. No broken internal link or anchor: lychee (offline, with fragments) on
//    every build, and an HTTP crawl of the sub-path builds served under /kb/.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { REPO, site } = require('./lib/sites');
const { serve } = require('./lib/server');
const { table, record } = require('./lib/report');

function lycheeBin() {
  if (process.env.MEND_LYCHEE) return process.env.MEND_LYCHEE;
  const venv = path.join(REPO, 'target', 'lychee-venv', 'bin', 'lychee');
  if (fs.existsSync(venv)) return venv;
  return 'lychee';
}

function lychee(dir, extra) {
  const args = ['--offline', '--include-fragments', '--no-progress', '--format', 'json', ...extra, dir];
  const r = spawnSync(lycheeBin(), args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw new Error(`cannot run lychee (${lycheeBin()}): ${r.error.message}; run tests/browser/run.sh to install it`);
  let report;
  try {
    report = JSON.parse(r.stdout);
  } catch {
    throw new Error(`lychee printed no JSON report (exit ${r.status}):\n${r.stderr}\n${r.stdout.slice(0, 2000)}`);
  }
  const errors = [];
  for (const [input, list] of Object.entries(report.error_map || {})) {
    for (const e of list) errors.push(`${path.relative(dir, input) || input}: ${e.url} (${e.status?.text || ''} ${e.status?.details || ''})`.trim());
  }
  return { report, errors, status: r.status, args };
}

const rows = [];
const runs = [
  // (a): directory links must hold an index.html, as the server needs.
  ['(a) site', () => site.main(), (d) => ['--index-files', 'index.html', '--root-dir', d]],
  // (b): served under /kb/, so root-relative links (the 404 page) resolve in the parent folder.
  ['(b) /kb/ site', () => site.sub(), (d) => ['--index-files', 'index.html', '--root-dir', path.dirname(d)]],
  ['(b) /kb/ fixture', () => site.fixture(), (d) => ['--index-files', 'index.html', '--root-dir', path.dirname(d)]],
  // (c): from file:// a folder link opens a directory listing and a root-relative
  // link points at the disk's root, so neither is allowed: no --root-dir, and
  // every link must name its file. 404.html is left out: only a server shows
  // it, at any depth, so its links are root-relative by design.
  ['(c) portable', () => site.portable(), () => ['--index-files', '', '--exclude-path', '404\\.html$']],
];

for (const [name, dirOf, flags] of runs) {
  test(`lychee: no broken link or fragment in ${name}`, () => {
    const dir = dirOf();
    const { report, errors, args } = lychee(dir, flags(dir));
    rows.push([name, report.total, report.successful, report.excludes, report.errors]);
    record('links', `lychee ${name}`, errors.length === 0 ? 'pass' : 'FAIL', `${report.total} links, ${report.successful} OK, ${report.excludes} excluded (outside), ${report.errors} errors`);
    assert.ok(report.total > 0, 'lychee found no link at all');
    assert.deepEqual(errors, [], `lychee ${args.join(' ')}: broken links`);
  });
}

test('lychee figures', () => {
  table('lychee --offline --include-fragments (excluded = absolute URLs outside the build: canonical, og:url, feed)', ['build', 'links', 'OK', 'excluded', 'errors'], rows);
});

// href, src and a form's action (the search form); generated HTML quotes with ".
const LINK = /\s(?:href|src|action)="([^"]*)"/g;

// An HTTP crawl under /kb/: every internal link and asset of every page resolves
// to a 200 under /kb/, and every fragment names an id on its target page.
async function crawl(dir) {
  const server = await serve(dir, { prefix: '/kb/' });
  const pages = new Map(); // url without hash -> html
  const problems = [];
  let checked = 0;
  try {
    const queue = [server.url('')];
    const seen = new Set(queue);
    const get = async (url) => {
      const res = await fetch(url, { redirect: 'manual' });
      return { status: res.status, type: res.headers.get('content-type') || '', body: await res.text() };
    };
    const links = [];
    while (queue.length) {
      const url = queue.shift();
      const { status, type, body } = await get(url);
      if (status !== 200) {
        problems.push(`${url}: status ${status}`);
        continue;
      }
      if (!type.startsWith('text/html')) continue;
      pages.set(url, body);
      for (const m of body.matchAll(LINK)) {
        const raw = m[1].replace(/&amp;/g, '&');
        const target = new URL(raw, url);
        if (target.origin !== server.origin) continue;
        links.push({ from: url, raw, target });
        const bare = target.href.split('#')[0];
        if (!seen.has(bare)) {
          seen.add(bare);
          queue.push(bare);
        }
      }
    }
    // The 404 page, asked for deep under /kb/: its links must work from there.
    const missing = server.url('no/such/page/');
    const nf = await get(missing);
    if (nf.status !== 404) problems.push(`${missing}: status ${nf.status}, expected 404`);
    for (const m of nf.body.matchAll(LINK)) {
      const target = new URL(m[1], missing);
      if (target.origin !== server.origin) continue;
      if (target.href.split('#')[0] === missing) {
        checked++;
        const id = decodeURIComponent(target.hash.slice(1));
        if (id && !nf.body.includes(`id="${id}"`)) problems.push(`${missing}: ${m[1]} -> no element with id "${id}"`);
      } else {
        links.push({ from: missing, raw: m[1], target });
      }
    }
    for (const { from, raw, target } of links) {
      checked++;
      if (!target.pathname.startsWith('/kb/')) {
        problems.push(`${from}: ${raw} leaves /kb/ (${target.pathname})`);
        continue;
      }
      const bare = target.href.split('#')[0];
      if (!seen.has(bare)) {
        const { status } = await get(bare);
        if (status !== 200) problems.push(`${from}: ${raw} -> ${status}`);
      }
      if (target.hash) {
        const html = pages.get(bare);
        const id = decodeURIComponent(target.hash.slice(1));
        if (html !== undefined && !html.includes(`id="${id}"`)) problems.push(`${from}: ${raw} -> no element with id "${id}"`);
      }
    }
  } finally {
    await server.close();
  }
  return { pages: pages.size, checked, problems };
}

for (const [name, dirOf] of [
  ['(b) /kb/ site', () => site.sub()],
  ['(b) /kb/ fixture', () => site.fixture()],
]) {
  test(`HTTP crawl under /kb/: every internal link, asset and anchor of ${name} resolves`, async () => {
    const dir = dirOf();
    const { pages, checked, problems } = await crawl(dir);
    table(`HTTP crawl of ${name} under /kb/`, ['pages', 'internal links and assets', 'problems'], [[pages, checked, problems.length]]);
    record('links', `HTTP crawl ${name}`, problems.length ? 'FAIL' : 'pass', `${pages} pages, ${checked} links, ${problems.length} problems`);
    assert.ok(pages >= 5, `the crawl reached only ${pages} pages`);
    assert.deepEqual(problems, []);
  });
}
