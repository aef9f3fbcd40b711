// Unit tests of the pure parts of themes/default/static/search.js.
// Run with: node --test tests/js/
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");

const SOURCE = path.join(__dirname, "../../themes/default/static/search.js");
const S = require(SOURCE);

const shardsOf = (obj) => {
  const byKey = new Map();
  for (const [stem, posts] of Object.entries(obj)) {
    const key = S.shardKey(stem);
    if (!byKey.has(key)) byKey.set(key, new Map());
    byKey.get(key).set(stem, posts);
  }
  return (key) => byKey.get(key);
};
const STOP = new Set(["a", "and", "i", "is", "it", "my", "of", "the", "to"]);
const NO_SYN = new Map();

// ---- fold and tokens ----------------------------------------------------

test("fold: accents, case, Turkish dotted I, typographic apostrophes", () => {
  assert.equal(S.fold("Éclair İstanbul It’s ‘x’"), "eclair istanbul it's 'x'");
  assert.equal(S.fold("e\u0301te\u0301"), "ete");
  assert.equal(S.fold("ÅNGSTRÖM Œuvre"), "angstrom œuvre");
});

test("fold lowercases per character, like Rust's char::to_lowercase", () => {
  assert.equal(S.fold("ΟΔΟΣ"), "οδοσ");
});

test("tokenize mirrors the Rust tokens() test", () => {
  assert.deepEqual(S.tokenize("It's a counsellor's café, 2024! 👩‍💻 中文"),
    ["its", "a", "counsellors", "cafe", "2024", "中文"]);
});

test("tokenize: apostrophes between letters are deleted, others split", () => {
  assert.deepEqual(S.tokenize("rock'n'roll 90's 'tis o'"), ["rocknroll", "90s", "tis", "o"]);
  assert.deepEqual(S.tokenize("don’t"), ["dont"]);
  assert.deepEqual(S.tokenize("a-b_c.d"), ["a", "b", "c", "d"]);
});

test("tokenize skips tokens over 40 characters", () => {
  assert.deepEqual(S.tokenize("x".repeat(41) + " ok " + "y".repeat(40)), ["ok", "y".repeat(40)]);
  assert.deepEqual(S.tokenize("𝒴".repeat(40)), ["𝒴".repeat(40)], "counted in characters, not UTF-16 units");
});

test("tokenize keeps letters and digits of any script", () => {
  assert.deepEqual(S.tokenize("Ⅻ ½ naïve Straße"), ["ⅻ", "½", "naive", "straße"]);
  assert.deepEqual(S.tokenize("   "), []);
  assert.deepEqual(S.tokenize("!?…"), []);
});

test("foldMap maps folded positions back to original characters", () => {
  const text = "Ça E\u0301té 𝒴es";
  const m = S.foldMap(text);
  assert.equal(m.s, "ca ete 𝒴es");
  const toks = S.scan(m.s);
  const orig = toks.map((t) => text.slice(m.from[t.s], m.to[t.e - 1]));
  assert.deepEqual(orig, ["Ça", "E\u0301té", "𝒴es"]);
});

test("shardKey: two characters, non-ASCII as _hex", () => {
  assert.equal(S.shardKey("forgiv"), "fo");
  assert.equal(S.shardKey("a"), "a");
  assert.equal(S.shardKey("中文"), "_4e2d_6587");
  assert.equal(S.shardKey("é"), "_e9");
  assert.equal(S.shardKey("𝒴x"), "_1d4b4x");
  assert.equal(S.shardKey("2024"), "20");
});

test("editDistance is Damerau (adjacent transpositions cost 1)", () => {
  assert.equal(S.editDistance("therapsit", "therapist", 2), 1);
  assert.equal(S.editDistance("forgiv", "forgiv", 2), 0);
  assert.equal(S.editDistance("forgv", "forgiv", 2), 1);
  assert.equal(S.editDistance("abc", "xyz", 1), 2, "capped at max + 1");
  assert.equal(S.editDistance("𝒴a", "a𝒴", 1), 1, "by code point");
});

