'use strict';
// 6. Light: the home page and an article each transfer at most 45 KB in all,
//    CSS and script included, gzipped (issue 15's budget: what a typical
//    host sends), measured in the browser over HTTP: the bodies of every
//    response the page asked for, each gzipped at level 6 (our test server
//    does not compress). The raw sizes are reported beside them. Pages
//    declare their icon, so the browser never asks for /favicon.ico; the
//    icon it fetches by itself (outside the page's own requests) counts too.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');
const { site } = require('./lib/sites');
const { serve } = require('./lib/server');
const { launch } = require('./lib/browser');
const { table, record, kb } = require('./lib/report');

const BUDGET = 45 * 1024;
const SITE = site.main();
const PAGES = [
  { name: 'home', path: '' },
  { name: 'article start-here', path: 'articles/start-here/' },
  { name: 'article building-trust-after-betrayal', path: 'articles/building-trust-after-betrayal/' },
];

let browser;
let server;
test.before(async () => {
  browser = await launch();
  server = await serve(SITE);
});
test.after(async () => {
  await browser?.close();
  await server?.close();
});

const summary = [];
for (const p of PAGES) {
  test(`weight: ${p.name} transfers at most ${kb(BUDGET)} gzipped`, async () => {
    server.log.length = 0;
    const context = await browser.newContext(); // empty cache
    const page = await context.newPage();
    const responses = [];
    page.on('response', (r) => responses.push(r));
    await page.goto(server.url(p.path), { waitUntil: 'networkidle' });
    await page.waitForTimeout(300);
    const rows = [];
    let raw = 0;
    let gz = 0;
    for (const r of responses) {
      const body = await r.body().catch(() => Buffer.alloc(0));
      const g = zlib.gzipSync(body, { level: 6 }).length;
      raw += body.length;
      gz += g;
      rows.push([r.url().slice(server.origin.length), r.status(), r.request().resourceType(), body.length, g]);
    }
    const icon = await page.evaluate(() => document.querySelector('link[rel="icon"]')?.href || null);
    await context.close();
    // The icon is fetched by the browser, not the page: from the server's log.
    let requests = responses.length;
    const seen = new Set(responses.map((r) => r.url()));
    const iconPath = icon && icon.startsWith(server.origin + '/') ? new URL(icon).pathname : null;
    for (const l of server.log.filter((l) => l.path === iconPath && l.status === 200 && !seen.has(icon))) {
      const body = fs.readFileSync(path.join(SITE, decodeURIComponent(l.path)));
      const g = zlib.gzipSync(body, { level: 6 }).length;
      raw += body.length;
      gz += g;
      requests++;
      rows.push([`${l.path} (asked by the browser itself)`, l.status, 'icon', body.length, g]);
    }
    const ico = server.log.filter((l) => l.path === '/favicon.ico').length;
    rows.push(['total', '', `${requests} requests`, `${raw} (${kb(raw)})`, `${gz} (${kb(gz)})`]);
    table(`Page weight: ${p.name}`, ['request', 'status', 'type', 'bytes', 'gzip -6 bytes'], rows);
    summary.push([p.name, requests, kb(raw), kb(gz), gz <= BUDGET ? 'yes' : 'NO']);
    record('weight', `page weight ${p.name}`, gz <= BUDGET ? 'pass' : 'FAIL', `${kb(gz)} gzip, ${kb(raw)} raw, ${requests} requests`);
    assert.ok(icon && icon.startsWith(server.origin + '/'), `${p.name} declares no icon of its own site: ${icon}`);
    assert.equal(ico, 0, `${p.name}: the browser asked for /favicon.ico although the page declares ${icon}`);
    assert.ok(gz <= BUDGET, `${p.name} transfers ${kb(gz)} gzipped (${kb(raw)} raw), over the ${kb(BUDGET)} budget`);
  });
}
test('weight figures', () => {
  table(`Page weight (budget ${kb(BUDGET)} gzipped; the declared icon counted when the browser fetched it)`, ['page', 'requests', 'raw', 'gzip', 'under budget'], summary);
});
