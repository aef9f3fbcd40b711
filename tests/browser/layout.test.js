'use strict';
// 7. The reading layout (issue 15), in Chromium: on a 390x844 phone every
//    article's first paragraph starts within the first screen; nothing scrolls
//    sideways at 320 px and nothing is clipped at 1280 px on any page; the
//    "On this page" column marks the section being read; the colour switch
//    remembers the reader's choice; axe finds nothing in light and dark at
//    both widths; the preview's error overlay and first-failure page are
//    readable and pass axe.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { site, filesUnder, REPO } = require('./lib/sites');
const { serve } = require('./lib/server');
const { launch, axe } = require('./lib/browser');
const { pages, waitForResults } = require('./lib/pages');
const { table, record } = require('./lib/report');
const { WAIT, untilServed } = require('./lib/wait');

const SITE = site.main();
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };
const FIRST_SCREEN = 700;

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

/** Every page of the build, as URL paths (the 404 page by a missing path). */
function allPages() {
  return filesUnder(SITE, '.html').map((rel) => (rel === '404.html' ? 'no/such/page/' : rel.replace(/index\.html$/, '')));
}

async function open(viewport, colorScheme = 'light') {
  const context = await browser.newContext({ viewport, colorScheme });
  return { context, page: await context.newPage() };
}

test('phone: every article starts its text within the first screen (390x844)', async () => {
  const articles = filesUnder(SITE, '.html').filter((p) => /^articles\/[^/]+\/index\.html$/.test(p));
  assert.ok(articles.length >= 6, `${articles.length} articles`);
  const { context, page } = await open(PHONE);
  const rows = [];
  try {
    for (const rel of articles) {
      await page.goto(server.url(rel.replace(/index\.html$/, '')));
      const top = await page.evaluate(() => {
        const p = document.querySelector('.article .body > p');
        return p ? Math.round(p.getBoundingClientRect().top + scrollY) : null;
      });
      rows.push([rel.split('/')[1], top]);
    }
  } finally {
    await context.close();
  }
  table('First paragraph of the text at 390x844 (px from the top; must be < 700)', ['article', 'top'], rows);
  const late = rows.filter(([, top]) => top === null || top >= FIRST_SCREEN);
  record('layout', 'first paragraph < 700 px on a phone', late.length ? 'FAIL' : 'pass', rows.map(([a, t]) => `${a} ${t}`).join(', '));
  assert.deepEqual(late, []);
});

/** The document's width, and what sticks out of the viewport outside a scrolling box. */
function overflow() {
  const limit = innerWidth + 1;
  const scrolls = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (/(auto|scroll)/.test(getComputedStyle(p).overflowX)) return true;
    }
    return false;
  };
  const wide = [];
  const clipped = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (!r.width) continue;
    const name = `${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : ''}`;
    if (r.right > limit && !scrolls(el)) wide.push(`${name} (right edge ${Math.round(r.right)})`);
    // A box that hides what does not fit, and has some: clipped content.
    const s = getComputedStyle(el);
    if (/(hidden|clip)/.test(s.overflowX) && el.scrollWidth > el.clientWidth + 1 && !el.matches('.visually-hidden, .breadcrumbs li')) {
      clipped.push(`${name} (${el.scrollWidth} > ${el.clientWidth})`);
    }
  }
  return { width: document.documentElement.scrollWidth, wide: wide.slice(0, 5), clipped: clipped.slice(0, 5) };
}

for (const [label, viewport] of [
  ['320 px', { width: 320, height: 640 }],
  ['1280 px', DESKTOP],
]) {
  test(`no page scrolls sideways or clips its content at ${label}`, async () => {
    const { context, page } = await open(viewport);
    const problems = [];
    let count = 0;
    try {
      for (const p of allPages()) {
        await page.goto(server.url(p));
        const o = await page.evaluate(overflow);
        count++;
        if (o.width > viewport.width + 1) problems.push(`${p || '/'}: scrollWidth ${o.width}; sticking out: ${o.wide.join(', ')}`);
        if (o.clipped.length) problems.push(`${p || '/'}: clipped: ${o.clipped.join(', ')}`);
      }
    } finally {
      await context.close();
    }
    record('layout', `no sideways scroll or clipping at ${label}`, problems.length ? 'FAIL' : 'pass', `${count} pages`);
    assert.deepEqual(problems, []);
  });
}