// ---- query planning -------------------------------------------------------

test("clip: 256 characters, never half a surrogate pair", () => {
  assert.equal(S.clip("a".repeat(300)).length, 256);
  const q = "a".repeat(255) + "𝒴";
  assert.equal(S.clip(q), "a".repeat(255));
  assert.equal(S.clip(null), "");
});

test("plan: stop words dropped, stems, prefix flag on the last word only", () => {
  const p = S.plan("Apologizing to my partner forgiv", STOP);
  assert.deepEqual(p.terms.map((t) => t.stem), ["apolog", "partner", "forgiv"]);
  assert.deepEqual(p.terms.map((t) => t.prefix), [false, false, true]);
  assert.deepEqual(p.words, ["apologizing", "to", "my", "partner", "forgiv"]);
  assert.equal(p.prefix, true);
});

test("plan: a trailing space or punctuation ends the word being typed", () => {
  assert.equal(S.plan("forgiv ", STOP).terms[0].prefix, false);
  assert.equal(S.plan("forgive?", STOP).terms[0].prefix, false);
});

test("plan: only stop words or nothing gives no terms", () => {
  const stopOnly = S.plan("the and of", STOP);
  assert.equal(stopOnly.terms.length, 0);
  assert.equal(stopOnly.empty, false);
  assert.equal(S.plan("   ", STOP).empty, true);
  assert.equal(S.plan("", STOP).empty, true);
});

test("plan: fuzzy only for words of 5+ letters; duplicates merged", () => {
  const p = S.plan("trust hope trusting", STOP);
  assert.deepEqual(p.terms.map((t) => [t.stem, t.fuzzy, t.prefix]),
    [["trust", true, true], ["hope", false, false]]);
});

test("plan: at most 10 terms, keeping the word being typed", () => {
  const words = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima";
  const p = S.plan(words, STOP);
  assert.equal(p.terms.length, 10);
  assert.equal(p.terms[9].stem, "lima");
  assert.equal(p.terms[9].prefix, true);
});

test("plan: the query is cut to 256 characters before processing", () => {
  const p = S.plan("x ".repeat(127) + "abcdef", STOP);
  assert.ok(!p.words.includes("abcdef"));
});

test("shardKeys: stem, typed word, synonyms; only existing shards", () => {
  const syn = S.synonymMap([["therapist", "counselor", "counsellor"]]);
  const p = S.plan("therapists dying", STOP);
  assert.deepEqual(S.shardKeys(p, syn).sort(), ["co", "di", "dy", "th"]);
  assert.deepEqual(S.shardKeys(p, syn, new Set(["th", "di"])).sort(), ["di", "th"]);
});

// ---- candidates and ranking ---------------------------------------------

const INDEX = {
  forgiv: [[1, 900, 1], [2, 500, 2]],
  forget: [[3, 400, 0]],
  forgot: [[4, 300, 0]],
  therapist: [[5, 800, 4], [1, 100, 1]],
  therapi: [[6, 700, 4]],
  counselor: [[7, 600, 4]],
  trust: [[1, 300, 1], [8, 900, 0]],
  trusti: [[9, 50, 0]],
};
const shardOf = shardsOf(INDEX);

test("candidates: exact stem weighs 1.0", () => {
  const c = S.candidates(S.plan("forgiveness ", STOP).terms[0], shardOf, NO_SYN);
  assert.deepEqual([...c], [["forgiv", 1]]);
});

test("candidates: prefix matching on the word being typed (0.7)", () => {
  const c = S.candidates(S.plan("forg", STOP).terms[0], shardOf, NO_SYN);
  assert.deepEqual(new Map(c), new Map([["forgiv", 0.7], ["forget", 0.7], ["forgot", 0.7]]));
  const t = S.candidates(S.plan("therap", STOP).terms[0], shardOf, NO_SYN);
  assert.deepEqual(new Map(t), new Map([["therapist", 0.7], ["therapi", 0.7]]));
});

