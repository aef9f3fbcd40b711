#!/usr/bin/env node
// A result link without its query string (`?h=` words for the opened page).
const sectionUrl = (url) => url.replace(/\?[^#]*/, "");

// Relevance evaluation of mend's search on the shipped knowledge base, and of
// Pagefind on the same built site, over the judged queries in queries.json.
//
//   bash tests/search-eval/run.sh [options]     (npm ci when needed, then this script)
//   node tests/search-eval/eval.mjs [options]
//
// Options:
//   --chromium PATH   browser (default /usr/bin/chromium, or $MEND_CHROMIUM)
//   --out FILE        per-query rankings (default tests/search-eval/results.json)
//
// What it does: `cargo build --release`, then `mend build` of this repository
// into a temporary folder; a Pagefind index of the same article pages (its Node
// API, `rootSelector: "main"`, the page furniture excluded); a tiny static
// server on 127.0.0.1; headless Chromium. For mend, each query goes through the
// real search page (`search/?q=...`); the first page of results is read as the
// reader sees it. For Pagefind, each query goes through its own `pagefind.js`,
// and its section-level results are its sub-results: per page, in its page
// order, the 3 sections with the most matches (what its Default UI shows with
// sub-results on). Both rankings are cut at 10 entries. It prints one Markdown
// table and writes the rankings. The temporary folder is removed at the end.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as pagefind from "pagefind";
import { chromium } from "playwright-core";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, "../..");
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--no-first-run"];
const TOP = 10; // entries ranked: mend's first page of results
const MARK_TOP = 5; // entries checked for a highlighted query word
const DEADLINE = 60000; // one generous wait per query (ms)
const PF_DIR = "pagefind";
const PF_PAGE = "/__eval/pagefind.html";
// What Pagefind skips inside <main>: navigation and boilerplate around the article.
const PF_EXCLUDE = [".breadcrumbs", ".safety-note", ".toc-phone", ".pager", ".related", ".backlinks"];
const KINDS = ["question", "keyword", "emotional", "synonym", "typo", "spelling", "prefix"];

const log = (...a) => console.error("[search-eval]", ...a);

function parseArgs(argv) {
  const o = { chromium: process.env.MEND_CHROMIUM || "/usr/bin/chromium", out: path.join(HERE, "results.json") };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === "--chromium") o.chromium = next();
    else if (a === "--out") o.out = path.resolve(process.env.MEND_EVAL_CWD || process.cwd(), next());
    else if (a === "-h" || a === "--help") {
      console.log(fs.readFileSync(fileURLToPath(import.meta.url), "utf8").split("\n").slice(1, 21)
        .map((l) => l.replace(/^\/\/ ?/, "")).join("\n"));
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: REPO, encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout.trim();
}

// ---- the site and the Pagefind index

function buildSite(site) {
  log("cargo build --release");
  run("cargo", ["build", "--release", "-q", "--bin", "mend"]);
  const target = JSON.parse(run("cargo", ["metadata", "--format-version", "1", "--no-deps"])).target_directory;
  log("mend build");
  run(path.join(target, "release", "mend"), ["build", "--root", REPO, "-o", site]);
}

async function indexPagefind(site) {
  const { index, errors } = await pagefind.createIndex({ rootSelector: "main", excludeSelectors: PF_EXCLUDE });
  if (errors.length) throw new Error(`pagefind: ${errors.join("; ")}`);
  const added = await index.addDirectory({ path: site, glob: "articles/*/index.html" });
  if (added.errors.length) throw new Error(`pagefind: ${added.errors.join("; ")}`);
  const written = await index.writeFiles({ outputPath: path.join(site, PF_DIR) });
  if (written.errors.length) throw new Error(`pagefind: ${written.errors.join("; ")}`);
  await pagefind.close();
  log(`pagefind: indexed ${added.page_count} article pages`);
}

// ---- the static server

const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8", ".json": "application/json", ".svg": "image/svg+xml",
  ".wasm": "application/wasm" };

