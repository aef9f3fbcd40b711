#!/usr/bin/env node
// Search benchmark: what one-word queries transfer and how long they take in
// headless Chromium, for mend's search and for Pagefind on the same site.
//
//   bash benches/search/run.sh [options]          (npm ci, then this script)
//   node benches/search/bench.mjs [options]
//
// Options:
//   --articles N     corpus size to generate (default 10000)
//   --corpus DIR     use an existing corpus (a folder with mend.yaml) instead
//   --work DIR       where the corpus, site and results go (default: a temp dir, kept)
//   --queries N      latency queries (default 100)
//   --no-pagefind    skip the Pagefind comparison
//   --reuse          keep the corpus, site and Pagefind indexes a previous run left
//                    in --work (only the browser measurements are made again)
//   --chromium PATH  browser (default /usr/bin/chromium, or $MEND_CHROMIUM)
//
// Everything is served from 127.0.0.1 by a tiny static server in this process
// that gzips (level 9) any response gzip makes smaller; the transfer figures are
// the bytes of response bodies as sent (gzipped where that was smaller), per
// query from a fresh browser context (empty cache). KB = 1024 bytes.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, "../..");
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"];
const TOP = 10; // results shown (the search page's first page)
const REPS_WORK = 7, REPS_UI = 3, REPS_PF = 3; // runs per latency query (median taken)
const KB = 1024;

// ---- arguments

function parseArgs(argv) {
  const o = { articles: 10000, corpus: null, work: null, queries: 100, pagefind: true, reuse: false,
    chromium: process.env.MEND_CHROMIUM || "/usr/bin/chromium" };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i], next = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === "--articles") o.articles = Number(next());
    else if (a === "--corpus") o.corpus = path.resolve(process.env.MEND_BENCH_CWD || process.cwd(), next());
    else if (a === "--work") o.work = path.resolve(process.env.MEND_BENCH_CWD || process.cwd(), next());
    else if (a === "--queries") o.queries = Number(next());
    else if (a === "--no-pagefind") o.pagefind = false;
    else if (a === "--reuse") o.reuse = true;
    else if (a === "--chromium") o.chromium = next();
    else if (a === "-h" || a === "--help") {
      console.log(fs.readFileSync(fileURLToPath(import.meta.url), "utf8").split("\n").slice(1, 20)
        .map((l) => l.replace(/^\/\/ ?/, "")).join("\n"));
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  if (!(o.articles > 0) || !(o.queries > 0)) throw new Error("--articles and --queries must be positive");
  if (o.reuse && !o.work) throw new Error("--reuse needs --work");
  return o;
}

// ---- helpers

const log = (...a) => console.error("[bench]", ...a);

function run(cmd, args, opts = {}) {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { cwd: REPO, encoding: "utf8", maxBuffer: 256 << 20, ...opts });
  const ms = performance.now() - t0;
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
  return { ms, stdout: r.stdout, stderr: r.stderr };
}

function walk(dir) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}

/** Files, bytes and gzip -9 bytes of a list of files. */
function sizes(files) {
  let bytes = 0, gz = 0;
  for (const f of files) {
    const b = fs.readFileSync(f);
    bytes += b.length;
    gz += Math.min(b.length, zlib.gzipSync(b, { level: 9 }).length);
  }
  return { files: files.length, bytes, gz };
}

function median(xs) { return quantile(xs, 0.5); }

function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  const i = (s.length - 1) * q, lo = Math.floor(i), hi = Math.ceil(i);
  return s[lo] + (s[hi] - s[lo]) * (i - lo);
}

const kb = (n) => (n / KB).toFixed(1);
const mb = (n) => (n / KB / KB).toFixed(1);
const ms = (n) => n.toFixed(2);

// ---- the static server

const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
  ".json": "application/json", ".xml": "application/xml", ".wasm": "application/wasm",
  ".svg": "image/svg+xml" };

