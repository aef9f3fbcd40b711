'use strict';
// 4. Private: no cookies, no Web Storage, IndexedDB, Cache Storage or service
//    worker, and no request to any origin but the site's own, while a reader
//    clicks home -> a theme -> an article -> a related article -> search.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { site, filesUnder } = require('./lib/sites');
const { serve } = require('./lib/server');
const { launch, searchRuntimeReady } = require('./lib/browser');
const { table, record } = require('./lib/report');
const { WAIT } = require('./lib/wait');

const SITE = site.main();
const SEARCH_READY = searchRuntimeReady(SITE);

/** Everything a page could have stored, read from inside the page. */
function stored() {
  return (async () => {
    const out = {
      cookie: document.cookie,
      localStorage: localStorage.length,
      sessionStorage: sessionStorage.length,
      indexedDB: (await indexedDB.databases()).map((d) => d.name),
      caches: 'caches' in self ? await caches.keys() : [],
      serviceWorkers: navigator.serviceWorker ? (await navigator.serviceWorker.getRegistrations()).length : 0,
      referrerPolicy: document.querySelector('meta[name="referrer"]')?.content || null,
      icon: document.querySelector('link[rel="icon"]')?.href || null,
    };
    return out;
  })();
}

test('privacy: a reader clicking through the site leaves nothing behind and talks to no one else', async (t) => {
  const browser = await launch();
  const server = await serve(SITE);
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    const requests = [];
    context.on('request', (r) => requests.push(r.url()));
    const steps = [];
    const visit = async (label) => {
      await page.waitForLoadState('networkidle');
      const s = await page.evaluate(stored);
      steps.push({ label, url: page.url().slice(server.origin.length), ...s });
    };

    await page.goto(server.url(''));
    await visit('home');

    await page.locator('.theme-grid a').first().click();
    await page.waitForURL(/\/themes\/[^/]+\/$/);
    await visit('a theme');

    // A section of the theme, listed with its first sentence, opens its article.
    await page.locator('main .sections a').first().click();
    await page.waitForURL(/\/articles\/[^/]+\/(#.*)?$/);
    await visit('an article');

    const related = page.locator('.related a');
    assert.ok((await related.count()) > 0, `${page.url()} lists no related article`);
    const from = page.url();
    await related.first().click();
    await page.waitForURL((u) => /\/articles\/[^/]+\/$/.test(u.pathname) && u.href !== from);
    await visit('a related article');

    // Search: type in the header's search box, then submit to the search page.
    await page.locator('#search-input').click();
    await page.keyboard.type('trust', { delay: 30 });
    if (SEARCH_READY) await page.waitForSelector('#search-popup-results li', { timeout: WAIT });
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/search\/\?q=trust/);
    if (SEARCH_READY) await page.waitForSelector('#search-results li', { timeout: WAIT });
    else t.diagnostic('known pending: search.js is a placeholder; the search page was visited but showed no results');
    // Refine the query on the search page itself.
    const input = page.locator('#search-page-input');
    if (await input.count()) {
      await input.fill('');
      await input.type('apology', { delay: 30 });
      await page.waitForTimeout(400);
    }
    await visit('search');

    const cookies = await context.cookies();
    const state = await context.storageState({ indexedDB: true });
    const others = requests.filter((u) => !u.startsWith(server.origin + '/') && !u.startsWith('data:') && !u.startsWith('blob:'));
    const origins = [...new Set(requests.map((u) => (u.startsWith('http') ? new URL(u).origin : u.split(':')[0] + ':')))];
    const favicon = server.log.filter((l) => l.path === '/favicon.ico').length;

    table(
      'Privacy: what each step left behind',
      ['step', 'url', 'cookie', 'localStorage', 'sessionStorage', 'IndexedDB', 'Cache Storage', 'service workers', 'referrer policy'],
      steps.map((s) => [s.label, s.url, JSON.stringify(s.cookie), s.localStorage, s.sessionStorage, s.indexedDB.length, s.caches.length, s.serviceWorkers, s.referrerPolicy]),
    );
    table('Privacy: requests', ['requests', 'origins', 'to other origins', 'cookies in the jar', 'storage origins'], [
      [requests.length, origins.join(' '), others.length, cookies.length, state.origins.length],
    ]);
    record('privacy', 'click-through', others.length || cookies.length || state.origins.length ? 'FAIL' : 'pass', `${requests.length} requests, all to ${server.origin}; 0 cookies; no storage`);

    assert.deepEqual(others, [], 'requests to other origins');
    // Every page declares its icon, so the browser has no reason to guess one.
    assert.equal(favicon, 0, 'requests for /favicon.ico');
    assert.deepEqual(cookies, [], 'cookies');
    assert.deepEqual(state.origins, [], 'localStorage or IndexedDB entries (context storage state)');
    for (const s of steps) {
      assert.equal(s.cookie, '', `${s.label}: document.cookie`);
      assert.equal(s.localStorage, 0, `${s.label}: localStorage`);
      assert.equal(s.sessionStorage, 0, `${s.label}: sessionStorage`);
      assert.deepEqual(s.indexedDB, [], `${s.label}: IndexedDB databases`);
      assert.deepEqual(s.caches, [], `${s.label}: Cache Storage`);
      assert.equal(s.serviceWorkers, 0, `${s.label}: service workers`);
      assert.equal(s.referrerPolicy, 'no-referrer', `${s.label}: a link out would send a Referer`);
      assert.ok(s.icon?.startsWith(server.origin + '/'), `${s.label}: the page declares no icon of its own site (${s.icon})`);
    }
    await context.close();
  } finally {
    await browser.close();
    await server.close();
  }
});

test('privacy: no page, stylesheet or script of the build loads anything from another origin', () => {
  // Links out (<a href>) are fine; what a browser fetches by itself is not.
  const patterns = [
    [/<(?:script|img|iframe|audio|video|source|embed|track)\b[^>]*\ssrc="(?:https?:)?\/\//gi, 'src to another origin'],
    [/<link\b(?=[^>]*\srel="(?:stylesheet|preload|prefetch|preconnect|dns-prefetch|modulepreload|icon|manifest)")[^>]*\shref="(?:https?:)?\/\//gi, '<link> fetching from another origin'],
    [/<object\b[^>]*\sdata="(?:https?:)?\/\//gi, '<object data> from another origin'],
    [/url\(\s*['"]?(?:https?:)?\/\//gi, 'CSS url() to another origin'],
    [/@import\s+(?:url\()?\s*['"]?(?:https?:)?\/\//gi, 'CSS @import from another origin'],
    [/\b(?:fetch|importScripts|sendBeacon|WebSocket|EventSource)\s*\(\s*['"`](?:https?|wss?):/g, 'script request to an absolute URL'],
    [/XMLHttpRequest/g, 'XMLHttpRequest'],
  ];
  const problems = [];
  let files = 0;
  for (const ext of ['.html', '.css', '.js']) {
    for (const rel of filesUnder(SITE, ext)) {
      files++;
      const text = fs.readFileSync(path.join(SITE, rel), 'utf8');
      for (const [re, what] of patterns) {
        for (const m of text.matchAll(re)) problems.push(`${rel}: ${what}: ${m[0].slice(0, 100)}`);
      }
    }
  }
  record('privacy', 'static scan for outside resources', problems.length ? 'FAIL' : 'pass', `${files} files`);
  assert.ok(files > 10);
  assert.deepEqual(problems, []);
});