function serve(root) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://127.0.0.1");
    if (url.pathname === PF_PAGE) {
      res.writeHead(200, { "content-type": TYPES[".html"] });
      res.end("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>pagefind</title></head><body></body></html>");
      return;
    }
    let file;
    try {
      file = path.join(root, path.normalize(decodeURIComponent(url.pathname)));
      if (fs.statSync(file).isDirectory()) file = path.join(file, "index.html");
      const body = fs.readFileSync(file);
      res.writeHead(200, { "content-type": TYPES[path.extname(file)] || "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
    }
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => resolve({ server, base: `http://127.0.0.1:${server.address().port}` }));
  });
}

// ---- the two engines: a ranking of { url, mark } per query

/** mend: the search page as a reader opens it with ?q=. */
async function mendSearch(page, base, query) {
  await page.goto(`${base}/search/?q=${encodeURIComponent(query)}`);
  await page.waitForFunction(() => document.querySelector("#search-results a.search-hit") ||
    /no results/i.test(document.getElementById("search-page-status").textContent), null, { timeout: DEADLINE });
  const hits = await page.$$eval("#search-results a.search-hit", (as) => as.map((a) => ({
    href: a.href, mark: Boolean(a.closest("li") && a.closest("li").querySelector(".search-snippet mark")) })));
  const status = await page.textContent("#search-page-status");
  const prefix = `${base}/`;
  return { status, ranking: hits.slice(0, TOP).map((h) => ({ url: sectionUrl(h.href.replace(prefix, "")), mark: h.mark })) };
}

/**
 * Pagefind: its search API at section level. Pages in Pagefind's order; of each
 * page, the sub-results (sections; the introduction's url has no #) its Default
 * UI would show, the 3 with the most matches, most matches first.
 */