function startServer(root, extra) {
  const cache = new Map();
  const requests = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://127.0.0.1");
    let rel;
    try { rel = decodeURIComponent(url.pathname); } catch { rel = "/"; }
    let body, type;
    if (extra[rel] != null) {
      body = Buffer.from(extra[rel]);
      type = TYPES[".html"];
    } else {
      let file = path.join(root, path.normalize(rel));
      if (!file.startsWith(root)) { res.writeHead(403).end(); return; }
      try {
        if (fs.statSync(file).isDirectory()) {
          if (!rel.endsWith("/")) {
            res.writeHead(301, { location: url.pathname + "/" + url.search }).end();
            return;
          }
          file = path.join(file, "index.html");
        }
      } catch { /* 404 below */ }
      if (!cache.has(file)) {
        let raw = null;
        try { raw = fs.readFileSync(file); } catch { /* missing */ }
        cache.set(file, raw && { raw, gz: zlib.gzipSync(raw, { level: 9 }) });
      }
      const hit = cache.get(file);
      if (!hit) {
        requests.push({ path: rel, status: 404, raw: 0, sent: 0 });
        res.writeHead(404, { "content-type": "text/plain" }).end("not found");
        return;
      }
      type = TYPES[path.extname(file)] || "application/octet-stream";
      body = hit;
    }
    const raw = body.raw || body;
    const gzOk = /\bgzip\b/.test(req.headers["accept-encoding"] || "");
    const gz = body.gz || zlib.gzipSync(raw, { level: 9 });
    const useGz = gzOk && gz.length < raw.length;
    const sent = useGz ? gz : raw;
    requests.push({ path: rel, status: 200, raw: raw.length, sent: sent.length });
    const headers = { "content-type": type, "content-length": sent.length,
      "cache-control": "max-age=3600", vary: "accept-encoding" };
    if (useGz) headers["content-encoding"] = "gzip";
    res.writeHead(200, headers);
    res.end(req.method === "HEAD" ? undefined : sent);
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      resolve({ server, requests, base: `http://127.0.0.1:${server.address().port}` });
    });
  });
}

/** Resolve once no request has arrived for `quiet` ms. */
async function settle(srv, quiet = 300) {
  let n = -1;
  while (n !== srv.requests.length) {
    n = srv.requests.length;
    await new Promise((r) => setTimeout(r, quiet));
  }
}

// ---- corpus, build, queries

function cargoTargetDir() {
  const r = run("cargo", ["metadata", "--format-version", "1", "--no-deps"]);
  return JSON.parse(r.stdout).target_directory;
}

function stopWords(site) {
  let m = null;
  new Function("mendSearchLoad", fs.readFileSync(path.join(site, "search/manifest.js"), "utf8"))(
    (n, d) => { m = d; });
  return m;
}

/**
 * One-word queries chosen from the corpus: the most common words, words of
 * middling and rare document frequency, and the theme names. Deterministic.
 */