test('wide screens: navigation, text at a reading measure, and an On this page column that follows the reader', async () => {
  const { context, page } = await open(DESKTOP);
  try {
    await page.goto(server.url('articles/building-trust-after-betrayal/'));
    const layout = await page.evaluate(() => {
      const box = (s) => document.querySelector(s)?.getBoundingClientRect();
      // The measure: characters per line of the longest paragraph (lines counted by its height).
      const p = [...document.querySelectorAll('.article .body > p')].sort((a, b) => b.textContent.length - a.textContent.length)[0];
      const lines = p.getBoundingClientRect().height / parseFloat(getComputedStyle(p).lineHeight);
      return {
        nav: box('.sidebar'),
        main: box('main'),
        toc: box('.toc-column'),
        measure: p.textContent.trim().length / Math.round(lines),
        current: document.querySelector('.sidebar [aria-current="page"]')?.getAttribute('href'),
        menuShown: getComputedStyle(document.querySelector('.menu')).display !== 'none',
      };
    });
    assert.ok(layout.nav.width > 0 && layout.toc.width > 0, 'both side columns show');
    assert.ok(layout.nav.right <= layout.main.left && layout.main.right <= layout.toc.left, 'three regions side by side');
    assert.ok(layout.measure >= 60 && layout.measure <= 75, `measure ${layout.measure.toFixed(1)} characters`);
    assert.equal(layout.current, './');
    assert.equal(layout.menuShown, false, 'the Menu button is for narrow screens');

    // Scroll to the fourth section: the column marks it, and it stays in view.
    const heading = await page.evaluate(() => {
      const h = [...document.querySelectorAll('.body h2[id]')][3];
      window.scrollTo(0, h.getBoundingClientRect().top + scrollY - 40);
      return h.id;
    });
    await page.waitForFunction((id) => document.querySelector(`.toc a[aria-current="location"]`)?.getAttribute('href') === `#${id}`, heading, { timeout: WAIT });
    const after = await page.evaluate(() => ({
      marked: document.querySelectorAll('.toc a[aria-current]').length,
      tocTop: document.querySelector('.toc').getBoundingClientRect().top,
    }));
    assert.equal(after.marked, 1, 'one section is marked');
    assert.ok(after.tocTop >= 0 && after.tocTop < 100, `the column stays in view (top ${after.tocTop})`);
    record('layout', 'On this page marks the section being read', 'pass', `#${heading}; measure ${layout.measure.toFixed(0)} ch`);
  } finally {
    await context.close();
  }
});

test('phones: the Menu and On this page disclosures open without JavaScript', async () => {
  const context = await browser.newContext({ viewport: PHONE, javaScriptEnabled: false });
  const page = await context.newPage();
  try {
    await page.goto(server.url('articles/start-here/'));
    await page.click('.menu > summary');
    assert.ok(await page.locator('.menu-panel a[aria-current="page"]').isVisible(), 'the open menu marks this page');
    await page.click('.menu > summary'); // closed again: the panel lies over the page
    await page.click('.toc-phone > summary');
    assert.ok(await page.locator('.toc-phone a').first().isVisible());
    assert.equal(await page.locator('#scheme').isVisible(), false, 'the colour switch needs JavaScript, so it hides without');
  } finally {
    await context.close();
  }
});

test('the colour switch remembers the choice, and Auto forgets it', async () => {
  const { context, page } = await open(DESKTOP, 'dark');
  try {
    await page.goto(server.url('articles/start-here/'));
    const bg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const dark = await bg();
    assert.equal(await page.evaluate(() => localStorage.length), 0, 'nothing stored before a choice');
    await page.click('#scheme'); // Auto -> Light
    assert.equal(await page.textContent('#scheme'), 'Light');
    const light = await bg();
    assert.notEqual(light, dark);
    await page.goto(server.url('themes/'));
    assert.equal(await page.getAttribute('html', 'data-scheme'), 'light');
    assert.equal(await bg(), light, 'the next page opens in the chosen scheme');
    await page.click('#scheme'); // Light -> Dark
    await page.click('#scheme'); // Dark -> Auto
    assert.equal(await page.textContent('#scheme'), 'Auto');
    assert.equal(await page.evaluate(() => localStorage.length), 0, 'Auto removes the stored choice');
    assert.equal(await bg(), dark);
    record('layout', 'colour switch', 'pass', 'remembered across pages; Auto forgets');
  } finally {
    await context.close();
  }
});