test("candidates: prefix of the unstemmed word too", () => {
  // "forgive" stems to "forgiv"; "forgiv..." stems start with the folded word "forgiv".
  const c = S.candidates(S.plan("forgive", STOP).terms[0], shardOf, NO_SYN);
  assert.equal(c.get("forgiv"), 1);
});

test("candidates: edit distance 1 for 5+ letter words (0.5)", () => {
  const c = S.candidates(S.plan("therapsit ", STOP).terms[0], shardOf, NO_SYN);
  assert.equal(c.get("therapist"), 0.5);
  const short = S.candidates(S.plan("forgt ", STOP).terms[0], shardOf, NO_SYN);
  assert.equal(short.get("forget"), 0.5, "forgt has 5 letters");
  const four = S.candidates(S.plan("trus ", STOP).terms[0], shardOf, NO_SYN);
  assert.equal(four.size, 0, "4 letters: no fuzzy, and no prefix after a space");
});

test("candidates: synonyms weigh 0.8", () => {
  const syn = S.synonymMap([["therapist", "counselor"]]);
  const c = S.candidates(S.plan("counselor ", STOP).terms[0], shardOf, syn);
  assert.deepEqual(new Map(c), new Map([["counselor", 1], ["therapist", 0.8]]));
});

test("candidates: a past deadline skips fuzzy matching", () => {
  const c = S.candidates(S.plan("therapsit ", STOP).terms[0], shardOf, NO_SYN, 0.0001);
  assert.equal(c.size, 0);
});

function rankQuery(q, theme = -1, syn = NO_SYN, deadline) {
  const p = S.plan(q, STOP);
  const cands = p.terms.map((t) => S.candidates(t, shardOf, syn));
  return S.rank(p.terms, cands, shardOf, theme, deadline);
}

test("rank: best candidate per term, summed, x2 when all terms match", () => {
  const r = rankQuery("forgive trust ").results;
  // doc 1: (900 + 300) * 2 = 2400; doc 8: 900; doc 2: 500; doc 9: "trusti" 50 * 0.5
  assert.deepEqual(r.map((x) => [x.doc, x.score]), [[1, 2400], [8, 900], [2, 500], [9, 25]]);
});

test("rank: a term counts its best candidate only once per document", () => {
  const r = rankQuery("therap").results;
  // doc 5: therapist 800 * 0.7; doc 6: therapi 700 * 0.7; doc 1: 100 * 0.7
  assert.deepEqual(r.map((x) => x.doc), [5, 6, 1]);
  assert.ok(Math.abs(r[0].score - 560 * 2) < 1e-9, "one term: every match has all terms");
});

test("rank: theme filter uses the posting mask bit", () => {
  assert.deepEqual(rankQuery("forgive ", 1).results.map((x) => x.doc), [2]);
  assert.deepEqual(rankQuery("forgive ", 0).results.map((x) => x.doc), [1]);
  assert.deepEqual(rankQuery("forgive ", 5).results, []);
});

test("rank: ties are broken by document order", () => {
  const sh = shardsOf({ calm: [[4, 10, 0], [2, 10, 0], [3, 10, 0]] });
  const p = S.plan("calm ", STOP);
  const r = S.rank(p.terms, p.terms.map((t) => S.candidates(t, sh, NO_SYN)), sh, -1);
  assert.deepEqual(r.results.map((x) => x.doc), [2, 3, 4]);
});

test("rank: over the time box only exact candidates are used", () => {
  const r = rankQuery("forg", -1, NO_SYN, 0.0001);
  assert.equal(r.cut, true);
  assert.deepEqual(r.results, []);
  const exact = rankQuery("forgiv", -1, NO_SYN, 0.0001);
  assert.deepEqual(exact.results.map((x) => x.doc), [1, 2]);
});

