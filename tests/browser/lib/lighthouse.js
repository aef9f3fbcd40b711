'use strict';
// Lighthouse (the npm package, pinned in package-lock.json) driving Debian's
// Chromium, headless: the mobile preset (Lighthouse's default: a phone's
// screen, simulated slow 4G and a slowed CPU). Used by lighthouse.test.js
// and the lighthouse.js script. Lighthouse and chrome-launcher are ES
// modules, loaded on first use.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { REPO } = require('./sites');
const { EXECUTABLE, ARGS } = require('./browser');
const { serve } = require('./server');
const { WAIT } = require('./wait');

const CATEGORIES = ['accessibility', 'best-practices', 'seo', 'performance'];

// Lighthouse gives up on a page that has not painted or loaded within 30
// and 45 s; a busy machine is not a broken page, so it waits as long as the
// rest of the suite does.
const PATIENCE_MS = WAIT;

/** The pages the issue names: home, an article, a theme page and search. */
const PAGES = [
  { name: 'home', path: '' },
  { name: 'article building-trust-after-betrayal', path: 'articles/building-trust-after-betrayal/' },
  { name: 'theme communication', path: 'themes/communication/' },
  { name: 'search', path: 'search/?q=trust' },
];

function mend(args) {
  const bin = process.env.MEND_BIN || path.join(REPO, 'target', 'debug', 'mend');
  return execFileSync(bin, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
}

/**
 * The bundled knowledge base built for the address it is served at (so its
 * canonical links point where the pages are, as on a real host) and served
 * on 127.0.0.1. Resolves to the server; `close()` also removes the build.
 */
async function servedKnowledgeBase() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mend-lighthouse-'));
  const dir = path.join(work, 'site');
  const server = await serve(dir);
  try {
    mend(['build', '--quiet', '--base-url', server.base, '-o', dir]);
  } catch (e) {
    await server.close();
    fs.rmSync(work, { recursive: true, force: true });
    throw e;
  }
  const close = server.close;
  server.close = async () => {
    await close();
    fs.rmSync(work, { recursive: true, force: true });
  };
  return server;
}

/** Debian's Chromium for Lighthouse (never a downloaded browser). */
async function launchChrome() {
  process.env.CHROME_PATH = EXECUTABLE;
  const { launch } = await import('chrome-launcher');
  return launch({
    chromePath: EXECUTABLE,
    chromeFlags: ARGS,
    logLevel: 'silent',
  });
}

/**
 * Run Lighthouse on `url` in `chrome`. Resolves to { scores: {category: 0-100},
 * failing: {category: [{id, title, score}]} }: every audit of a category that
 * counts towards its score and scored below 1.
 */
async function audit(chrome, url) {
  const { default: lighthouse } = await import('lighthouse');
  const result = await lighthouse(url, {
    port: chrome.port,
    output: 'json',
    logLevel: 'error',
    onlyCategories: CATEGORIES,
    maxWaitForFcp: PATIENCE_MS,
    maxWaitForLoad: PATIENCE_MS,
  });
  const { lhr } = result;
  if (lhr.runtimeError) throw new Error(`Lighthouse on ${url}: ${lhr.runtimeError.code}: ${lhr.runtimeError.message}`);
  const scores = {};
  const failing = {};
  for (const id of CATEGORIES) {
    const category = lhr.categories[id];
    scores[id] = category.score === null ? null : Math.round(category.score * 100);
    failing[id] = category.auditRefs
      .filter((ref) => ref.weight > 0)
      .map((ref) => lhr.audits[ref.id])
      .filter((a) => a.score !== null && a.score < 1)
      .map((a) => ({ id: a.id, title: a.title, score: a.score }));
  }
  return { scores, failing, warnings: lhr.runWarnings || [] };
}

/** The median of numbers. */
function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

module.exports = { CATEGORIES, PAGES, servedKnowledgeBase, launchChrome, audit, median };
