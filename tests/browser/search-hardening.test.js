'use strict';
// Search rows of the reliability catalogue (../shared/RELIABILITY.md) that
// need a real DOM, named by their IDs: markup typed or passed in the URL
// (SRCH-01, -02), markup and entities in titles, themes and snippets (-03),
// highlighting inside entities and tags (-04), a title that tries to close a
// script (-05), a 10,000-character query (-07), empty and stop-word queries
// (-09) and missing or corrupt index files (-11). A fixture site is built with
// the real binary and served on 127.0.0.1; every page records uncaught
// exceptions and dialogs. The pure-function rows are in tests/js/hardening.test.js.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const vm = require('node:vm');
const { execFileSync } = require('node:child_process');
const { pathToFileURL } = require('node:url');
const { REPO } = require('./lib/sites');
const { serve } = require('./lib/server');
const { launch } = require('./lib/browser');
const { record } = require('./lib/report');
const { WAIT } = require('./lib/wait');

const UNAVAILABLE = 'Search is unavailable right now.';
const XSS_QUERY = '<img src=x onerror=window.__xss=1>';

const CONFIG = `title: Search hardening fixture
description: Markup, entities and broken index files.
base_url: https://example.org/
themes:
  markup:
    title: '<Tag> & "Co" &amp; <script>window.__xss=4</script>'
  plain:
    title: Plain
`;
const LITERAL_TITLE = '<Component> &amp; <script>window.__xss=3</script> "quoted" zephyr';
const SCRIPT_TITLE = '</script><script>window.__xss=5;alert(1)</script> \u2028 \u2029 quokka';
const ARTICLES = {
  'literal.md': `---
title: '${LITERAL_TITLE}'
summary: Markup in the title.
themes: [markup]
---

Intro zephyr text.

## Zephyr section {.markup}

The \`<Component>\` tag, \`&amp;\` written out, \`<script>window.__xss=3</script>\` and "quotes" with zephyr.
`,
  'entities.md': `---
title: Entities and tags
summary: Entity names and tags as text.
themes: [plain]
---

## Entity names

Write \`&amp;\` for amp and \`&lt;\` for lt; \`a<b\` and \`x<mark>y</mark>z\` and \`<b>bold</b>\` stay text.
`,
  'script.md': `---
title: "</script><script>window.__xss=5;alert(1)</script> \\u2028 \\u2029 quokka"
summary: A title that tries to close a script.
themes: [plain]
---

Quokka body.
`,
  'trust.md': `---
title: Trust and care
summary: Ordinary words.
themes: [plain]
---

## Rebuilding trust

Trust grows back slowly, one kept promise at a time.
`,
  // About 1 MB of common words: nothing of it may be dumped by an empty query.
  'big.md': `---
title: A very long article
summary: Mostly stop words.
themes: [plain]
---

## Everything at once

${'The trust and the care of it, when it is hard to say so again. '.repeat(16000)}
`,
};

let browser;
let tmp;
let fixture;
let server;

function mendBin() {
  if (process.env.MEND_BIN) return process.env.MEND_BIN;
  execFileSync('cargo', ['build', '-q'], { cwd: REPO, stdio: ['ignore', 'inherit', 'inherit'] });
  return path.join(REPO, 'target', 'debug', 'mend');
}

