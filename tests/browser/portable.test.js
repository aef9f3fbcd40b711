'use strict';
// (c) The portable edition opened from file://: every page loads with its
//     stylesheets and scripts, every internal link names a file that exists,
//     a reader can click through and search, and nothing goes to the network.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { pathToFileURL, fileURLToPath } = require('node:url');
const { site, filesUnder } = require('./lib/sites');
const { launch, searchRuntimeReady } = require('./lib/browser');
const { table, record } = require('./lib/report');
const { WAIT } = require('./lib/wait');

const DIR = site.portable();
const url = (rel) => pathToFileURL(path.join(DIR, rel)).href;

let browser;
test.before(async () => {
  browser = await launch();
});
test.after(async () => {
  await browser?.close();
});

function linksAndSheets() {
  return {
    links: [...document.querySelectorAll('a[href]')].map((a) => ({ raw: a.getAttribute('href'), abs: a.href })),
    // From file:// a page may not read a stylesheet's rules (each file is its
    // own origin), but a sheet that loaded exists; a failed one is null.
    sheets: [...document.querySelectorAll('link[rel="stylesheet"]')].map((l) => ({ href: l.getAttribute('href'), loaded: Boolean(l.sheet) })),
    icon: document.querySelector('link[rel="icon"]')?.href || null,
    styled: getComputedStyle(document.body).backgroundColor !== 'rgba(0, 0, 0, 0)' && getComputedStyle(document.querySelector('.skip-link')).position === 'absolute',
  };
}

const rows = [];
test('portable: every page opens from file:// with its styles, and every internal link names an existing file', async () => {
  const context = await browser.newContext();
  const problems = [];
  const network = [];
  context.on('request', (r) => {
    if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) network.push(r.url());
  });
  // The browser fetches a page's icon after the page has loaded, and the
  // next page's navigation cancels that fetch: not a failure of the site
  // (the icon's file is checked like a link below).
  const icons = new Set();
  context.on('requestfailed', (r) => {
    if (r.failure()?.errorText === 'net::ERR_ABORTED' && icons.has(r.url())) return;
    problems.push(`failed to load ${r.url()} (${r.failure()?.errorText})`);
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => problems.push(`${page.url()}: ${e.message}`));
  // 404.html is for servers; from disk nothing shows it.
  const pages = filesUnder(DIR, '.html').filter((p) => p !== '404.html');
  let links = 0;
  try {
    for (const rel of pages) {
      await page.goto(url(rel), { waitUntil: 'load' });
      const { links: found, sheets, styled, icon } = await page.evaluate(linksAndSheets);
      for (const s of sheets) if (!s.loaded) problems.push(`${rel}: stylesheet ${s.href} did not load`);
      if (!icon?.startsWith('file:') || !fs.statSync(fileURLToPath(icon), { throwIfNoEntry: false })?.isFile()) {
        problems.push(`${rel}: the icon ${icon} is not a file of the edition`);
      } else {
        icons.add(icon);
      }
      if (!styled) problems.push(`${rel}: style.css is not applied (body background, skip link)`);
      for (const l of found) {
        if (!l.abs.startsWith('file:')) continue; // links out
        links++;
        const file = fileURLToPath(l.abs.split('#')[0].split('?')[0]);
        let ok = false;
        try {
          ok = fs.statSync(file).isFile();
        } catch {}
        if (!ok) problems.push(`${rel}: ${l.raw} -> ${fs.existsSync(file) ? 'a folder (from disk a browser shows a listing)' : 'nothing'}`);
      }
    }
    rows.push(['all pages', pages.length, links, network.length, problems.length]);
    record('portable', 'file:// pages and links', problems.length || network.length ? 'FAIL' : 'pass', `${pages.length} pages, ${links} internal links`);
    assert.deepEqual(network, [], 'network requests from the portable edition');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('portable: click through from file:// (home -> theme -> article -> related -> search)', async (t) => {
  const context = await browser.newContext();
  const network = [];
  const failed = [];
  context.on('request', (r) => {
    if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) network.push(r.url());
  });
  // As above: the icon's fetch, cancelled by the next page, is not a failure.
  let icon = null;
  context.on('requestfailed', (r) => {
    if (!(r.failure()?.errorText === 'net::ERR_ABORTED' && r.url() === icon)) failed.push(r.url());
  });
  const page = await context.newPage();
  try {
    await page.goto(url('index.html'));
    icon = await page.evaluate(() => document.querySelector('link[rel="icon"]')?.href || null);
    await page.locator('.theme-grid a').first().click();
    await page.waitForURL(/\/themes\/[^/]+\/index\.html$/);
    // A section of the theme, listed with its first sentence, opens its article.
    await page.locator('main .sections a').first().click();
    await page.waitForURL(/\/articles\/[^/]+\/index\.html(#.*)?$/);
    const from = page.url();
    await page.locator('.related a').first().click();
    await page.waitForURL((u) => /\/articles\/[^/]+\/index\.html$/.test(u.pathname) && u.href !== from);
    await page.locator('#search-input').click();
    await page.keyboard.type('trust', { delay: 30 });
    const ready = searchRuntimeReady(DIR);
    if (ready) await page.waitForSelector('#search-popup-results li', { timeout: WAIT });
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/search\/index\.html\?q=trust/);
    let results = 0;
    if (ready) {
      await page.waitForSelector('#search-results li', { timeout: WAIT });
      results = await page.locator('#search-results li').count();
      await page.locator('#search-results li a').first().click();
      await page.waitForURL(/\/articles\/[^/]+\/index\.html(\?h=[^#]*)?(#.*)?$/);
    } else {
      t.diagnostic('known pending: search.js is a placeholder; the portable search page was reached but showed no results');
    }
    rows.push(['click-through', 5, results ? `${results} search results` : '-', network.length, failed.length]);
    record('portable', 'file:// click-through and search', network.length || failed.length ? 'FAIL' : 'pass', ready ? `${results} results for "trust"` : 'search pending');
    assert.deepEqual(network, []);
    assert.deepEqual(failed, []);
  } finally {
    await context.close();
  }
});

test('portable figures', () => {
  table('Portable edition from file://', ['check', 'pages', 'internal links', 'network requests', 'problems'], rows);
});
