'use strict';
// (b) Sites built for https://example.org/kb/ and served under /kb/: every
//     page loads in the browser with all its stylesheets and scripts, every
//     request stays under /kb/ and succeeds, search works there, and the 404
//     page is styled at any depth.
const test = require('node:test');
const assert = require('node:assert/strict');
const { site, filesUnder } = require('./lib/sites');
const { serve } = require('./lib/server');
const { launch, searchRuntimeReady } = require('./lib/browser');
const { table, record } = require('./lib/report');
const { WAIT } = require('./lib/wait');

let browser;
test.before(async () => {
  browser = await launch();
});
test.after(async () => {
  await browser?.close();
});

/** Are all stylesheets applied and all scripts run? */
function assets() {
  const sheets = [...document.querySelectorAll('link[rel="stylesheet"]')].map((l) => {
    let rules = -1;
    try {
      rules = l.sheet ? l.sheet.cssRules.length : -1;
    } catch {
      rules = -2;
    }
    return { href: l.getAttribute('href'), rules };
  });
  return {
    sheets,
    scripts: [...document.scripts].filter((s) => s.src).map((s) => s.getAttribute('src')),
    icon: document.querySelector('link[rel="icon"]')?.href || null,
  };
}

// Addresses that do not exist: the 404 page answers them, styled.
const MISSING = ['no/such/page/', 'articles/no-such-article/'];

const rows = [];
for (const [name, dirOf, query] of [
  ['(b) /kb/ site', () => site.sub(), 'trust'],
  ['(b) /kb/ fixture', () => site.fixture(), 'theme'],
]) {
  test(`sub-path: every page of ${name} loads completely under /kb/`, async (t) => {
    const dir = dirOf();
    const server = await serve(dir, { prefix: '/kb/' });
    const context = await browser.newContext();
    const problems = [];
    const seen = [];
    // The browser fetches a page's icon after the page has loaded, and the
    // next page's navigation cancels that fetch: not a failure of the site
    // (each icon is requested on its own below).
    const icons = new Set();
    context.on('requestfailed', (r) => {
      if (r.failure()?.errorText === 'net::ERR_ABORTED' && icons.has(r.url())) return;
      problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`);
    });
    context.on('response', (r) => {
      seen.push(r.url());
      const u = new URL(r.url());
      if (u.origin !== server.origin || !u.pathname.startsWith('/kb/')) problems.push(`request outside /kb/: ${r.url()}`);
      else if (r.status() !== 200 && !(r.request().isNavigationRequest() && MISSING.includes(u.pathname.slice(4)))) {
        problems.push(`${r.url()}: status ${r.status()}`);
      }
    });
    let sheets = 0;
    try {
      const page = await context.newPage();
      const errors = [];
      page.on('pageerror', (e) => errors.push(`${page.url()}: ${e.message}`));
      const pages = filesUnder(dir, '.html')
        .filter((p) => p !== '404.html')
        .map((p) => p.replace(/index\.html$/, ''));
      pages.push(...MISSING);
      for (const p of pages) {
        await page.goto(server.url(p), { waitUntil: 'load' });
        const a = await page.evaluate(assets);
        for (const s of a.sheets) {
          sheets++;
          if (s.rules <= 0) problems.push(`${p || '/'}: stylesheet ${s.href} not applied`);
        }
        if (!a.sheets.some((s) => /style\.css$/.test(s.href))) problems.push(`${p || '/'}: no style.css`);
        if (a.icon) icons.add(a.icon);
        else problems.push(`${p || '/'}: no icon declared`);
      }
      for (const icon of icons) {
        const u = new URL(icon);
        const status = (await context.request.get(icon)).status();
        if (u.origin !== server.origin || !u.pathname.startsWith('/kb/') || status !== 200) problems.push(`icon ${icon}: status ${status}`);
      }
      // Search under /kb/: the index is loaded relative to the page.
      if (searchRuntimeReady(dir)) {
        await page.goto(server.url(`search/?q=${query}`));
        await page.waitForSelector('#search-results li a', { timeout: WAIT });
        await page.locator('#search-results li a').first().click();
        await page.waitForLoadState('load');
        if (!new URL(page.url()).pathname.startsWith('/kb/articles/')) problems.push(`a search result led to ${page.url()}`);
      } else {
        t.diagnostic('known pending: search.js is a placeholder; search under /kb/ not exercised');
      }
      if (name.includes('fixture')) {
        await page.goto(server.url('articles/writing-articles/'));
        const a = await page.evaluate(assets);
        if (!a.sheets.some((s) => /syntax\.css$/.test(s.href) && s.rules > 0)) problems.push('the fixture article with code does not load syntax.css');
      }
      problems.push(...errors);
      rows.push([name, pages.length, seen.length, sheets, problems.length]);
      record('links', `sub-path browser ${name}`, problems.length ? 'FAIL' : 'pass', `${pages.length} pages, ${seen.length} responses, all under /kb/`);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
      await server.close();
    }
  });
}
test('sub-path figures', () => {
  table('Sub-path /kb/ in the browser', ['build', 'pages visited', 'responses', 'stylesheets applied', 'problems'], rows);
});