test("phrase: adjacent words in order get a bonus and re-sort", () => {
  const p = S.plan("saying sorry", STOP);
  assert.equal(S.hasPhrase(p, "On Saying Sorry, again"), true);
  assert.equal(S.hasPhrase(p, "sorry for saying"), false);
  assert.equal(S.hasPhrase(S.plan("saying sor", STOP), "saying sorry"), true, "last word may be partial");
  assert.equal(S.hasPhrase(S.plan("saying sor ", STOP), "saying sorry"), false);
  assert.equal(S.hasPhrase(S.plan("sorry", STOP), "sorry"), false, "one word is no phrase");
  assert.equal(S.hasPhrase(p, "Say sorry and mean it."), true, "words compare by stem");
  assert.equal(S.hasPhrase(S.plan("rebuilding the trust", STOP), "rebuild the trust"), true, "stop words count");
  assert.equal(S.hasPhrase(S.plan("rebuilding the trust", STOP), "rebuild trust"), false);
  const texts = { 1: "sorry is hard when saying it", 2: "start by saying sorry" };
  const out = S.phraseBoost(p, [{ doc: 1, score: 100 }, { doc: 2, score: 80 }], (r) => texts[r.doc]);
  assert.deepEqual(out.map((r) => [r.doc, r.score]), [[2, 120], [1, 100]]);
});

// ---- snippets and highlighting ------------------------------------------

const isMatch = S.matcher(new Set(["forgiv", "eclair", "cafe", "𝒴"]));
const marked = (segs) => segs.filter((s) => s.m).map((s) => s.t);
const joined = (segs) => segs.map((s) => s.t).join("");

test("highlight: original case and accents are marked", () => {
  const text = "FORGIVENESS and Éclairs at the CAFE\u0301.";
  const segs = S.segments(text, S.matchRanges(text, isMatch));
  assert.deepEqual(marked(segs), ["FORGIVENESS", "Éclairs", "CAFE\u0301"]);
  assert.equal(joined(segs), text);
});

test("highlight never splits a surrogate pair", () => {
  const text = "a 𝒴 b";
  const segs = S.segments(text, S.matchRanges(text, isMatch));
  assert.deepEqual(marked(segs), ["𝒴"]);
  for (const s of segs) assert.ok(!/^[\udc00-\udfff]|[\ud800-\udbff]$/.test(s.t));
});

test("snippet: short text is whole", () => {
  const segs = S.snippet("Forgiving takes time.", S.matchRanges("Forgiving takes time.", isMatch));
  assert.equal(joined(segs), "Forgiving takes time.");
  assert.deepEqual(marked(segs), ["Forgiving"]);
});

test("snippet: ~160 characters around the first match, … where cut", () => {
  const text = "Lorem ipsum dolor sit amet. ".repeat(12) + "Forgiveness comes slowly. " + "Tail words go on. ".repeat(20);
  const segs = S.snippet(text, S.matchRanges(text, isMatch), 160);
  const s = joined(segs);
  assert.ok(s.startsWith("…") && s.endsWith("…"));
  assert.ok(s.length <= 162 && s.length > 120, `length ${s.length}`);
  assert.deepEqual(marked(segs), ["Forgiveness"]);
  const body = s.slice(1, -1);
  assert.ok(text.includes(body));
  assert.ok(!body.startsWith(" ") && /^\S/.test(body));
});

test("snippet: no match in the text shows its beginning", () => {
  const text = "word ".repeat(100);
  const s = joined(S.snippet(text, [], 160));
  assert.ok(!s.startsWith("…") && s.endsWith("…"));
});

test("snippet: never cuts inside a surrogate pair", () => {
  const text = "𝒴".repeat(200);
  for (const width of [159, 160, 161]) {
    for (const s of S.snippet(text, [[100, 102]], width)) {
      assert.ok(!/^[\udc00-\udfff]|[\ud800-\udbff]$/.test(s.t), `width ${width}`);
    }
  }
});