test.before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mend-search-hardening-'));
  const root = path.join(tmp, 'src');
  fs.mkdirSync(path.join(root, 'articles'), { recursive: true });
  fs.writeFileSync(path.join(root, 'mend.yaml'), CONFIG);
  for (const [name, text] of Object.entries(ARTICLES)) fs.writeFileSync(path.join(root, 'articles', name), text);
  fixture = path.join(tmp, 'site');
  // The long article's search-text warning is expected: stderr is shown only on failure.
  execFileSync(mendBin(), ['build', '--quiet', '--root', root, '-o', fixture], { stdio: ['ignore', 'pipe', 'pipe'] });
  browser = await launch();
  server = await serve(fixture);
});
test.after(async () => {
  await browser?.close();
  await server?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** A page that records uncaught exceptions and dialogs (an alert() would be an injection). */
async function newPage() {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(`${page.url()}: ${e.message}`));
  page.on('dialog', (d) => {
    page.errors.push(`dialog ${d.type()}: ${d.message()}`);
    d.dismiss().catch(() => {});
  });
  return page;
}

async function withPage(fn) {
  const page = await newPage();
  try {
    await fn(page);
    assert.deepEqual(page.errors, [], 'uncaught exceptions or dialogs');
  } finally {
    await page.context().close();
  }
}

/** The text of `selector` once it equals `want` (a string) or matches it (a RegExp). */
async function waitForText(page, want, selector = '#search-page-status') {
  const [src, flags, exact] = want instanceof RegExp ? [want.source, want.flags, null] : ['', '', want];
  try {
    await page.waitForFunction(
      ([sel, src, flags, exact]) => {
        const text = document.querySelector(sel)?.textContent;
        if (text == null) return false;
        return exact == null ? new RegExp(src, flags).test(text) : text === exact;
      },
      [selector, src, flags, exact],
      { timeout: WAIT },
    );
  } catch {
    const text = await page.locator(selector).textContent().catch(() => '?');
    throw new Error(`${selector} never showed ${want}; it says ${JSON.stringify(text)}`);
  }
  return page.locator(selector).textContent();
}

/** Open the search page (optionally with ?q= or #q=) and wait until the script has run. */
async function openSearch(page, suffix = '', base = server) {
  await page.goto(base.url('search/' + suffix));
  await page.waitForSelector('#search-theme-chips button', { state: 'attached', timeout: WAIT });
}

/** Type into the search page's box, replacing its text. */
async function typeQuery(page, q) {
  const input = page.locator('#search-page-input');
  await input.fill('');
  await input.pressSequentially(q, { delay: 5 });
}

const quoted = (q) => `\u201c${q.trim()}\u201d`;
const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Nothing ran and nothing was injected into the search UI. */
function injected() {
  const ui = [...document.querySelectorAll('#search-page *, #search-popup *')];
  const allowed = new Set(['FORM', 'LABEL', 'INPUT', 'DETAILS', 'SUMMARY', 'FIELDSET', 'LEGEND', 'DIV', 'BUTTON', 'P', 'OL', 'UL', 'LI', 'A', 'SPAN', 'MARK', 'NOSCRIPT']);
  return {
    xss: typeof window.__xss === 'undefined' ? null : window.__xss,
    foreign: ui.filter((e) => !allowed.has(e.tagName)).map((e) => e.tagName.toLowerCase()),
    handlers: [...document.querySelectorAll('*')].filter((e) => [...e.attributes].some((a) => /^on/i.test(a.name))).length,
  };
}
const CLEAN = { xss: null, foreign: [], handlers: 0 };

/** The results in rank order, as the reader sees them. */
function readResults() {
  return [...document.querySelectorAll('#search-results > li')].map((li) => ({
    title: li.querySelector('.search-hit-title')?.textContent ?? null,
    section: li.querySelector('.search-hit-section')?.textContent ?? null,
    snippet: li.querySelector('.search-snippet')?.textContent ?? null,
    themes: [...li.querySelectorAll('.search-chip-static')].map((s) => s.textContent),
    marks: [...li.querySelectorAll('mark')].map((m) => m.textContent),
  }));
}

/** Highlighted parts that hold anything but text nodes and <mark>s of text. */
function badHighlightNodes() {
  const bad = [];
  for (const part of document.querySelectorAll('.search-hit-title, .search-hit-section, .search-snippet, .search-chip-static')) {
    for (const n of part.childNodes) {
      const ok = n.nodeType === Node.TEXT_NODE ||
        (n.nodeName === 'MARK' && n.childNodes.length === 1 && n.firstChild.nodeType === Node.TEXT_NODE);
      if (!ok) bad.push(`${part.className}: ${n.nodeName}`);
    }
  }
  return bad;
}

/** The documents of the built index, as search.js receives them. */
function indexDocs(site) {
  const rows = [];
  const context = vm.createContext({ mendSearchLoad: (name, data) => { if (name.startsWith('d/')) rows.push(...data); } });
  for (const f of fs.readdirSync(path.join(site, 'search', 'd'))) {
    vm.runInContext(fs.readFileSync(path.join(site, 'search', 'd', f), 'utf8'), context);
  }
  return rows.map((r) => ({ url: r[0], title: r[1], heading: r[2], text: r[4] }));
}

// ---- SRCH-01, SRCH-02

test('SRCH-01 a typed markup query is shown as text, never run', async () => {
  await withPage(async (page) => {
    await openSearch(page);
    await typeQuery(page, XSS_QUERY);
    // Its words (window, xss) are in the fixture's literal titles: found, as text.
    await waitForText(page, `4 results for ${quoted(XSS_QUERY)}.`);
    assert.deepEqual(await page.evaluate(badHighlightNodes), []);
    for (const a of await page.locator('#search-results a').all()) await a.hover();
    assert.deepEqual(await page.evaluate(injected), CLEAN);

    // The header box on an article page, where search.js loads on first use.
    await page.goto(server.url('articles/trust/'));
    await page.locator('#search-input').click();
    await page.keyboard.type(XSS_QUERY, { delay: 5 });
    await waitForText(page, `4 results for ${quoted(XSS_QUERY)}.`, '#search-popup .search-status');
    assert.ok(await page.locator('#search-popup').isVisible());
    assert.deepEqual(await page.evaluate(injected), CLEAN);
  });
});

test('SRCH-02 a markup query in ?q= or #q= is shown as text, never run', async () => {
  await withPage(async (page) => {
    const encoded = encodeURIComponent(XSS_QUERY);
    for (const suffix of [`?q=${encoded}`, `#q=${encoded}`, `?q=${encoded}&theme=%3Cscript%3E`, `?q=%3C%2Fscript%3E%3Cscript%3Ewindow.__xss%3D2%3C%2Fscript%3E`]) {
      await page.goto(server.url('search/' + suffix));
      const q = new URLSearchParams(suffix.slice(1)).get('q');
      await waitForText(page, new RegExp(`^\\d+ results? for \u201c${escapeRe(q)}\u201d\\.$`));
      assert.equal(await page.locator('#search-page-input').inputValue(), q, suffix);
      assert.deepEqual(await page.evaluate(injected), CLEAN, suffix);
    }
  });
});

// ---- SRCH-03, SRCH-04

test('SRCH-03 markup and entities in titles, themes and snippets render literally', async () => {
  const docs = indexDocs(fixture).filter((d) => d.url.startsWith('articles/literal/'));
  assert.equal(docs.length, 2);
  assert.ok(docs.every((d) => d.title === LITERAL_TITLE), 'the index keeps the title as written');
  const section = docs.find((d) => d.heading);
  assert.ok(section.text.includes('<Component>') && section.text.includes('&amp;') && !section.text.includes('&amp;amp;'), section.text);
  await withPage(async (page) => {
    // Filtered by its theme, the tagged section is found (introductions carry
    // no theme) and names the theme as written.
    await openSearch(page, '?q=zephyr&theme=markup');
    await waitForText(page, /^1 result for/);
    const theme = '<Tag> & "Co" &amp; <script>window.__xss=4</script>';
    const filtered = await page.evaluate(readResults);
    assert.deepEqual(filtered.map((r) => [r.title, r.section, r.snippet, r.themes]), [
      [LITERAL_TITLE, 'Zephyr section', section.text, [theme]],
    ], 'title, section, snippet and theme as written');
    assert.deepEqual(await page.evaluate(badHighlightNodes), []);
    // Unfiltered, the introduction is found too, its text as written.
    await openSearch(page, '?q=zephyr');
    await waitForText(page, /^2 results for/);
    const results = await page.evaluate(readResults);
    assert.deepEqual(results.map((r) => [r.title, r.section, r.snippet]).sort((a, b) => String(a[1]).localeCompare(String(b[1]))),
      [[LITERAL_TITLE, null, 'Intro zephyr text.'], [LITERAL_TITLE, 'Zephyr section', section.text]]
        .sort((a, b) => String(a[1]).localeCompare(String(b[1]))));
    assert.deepEqual(await page.evaluate(badHighlightNodes), []);
    // The theme chip of the filter and the page's own title show it literally too.
    assert.equal(await page.locator('#search-theme-chips button[data-theme="markup"]').textContent(), theme);
    for (const a of await page.locator('#search-results a').all()) await a.hover();
    assert.deepEqual(await page.evaluate(injected), CLEAN);
  });
});

test('SRCH-04 highlighting inside entities and across < marks text only', async () => {
  const text = indexDocs(fixture).find((d) => d.url === 'articles/entities/#entity-names').text;
  assert.equal(text, 'Write &amp; for amp and &lt; for lt; a<b and x<mark>y</mark>z and <b>bold</b> stay text.');
  await withPage(async (page) => {
    await openSearch(page);
    const seen = {};
    for (const q of ['amp', 'lt', 'mark', 'a<b', '<b>', '&lt;']) {
      await typeQuery(page, q);
      await waitForText(page, new RegExp(`results? for \u201c${escapeRe(q)}\u201d`));
      const r = (await page.evaluate(readResults)).find((x) => x.section === 'Entity names');
      assert.ok(r, `${q}: the section is found`);
      assert.equal(r.snippet, text, `${q}: the snippet is the text, character for character`);
      seen[q] = r.marks;
      assert.deepEqual(await page.evaluate(badHighlightNodes), [], q);
      assert.deepEqual(await page.evaluate(injected), CLEAN, q);
      assert.equal(await page.locator('#search-results b, #search-results mark mark').count(), 0, q);
    }
    assert.deepEqual(seen, {
      amp: ['amp', 'amp'],
      lt: ['lt', 'lt'],
      mark: ['mark', 'mark'],
      'a<b': ['b', 'b', 'b'],
      '<b>': ['b', 'b', 'b'],
      '&lt;': ['lt', 'lt'],
    });
  });
});

// ---- SRCH-05

test('SRCH-05 a title that closes a script stays data: escaped in the index, literal on the page', async () => {
  const files = ['manifest.js', ...fs.readdirSync(path.join(fixture, 'search', 'd')).map((f) => `d/${f}`)];
  for (const f of files) {
    const text = fs.readFileSync(path.join(fixture, 'search', f), 'utf8');
    assert.ok(!/<|>|&|\u2028|\u2029/.test(text), `${f} holds a raw <, >, &, U+2028 or U+2029`);
  }
  const d0 = fs.readFileSync(path.join(fixture, 'search', 'd', '0.js'), 'utf8');
  assert.ok(d0.includes('\\u003c/script\\u003e') && d0.includes('\\u2028') && d0.includes('\\u2029'), d0);
  await withPage(async (page) => {
    // Served as a file, through the search page.
    await openSearch(page, '?q=quokka');
    await waitForText(page, /^1 result for/);
    const [r] = await page.evaluate(readResults);
    assert.equal(r.title, SCRIPT_TITLE);
    assert.deepEqual(await page.evaluate(injected), CLEAN);

    // Inlined into an HTML page, the same bytes are one script element.
    await page.setContent(`<!doctype html><title>inline</title><script>var got = []; function mendSearchLoad(n, d) { got.push(d); }</script>
<script>${d0}</script><p id="after">after</p>`);
    const inline = await page.evaluate(() => ({
      scripts: document.scripts.length,
      after: document.getElementById('after')?.textContent,
      titles: window.got.flat().map((row) => row[1]),
      xss: typeof window.__xss === 'undefined' ? null : window.__xss,
    }));
    assert.equal(inline.scripts, 2, 'the title closed the script element');
    assert.equal(inline.after, 'after');
    assert.ok(inline.titles.includes(SCRIPT_TITLE), 'the title survives, U+2028 and U+2029 included');
    assert.equal(inline.xss, null);
  });
});

// ---- SRCH-07 (the page side; the timings of the code are in tests/js)

test('SRCH-07 a 10,000-character query in the URL and the box is cut to 256 and answered', async (t) => {
  const long = ('zephyr trust ' + 'x'.repeat(30) + ' ').repeat(300).slice(0, 10000);
  const cut = long.slice(0, 256);
  await withPage(async (page) => {
    await page.goto(server.url('search/?q=' + encodeURIComponent(long)));
    await waitForText(page, /results? for/);
    assert.equal(await page.locator('#search-page-input').inputValue(), cut);
    assert.ok((await page.locator('#search-page-status').textContent()).includes(quoted(cut)));

    // Typed (pasted past maxlength by a script): answered, and the page stays responsive.
    const ms = await page.evaluate(async (q) => {
      const input = document.getElementById('search-page-input');
      const status = document.getElementById('search-page-status');
      const before = status.textContent;
      input.value = q;
      const t0 = performance.now();
      input.dispatchEvent(new Event('input'));
      let gap = 0;
      let last = performance.now();
      while (status.textContent === before && performance.now() - t0 < 5000) {
        await new Promise((r) => setTimeout(r, 5));
        const now = performance.now();
        gap = Math.max(gap, now - last);
        last = now;
      }
      return { total: performance.now() - t0, gap, text: status.textContent };
    }, 'a'.repeat(10000));
    t.diagnostic(`a x 10,000 typed: answered after ${ms.total.toFixed(0)} ms (120 ms debounce), longest main-thread gap ${ms.gap.toFixed(0)} ms`);
    assert.match(ms.text, /^Try a more specific word/, 'a 256-letter word is no token: the hint');
    assert.ok(ms.total < 2000, `${ms.total} ms`);
    record('search', 'SRCH-07 long query', 'pass', `answered in ${ms.total.toFixed(0)} ms, longest gap ${ms.gap.toFixed(0)} ms`);
  });
});

// ---- SRCH-09

test('SRCH-09 empty, whitespace and stop-word queries show nothing or a hint, never everything', async () => {
  const hint = 'Try a more specific word, such as \u201c<Tag> & "Co" &amp; <script>window.__xss=4</script>\u201d or \u201cPlain\u201d.';
  await withPage(async (page) => {
    for (const [suffix, want] of [['?q=', ''], ['?q=%20%20%20', ''], ['?q=%09%0A%C2%A0', ''], ['?q=the', hint], ['?q=the+and+of+it', hint]]) {
      await openSearch(page, suffix);
      await waitForText(page, want);
      await page.waitForTimeout(300); // nothing else arrives later
      assert.equal(await page.locator('#search-page-status').textContent(), want, suffix);
      assert.equal(await page.locator('#search-results > li').count(), 0, suffix);
      assert.equal(await page.locator('.search-suggestions a').count(), 0, suffix);
    }
    // The header box: spaces keep it closed, stop words give the hint.
    await page.goto(server.url('articles/trust/'));
    await page.locator('#search-input').click();
    await page.keyboard.type('    ', { delay: 5 });
    await page.waitForTimeout(300);
    assert.ok(await page.locator('#search-popup').isHidden(), 'spaces opened the popup');
    await page.keyboard.type('the and', { delay: 5 });
    await waitForText(page, hint, '#search-popup .search-status');
    assert.equal(await page.locator('#search-popup [role=option]').count(), 0);
  });
});

// ---- SRCH-11

/** A copy of the fixture with its search/ files damaged by `damage(dir)`. */
function damaged(name, damage) {
  const dir = path.join(tmp, 'damaged-' + name);
  fs.cpSync(fixture, dir, { recursive: true });
  damage(path.join(dir, 'search'));
  return dir;
}
const truncate = (file) => {
  const text = fs.readFileSync(file, 'utf8');
  fs.writeFileSync(file, text.slice(0, Math.floor(text.length / 2)));
};

test('SRCH-11 a missing or corrupt index says search is unavailable and throws nothing', async (t) => {
  const cases = {
    'manifest missing': (s) => fs.rmSync(path.join(s, 'manifest.js')),
    'manifest truncated': (s) => truncate(path.join(s, 'manifest.js')),
    'manifest empty': (s) => fs.writeFileSync(path.join(s, 'manifest.js'), ''),
    'manifest not an index': (s) => fs.writeFileSync(path.join(s, 'manifest.js'), 'mendSearchLoad("manifest", [1, 2]);\n'),
    'manifest throws': (s) => fs.writeFileSync(path.join(s, 'manifest.js'), 'throw new Error("corrupt");\n'),
    'shard missing': (s) => fs.rmSync(path.join(s, 't', 'tr.js')),
    'shard truncated': (s) => truncate(path.join(s, 't', 'tr.js')),
    'documents truncated': (s) => fs.readdirSync(path.join(s, 'd')).forEach((f) => truncate(path.join(s, 'd', f))),
    'documents missing': (s) => fs.rmSync(path.join(s, 'd'), { recursive: true }),
  };
  // Every damaged copy lives in its own folder of tmp; one server serves them all.
  const dirs = Object.fromEntries(Object.entries(cases).map(([name, damage]) => [name, damaged(name.replace(/ /g, '-'), damage)]));
  const local = await serve(tmp);
  const at = (name, rel) => local.url(`${path.basename(dirs[name])}/${rel}`);
  try {
    await withPage(async (page) => {
      for (const name of Object.keys(cases)) {
        await page.goto(at(name, 'search/?q=trust'));
        await waitForText(page, UNAVAILABLE).catch((e) => { throw new Error(`${name}: ${e.message}`); });
        assert.equal(await page.locator('#search-results > li').count(), 0, name);
      }
      // The header box says so too.
      for (const name of ['manifest truncated', 'shard truncated', 'documents truncated']) {
        await page.goto(at(name, 'articles/trust/'));
        await page.locator('#search-input').click();
        await page.keyboard.type('trust', { delay: 5 });
        await waitForText(page, UNAVAILABLE, '#search-popup .search-status');
      }
      // From disk (file://) the browser hides the error's origin; handled all the same.
      await page.goto(pathToFileURL(path.join(dirs['manifest truncated'], 'search', 'index.html')).href + '?q=trust');
      await waitForText(page, UNAVAILABLE);
    });
  } finally {
    await local.close();
  }
  t.diagnostic(Object.keys(cases).join('; '));
  record('search', 'SRCH-11 broken index', 'pass', `${Object.keys(cases).length} damaged sites + file://: unavailable, 0 page errors`);
});
