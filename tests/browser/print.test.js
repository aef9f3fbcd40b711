'use strict';
// 5. Print: a printed article hides navigation, search, table of contents,
//    pager and footer, and shows where outside links lead (::after content).
const test = require('node:test');
const assert = require('node:assert/strict');
const { site } = require('./lib/sites');
const { serve } = require('./lib/server');
const { launch } = require('./lib/browser');
const { table, record } = require('./lib/report');

// What must not be printed: [label, selector, required on the page?]
const HIDDEN = [
  ['skip link', '.skip-link', true],
  // The guides column on wide screens, the Menu disclosure on phones: one of them shows.
  ['site navigation', '.sidebar, .site-header .menu', true],
  ['colour switch', '.site-header .scheme', true],
  ['search form', '.site-header form[role="search"]', true],
  ['breadcrumbs', 'nav.breadcrumbs', true],
  ['table of contents', '.toc, .toc-phone', true],
  ['pager', '.pager', true],
  ['footer', '.site-footer', true],
];

function printState(hidden) {
  const rows = hidden.map(([label, sel]) => {
    const els = [...document.querySelectorAll(sel)];
    const shown = els.filter((el) => getComputedStyle(el).display !== 'none' && el.getClientRects().length > 0);
    return { label, sel, count: els.length, shown: shown.length, display: els[0] ? getComputedStyle(els[0]).display : '-' };
  });
  const links = [...document.querySelectorAll('main a[href]')].map((a) => {
    const after = getComputedStyle(a, '::after').content;
    return { href: a.getAttribute('href'), external: /^https?:\/\//.test(a.getAttribute('href')), after };
  });
  return { rows, links, title: getComputedStyle(document.querySelector('h1')).display };
}

const cases = [
  // The knowledge base's articles link only to each other; the fixture adds an outside link.
  { name: 'article start-here (site)', dir: () => site.main(), prefix: '/', path: 'articles/start-here/', needExternal: false },
  { name: 'article building-trust (site)', dir: () => site.main(), prefix: '/', path: 'articles/building-trust-after-betrayal/', needExternal: false },
  { name: 'article writing-articles (fixture, outside link)', dir: () => site.fixture(), prefix: '/kb/', path: 'articles/writing-articles/', needExternal: true },
];

const rows = [];
for (const c of cases) {
  test(`print: ${c.name}`, async () => {
    const browser = await launch();
    const server = await serve(c.dir(), { prefix: c.prefix });
    try {
      const page = await browser.newPage();
      await page.goto(server.url(c.path));
      const screen = await page.evaluate(printState, HIDDEN);
      await page.emulateMedia({ media: 'print' });
      assert.ok(await page.evaluate(() => matchMedia('print').matches), 'print emulation');
      const print = await page.evaluate(printState, HIDDEN);
      const problems = [];
      for (const [i, r] of print.rows.entries()) {
        if (HIDDEN[i][2] && r.count === 0) problems.push(`${r.label} (${r.sel}) is not on the page, so the check means nothing`);
        if (r.shown) problems.push(`${r.label} (${r.sel}) is printed (display ${r.display})`);
        if (screen.rows[i].count && !screen.rows[i].shown) problems.push(`${r.label} is hidden on screen too`);
      }
      if (print.title === 'none') problems.push('the article title is not printed');
      const external = print.links.filter((l) => l.external);
      const internal = print.links.filter((l) => !l.external);
      for (const l of external) {
        if (!l.after.includes(l.href)) problems.push(`outside link ${l.href} prints without its address (::after content ${l.after})`);
      }
      for (const l of internal) {
        if (!['none', 'normal'].includes(l.after)) problems.push(`internal link ${l.href} prints ::after content ${l.after}`);
      }
      for (const l of screen.links) {
        if (!['none', 'normal'].includes(l.after)) problems.push(`on screen, link ${l.href} has ::after content ${l.after}`);
      }
      if (c.needExternal && external.length === 0) problems.push('the page has no outside link to check');
      rows.push([c.name, print.rows.filter((r) => r.count && !r.shown).length + '/' + HIDDEN.length, external.length, external.filter((l) => l.after.includes(l.href)).length, internal.length, problems.length]);
      record('print', c.name, problems.length ? 'FAIL' : 'pass', `${external.length} outside links show their address`);
      assert.deepEqual(problems, []);
    } finally {
      await browser.close();
      await server.close();
    }
  });
}
test('print figures', () => {
  table('Print (emulateMedia print)', ['page', 'hidden parts', 'outside links', 'with address', 'internal links', 'problems'], rows);
});