async function pagefindSearch(page, query) {
  const entries = await page.evaluate(async ({ dir, query, top }) => {
    window.pf = window.pf || await import(`/${dir}/pagefind.js`);
    const r = await window.pf.search(query);
    const out = [];
    for (const res of r.results) {
      if (out.length >= top) break;
      const subs = (await res.data()).sub_results || [];
      out.push(...[...subs].sort((a, b) => b.locations.length - a.locations.length).slice(0, 3));
    }
    return out.slice(0, top).map((s) => ({ url: s.url, excerpt: s.excerpt }));
  }, { dir: PF_DIR, query, top: TOP });
  return { ranking: entries.map((e) => ({ url: e.url.replace(/^\//, ""), mark: e.excerpt.includes("<mark>") })) };
}

// ---- figures

function score(ranking, relevant) {
  const grade = new Map(relevant.map((r) => [r.url, r.grade]));
  const ranked = ranking.map((r) => ({ ...r, grade: grade.get(r.url) || 0 }));
  const first = (min) => ranked.findIndex((r) => r.grade >= min) + 1; // 0: none in the list
  const r2 = first(2), r1 = first(1);
  return { ranking: ranked, rank: r2 || null, rankAny: r1 || null, rr: r2 ? 1 / r2 : 0, rrAny: r1 ? 1 / r1 : 0 };
}

/** A row as results.json keeps it: the query's own fields are written once, beside it. */
function ranks({ query, kind, typo, ...rest }) {
  return rest;
}

function summarise(rows) {
  const n = rows.length, sum = (f) => rows.reduce((a, r) => a + f(r), 0);
  const top = rows.flatMap((r) => r.ranking.slice(0, MARK_TOP));
  return { queries: n, mrr: sum((r) => r.rr) / n, mrrAny: sum((r) => r.rrAny) / n,
    at1: sum((r) => (r.rank === 1 ? 1 : 0)) / n, at3: sum((r) => (r.rank && r.rank <= 3 ? 1 : 0)) / n,
    empty: rows.filter((r) => r.ranking.length === 0).map((r) => r.query),
    marked: top.filter((x) => x.mark).length, shown: top.length };
}

function report(engines, queries) {
  const out = [];
  const p = (s = "") => out.push(s);
  const f2 = (x) => x.toFixed(2), pc = (x) => `${Math.round(x * 100)}%`;
  p(`| engine | section MRR | MRR, grade >= 1 | success@1 | success@3 | queries with no result | top-${MARK_TOP} with highlight |`);
  p("|---|---:|---:|---:|---:|---:|---:|");
  for (const e of engines) {
    const s = e.summary;
    p(`| ${e.name} | ${f2(s.mrr)} | ${f2(s.mrrAny)} | ${pc(s.at1)} | ${pc(s.at3)} | ${s.empty.length} | ` +
      `${s.shown ? pc(s.marked / s.shown) : "-"} (${s.marked}/${s.shown}) |`);
  }
  p();
  p(`Section MRR by kind of query (${queries.length} queries):`);
  p();
  p(`| kind | queries | ${engines.map((e) => e.name).join(" | ")} |`);
  p(`|---|---:|${engines.map(() => "---:").join("|")}|`);
  for (const k of KINDS) {
    const n = queries.filter((q) => q.kind === k).length;
    p(`| ${k} | ${n} | ${engines.map((e) => f2(e.byKind[k].mrr)).join(" | ")} |`);
  }
  p();
  for (const e of engines) {
    const typos = e.rows.filter((r) => r.typo && r.ranking.length === 0).map((r) => r.query);
    p(`${e.name}: queries with no result: ${e.summary.empty.map((q) => `"${q}"`).join(", ") || "none"}; ` +
      `of them typos: ${typos.length}.`);
  }
  console.log(out.join("\n"));
}

// ---- main

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(o.chromium)) throw new Error(`no browser at ${o.chromium}`);
  const { queries } = JSON.parse(fs.readFileSync(path.join(HERE, "queries.json"), "utf8"));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "mend-search-eval-"));
  const site = path.join(tmp, "site");
  let srv = null, browser = null;
  try {
    buildSite(site);
    await indexPagefind(site);
    srv = await serve(site);
    browser = await chromium.launch({ executablePath: o.chromium, args: ARGS, headless: true });
    const mendPage = await browser.newPage(), pfPage = await browser.newPage();
    await pfPage.goto(srv.base + PF_PAGE);
    const rows = { mend: [], pagefind: [] };
    for (const q of queries) {
      const m = await mendSearch(mendPage, srv.base, q.query);
      rows.mend.push({ query: q.query, kind: q.kind, typo: Boolean(q.typo), status: m.status, ...score(m.ranking, q.relevant) });
      const f = await pagefindSearch(pfPage, q.query);
      rows.pagefind.push({ query: q.query, kind: q.kind, typo: Boolean(q.typo), ...score(f.ranking, q.relevant) });
    }
    const engines = [["mend", "mend (search page)"], ["pagefind", "Pagefind 1.5.2 (sections)"]].map(([id, name]) => ({
      id, name, rows: rows[id], summary: summarise(rows[id]),
      byKind: Object.fromEntries(KINDS.map((k) => [k, summarise(rows[id].filter((r) => r.kind === k))])),
    }));
    report(engines, queries);
    const commit = run("git", ["rev-parse", "HEAD"]);
    const dirty = run("git", ["status", "--porcelain", "--untracked-files=no"]) !== "";
    fs.writeFileSync(o.out, `${JSON.stringify({
      date: new Date().toISOString(), commit, dirty, chromium: browser.version(), top: TOP,
      engines: Object.fromEntries(engines.map((e) => [e.id, { name: e.name, summary: e.summary, byKind: e.byKind }])),
      queries: queries.map((q, i) => ({ query: q.query, kind: q.kind, typo: Boolean(q.typo),
        mend: ranks(rows.mend[i]), pagefind: ranks(rows.pagefind[i]) })),
    }, null, 1)}\n`);
    log("per-query rankings:", path.relative(process.cwd(), o.out) || o.out);
  } finally {
    if (browser) await browser.close();
    if (srv) srv.server.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e.stack || String(e));
  process.exit(1);
});