function chooseQueries(corpus, manifest, nLatency) {
  const stop = new Set(manifest.stop);
  const df = new Map();
  const files = fs.readdirSync(path.join(corpus, "articles")).filter((f) => f.endsWith(".md")).sort();
  for (const f of files) {
    // The words readers see: no front matter, link targets or {.class} attributes.
    const text = fs.readFileSync(path.join(corpus, "articles", f), "utf8")
      .replace(/^---\r?\n[\s\S]*?\r?\n---\r?\n/, "").replace(/\]\([^)]*\)/g, "]")
      .replace(/\{[^}\n]*\}/g, "").replace(/\[\[[^\]|]*\|?/g, "[[").toLowerCase();
    const seen = new Set(text.match(/[a-z]+/g) || []);
    for (const w of seen) df.set(w, (df.get(w) || 0) + 1);
  }
  const words = [...df].filter(([w]) => w.length >= 4 && !stop.has(w))
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const themes = manifest.themes.map((t) => t[0].toLowerCase());
  const picked = new Map();
  const take = (w, kind) => { if (w && !picked.has(w)) picked.set(w, { word: w, kind, df: df.get(w) || 0 }); };
  words.slice(0, 6).forEach(([w]) => take(w, "common"));
  const mid = words.filter(([, n]) => n >= files.length * 0.01 && n <= files.length * 0.2);
  for (let i = 0; i < 4 && mid.length; i++) take(mid[Math.floor((i + 0.5) * mid.length / 4)][0], "middling");
  // The least frequent words (a generated corpus has no truly rare ones).
  const rare = words.slice(-Math.max(4, Math.min(40, Math.floor(words.length / 20)))).reverse();
  for (let i = 0; i < 4 && rare.length; i++) take(rare[Math.floor(i * rare.length / 4)][0], "rare");
  for (const t of themes) { if (picked.size < 20) take(t, "theme"); }
  const transfer = [...picked.values()];
  // Latency: the transfer queries, then words spread over the frequency ranking.
  const latency = transfer.map((q) => q.word);
  const rest = words.map(([w]) => w).filter((w) => !picked.has(w));
  for (let i = 0; latency.length < nLatency && i < rest.length; i++) {
    latency.push(rest[Math.floor(i * rest.length / Math.max(1, nLatency - transfer.length))] || rest[i]);
  }
  return { transfer, latency: [...new Set(latency)].slice(0, nLatency), articles: files.length, vocabulary: df.size };
}

// ---- mend in the browser

function classifyMend(reqs) {
  const parts = { script: 0, manifest: 0, shards: 0, docs: 0, page: 0 };
  const raw = { script: 0, manifest: 0, shards: 0, docs: 0, page: 0 };
  const files = { shards: [], docs: [] };
  for (const r of reqs) {
    let k;
    if (r.path === "/search.js") k = "script";
    else if (r.path === "/search/manifest.js") k = "manifest";
    else if (r.path.startsWith("/search/t/")) { k = "shards"; files.shards.push(r.path.slice(10)); }
    else if (r.path.startsWith("/search/d/")) { k = "docs"; files.docs.push(r.path.slice(10)); }
    else k = "page";
    parts[k] += r.sent;
    raw[k] += r.raw;
  }
  const total = parts.script + parts.manifest + parts.shards + parts.docs;
  const totalRaw = raw.script + raw.manifest + raw.shards + raw.docs;
  return { total, totalRaw, parts, raw, files };
}

async function mendTransfer(browser, srv, word) {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  srv.requests.length = 0;
  await page.goto(`${srv.base}/search/?q=${encodeURIComponent(word)}`);
  await page.waitForFunction((w) => {
    const s = document.getElementById("search-page-status");
    return s && s.textContent.includes("\u201c" + w + "\u201d");
  }, word, { timeout: 20000 });
  await settle(srv);
  const shown = await page.locator("#search-results > li").count();
  const status = await page.locator("#search-page-status").textContent();
  await ctx.close();
  return { word, shown, status, ...classifyMend(srv.requests.filter((r) => r.status === 200)) };
}

// setTimeout wrapper: note when the runtime's 120 ms debounce fires.
const DEBOUNCE_PROBE = `(() => {
  const st = window.setTimeout;
  window.__debounceFired = 0;
  window.setTimeout = function (fn, delay, ...rest) {
    if (delay === 120 && typeof fn === "function") {
      const f = fn;
      fn = function () { window.__debounceFired = performance.now(); return f.apply(this, arguments); };
    }
    return st.call(window, fn, delay, ...rest);
  };
})();`;

