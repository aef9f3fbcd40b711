// Search rows of the reliability catalogue (../shared/RELIABILITY.md) that are
// about the runtime's pure functions and the index, named by their IDs. The
// fixture sites are built with the real binary (MEND_BIN, else cargo run) and
// searched through search.js's own code, the way the page does it. The rows
// that need a DOM (SRCH-01 to -05, -11, and the page side of -07 and -09) are
// in tests/browser/search-hardening.test.js.
// Run with: MEND_BIN=$PWD/target/debug/mend node --test tests/js/
"use strict";
const { test, before, after } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const vm = require("node:vm");
const { spawnSync } = require("node:child_process");

const REPO = path.join(__dirname, "../..");
const SOURCE = path.join(REPO, "themes/default/static/search.js");
const S = require(SOURCE);

// The limits the rows talk about (search.js MAX_QUERY; src/search.rs
// SNIPPET_CHARS and MAX_INDEXED_BYTES).
const MAX_QUERY = 256;
const SNIPPET_CHARS = 3000;
const MAX_INDEXED_BYTES = 64 * 1024;
// The catalogue's budget (100 ms) is reported, not asserted: a test must not
// depend on how busy the machine is (the search benchmark measures speed).
// What is asserted is a hang guard far above any linear cost and far below
// what backtracking or quadratic scans on these inputs take.
const BUDGET_MS = 100;
const HANG_GUARD_MS = 10000;

const CONFIG = "title: Hardening fixture\ndescription: Search edge cases.\nbase_url: https://example.org/\n" +
  "themes:\n  notes:\n    title: Notes\n  places:\n    title: Places\n";

const article = (title, body, extra = "") =>
  `---\ntitle: ${JSON.stringify(title)}\nsummary: A fixture.\nthemes: [notes]\n${extra}---\n\n${body}\n`;

// Filler of common words around the index cap: the marker words are rare.
const filler = (bytes) => "calm words fill this section again ".repeat(Math.ceil(bytes / 35)).slice(0, bytes);

const ARTICLES = {
  "cpp.md": article("Notes on C++", "C++ has (parentheses), back\\\\slash and [brackets]. The pattern `(a+)+$` is text here, and a.c is not abc."),
  "forgive.md": article("Forgiveness", "Forgiveness takes time."),
  "nfc.md": article("Written in NFC", "A r\u00e9sum\u00e9 in composed form."),
  "nfd.md": article("Written in NFD", "A re\u0301sume\u0301 in decomposed form."),
  "unicode.md": article("Caf\u00e9 culture in \u0130stanbul",
    "Tea in \u0130STANBUL. \u4e2d\u6587\uff0c\u65e5\u672c\u8a9e. \u0645\u0631\u062d\u0628\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645. " +
    "Coders \u{1F469}\u200d\u{1F4BB} and flags \u{1F1EB}\u{1F1F7} and thumbs \u{1F44D}\u{1F3FD}.\n\n" +
    "## \u{1F469}\u200d\u{1F4BB}Programmer notes\n\nCoffee\u{1F469}\u200d\u{1F4BB}programmer, na\u0131ve n\u0101\u012bve."),
  "capped.md": article("Capped section",
    `## Long section\n\nzebrawordbefore ${filler(MAX_INDEXED_BYTES - 200)} ${filler(4000)} zebrawordafter end.`),
  "secret.md": article("Secret draft title", "Unpublishedmarker text.", "draft: true\n"),
};

let tmp;
let idx;

