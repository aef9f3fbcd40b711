'use strict';
// Safety (issue 16): the quick exit, the safety page and the notes, in a real
// Chromium. The bundled knowledge base is copied into a temporary project
// whose exit address is a local page ("/weather/") on the same test server,
// with a content note added to one article; it is built twice, served and
// `--portable` (file://). Every wait is on an event (a URL, a DOM state);
// time-outs are only the Playwright defaults that catch a hang, and the
// five-second Shift window runs on Playwright's fake clock.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { pathToFileURL } = require('node:url');
const { chromium } = require('playwright-core');
const { REPO } = require('./lib/sites');
const { launch, axe, EXECUTABLE, ARGS } = require('./lib/browser');
const { serve } = require('./lib/server');
const { table, record } = require('./lib/report');

const NOTE_ARTICLE = 'start-here';
const CONTENT_NOTE = 'describes infidelity and its aftermath in detail';
const VIEWPORTS = [
  { width: 390, height: 844 },
  { width: 1280, height: 900 },
];
const PAGES = {
  home: '',
  'article list': 'articles/',
  article: `articles/${NOTE_ARTICLE}/`,
  themes: 'themes/',
  theme: 'themes/safety/',
  search: 'search/',
  safety: 'safety/',
  '404': 'no-such-page/',
};

function mend(args) {
  const bin = process.env.MEND_BIN || path.join(REPO, 'target', 'debug', 'mend');
  return execFileSync(bin, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
}

/** A copy of the bundled project whose exit address is `exitUrl`, with a content note on one article. */
function project(dir, exitUrl) {
  fs.cpSync(path.join(REPO, 'articles'), path.join(dir, 'articles'), { recursive: true });
  fs.cpSync(path.join(REPO, 'themes'), path.join(dir, 'themes'), { recursive: true });
  const config = fs.readFileSync(path.join(REPO, 'mend.yaml'), 'utf8');
  assert.match(config, /^ {2}exit_url: .*$/m, 'the bundled mend.yaml configures safety.exit_url');
  fs.writeFileSync(path.join(dir, 'mend.yaml'), config.replace(/^ {2}exit_url: .*$/m, `  exit_url: ${exitUrl}`));
  const article = path.join(dir, 'articles', `${NOTE_ARTICLE}.md`);
  const text = fs.readFileSync(article, 'utf8');
  fs.writeFileSync(article, text.replace(/^---\n/, `---\ncontent_note: ${CONTENT_NOTE}\n`));
}

const WEATHER = '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Weather</title></head><body><h1>Weather</h1></body></html>';

let browser;
let server;
let exitUrl;
let portableDir;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mend-safety-'));
const served = path.join(work, 'served');

test.before(async () => {
  server = await serve(served);
  exitUrl = server.url('weather/');
  const src = path.join(work, 'src');
  project(src, exitUrl);
  mend(['build', '--quiet', '--root', src, '-o', served]);
  fs.mkdirSync(path.join(served, 'weather'));
  fs.writeFileSync(path.join(served, 'weather', 'index.html'), WEATHER);
  portableDir = path.join(work, 'portable');
  mend(['build', '--quiet', '--portable', '--root', src, '-o', portableDir]);
  browser = await launch();
});
test.after(async () => {
  await browser?.close();
  await server?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

/** A page in a new context; requests to any origin but the server's are collected. */
async function open(options = {}, b = browser) {
  const context = await b.newContext(options);
  const outside = [];
  context.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(server.origin + '/') && !u.startsWith('file:') && !u.startsWith('data:')) outside.push(u);
  });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { context, page, outside, errors };
}

const atExit = (page) => page.waitForURL(exitUrl);

test('the exit button is visible without scrolling, and after scrolling, on every page type', async () => {
  const problems = [];
  for (const viewport of VIEWPORTS) {
    const { context, page, outside, errors } = await open({ viewport });
    for (const [name, rel] of Object.entries(PAGES)) {
      await page.goto(server.url(rel));
      for (const scrolled of [false, true]) {
        if (scrolled) await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
        const seen = await page.evaluate(() => {
          const b = document.querySelector('.exit-button');
          if (!b) return null;
          const r = b.getBoundingClientRect();
          const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
          return {
            inside: r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth,
            onTop: Boolean(top && top.closest('.exit-button')),
            label: b.textContent.trim(),
            href: b.getAttribute('href'),
          };
        });
        const where = `${name} at ${viewport.width}x${viewport.height}${scrolled ? ', scrolled' : ''}`;
        if (!seen) problems.push(`${where}: no exit button`);
        else if (!seen.inside || !seen.onTop || seen.label !== 'Exit this page' || seen.href !== exitUrl) {
          problems.push(`${where}: ${JSON.stringify(seen)}`);
        }
      }
    }
    assert.deepEqual(errors, []);
    assert.deepEqual(outside, [], 'requests to another origin');
    await context.close();
  }
  record('safety', 'exit button visible on every page type', problems.length ? 'FAIL' : 'pass', `${Object.keys(PAGES).length} pages x 2 viewports, top and scrolled`);
  assert.deepEqual(problems, []);
});