/** Type a query into the search page; resolve when its results are rendered. */
function typeQuery(page, q) {
  return page.evaluate((q) => new Promise((resolve, reject) => {
    const input = document.getElementById("search-page-input");
    const status = document.getElementById("search-page-status");
    const want = "\u201c" + q + "\u201d";
    const timer = setTimeout(() => reject(new Error("no results for " + q)), 10000);
    const mo = new MutationObserver(() => {
      if (!status.textContent.includes(want)) return;
      const t = performance.now();
      mo.disconnect();
      clearTimeout(timer);
      resolve({ total: t - t0, afterDebounce: t - window.__debounceFired,
        shown: document.querySelectorAll("#search-results > li").length });
    });
    mo.observe(status, { childList: true, characterData: true, subtree: true });
    const t0 = performance.now();
    input.value = q;
    input.dispatchEvent(new Event("input", { bubbles: true }));
  }), q);
}

async function mendLatency(browser, srv, queries) {
  const ctx = await browser.newContext();
  await ctx.addInitScript(DEBOUNCE_PROBE);
  const page = await ctx.newPage();
  await page.goto(`${srv.base}/search/`);
  await page.waitForFunction(() => document.getElementById("search-page-input"));
  // Warm-up: every query once, so every shard and document file is loaded.
  for (const q of queries) await typeQuery(page, q);
  await typeQuery(page, "zzzwarm");
  // Each query REPS times in turn; a query's figure is the median of its runs,
  // which keeps a busy machine's hiccups out of the percentiles.
  const ui = queries.map((q) => ({ q, runs: [] }));
  for (let r = 0; r < REPS_UI; r++) {
    for (const x of ui) x.runs.push(await typeQuery(page, x.q));
  }
  for (const x of ui) {
    x.total = median(x.runs.map((y) => y.total));
    x.afterDebounce = median(x.runs.map((y) => y.afterDebounce));
    x.shown = x.runs[0].shown;
  }

  // The search work alone: the runtime's own pure functions (search.js evaluated
  // with window and document hidden, so it only exports them), index files
  // already loaded and parsed the way the runtime keeps them.
  const work = await page.evaluate(async ({ queries, top, reps }) => {
    const src = await (await fetch("/search.js")).text();
    const mod = { exports: {} };
    new Function("module", "window", "document", src)(mod, undefined, undefined);
    const S = mod.exports;
    const files = new Map();
    async function get(name) {
      if (!files.has(name)) {
        const text = await (await fetch(`/search/${name}.js`)).text();
        let data;
        new Function("mendSearchLoad", text)((n, d) => { data = d; });
        files.set(name, name.startsWith("t/") ? new Map(Object.entries(data)) : data);
      }
      return files.get(name);
    }
    const m = S.readManifest(await get("manifest"));
    const shardOf = (k) => files.get("t/" + k);
    async function once(q) {
      const p = S.plan(q, m.stop);
      const keys = S.shardKeys(p, m.syn, m.shards);
      for (const k of keys) await get("t/" + k);
      const t0 = performance.now();
      const r = S.rankPlan(m, p, shardOf, "");
      const page = r.ranked.slice(0, top);
      for (const x of page) {
        const chunk = files.get("d/" + Math.floor(x.doc / m.chunk));
        if (!chunk) return { load: page };
        const row = chunk[x.doc % m.chunk];
        x.d = { title: row[1], heading: row[2], text: row[4] };
      }
      S.phraseBoost(p, page, (x) => x.d.title + " " + x.d.heading + " " + x.d.text);
      const match = S.matcher(r.stems);
      for (const x of page) {
        S.segments(x.d.title, S.matchRanges(x.d.title, match));
        S.snippet(x.d.text, S.matchRanges(x.d.text, match), 160);
      }
      return { ms: performance.now() - t0, n: r.ranked.length };
    }
    for (const q of queries) { // load every needed file, then warm the JIT
      const r = await once(q);
      if (r.load) for (const x of r.load) await get("d/" + Math.floor(x.doc / m.chunk));
      await once(q);
    }
    const out = queries.map((q) => ({ q, runs: [] }));
    for (let r = 0; r < reps; r++) {
      for (const x of out) {
        const y = await once(x.q);
        x.runs.push(y.ms);
        x.n = y.n;
      }
    }
    for (const x of out) x.ms = [...x.runs].sort((a, b) => a - b)[Math.floor(reps / 2)];
    return out;
  }, { queries, top: TOP, reps: REPS_WORK });
  await ctx.close();
  return { ui, work };
}

