'use strict';
// The live preview (`mend serve`) in Chromium: saving an article updates the
// open page by itself; a broken save shows the error overlay over the last good
// page, and fixing it clears the overlay; a stylesheet-only save swaps the CSS
// without reloading the page.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn, execFileSync } = require('node:child_process');
const { REPO } = require('./lib/sites');
const { launch } = require('./lib/browser');
const { record } = require('./lib/report');
const { WAIT } = require('./lib/wait');

const BIN = process.env.MEND_BIN || path.join(REPO, 'target', 'release', 'mend');

const CONFIG = `title: Preview fixture
description: A tiny knowledge base for the live preview test.
base_url: https://example.org/
themes:
  patience:
    title: Patience
  boundaries:
    title: Boundaries
`;

// Line 4 holds the themes; the broken save puts an unknown one there.
const article = (sentence, themes = '[patience]') => `---
title: Waiting well
summary: A short article the test edits while the preview runs.
themes: ${themes}
---

${sentence}

## Small steps {.boundaries}

A second section that never changes.
`;

const OTHER = `---
title: Another article
summary: So that the site has more than one.
themes: [boundaries]
---

Nothing here changes.
`;

/** A project in a temporary folder, with its own copy of the default theme. */
function project() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mend-livereload-'));
  fs.writeFileSync(path.join(dir, 'mend.yaml'), CONFIG);
  fs.mkdirSync(path.join(dir, 'articles'));
  fs.writeFileSync(path.join(dir, 'articles', 'waiting-well.md'), article('The first version of this sentence.'));
  fs.writeFileSync(path.join(dir, 'articles', 'another-article.md'), OTHER);
  fs.cpSync(path.join(REPO, 'themes', 'default'), path.join(dir, 'themes', 'default'), { recursive: true });
  return dir;
}

/** Start `mend serve --root dir -p 0`; resolves to { child, url, log() } once it prints its address. */
function startServer(dir) {
  // MEND_LOG=debug: the preview says `idle after: NAMES` once it has dealt
  // with every event, its last full look at the articles included.
  const child = spawn(BIN, ['serve', '--root', dir, '-p', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, MEND_LOG: 'debug' },
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const log = () => `stdout:\n${out}\nstderr:\n${err}`;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`mend serve printed no address within ${WAIT} ms\n${log()}`));
    }, WAIT);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`mend serve exited (${code ?? signal}) before serving\n${log()}`));
    });
    child.stdout.on('data', (d) => {
      out += d;
      const m = /^serving (http:\/\/127\.0\.0\.1:\d+\/) \(Ctrl-C to stop\)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1], log, stderr: () => err });
      }
    });
  });
}

