'use strict';
// 6. Light: the home page and an article each transfer at most 45 KB in all,
//    CSS and script included, gzipped (issue 15's budget: what a typical
//    host sends), measured in the browser over HTTP: the bodies of every
//    response the page asked for, each gzipped at level 6 (our test server
//    does not compress). The raw sizes are reported beside them.
const test = require('node:test');
const assert = require('node:assert/strict');
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
    const favicon = server.log.filter((l) => l.path === '/favicon.ico').length;
    await context.close();
    rows.push(['total', '', `${responses.length} requests`, `${raw} (${kb(raw)})`, `${gz} (${kb(gz)})`]);
    if (favicon) rows.push(['(/favicon.ico, asked by the browser, not counted)', 404, 'icon', '', '']);
    table(`Page weight: ${p.name}`, ['request', 'status', 'type', 'bytes', 'gzip -6 bytes'], rows);
    summary.push([p.name, responses.length, kb(raw), kb(gz), gz <= BUDGET ? 'yes' : 'NO']);
    record('weight', `page weight ${p.name}`, gz <= BUDGET ? 'pass' : 'FAIL', `${kb(gz)} gzip, ${kb(raw)} raw, ${responses.length} requests`);
    assert.ok(gz <= BUDGET, `${p.name} transfers ${kb(gz)} gzipped (${kb(raw)} raw), over the ${kb(BUDGET)} budget`);
  });
}
test('weight figures', () => {
  table(`Page weight (budget ${kb(BUDGET)} gzipped; the browser's own /favicon.ico request is not counted)`, ['page', 'requests', 'raw', 'gzip', 'under budget'], summary);
});