// The site's pages record, in this tab's sessionStorage (the exit page shares
// the origin), when the reader clicked and what the page looked like as it
// was left; pageshow entries say whether Back restored a page from the cache.
function recorder() {
  const log = (entry) => {
    const list = JSON.parse(sessionStorage.getItem('test.log') || '[]');
    list.push(entry);
    sessionStorage.setItem('test.log', JSON.stringify(list));
  };
  addEventListener('click', (e) => {
    if (e.target.closest && e.target.closest('[data-exit-link]')) log({ event: 'click', at: performance.timeOrigin + e.timeStamp });
  }, true);
  addEventListener('pageshow', (e) => {
    if (document.querySelector('.exit-bar')) log({ event: 'pageshow', path: location.pathname, persisted: e.persisted });
  });
  addEventListener('pagehide', () => {
    if (document.querySelector('.exit-bar')) {
      log({ event: 'pagehide', path: location.pathname, hidden: document.documentElement.hasAttribute('data-exiting') && Boolean(document.getElementById('exit-overlay')) });
    }
  });
}

const readLog = (page) => page.evaluate(() => ({
  log: JSON.parse(sessionStorage.getItem('test.log') || '[]'),
  origin: performance.timeOrigin,
  history: history.length,
}));

test('a click hides the page, then replaces it with the exit page (timed with the browser clock)', async (t) => {
  const { context, page, outside, errors } = await open();
  await context.addInitScript(recorder);
  await page.goto(server.url(''));
  await page.click('a[href="articles/"] >> visible=true');
  await page.waitForURL(server.url('articles/'));
  const before = await page.evaluate(() => history.length);
  await Promise.all([atExit(page), page.click('.exit-button')]);
  const { log, origin, history: after } = await readLog(page);
  const click = log.find((e) => e.event === 'click');
  const left = log.filter((e) => e.event === 'pagehide').pop();
  assert.ok(click, JSON.stringify(log));
  assert.equal(left.path, '/articles/');
  assert.equal(left.hidden, true, 'the overlay was up when the page was left');
  assert.equal(after, before, 'location.replace: the exited page is not a new history entry');
  const ms = Math.round(origin - click.at);
  t.diagnostic(`click to the exit page's navigation start: ${ms} ms (browser clock)`);
  table('Quick exit: click to navigation start (browser clock)', ['from', 'to', 'ms'], [['click on /articles/', exitUrl, ms]]);
  record('safety', 'click to exit navigation (target 300 ms)', ms <= 300 ? 'pass' : 'slow', `${ms} ms`);
  assert.deepEqual(errors, []);
  assert.deepEqual(outside, []);
  await context.close();
});

test('Shift pressed three times exits, with progress shown and announced; the search box may have focus', async () => {
  for (const focusSearch of [false, true]) {
    const { context, page } = await open();
    await page.goto(server.url(`articles/${NOTE_ARTICLE}/`));
    if (focusSearch) await page.focus('#search-input');
    await page.keyboard.press('Shift');
    const progress = await page.evaluate(() => ({
      status: document.getElementById('exit-status').textContent,
      live: document.getElementById('exit-status').getAttribute('aria-live'),
      dots: document.querySelectorAll('.exit-dots span.on').length,
      visible: document.getElementById('exit-status').getBoundingClientRect().height > 0,
    }));
    assert.deepEqual(progress, {
      status: 'Press Shift 2 more times to exit this page.',
      live: 'polite',
      dots: 1,
      visible: true,
    });
    await page.keyboard.press('Shift');
    await Promise.all([atExit(page), page.keyboard.press('Shift')]);
    await context.close();
  }
});

test('Shift twice, a pause over five seconds, then once more does not exit (fake clock)', async () => {
  const { context, page } = await open();
  await page.clock.install();
  await page.goto(server.url(''));
  await page.keyboard.press('Shift');
  await page.keyboard.press('Shift');
  await page.clock.fastForward(5001);
  assert.equal(await page.evaluate(() => document.getElementById('exit-status').textContent), '', 'the count expired');
  await page.keyboard.press('Shift');
  const state = await page.evaluate(() => ({
    exiting: document.documentElement.hasAttribute('data-exiting'),
    status: document.getElementById('exit-status').textContent,
    url: location.href,
  }));
  assert.deepEqual(state, {
    exiting: false,
    status: 'Press Shift 2 more times to exit this page.',
    url: server.url(''),
  });
  // Within the window, the same presses do exit.
  await page.keyboard.press('Shift');
  await page.clock.fastForward(4000);
  await Promise.all([atExit(page), page.keyboard.press('Shift')]);
  await context.close();
});