/** Stop the server: SIGTERM, then SIGKILL if it lingers; resolves when it has exited. */
function stopServer(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

// Count the live-reload socket's connections from inside the page, so each step
// starts once the page is listening (a save before that would go unheard).
function countSocketOpens() {
  const Native = window.WebSocket;
  window.__mendSockets = 0;
  window.WebSocket = function (...args) {
    const ws = new Native(...args);
    ws.addEventListener('open', () => window.__mendSockets++);
    return ws;
  };
  window.WebSocket.prototype = Native.prototype;
  Object.assign(window.WebSocket, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
}

test('live preview: edits, a broken save with its overlay, the fix, and a stylesheet swap', { timeout: 5 * WAIT }, async (t) => {
  if (!process.env.MEND_BIN && (!process.env.MEND_BROWSER_SITES || !fs.existsSync(BIN))) {
    // run.sh has just built the binary; by hand, make sure it is current.
    execFileSync('cargo', ['build', '--release', '-q'], { cwd: REPO, stdio: ['ignore', 'inherit', 'inherit'] });
  }
  const dir = project();
  const file = path.join(dir, 'articles', 'waiting-well.md');
  const sheet = path.join(dir, 'themes', 'default', 'static', 'style.css');
  let server;
  let browser;
  const steps = [];
  const timed = async (label, fn) => {
    const start = Date.now();
    await fn();
    steps.push(`${label} ${Date.now() - start} ms`);
  };
  try {
    server = await startServer(dir);
    browser = await launch();
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.addInitScript(countSocketOpens);
    let navigations = 0;
    page.on('framenavigated', (f) => {
      if (f === page.mainFrame()) navigations++;
    });
    const listening = () => page.waitForFunction(() => window.__mendSockets > 0, null, { timeout: WAIT });
    const main = page.locator('main');
    const overlay = page.locator('#mend-overlay');

    await page.goto(server.url + 'articles/waiting-well/');
    await main.getByText('The first version of this sentence.').waitFor({ timeout: WAIT });
    await listening();
    assert.equal(await overlay.count(), 0);

    // 1. Save a changed sentence: the page shows it by itself.
    await timed('edit shown in', async () => {
      fs.writeFileSync(file, article('The second version, saved while the page was open.'));
      await main.getByText('The second version, saved while the page was open.').waitFor({ timeout: WAIT });
    });
    assert.equal(await main.getByText('The first version of this sentence.').count(), 0);
    assert.ok(navigations >= 2, 'the page did not reload');
    await listening();

    // 2. Break the front matter (and change the sentence): the overlay names the
    //    file and line; underneath is the last good page, not the broken text.
    await timed('overlay shown in', async () => {
      fs.writeFileSync(file, article('The third version, fixed later.', '[nosuchtheme]'));
      await overlay.waitFor({ state: 'visible', timeout: WAIT });
    });
    const message = await overlay.textContent();
    assert.match(message, /articles[/\\]waiting-well\.md:4(:\d+)?/, `the overlay does not name the file and line:\n${message}`);
    assert.match(message, /nosuchtheme/);
    assert.equal(await overlay.getAttribute('role'), 'alert');
    assert.equal(await main.getByText('The second version, saved while the page was open.').count(), 1, 'the last good content is not under the overlay');
    assert.equal(await main.getByText('The third version, fixed later.').count(), 0);
    await listening();

    // 3. Fix it: the overlay goes and the fixed content shows.
    const beforeFix = server.stderr().length;
    await timed('fix shown in', async () => {
      fs.writeFileSync(file, article('The third version, fixed later.'));
      await main.getByText('The third version, fixed later.').waitFor({ timeout: WAIT });
      await overlay.waitFor({ state: 'detached', timeout: WAIT });
    });
    await listening();
    // The preview's full look at every article after a burst of saves comes
    // last: the stylesheet must not be saved before it, or that look would
    // see it and reload the page.
    const deadline = Date.now() + WAIT;
    while (!/idle after: .*waiting-well\.md/.test(server.stderr().slice(beforeFix))) {
      assert.ok(Date.now() < deadline, `the preview did not go idle after the fix\n${server.log()}`);
      await new Promise((r) => setTimeout(r, 50));
    }

    // 4. A stylesheet-only save swaps the CSS in place: the computed style
    //    changes and the page (with its marker) stays.
    const border = () => page.evaluate(() => getComputedStyle(document.body).borderTopWidth);
    const before = await border();
    assert.notEqual(before, '7px');
    await page.evaluate(() => {
      window.__marker = 1;
    });
    const loads = navigations;
    await timed('stylesheet swapped in', async () => {
      fs.appendFileSync(sheet, '\nbody { border-top: 7px solid rgb(1, 2, 3); }\n');
      await page.waitForFunction(() => getComputedStyle(document.body).borderTopWidth === '7px', null, { timeout: WAIT });
    });
    assert.equal(await page.evaluate(() => window.__marker), 1, 'the page reloaded instead of swapping the stylesheet');
    assert.equal(navigations, loads, 'the page navigated');
    assert.equal(await page.evaluate(() => getComputedStyle(document.body).borderTopColor), 'rgb(1, 2, 3)');

    assert.deepEqual(errors, []);
    t.diagnostic(steps.join('; '));
    record('livereload', 'edit, overlay, fix, stylesheet swap', 'pass', steps.join('; '));
  } catch (e) {
    if (server) e.message += `\n--- mend serve ---\n${server.log()}`;
    throw e;
  } finally {
    await browser?.close();
    await stopServer(server?.child);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