// ---- Pagefind in the browser

const PF_PAGE = "/__bench/pagefind.html";
const PF_HTML = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>pf</title></head><body></body></html>";

// The two Pagefind indexes of mend's output: as `npx pagefind --site OUT` makes it
// (every page's <body>: mend has no data-pagefind-body), and one of the article
// pages only, which is what mend's own index covers.
const PF_VARIANTS = [
  { id: "site", dir: "pagefind", args: [], label: "whole site" },
  { id: "articles", dir: "pagefind-articles", label: "article pages only",
    args: ["--glob", "articles/*/index.html", "--output-subdir", "pagefind-articles"] },
];

async function pagefindQuery(page, dir, word, top) {
  return page.evaluate(async ({ dir, word, top }) => {
    window.__pf = window.__pf || await import(`/${dir}/pagefind.js`);
    const pf = window.__pf;
    const t0 = performance.now();
    const r = await pf.search(word);
    const data = await Promise.all(r.results.slice(0, top).map((x) => x.data()));
    return { ms: performance.now() - t0, n: r.results.length, urls: data.map((d) => d.url) };
  }, { dir, word, top });
}

async function pagefindTransfer(browser, srv, dir, word) {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(srv.base + PF_PAGE);
  srv.requests.length = 0;
  const r = await pagefindQuery(page, dir, word, TOP);
  await settle(srv);
  await ctx.close();
  const reqs = srv.requests.filter((x) => x.status === 200 && x.path.startsWith(`/${dir}/`));
  const parts = {};
  for (const x of reqs) {
    const k = x.path.endsWith(".js") ? "script" : /wasm/.test(x.path) ? "wasm"
      : /\.pf_meta$|entry\.json$/.test(x.path) ? "meta" : /pf_index$/.test(x.path) ? "index"
        : /pf_fragment$/.test(x.path) ? "fragments" : /pf_filter$/.test(x.path) ? "filters" : "other";
    parts[k] = (parts[k] || 0) + x.sent;
  }
  return { word, shown: r.urls.length, results: r.n, urls: r.urls, total: reqs.reduce((a, x) => a + x.sent, 0),
    totalRaw: reqs.reduce((a, x) => a + x.raw, 0), parts, requests: reqs.length };
}

async function pagefindLatency(browser, srv, dir, queries) {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(srv.base + PF_PAGE);
  for (const q of queries) await pagefindQuery(page, dir, q, TOP); // warm-up: load and cache
  const out = queries.map((q) => ({ q, runs: [] }));
  for (let r = 0; r < REPS_PF; r++) {
    for (const x of out) {
      const y = await pagefindQuery(page, dir, x.q, TOP);
      x.runs.push(y.ms);
      x.n = y.n;
    }
  }
  for (const x of out) x.ms = median(x.runs);
  await ctx.close();
  return out;
}

