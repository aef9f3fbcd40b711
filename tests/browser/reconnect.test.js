'use strict';
// Catalogue row LR-05: a hundred open pages, then the preview server is
// restarted. The pages' live-reload client (the script `mend serve` injects)
// must back off while the server is away (0.5 s doubling to 10 s), spend next
// to no CPU doing so, and reconnect once the server is back on its port.
//
// A hundred real tabs would cost gigabytes in CI, so one page runs the
// injected script a hundred times: each run is its own client with its own
// socket and back-off, exactly as in a tab of its own.
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
const CLIENTS = 100;
const DOWN_MS = 7000;

const CONFIG = `title: Reconnect fixture
description: A tiny knowledge base for the reconnect test.
base_url: https://example.org/
themes:
  patience:
    title: Patience
`;

const ARTICLE = `---
title: Waiting well
summary: The page the hundred clients live in.
themes: [patience]
---

Nothing here changes until the end.
`;

/** Start `mend serve --root dir -p port`; resolves to { child, url, port } once it prints its address. */
function startServer(dir, port) {
  const child = spawn(BIN, ['serve', '--root', dir, '-p', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`mend serve printed no address within 20 s\n${err}`));
    }, WAIT);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`mend serve exited (${code ?? signal}) before serving\n${err}`));
    });
    child.stdout.on('data', (d) => {
      out += d;
      const m = /^serving (http:\/\/127\.0\.0\.1:(\d+)\/) \(Ctrl-C to stop\)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve({ child, url: m[1], port: Number(m[2]) });
      }
    });
  });
}

function stopServer(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

// Record every live-reload socket the page makes (when it was made, when it
// opened) and every retry the clients schedule (the delay they ask of
// setTimeout for their `connect`). Chromium itself throttles failing
// WebSocket connections, so the sockets made would look tame even without a
// back-off: the delays asked for are what shows the client's own.
function countSockets() {
  const nativeSetTimeout = window.setTimeout;
  window.__mendDelays = [];
  window.setTimeout = function (fn, delay, ...rest) {
    if (typeof fn === 'function' && fn.name === 'connect') window.__mendDelays.push([performance.now(), delay]);
    return nativeSetTimeout.call(window, fn, delay, ...rest);
  };
  const Native = window.WebSocket;
  window.__mendMade = [];
  window.__mendOpened = 0;
  window.WebSocket = function (...args) {
    const ws = new Native(...args);
    window.__mendMade.push(performance.now());
    ws.addEventListener('open', () => window.__mendOpened++);
    return ws;
  };
  window.WebSocket.prototype = Native.prototype;
  Object.assign(window.WebSocket, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
}

test('live reload: a hundred clients back off while the server is down and reconnect after a restart', { timeout: 5 * WAIT }, async (t) => {
  if (!process.env.MEND_BIN && !fs.existsSync(BIN)) {
    execFileSync('cargo', ['build', '--release', '-q'], { cwd: REPO, stdio: ['ignore', 'inherit', 'inherit'] });
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mend-reconnect-'));
  fs.writeFileSync(path.join(dir, 'mend.yaml'), CONFIG);
  fs.mkdirSync(path.join(dir, 'articles'));
  fs.writeFileSync(path.join(dir, 'articles', 'waiting-well.md'), ARTICLE);
  let server;
  let browser;
  try {
    server = await startServer(dir, 0);
    browser = await launch();
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.addInitScript(countSockets);
    await page.goto(server.url + 'articles/waiting-well/');
    // Ninety-nine more clients: the injected script, run again.
    await page.evaluate((n) => {
      const source = [...document.scripts].map((s) => s.textContent).find((s) => s.includes('/__mend/livereload'));
      for (let i = 1; i < n; i++) new Function(source)();
    }, CLIENTS);
    await page.waitForFunction((n) => window.__mendOpened >= n, CLIENTS, { timeout: WAIT });

    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const scriptSeconds = async () => {
      const { metrics } = await cdp.send('Performance.getMetrics');
      return metrics.find((m) => m.name === 'ScriptDuration').value;
    };

    // The server goes away for a while.
    const port = server.port;
    const madeBefore = await page.evaluate(() => window.__mendMade.length);
    const scriptBefore = await scriptSeconds();
    const downAt = await page.evaluate(() => performance.now());
    await stopServer(server.child);
    server = null;
    await page.waitForTimeout(DOWN_MS);
    const attempts = await page.evaluate((from) => window.__mendMade.filter((at) => at > from), downAt);
    const delays = await page.evaluate((from) => window.__mendDelays.filter(([at]) => at > from).map(([, d]) => d), downAt);
    const scriptDown = (await scriptSeconds()) - scriptBefore;
    assert.equal(madeBefore, CLIENTS);
    // Each client waits 0.5 s once, then twice as long after each failure, up to 10 s.
    assert.ok(delays.length >= CLIENTS, `only ${delays.length} retries scheduled by ${CLIENTS} clients`);
    const unexpected = delays.filter((d) => ![500, 1000, 2000, 4000, 8000, 10000].includes(d));
    assert.deepEqual(unexpected, [], 'retry delays off the doubling schedule');
    const short = delays.filter((d) => d === 500).length;
    assert.ok(short <= CLIENTS, `${short} retries after 0.5 s from ${CLIENTS} clients: no back-off`);
    const longer = delays.filter((d) => d >= 1000).length;
    assert.ok(longer >= CLIENTS / 2, `only ${longer} retries waited 1 s or more`);
    assert.ok(scriptDown < 1, `${scriptDown.toFixed(3)} s of script while the server was down`);

    // Back on the same port: every client reconnects within its longest wait.
    server = await startServer(dir, port);
    assert.equal(server.port, port);
    const backAt = Date.now();
    await page.waitForFunction((n) => window.__mendOpened >= 2 * n, CLIENTS, { timeout: WAIT });
    const reconnected = Date.now() - backAt;

    assert.deepEqual(errors, []);
    const histogram = [...new Set(delays)].sort((a, b) => a - b).map((d) => `${delays.filter((x) => x === d).length}x${d / 1000}s`).join(' ');
    const detail = `${CLIENTS} clients, ${DOWN_MS / 1000} s down: retries ${histogram}, ${attempts.length} sockets made, ${scriptDown.toFixed(3)} s of script; all back ${reconnected} ms after the restart`;
    t.diagnostic(detail);
    record('livereload', 'LR-05 back-off and reconnect (100 clients)', 'pass', detail);
  } finally {
    await browser?.close();
    await stopServer(server?.child);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