/** Write a project into a new folder under tmp and build it; the site's folder. */
function buildSite(name, articles, { env = {}, out = "site" } = {}) {
  const root = path.join(tmp, name);
  if (!fs.existsSync(root)) {
    fs.mkdirSync(path.join(root, "articles"), { recursive: true });
    fs.writeFileSync(path.join(root, "mend.yaml"), CONFIG);
    for (const [file, text] of Object.entries(articles)) fs.writeFileSync(path.join(root, "articles", file), text);
  }
  const [cmd, pre] = process.env.MEND_BIN ? [process.env.MEND_BIN, []] : ["cargo", ["run", "-q", "--"]];
  const r = spawnSync(cmd, [...pre, "build", "-q", "--root", root, "-o", path.join(root, out)],
    { cwd: REPO, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
  assert.equal(r.status, 0, `mend build failed:\n${r.stderr}`);
  return path.join(root, out);
}

/** Run every search/*.js of a site, as the page does, collecting what they pass to mendSearchLoad. */
function loadIndex(dir) {
  const files = new Map();
  const context = vm.createContext({ mendSearchLoad: (name, data) => { files.set(String(name), data); } });
  for (const rel of searchFiles(dir)) {
    vm.runInContext(fs.readFileSync(path.join(dir, "search", rel), "utf8"), context, { filename: rel });
  }
  const raw = files.get("manifest");
  const m = S.readManifest(raw);
  const shards = new Map();
  for (const [name, data] of files) {
    if (name.startsWith("t/")) shards.set(name.slice(2), new Map(Object.entries(data)));
  }
  const docs = [];
  for (let n = 0; n * m.chunk < raw.docs; n++) {
    for (const r of files.get(`d/${n}`)) docs.push({ url: r[0], title: r[1], heading: r[2], themes: r[3], text: r[4] });
  }
  return { files, raw, m, shards, shardOf: (k) => shards.get(k), docs };
}

/** The .js files under search/, relative, sorted. */
function searchFiles(dir) {
  const out = [];
  const walk = (rel) => {
    for (const e of fs.readdirSync(path.join(dir, "search", rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else if (e.name.endsWith(".js")) out.push(r);
    }
  };
  walk("");
  return out.sort();
}

/**
 * Search as the page does (search.js `search` and `withDocs`): plan; nothing
 * to rank for an empty or stop-word query; else rank, then the phrase bonus,
 * and each result's highlighted title and snippet.
 */
function search(index, q) {
  const p = S.plan(q, index.m.stop);
  if (p.empty || !p.terms.length) return { p, state: p.empty ? "empty" : "hint", results: [] };
  const ranked = S.rankPlan(index.m, p, index.shardOf, "", Infinity);
  const results = ranked.ranked.map((r) => ({ ...r, d: index.docs[r.doc] }));
  S.phraseBoost(p, results, (r) => `${r.d.title} ${r.d.heading} ${r.d.text}`);
  const isMatch = S.matcher(ranked.stems);
  for (const r of results) {
    r.title = S.segments(r.d.title, S.matchRanges(r.d.title, isMatch));
    r.snippet = S.snippet(r.d.text, S.matchRanges(r.d.text, isMatch), 160);
  }
  return { p, state: "ok", results, stems: ranked.stems };
}

const urls = (res) => [...new Set(res.results.map((r) => r.d.url.replace(/#.*/, "")))].sort();
const marked = (segs) => segs.filter((s) => s.m).map((s) => s.t);

/** Median and maximum of `runs` timings of fn, in ms. */
function timed(fn, runs = 5) {
  const ms = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  ms.sort((a, b) => a - b);
  return { median: ms[Math.floor(runs / 2)], max: ms[runs - 1] };
}

before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "mend-search-hardening-"));
  idx = loadIndex(buildSite("fixture", ARTICLES));
});

after(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

// ---- SRCH-06

test("SRCH-06 regex metacharacters in a query never throw and match literally", () => {
  const odd = [".*+?^${}()|[]\\", "c++", "(", "\\", "[a-", "*", ")", "?", "$", "^", "|", "{1,2}", "(a+)+$", "a.c", "fo.*"];
  const seen = {};
  for (const q of odd) {
    const res = search(idx, q);
    seen[q] = res.state === "ok" ? urls(res) : res.state;
  }
  assert.deepEqual(seen, {
    // No letter or digit is left: the hint, never "match everything".
    ".*+?^${}()|[]\\": "hint", "(": "hint", "\\": "hint", "*": "hint", ")": "hint", "?": "hint",
    "$": "hint", "^": "hint", "|": "hint",
    // "a" is a stop word; "c" is a word of its own in "C++" and "a.c".
    "[a-": "hint", "(a+)+$": "hint", "c++": ["articles/cpp/"], "a.c": ["articles/cpp/"],
    // The digits are words; no document has them.
    "{1,2}": [],
    // "." and "*" are not a wildcard: "fo" is a finished word, not a prefix of forgiveness.
    "fo.*": [],
  });
  assert.ok(urls(search(idx, "fo")).includes("articles/forgive/"), "typed, fo is a prefix of forgiveness");
  const cpp = search(idx, "c++").results.find((r) => r.d.heading === "");
  assert.deepEqual(marked(cpp.title), ["C"], "the C of C++ is marked, the pluses stay text");
});

test("SRCH-06 the runtime builds no regular expression from data or a query", () => {
  const src = fs.readFileSync(SOURCE, "utf8");
  assert.ok(!/\bRegExp\s*\(/.test(src), "search.js must not construct a RegExp (a query would become a pattern)");
  const text = "C++ (a+)+$ [x] a.c back\\slash .*";
  for (const q of [".*", "(a+)+$", "c", "\\", "["]) {
    const stems = new Set(S.plan(q, idx.m.stop).terms.map((t) => t.stem));
    const segs = S.segments(text, S.matchRanges(text, S.matcher(stems)));
    assert.equal(segs.map((s) => s.t).join(""), text, q);
    assert.deepEqual(marked(segs), q === "c" ? ["C", "c"] : [], q);
  }
});

// ---- SRCH-07

test("SRCH-07 a 10,000-character query is cut to 256 and answered without a hang", (t) => {
  const words = [];
  for (let i = 0; words.join(" ").length < 10000; i++) words.push(`word${i} forgiveness zebrawordbefore`);
  const long = words.join(" ").slice(0, 10000);
  assert.equal(long.length, 10000);
  let res;
  const time = timed(() => { res = search(idx, long); });
  assert.equal(res.p.query.length, MAX_QUERY, "the query is cut to the cap");
  assert.ok(res.p.terms.length <= 10, `${res.p.terms.length} terms`);
  assert.ok(res.results.length > 0, "the cut query still searches");
  t.diagnostic(`10,000-character query: median ${time.median.toFixed(1)} ms, max ${time.max.toFixed(1)} ms over 5 runs (budget ${BUDGET_MS} ms)`);
  assert.ok(time.median < HANG_GUARD_MS, `median ${time.median} ms`);
});

test("SRCH-07 a×10,000 and pathological (a+)+$ text end without a hang and find nothing absurd", (t) => {
  let res;
  const a = timed(() => { res = search(idx, "a".repeat(10000)); });
  assert.equal(res.p.query, "a".repeat(MAX_QUERY));
  assert.equal(res.state, "hint", "a 256-letter word is longer than any token: nothing to search for");
  // Highlighting and snippets over hostile text: linear scans, no backtracking.
  const text = "a".repeat(100000) + "!" + "(a+)+$".repeat(5000) + " trust";
  const stems = new Set(["trust", "aaa"]);
  let segs;
  const hl = timed(() => { segs = S.snippet(text, S.matchRanges(text, S.matcher(stems)), 160); }, 3);
  assert.deepEqual(marked(segs), ["trust"], "only the word; the 100,000-letter run is one token over the cap");
  const phrase = timed(() => S.hasPhrase(S.plan("aaa aab", idx.m.stop), "aaa ".repeat(20000)), 3);
  t.diagnostic(`a x 10,000: ${a.median.toFixed(1)} ms; highlight of 130 KB hostile text: ${hl.median.toFixed(1)} ms; ` +
    `phrase scan of 80 KB: ${phrase.median.toFixed(1)} ms (medians)`);
  assert.ok(a.median < HANG_GUARD_MS, `a x 10,000: ${a.median} ms`);
  assert.ok(hl.median < HANG_GUARD_MS, `highlight: ${hl.median} ms`);
  assert.ok(phrase.median < HANG_GUARD_MS, `phrase: ${phrase.median} ms`);
});

// ---- SRCH-08

const GRAPHEMES = new Intl.Segmenter("en", { granularity: "grapheme" });

/** Every place segments cut `text` (from `start`), each checked against the grapheme boundaries. */
function cutsOffGraphemes(text, segs) {
  const bounds = new Set([text.length]);
  for (const g of GRAPHEMES.segment(text)) bounds.add(g.index);
  const core = segs.filter((s, i) => !(s.t === "\u2026" && !s.m && (i === 0 || i === segs.length - 1)));
  const joined = core.map((s) => s.t).join("");
  const start = text.indexOf(joined);
  assert.ok(start >= 0, "the segments are a slice of the text");
  const cuts = [start];
  for (const s of core) cuts.push(cuts[cuts.length - 1] + s.t.length);
  for (const s of segs) assert.ok(!/^[\udc00-\udfff]|[\ud800-\udbff]$/.test(s.t), `half a surrogate pair in ${JSON.stringify(s.t)}`);
  return cuts.filter((c) => !bounds.has(c));
}

test("SRCH-08 NFC and NFD, Turkish İ, CJK and Arabic queries find the same text", () => {
  const resume = ["articles/nfc/", "articles/nfd/"];
  assert.deepEqual(urls(search(idx, "r\u00e9sum\u00e9")), resume, "NFC query");
  assert.deepEqual(urls(search(idx, "re\u0301sume\u0301")), resume, "NFD query");
  assert.deepEqual(urls(search(idx, "resume")), resume, "no accents");
  for (const q of ["istanbul", "\u0130stanbul", "\u0130STANBUL", "I\u0307stanbul"]) {
    assert.deepEqual(urls(search(idx, q)), ["articles/unicode/"], q);
  }
  assert.deepEqual(urls(search(idx, "\u4e2d\u6587")), ["articles/unicode/"], "CJK");
  assert.deepEqual(urls(search(idx, "\u0645\u0631\u062d\u0628\u0627")), ["articles/unicode/"], "Arabic");
  assert.deepEqual(urls(search(idx, "\u0645\u064e\u0631\u062d\u0628\u0627")), ["articles/unicode/"], "Arabic with a vowel mark");
  assert.equal(search(idx, "\u{1F469}\u200d\u{1F4BB}").state, "hint", "an emoji alone is no word");
  assert.deepEqual(urls(search(idx, "\u{1F469}\u200d\u{1F4BB}programmer")), ["articles/unicode/"]);
});

test("SRCH-08 highlights of the Unicode fixture mark whole characters and graphemes", () => {
  for (const q of ["istanbul", "resume", "\u4e2d\u6587", "\u0645\u0631\u062d\u0628\u0627", "programmer", "coffee", "naive", "naıve", "tea"]) {
    const res = search(idx, q);
    assert.ok(res.results.length > 0, q);
    for (const r of res.results) {
      for (const [text, segs] of [[r.d.title, r.title], [r.d.text, r.snippet]]) {
        assert.deepEqual(cutsOffGraphemes(text, segs), [], `${q}: ${JSON.stringify(segs)}`);
      }
    }
  }
  const nfd = search(idx, "resume").results.find((r) => r.d.url === "articles/nfd/");
  assert.deepEqual(marked(nfd.snippet), ["re\u0301sume\u0301"], "the combining accents are marked with their letters");
  const tr = search(idx, "istanbul").results.find((r) => r.d.heading === "");
  assert.deepEqual(marked(tr.title), ["\u0130stanbul"]);
});

test("SRCH-08 snippet cuts never split a grapheme: emoji sequences, flags, skin tones, accents", () => {
  const pieces = ["\u{1F469}\u200d\u{1F4BB}", "\u{1F1EB}\u{1F1F7}", "\u{1F44D}\u{1F3FD}", "e\u0301", "\u{1D4B4}", "1\ufe0f\u20e3", "\u0928\u092e\u0938\u094d\u0924\u0947"];
  const bad = [];
  for (const piece of pieces) {
    for (let lead = 0; lead < 40; lead++) {
      const text = "x".repeat(lead) + piece.repeat(60) + " trust " + piece.repeat(60);
      const segs = S.snippet(text, S.matchRanges(text, S.matcher(new Set(["trust"]))), 160);
      const cuts = cutsOffGraphemes(text, segs);
      if (cuts.length) bad.push(`${JSON.stringify(piece)} after ${lead}: ${cuts}`);
    }
  }
  assert.deepEqual(bad.slice(0, 5), [], `${bad.length} of ${pieces.length * 40} snippets cut inside a grapheme`);
  // A word whose last letter carries a joiner: the mark keeps the whole grapheme.
  const zwnj = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645";
  const segs = S.segments(zwnj, S.matchRanges(zwnj, S.matcher(new Set([S.stem("\u0645\u06cc")]))));
  assert.deepEqual(cutsOffGraphemes(zwnj, segs), [], JSON.stringify(segs));
});

// ---- SRCH-09

test("SRCH-09 empty, whitespace and stop-word queries rank nothing, even over a 10 MB article", (t) => {
  const para = "the trust and the care of listening when it is hard to say sorry again. ";
  const big = `## Everything\n\n${para.repeat(Math.ceil((10 * 1024 * 1024) / para.length))}`;
  const t0 = Date.now();
  const site = buildSite("big", { "big.md": article("Big article", big) });
  const index = loadIndex(site);
  t.diagnostic(`10 MB article built in ${Date.now() - t0} ms`);
  for (const q of ["", " ", "   \t\n  ", "\u00a0\u2003", " ".repeat(10000), "the", "the and of", "it is to", "THE AND"]) {
    const res = search(index, q);
    assert.equal(res.state, /\S/.test(q) ? "hint" : "empty", JSON.stringify(q));
    const p = S.plan(q, index.m.stop);
    // Even ranked anyway, a plan without terms matches nothing (no "match all").
    assert.deepEqual(S.rankPlan(index.m, p, index.shardOf, "", Infinity).ranked, [], JSON.stringify(q));
  }
  const longest = Math.max(...index.docs.map((d) => d.text.length));
  assert.ok(longest <= SNIPPET_CHARS, `a document carries ${longest} characters of text`);
  const res = search(index, "sorry");
  assert.ok(res.results.length > 0);
  const shown = res.results[0].snippet.map((s) => s.t).join("");
  assert.ok(shown.length <= 162, `the snippet shows ${shown.length} characters`);
  const files = searchFiles(site).map((f) => fs.statSync(path.join(site, "search", f)).size);
  t.diagnostic(`index of the 10 MB article: ${files.length} files, ${files.reduce((a, b) => a + b, 0)} bytes`);
});

// ---- SRCH-10

test("SRCH-10 drafts are absent, per-document text is capped, and the JSON is identical across builds", () => {
  // Drafts: nothing of secret.md in any index file.
  for (const [name, data] of idx.files) {
    const json = JSON.stringify(data);
    assert.ok(!/secret|unpublishedmarker/i.test(json), `${name} mentions the draft`);
  }
  assert.ok(!idx.docs.some((d) => d.url.includes("secret")));
  // Caps: snippet text and the indexed part of a section.
  for (const d of idx.docs) assert.ok([...d.text].length <= SNIPPET_CHARS, `${d.url}: ${d.text.length}`);
  const has = (stem) => Boolean(idx.shardOf(S.shardKey(stem))?.has(stem));
  assert.ok(has(S.stem("zebrawordbefore")), "a word inside the first 64 KiB of a section is indexed");
  assert.ok(!has(S.stem("zebrawordafter")), "a word past 64 KiB of a section is not indexed");
  // Determinism: another build elsewhere, on one thread, gives the same bytes.
  const again = buildSite("fixture", ARTICLES, { out: "again", env: { RAYON_NUM_THREADS: "1" } });
  const first = path.join(tmp, "fixture", "site");
  const a = searchFiles(first);
  assert.deepEqual(searchFiles(again), a);
  for (const f of a) {
    assert.ok(fs.readFileSync(path.join(first, "search", f)).equals(fs.readFileSync(path.join(again, "search", f))), f);
  }
});
