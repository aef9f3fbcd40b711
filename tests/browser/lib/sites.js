'use strict';
// The sites under test. run.sh builds them once with the real binary and
// passes their folder in MEND_BROWSER_SITES; without it (running
// `node --test tests/browser/` by hand), each test file builds its own copy
// into a temporary folder.
//
//   main/       the bundled knowledge base, as published (`mend build`)
//   sub/kb/     the same, built for https://example.org/kb/ (served under /kb/)
//   fixture/kb/ a `mend init` starter with a code block and an outside link,
//               built for https://example.org/kb/ (served under /kb/)
//   portable/   the bundled knowledge base, `mend build --portable` (file://)
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const REPO = path.resolve(__dirname, '..', '..', '..');
const BASE_URL = 'https://example.org/kb/';

const FIXTURE_ARTICLE = `
## An example with code {.writing}

A fenced block is highlighted with classes, so the page loads \`syntax.css\`:

\`\`\`yaml
title: Example
themes: [writing]
\`\`\`

The [CommonMark specification](https://spec.commonmark.org/) describes the syntax.
`;

// run.sh exports MEND_BIN (the debug binary cargo test already built, so CI
// compiles nothing twice); by hand, cargo runs the current sources.
function mend(args, opts = {}) {
  const [cmd, pre] = process.env.MEND_BIN ? [process.env.MEND_BIN, []] : ['cargo', ['run', '--release', '-q', '--']];
  return execFileSync(cmd, [...pre, ...args], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    ...opts,
  });
}

/** Build every site into `dir` (used by run.sh and as the fallback). */
function buildAll(dir) {
  fs.mkdirSync(dir, { recursive: true });
  mend(['build', '--quiet', '-o', path.join(dir, 'main')]);
  mend(['build', '--quiet', '--base-url', BASE_URL, '-o', path.join(dir, 'sub', 'kb')]);
  mend(['build', '--quiet', '--portable', '-o', path.join(dir, 'portable')]);
  const src = path.join(dir, 'fixture-src');
  mend(['init', src]);
  fs.appendFileSync(path.join(src, 'articles', 'writing-articles.md'), FIXTURE_ARTICLE);
  mend(['build', '--quiet', '--root', src, '--base-url', BASE_URL, '-o', path.join(dir, 'fixture', 'kb')]);
  return dir;
}

let cached;
function sitesDir() {
  if (cached) return cached;
  if (process.env.MEND_BROWSER_SITES) {
    cached = path.resolve(process.env.MEND_BROWSER_SITES);
  } else {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mend-browser-'));
    process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
    cached = buildAll(dir);
  }
  for (const sub of ['main', 'sub/kb', 'portable', 'fixture/kb']) {
    if (!fs.existsSync(path.join(cached, sub, 'index.html'))) {
      throw new Error(`${path.join(cached, sub)} has no index.html: build the sites first (tests/browser/run.sh)`);
    }
  }
  return cached;
}

const site = {
  main: () => path.join(sitesDir(), 'main'),
  /** The folder to serve so that the site appears under /kb/. */
  sub: () => path.join(sitesDir(), 'sub', 'kb'),
  fixture: () => path.join(sitesDir(), 'fixture', 'kb'),
  portable: () => path.join(sitesDir(), 'portable'),
};

/** Every file under `dir` ending in `ext`, relative, sorted. */
function filesUnder(dir, ext) {
  const out = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(ext)) out.push(path.relative(dir, p).split(path.sep).join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

module.exports = { REPO, BASE_URL, site, buildAll, filesUnder };

if (require.main === module) {
  // node lib/sites.js DIR: build every site into DIR (run.sh).
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: node lib/sites.js DIR');
    process.exit(2);
  }
  buildAll(path.resolve(dir));
}