test('typing "Trust Again" with Shift in the search box does not exit', async () => {
  const { context, page } = await open();
  await page.goto(server.url(''));
  await page.focus('#search-input');
  for (const text of ['Trust Again', 'TAB OK']) {
    await page.fill('#search-input', '');
    for (const ch of text) {
      if (ch !== ch.toLowerCase()) {
        await page.keyboard.down('Shift');
        await page.keyboard.press(ch);
        await page.keyboard.up('Shift');
      } else {
        await page.keyboard.press(ch === ' ' ? 'Space' : ch);
      }
    }
    const state = await page.evaluate(() => ({
      value: document.getElementById('search-input').value,
      exiting: document.documentElement.hasAttribute('data-exiting'),
      url: location.href,
    }));
    assert.deepEqual(state, { value: text, exiting: false, url: server.url('') });
  }
  await context.close();
});

test('after the exit, Back does not show the site: the page from the back/forward cache leaves again', async (t) => {
  // Playwright turns the back/forward cache off by default; this case needs it.
  const b = await chromium.launch({ executablePath: EXECUTABLE, args: ARGS, headless: true, ignoreDefaultArgs: ['--disable-back-forward-cache'] });
  try {
    const { context, page, errors } = await open({}, b);
    await context.addInitScript(recorder);
    await page.goto(server.url(''));
    await page.click('a[href="articles/"] >> visible=true');
    await page.waitForURL(server.url('articles/'));
    await Promise.all([atExit(page), page.click('.exit-button')]);
    await page.evaluate(() => sessionStorage.setItem('test.log', '[]'));
    await Promise.all([page.goBack({ waitUntil: 'commit' }).catch(() => null), page.waitForEvent('framenavigated')]);
    await atExit(page);
    const { log } = await readLog(page);
    const shown = log.find((e) => e.event === 'pageshow' && e.path === '/');
    const left = log.find((e) => e.event === 'pagehide' && e.path === '/');
    t.diagnostic(`Back restored the home page ${shown?.persisted ? 'from the back/forward cache' : 'by loading it again'}: ${JSON.stringify(log)}`);
    assert.ok(shown, JSON.stringify(log));
    assert.equal(shown.persisted, true, 'the home page came from the back/forward cache');
    assert.equal(left.hidden, true, 'it was hidden as it left again');
    assert.equal(page.url(), exitUrl);
    assert.deepEqual(errors, []);
    await context.close();
  } finally {
    await b.close();
  }
});

test('from file:// (--portable): the button and Shift x3 reach the exit page, nothing else leaves the disk', async () => {
  const url = pathToFileURL(path.join(portableDir, 'articles', NOTE_ARTICLE, 'index.html')).href;
  for (const how of ['click', 'shift']) {
    const { context, page, errors } = await open();
    const network = [];
    context.on('request', (r) => {
      if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) network.push(r.url());
    });
    await page.goto(url);
    if (how === 'click') {
      await Promise.all([atExit(page), page.click('.exit-button')]);
    } else {
      await page.keyboard.press('Shift');
      await page.keyboard.press('Shift');
      await Promise.all([atExit(page), page.keyboard.press('Shift')]);
    }
    assert.deepEqual(network, [exitUrl], 'the only request off the disk is the exit itself');
    assert.deepEqual(errors, []);
    await context.close();
  }
});

test('the button works as a plain link without JavaScript', async () => {
  const { context, page } = await open({ javaScriptEnabled: false });
  await page.goto(server.url('themes/'));
  await Promise.all([atExit(page), page.click('.exit-button')]);
  await context.close();
});

test('axe: 0 violations with the button, the notes and the progress shown, light and dark', async () => {
  const found = [];
  for (const colorScheme of ['light', 'dark']) {
    const { context, page } = await open({ colorScheme, viewport: VIEWPORTS[0] });
    for (const rel of [`articles/${NOTE_ARTICLE}/`, 'safety/', '']) {
      await page.goto(server.url(rel));
      if (rel === '') await page.keyboard.press('Shift');
      for (const v of await axe(page)) found.push(`${colorScheme} ${rel || 'home'}: ${v.id} ${v.nodes.map((n) => n.target).join(', ')}`);
    }
    const notes = await page.goto(server.url(`articles/${NOTE_ARTICLE}/`)).then(() =>
      page.evaluate(() => [document.querySelector('.content-note')?.textContent, Boolean(document.querySelector('.safety-note a[href$="safety/#help"]'))]));
    assert.deepEqual(notes, [`Content note: ${CONTENT_NOTE}`, true]);
    await context.close();
  }
  record('safety', 'axe with exit button and notes', found.length ? 'FAIL' : 'pass', `${found.length} violations`);
  assert.deepEqual(found, []);
});