const axeRows = [];
for (const p of pages(SITE).filter((x) => ['home', 'article building-trust', `theme communication`, 'search ?q=trust'].includes(x.name))) {
  for (const [label, viewport] of [
    ['390', PHONE],
    ['1280', DESKTOP],
  ]) {
    test(`axe: ${p.name} at ${label} px, light and dark`, async () => {
      for (const scheme of ['light', 'dark']) {
        const { context, page } = await open(viewport, scheme);
        try {
          await page.goto(server.url(p.path));
          if (p.search) await waitForResults(page);
          // Open the disclosures so what they hold is checked too.
          await page.evaluate(() => document.querySelectorAll('details').forEach((d) => (d.open = true)));
          const violations = await axe(page);
          axeRows.push([p.name, label, scheme, violations.length, violations.map((v) => v.id).join(', ') || '-']);
          assert.deepEqual(
            violations.map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target).join(' | ')}`),
            [],
            `${p.path || '/'} ${label} px ${scheme}`,
          );
        } finally {
          await context.close();
        }
      }
    });
  }
}

// ---- the preview's own pages

const BIN = process.env.MEND_BIN || path.join(REPO, 'target', 'release', 'mend');
const BROKEN = '---\ntitle: Broken\nsummary: S\nthemes: [nosuchtheme]\n---\n\n```\n<pre> text\n```\n';
const GOOD = '---\ntitle: Fine\nsummary: S\nthemes: [patience]\n---\n\nA sentence.\n\n```\ncode in a pre\n```\n';

function startServer(dir) {
  const child = spawn(BIN, ['serve', '--root', dir, '-p', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`mend serve printed no address within ${WAIT} ms`)), WAIT);
    child.on('exit', (code) => reject(new Error(`mend serve exited ${code}`)));
    child.stdout.on('data', (d) => {
      out += d;
      const m = /^serving (http:\/\/127\.0\.0\.1:\d+\/)/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1] });
      }
    });
  });
}

/** The overlay's text and panel colours, and their contrast. */
function overlayColours() {
  const o = document.getElementById('mend-overlay');
  const pre = o.querySelector('pre');
  const rgb = (c) => (c.match(/[\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const bg = getComputedStyle(o).backgroundColor;
  const preBg = getComputedStyle(pre).backgroundColor;
  const fg = getComputedStyle(pre).color;
  const [a, b] = [lum(rgb(fg)), lum(rgb(bg))].sort((x, y) => y - x);
  return { text: o.textContent, bg, preBg, fg, contrast: (a + 0.05) / (b + 0.05) };
}

test('preview: the first failed build and the overlay over a page read well in light and dark', { timeout: 5 * WAIT }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mend-overlay-'));
  fs.writeFileSync(path.join(dir, 'mend.yaml'), 'title: Overlay\nthemes:\n  patience: {title: Patience}\n');
  fs.mkdirSync(path.join(dir, 'articles'));
  const file = path.join(dir, 'articles', 'a.md');
  fs.writeFileSync(file, BROKEN);
  const { child, url } = await startServer(dir);
  const rows = [];
  try {
    for (const stage of ['first build failed', 'over the last good page']) {
      if (stage === 'over the last good page') {
        fs.writeFileSync(file, GOOD);
        // The rebuild is done when the page is served (not a guess at how long it takes).
        await untilServed(url + 'articles/a/', /<main/);
        const ctx = await browser.newContext();
        const p = await ctx.newPage();
        await p.goto(url + 'articles/a/');
        await p.waitForSelector('main', { timeout: WAIT });
        await ctx.close();
        fs.writeFileSync(file, BROKEN);
      }
      for (const scheme of ['light', 'dark']) {
        const { context, page } = await open(DESKTOP, scheme);
        try {
          const target = stage === 'first build failed' ? url : url + 'articles/a/';
          await page.goto(target);
          await page.waitForSelector('#mend-overlay', { timeout: WAIT });
          const c = await page.evaluate(overlayColours);
          if (stage === 'first build failed') assert.doesNotMatch(c.text, /page below/);
          else assert.match(c.text, /page below is the last good version/);
          assert.match(c.text, /nosuchtheme/);
          assert.ok(c.contrast >= 7, `${stage} (${scheme}): text ${c.fg} on ${c.bg}: ${c.contrast.toFixed(2)}:1`);
          assert.ok(['rgba(0, 0, 0, 0)', c.bg].includes(c.preBg), `the theme's pre background leaks in: ${c.preBg}`);
          const violations = await axe(page);
          rows.push([stage, scheme, c.contrast.toFixed(1) + ':1', violations.length]);
          assert.deepEqual(violations.map((v) => v.id), [], `${stage} (${scheme})`);
        } finally {
          await context.close();
        }
      }
    }
  } finally {
    child.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  }
  table('Preview overlay', ['stage', 'scheme', 'text contrast', 'axe violations'], rows);
  record('layout', 'preview overlay', 'pass', rows.map((r) => `${r[0]} ${r[1]} ${r[2]}`).join('; '));
});

test('layout figures', () => {
  table('axe-core at 390 and 1280 px (details opened)', ['page', 'width', 'scheme', 'violations', 'rules'], axeRows);
});