// ---- main

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const work = o.work || fs.mkdtempSync(path.join(os.tmpdir(), "mend-search-bench-"));
  fs.mkdirSync(work, { recursive: true });
  log("work dir", work);
  if (!fs.existsSync(o.chromium)) throw new Error(`no browser at ${o.chromium}`);

  log("cargo build --release --bin mend --example corpus");
  run("cargo", ["build", "--release", "-q", "--bin", "mend", "--example", "corpus"], { stdio: "inherit" });
  const target = cargoTargetDir();
  const mendBin = path.join(target, "release", "mend");
  const corpusBin = path.join(target, "release", "examples", "corpus");

  let corpus = o.corpus, corpusMs = null;
  const previous = o.reuse ? JSON.parse(fs.readFileSync(path.join(work, "results.json"), "utf8")) : null;
  if (previous) corpus = previous.corpus.path;
  if (!corpus) {
    corpus = path.join(work, `corpus-${o.articles}`);
    log(`generating ${o.articles} articles into ${corpus}`);
    corpusMs = run(corpusBin, ["--articles", String(o.articles), "--out", corpus, "--force"]).ms;
  }
  const site = path.join(work, "site");
  log(previous ? `reusing ${site}` : `mend build --root ${corpus} -o ${site}`);
  const build = previous ? { ms: previous.corpus.buildMs, stdout: previous.corpus.buildOut, stderr: "" }
    : run(mendBin, ["build", "--root", corpus, "-o", site, "--force"]);
  if (previous) corpusMs = previous.corpus.corpusMs;
  log(build.stdout.trim() || build.stderr.trim(), `(${(build.ms / 1000).toFixed(1)} s wall)`);

  const manifest = stopWords(site);
  const q = chooseQueries(corpus, manifest, o.queries);
  log(`corpus: ${q.articles} articles, ${manifest.docs} search documents, ${q.vocabulary} distinct words`);
  log("transfer queries:", q.transfer.map((x) => `${x.word}(${x.kind},df=${x.df})`).join(" "));

  const mendIndex = sizes([path.join(site, "search.js"), ...walk(path.join(site, "search"))
    .filter((f) => f.endsWith(".js"))]);
  const htmlPages = walk(site).filter((f) => f.endsWith(".html") && !f.includes(`${path.sep}pagefind`)).length;

  const pf = [];
  for (const v of o.pagefind ? PF_VARIANTS : []) {
    const old = previous && (previous.pagefind || []).find((x) => x.id === v.id);
    if (old) {
      const { transfer, latency, ...kept } = old;
      pf.push(kept);
      continue;
    }
    fs.rmSync(path.join(site, v.dir), { recursive: true, force: true });
    const args = ["--site", site, ...v.args];
    log("npx pagefind", args.join(" "));
    const r = run("npx", ["--no-install", "pagefind", ...args], { cwd: HERE });
    const out = (r.stdout + r.stderr).split("\n").filter((l) => !/^npm warn/.test(l)).join("\n").trim();
    const num = (re) => { const m = out.match(re); return m ? Number(m[1].replace(/,/g, "")) : null; };
    const index = sizes(walk(path.join(site, v.dir)));
    const pages = num(/Indexed ([\d,]+) pages?/), words = num(/Indexed ([\d,]+) words?/);
    const body = /data-pagefind-body/.test(out) && /all <body>/.test(out) ? "every page's <body>" : "data-pagefind-body";
    pf.push({ ...v, ms: r.ms, pages, words, body, command: `npx pagefind ${args.join(" ")}`, output: out, index });
    log(`pagefind (${v.label}): ${pages} pages, ${words} words in ${(r.ms / 1000).toFixed(1)} s; indexed ${body}`);
  }

  const srv = await startServer(site, { [PF_PAGE]: PF_HTML });
  log("serving", site, "at", srv.base);
  const loadStart = os.loadavg()[0];
  const browser = await chromium.launch({ executablePath: o.chromium, args: ARGS, headless: true });
  const browserVersion = browser.version();
  const results = { queries: q.transfer, corpus: { path: corpus, site, articles: q.articles, docs: manifest.docs, htmlPages,
    corpusMs, buildMs: build.ms, buildOut: (build.stdout + build.stderr).trim() }, mendIndex, pagefind: pf };
  try {
    log("mend: transfer per one-word query (fresh context each)");
    results.mendTransfer = [];
    for (const x of q.transfer) results.mendTransfer.push({ kind: x.kind, ...(await mendTransfer(browser, srv, x.word)) });
    log(`mend: latency over ${q.latency.length} queries`);
    results.mendLatency = await mendLatency(browser, srv, q.latency);
    for (const v of pf) {
      log(`pagefind (${v.label}): transfer per one-word query`);
      v.transfer = [];
      for (const x of q.transfer) v.transfer.push({ kind: x.kind, ...(await pagefindTransfer(browser, srv, v.dir, x.word)) });
      // Pagefind takes up to seconds per query here: the transfer queries only.
      log(`pagefind (${v.label}): latency over the ${q.transfer.length} transfer queries`);
      v.latency = await pagefindLatency(browser, srv, v.dir, q.transfer.map((x) => x.word));
    }
  } finally {
    await browser.close();
    srv.server.close();
  }
  results.machine = { cpus: os.cpus().length, model: os.cpus()[0] && os.cpus()[0].model,
    load: [loadStart, os.loadavg()[0]], chromium: browserVersion };
  fs.writeFileSync(path.join(work, "results.json"), JSON.stringify(results, null, 1));
  report(results);
  log("full results:", path.join(work, "results.json"));
}