// ---- safety -----------------------------------------------------------------

test("markup in data stays text: segments carry the exact characters", () => {
  const evil = "<img src=x onerror=window.__xss=1> forgiving </script>";
  const segs = S.segments(evil, S.matchRanges(evil, isMatch));
  assert.equal(joined(segs), evil);
  assert.deepEqual(marked(segs), ["forgiving"]);
  const p = S.plan(evil, STOP);
  assert.deepEqual(p.terms.map((t) => t.stem),
    ["img", "src", "x", "onerror", "window", "xss", "1", "forgiv", "script"]);
});

test("safeHref keeps site-relative URLs and refuses schemes", () => {
  assert.equal(S.safeHref("../../", "articles/a/#b"), "../../articles/a/#b");
  assert.equal(S.safeHref("", "javascript:alert(1)"), "#");
  assert.equal(S.safeHref("", " JavaScript:alert(1)"), "#");
  assert.equal(S.safeHref("", "//evil.example/"), "#");
  assert.equal(S.safeHref("", "data:text/html,x"), "#");
});

test("safeHref from disk points folder URLs at their index.html", () => {
  assert.equal(S.safeHref("../", "articles/a/#b", true), "../articles/a/index.html#b");
  assert.equal(S.safeHref("../", "articles/a/", true), "../articles/a/index.html");
  assert.equal(S.safeHref("", "search/?q=a%2Fb", true), "search/index.html?q=a%2Fb");
  assert.equal(S.safeHref("../", "", true), "../index.html");
  assert.equal(S.safeHref("../", "articles/a/#b", false), "../articles/a/#b");
});

test("the runtime never builds HTML from strings, stores data or calls out", () => {
  const src = fs.readFileSync(SOURCE, "utf8");
  for (const bad of ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(",
    "new Function", "localStorage", "sessionStorage", "indexedDB", "document.cookie",
    "fetch(", "XMLHttpRequest", "sendBeacon", "http://", "https://"]) {
    assert.ok(!src.includes(bad), `search.js must not use ${bad}`);
  }
});

test("the runtime stays small: under 14.5 KB gzipped", () => {
  const gz = require("node:zlib").gzipSync(fs.readFileSync(SOURCE), { level: 9 });
  assert.ok(gz.length < 14.5 * 1024, `${gz.length} bytes`);
});

// ---- suggestions ------------------------------------------------------------

const THEMES = [["apology", "Apology"], ["forgiveness", "Forgiveness"], ["therapy", "Therapy"],
  ["rebuilding-trust", "Rebuilding trust"]];

test("suggestThemes: closest themes by title or id, at most 3", () => {
  assert.deepEqual(S.suggestThemes(["forgivness"], THEMES).map((t) => t[0]), ["forgiveness"]);
  assert.deepEqual(S.suggestThemes(["theraphy"], THEMES).map((t) => t[0]), ["therapy"]);
  assert.deepEqual(S.suggestThemes(["rebuild"], THEMES).map((t) => t[0]), ["rebuilding-trust"]);
  assert.deepEqual(S.suggestThemes(["zebra"], THEMES), []);
  assert.ok(S.suggestThemes(["apology", "forgive", "therapy", "trust"], THEMES).length <= 3);
});

test("closestStem: nearest stem within 1-2 edits, most used on ties", () => {
  const sh = new Map([["forgiv", [[1, 1, 0], [2, 1, 0]]], ["forget", [[3, 1, 0]]]]);
  assert.equal(S.closestStem("forgivnss", [sh]), null, "3 edits away");
  assert.equal(S.closestStem("forgivs", [sh]), "forgiv");
  assert.equal(S.closestStem("forgiv", [new Map([["forgiv", []]])]), null, "an exact match is no suggestion");
  assert.equal(S.closestStem("forgiv", [sh]), "forget", "2 edits");
  assert.equal(S.closestStem("xyzzy", [sh, undefined]), null);
});