// ---- report

function report(R) {
  const out = [];
  const p = (s = "") => out.push(s);
  const mt = R.mendTransfer, pfs = R.pagefind;
  const med = (xs, f) => quantile(xs.map(f), 0.5), max = (xs, f) => Math.max(...xs.map(f));
  const lat = (xs) => `${ms(quantile(xs, 0.5))} / ${ms(quantile(xs, 0.95))}`;
  p(`## mend search benchmark`);
  p();
  p(`Corpus: ${R.corpus.articles} articles, ${R.corpus.docs} search documents (sections), ${R.corpus.htmlPages} HTML pages.`);
  p(`Machine: ${R.machine.cpus} CPUs (${R.machine.model}), Chromium ${R.machine.chromium}; ` +
    `1-minute load average ${R.machine.load[0].toFixed(1)} at the start of the browser runs, ${R.machine.load[1].toFixed(1)} at the end.`);
  if (R.corpus.corpusMs != null) p(`Corpus generation: ${(R.corpus.corpusMs / 1000).toFixed(1)} s.`);
  p(`mend build (whole site, search index included): ${(R.corpus.buildMs / 1000).toFixed(1)} s wall` +
    (R.corpus.buildOut ? ` ("${R.corpus.buildOut}")` : "") + ".");
  for (const v of pfs) {
    p(`Pagefind ${v.label}: \`${v.command.replace(R.corpus.site, "OUT")}\`: ${(v.ms / 1000).toFixed(1)} s wall, ` +
      `${v.pages} pages, ${v.words} words; indexed ${v.body}.`);
  }
  p();
  const head = ["", "mend", ...pfs.map((v) => `Pagefind (${v.label})`), ...pfs.map((v) => `mend / Pagefind (${v.id})`)];
  p(`| ${head.join(" | ")} |`);
  p(`|---|${head.slice(1).map(() => "---:").join("|")}|`);
  const row = (name, m, f, ratio) => p(`| ${name} | ${m} | ${pfs.map(f).join(" | ")}${pfs.length ? " | " : ""}${pfs.map(ratio).join(" | ")} |`);
  row("index files", R.mendIndex.files, (v) => v.index.files, () => "");
  row("index size on disk (MB; gzipped)", `${mb(R.mendIndex.bytes)}; ${mb(R.mendIndex.gz)}`,
    (v) => `${mb(v.index.bytes)}; ${mb(v.index.gz)}`, (v) => (R.mendIndex.gz / v.index.gz).toFixed(2));
  const mMed = med(mt, (x) => x.total), mMax = max(mt, (x) => x.total);
  row("**KB per one-word query, median (gzipped)**", `**${kb(mMed)}**`, (v) => `**${kb(med(v.transfer, (x) => x.total))}**`,
    (v) => `**${(mMed / med(v.transfer, (x) => x.total)).toFixed(2)}**`);
  row("KB per one-word query, max (gzipped)", kb(mMax), (v) => kb(max(v.transfer, (x) => x.total)),
    (v) => (mMax / max(v.transfer, (x) => x.total)).toFixed(2));
  row("KB per one-word query, median (uncompressed)", kb(med(mt, (x) => x.totalRaw)),
    (v) => kb(med(v.transfer, (x) => x.totalRaw)), (v) => (med(mt, (x) => x.totalRaw) / med(v.transfer, (x) => x.totalRaw)).toFixed(2));
  row("requests per one-word query, median", quantile(mt.map((x) => 2 + x.files.shards.length + x.files.docs.length), 0.5),
    (v) => quantile(v.transfer.map((x) => x.requests), 0.5), () => "");
  const L = R.mendLatency;
  const ui = L.ui.map((x) => x.afterDebounce), wk = L.work.map((x) => x.ms);
  row(`latency p50 / p95 (ms), search work, ${wk.length} queries (Pagefind: ${mt.length}), median of ${REPS_WORK} (Pagefind ${REPS_PF}) runs each`, lat(wk),
    (v) => lat(v.latency.map((x) => x.ms)), () => "");
  row(`latency p50 / p95 (ms), search page: debounce fired -> rendered, median of ${REPS_UI} runs each`, lat(ui), () => "", () => "");
  row("  same, p50 / p95 over every single run (not per-query medians)",
    lat(L.ui.flatMap((x) => x.runs.map((y) => y.afterDebounce))), () => "", () => "");
  row("  search work, p50 / p95 over every single run", lat(L.work.flatMap((x) => x.runs)),
    (v) => lat(v.latency.flatMap((x) => x.runs)), () => "");
  row("latency p50 / p95 (ms), search page: input event -> rendered (incl. 120 ms debounce)",
    lat(L.ui.map((x) => x.total)), () => "", () => "");
  p();
  p(`Goals: at most 150 KB gzipped per one-word query: mend's max is ${kb(mMax)} KB (${mMax <= 150 * KB ? "met" : "NOT met"}); ` +
    `p95 < 15 ms: search work ${ms(quantile(wk, 0.95))} ms, search page ${ms(quantile(ui, 0.95))} ms.`);
  p();
  p(`Per query, KB gzipped (mend = search.js + manifest + shards + doc chunks; the search page's own HTML and CSS are not counted):`);
  p();
  p(`| query | kind | df | shown | mend | search.js | manifest | shards | docs (files) | ${pfs.map((v) => `Pagefind ${v.id}: total (parts)`).join(" | ")} |`);
  p(`|---|---|---:|---:|---:|---:|---:|---:|---:|${pfs.map(() => "---").join("|")}|`);
  mt.forEach((x, i) => {
    p(`| ${x.word} | ${x.kind} | ${R.queries[i].df} | ${x.shown} | ${kb(x.total)} | ${kb(x.parts.script)} | ${kb(x.parts.manifest)} | ` +
      `${kb(x.parts.shards)} (${x.files.shards.join(" ")}) | ${kb(x.parts.docs)} (${x.files.docs.length}) | ` +
      pfs.map((v) => { const y = v.transfer[i]; return `${kb(y.total)} (${Object.entries(y.parts).map(([k, n]) => `${k} ${kb(n)}`).join(", ")})`; }).join(" | ") + " |");
  });
  p();
  p(`df: articles of the corpus whose text has the word. ` +
    `Latency: "search work" = the runtime's own pure functions run in the page (plan, rankPlan, the phrase bonus on the top ${TOP}, ` +
    `highlighting and snippets of the top ${TOP}) with every index file already loaded and parsed, after a warm-up pass; ` +
    `"search page" = the real page: an input event, then the status line names the query (result list rebuilt; ` +
    `layout and paint not included), minus the time until the runtime's 120 ms debounce timer fired; every file ` +
    `already loaded by a warm-up pass. Pagefind: await search(word) and data() of the top ${TOP}, after a warm-up pass.`);
  console.log(out.join("\n"));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
