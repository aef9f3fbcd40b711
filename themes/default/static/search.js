/*
 * mend search, the browser side. Reads the index in search/ (format:
 * docs/search-index.md) through <script> tags, so it works from file:// too.
 * No dependencies, cookies, storage or outside requests. Folding, tokens and
 * the Snowball English stemmer mirror src/search.rs. Node gets the pure
 * functions for tests/js/.
 */
(function () {
  "use strict";

  var MAX_QUERY = 256, MAX_TOKEN = 40, MAX_TERMS = 10;
  var BUDGET_MS = 50, DEBOUNCE_MS = 120, LOAD_TIMEOUT_MS = 3000;
  var SNIPPET = 160, PAGE_STEP = 10;
  var POPUP_MAX = 10, PAGE_MAX = 50;
  var W_EXACT = 1, W_SYN = 0.5, W_PREFIX = 0.7, W_FUZZY = 0.5;
  var PHRASE_BONUS = 1.5, ALL_TERMS_BONUS = 2;

  // ---- Text: fold, tokens, stem (mirrors src/search.rs)

  var MARKS = /\p{M}/gu;
  var WORD_CHAR = /[\p{Alphabetic}\p{N}]/u; // Rust: is_alphabetic() || is_numeric()
  var ALPHA_CHAR = /\p{Alphabetic}/u;
  var foldCache = new Map();

  /** Fold one code point: NFD, marks dropped, ’ ‘ -> ', lowercase. */
  function foldChar(ch) {
    var c = ch.charCodeAt(0);
    if (c < 128) return c > 64 && c < 91 ? String.fromCharCode(c + 32) : ch;
    var f = foldCache.get(ch);
    if (f === undefined) {
      f = "";
      // Per character, like Rust's char::to_lowercase (no final-sigma rule).
      for (var d of ch.normalize("NFD").replace(MARKS, "")) {
        f += d === "\u2018" || d === "\u2019" ? "'" : d.toLowerCase();
      }
      foldCache.set(ch, f);
    }
    return f;
  }

  function fold(text) {
    var out = "";
    for (var ch of String(text)) out += foldChar(ch);
    return out;
  }

  // Fold, mapping back: folded unit i came from text.slice(from[i], to[i]).
  // Dropped marks join the letter before them.
  function foldMap(text) {
    var s = "", from = [], to = [], i = 0, last = -1;
    for (var ch of String(text)) {
      var f = foldChar(ch), end = i + ch.length, k;
      if (f) {
        last = s.length;
        for (k = 0; k < f.length; k++) { from.push(i); to.push(end); }
        s += f;
      } else if (last >= 0) {
        for (k = last; k < s.length; k++) to[k] = end;
      }
      i = end;
    }
    return { s, from, to };
  }

  function isWordChar(ch) {
    var c = ch.charCodeAt(0);
    if (c < 128) return (c > 47 && c < 58) || (c > 96 && c < 123) || (c > 64 && c < 91);
    return WORD_CHAR.test(ch);
  }

  // Tokens {t, s, e} of folded text: runs of letters and digits; an
  // apostrophe between a token character and a letter is deleted.
  function scan(f) {
    var out = [], cur = "", n = 0, start = 0, end = 0, i = 0;
    function push() {
      if (cur && n <= MAX_TOKEN) out.push({ t: cur, s: start, e: end });
      cur = ""; n = 0;
    }
    while (i < f.length) {
      var ch = String.fromCodePoint(f.codePointAt(i));
      if (isWordChar(ch)) {
        if (!cur) start = i;
        cur += ch; n++; end = i + ch.length;
      } else if (!(ch === "'" && cur && i + 1 < f.length && ALPHA_CHAR.test(String.fromCodePoint(f.codePointAt(i + 1))))) {
        push();
      }
      i += ch.length;
    }
    push();
    return out;
  }

  function tokenize(text) {
    return scan(fold(text)).map(t => t.t);
  }

  // Snowball English (Porter2) as in rust-stemmers 1.2, on an array of code
  // points; vowels are a e i o u y. Suffix tables are longest first.
  function table(s) { return s.split(" ").map(p => p.split(":")); }
  var EXCEPTIONS = new Map(table("skis:ski skies:sky dying:die lying:lie tying:tie idly:idl " +
    "gently:gentl ugly:ugli early:earli only:onli singly:singl sky:sky news:news howe:howe " +
    "atlas:atlas cosmos:cosmos bias:bias andes:andes"));
  var EXCEPTIONS2 = "inning outing canning herring earring proceed exceed succeed".split(" ");
  var STEP1A = "sses ied ies ss us s".split(" ");
  var STEP1B = "eedly ingly edly eed ing ed".split(" ");
  var STEP2 = table("ational:ate tional:tion fulness:ful ousness:ous iveness:ive ization:ize " +
    "lessli:less biliti:ble fulli:ful ousli:ous entli:ent aliti:al iviti:ive alism:al ation:ate " +
    "anci:ance enci:ence abli:able alli:al izer:ize ator:ate bli:ble ogi:og li:");
  var STEP3 = table("ational:ate tional:tion alize:al icate:ic iciti:ic ative: ical:ic ness: ful:");
  var STEP4 = "ement ance ence able ible ment ate ive ize iti ism ion ous ant ent ic al er".split(" ");

  function isV(c) {
    return c === "a" || c === "e" || c === "i" || c === "o" || c === "u" || c === "y";
  }

  function endsWith(w, sfx) {
    var n = w.length, k = sfx.length;
    if (k > n) return false;
    for (var i = 0; i < k; i++) if (w[n - k + i] !== sfx[i]) return false;
    return true;
  }

  function findEnd(w, list) {
    for (var i = 0; i < list.length; i++) {
      var s = typeof list[i] === "string" ? list[i] : list[i][0];
      if (endsWith(w, s)) return list[i];
    }
    return null;
  }

  function replaceEnd(w, k, rep) {
    w.length -= k;
    for (var i = 0; i < rep.length; i++) w.push(rep[i]);
  }

  // A short syllable ends at `end`: non-vowel, vowel, non-vowel but not w x Y;
  // or vowel, non-vowel at the start.
  function shortV(w, end) {
    if (end >= 3 && !isV(w[end - 1]) && "wxY".indexOf(w[end - 1]) < 0 &&
        isV(w[end - 2]) && !isV(w[end - 3])) return true;
    return end === 2 && !isV(w[1]) && isV(w[0]);
  }

  function stem(word) {
    word = String(word);
    if (EXCEPTIONS.has(word)) return EXCEPTIONS.get(word);
    var w = Array.from(word), i, s;
    if (w.length < 3) return word;

    // Prelude: leading apostrophe, y as a consonant becomes Y.
    if (w[0] === "'") w.shift();
    var yFound = false;
    if (w[0] === "y") { w[0] = "Y"; yFound = true; }
    for (i = 1; i < w.length; i++) {
      if (w[i] === "y" && isV(w[i - 1])) { w[i] = "Y"; yFound = true; }
    }

    // Regions R1 and R2.
    var n = w.length, p1 = n, p2 = n;
    function after(from) { // past the next vowel, then past the next non-vowel
      var j = from;
      while (j < n && !isV(w[j])) j++;
      if (j >= n) return -1;
      j++;
      while (j < n && isV(w[j])) j++;
      return j >= n ? -1 : j + 1;
    }
    var pre = /^(gener|commun|arsen)/.exec(w.join(""));
    var r = pre ? pre[0].length : after(0);
    if (r >= 0) {
      p1 = r;
      r = after(p1);
      if (r >= 0) p2 = r;
    }
    function inR1(k) { return w.length - k >= p1; }
    function inR2(k) { return w.length - k >= p2; }

    // Step 1a.
    s = findEnd(w, ["'s'", "'s", "'"]);
    if (s) w.length -= s.length;
    s = findEnd(w, STEP1A);
    if (s === "sses") replaceEnd(w, 4, "ss");
    else if (s === "ied" || s === "ies") replaceEnd(w, 3, w.length - 3 >= 2 ? "i" : "ie");
    else if (s === "s" && w.slice(0, -2).some(isV)) w.length -= 1;

    if (EXCEPTIONS2.indexOf(w.join("")) < 0) {
      // Step 1b.
      s = findEnd(w, STEP1B);
      if (s === "eed" || s === "eedly") {
        if (inR1(s.length)) replaceEnd(w, s.length, "ee");
      } else if (s) {
        if (w.slice(0, -s.length).some(isV)) {
          w.length -= s.length;
          if (endsWith(w, "at") || endsWith(w, "bl") || endsWith(w, "iz")) w.push("e");
          else if (findEnd(w, ["bb", "dd", "ff", "gg", "mm", "nn", "pp", "rr", "tt"])) w.length -= 1;
          else if (w.length === p1 && shortV(w, w.length)) w.push("e");
        }
      }

      // Step 1c.
      var last = w.length - 1;
      if (last >= 2 && (w[last] === "y" || w[last] === "Y") && !isV(w[last - 1])) w[last] = "i";

      // Step 2.
      s = findEnd(w, STEP2);
      if (s && inR1(s[0].length)) {
        var k = s[0].length;
        if (s[0] === "ogi") {
          if (w[w.length - 4] === "l") replaceEnd(w, k, "og");
        } else if (s[0] === "li") {
          if ("cdeghkmnrt".indexOf(w[w.length - 3]) >= 0) w.length -= 2;
        } else {
          replaceEnd(w, k, s[1]);
        }
      }

      // Step 3.
      s = findEnd(w, STEP3);
      if (s && inR1(s[0].length) && (s[0] !== "ative" || inR2(5))) replaceEnd(w, s[0].length, s[1]);

      // Step 4.
      s = findEnd(w, STEP4);
      if (s && inR2(s.length)) {
        if (s !== "ion") w.length -= s.length;
        else if (w[w.length - 4] === "s" || w[w.length - 4] === "t") w.length -= 3;
      }

      // Step 5.
      last = w.length - 1;
      if (w[last] === "e") {
        if (inR2(1) || (inR1(1) && !shortV(w, last))) w.length -= 1;
      } else if (w[last] === "l") {
        if (inR2(1) && w[last - 1] === "l") w.length -= 1;
      }
    }

    s = w.join("");
    return yFound ? s.replace(/Y/g, "y") : s;
  }

  var stemCache = new Map();
  function cachedStem(t) {
    var s = stemCache.get(t);
    if (s === undefined) {
      if (stemCache.size > 20000) stemCache.clear();
      s = stem(t);
      stemCache.set(t, s);
    }
    return s;
  }

  /** The shard file key of a stem: two characters, non-ASCII as _hex. */
  function shardKey(st) {
    var key = "", n = 0;
    for (var ch of st) {
      if (n++ === 2) break;
      key += /^[A-Za-z0-9]$/.test(ch) ? ch : "_" + ch.codePointAt(0).toString(16);
    }
    return key;
  }

  /** Optimal-string-alignment (Damerau) distance, or max + 1 when larger. */
  function editDistance(a, b, max) {
    a = Array.from(a); b = Array.from(b);
    if (Math.abs(a.length - b.length) > max) return max + 1;
    var prev2 = null, prev = [], cur, i, j;
    for (j = 0; j <= b.length; j++) prev.push(j);
    for (i = 1; i <= a.length; i++) {
      cur = [i];
      var low = i;
      for (j = 1; j <= b.length; j++) {
        var cost = a[i - 1] === b[j - 1] ? 0 : 1;
        var v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2] + 1);
        cur.push(v);
        if (v < low) low = v;
      }
      if (low > max) return max + 1;
      prev2 = prev; prev = cur;
    }
    return Math.min(prev[b.length], max + 1);
  }

  // ---- Query planning and ranking

  /** Cut a query to MAX_QUERY units, keeping surrogate pairs whole. */
  function clip(q) {
    return String(q == null ? "" : q).slice(0, MAX_QUERY).replace(/[\ud800-\udbff]$/, "");
  }

  // The terms of a query: {word, stem, prefix (being typed), fuzzy}.
  function plan(query, stop) {
    var q = clip(query), f = fold(q), toks = scan(f);
    var prefix = toks.length > 0 && toks[toks.length - 1].e === f.length;
    var terms = [], seen = new Map();
    toks.forEach((tok, i) => {
      if (stop && stop.has(tok.t)) return;
      var st = cachedStem(tok.t), isLast = prefix && i === toks.length - 1;
      var old = seen.get(st);
      if (old) {
        if (isLast) { old.prefix = true; old.word = tok.t; }
        return;
      }
      var t = { word: tok.t, stem: st, prefix: isLast, fuzzy: Array.from(tok.t).length >= 5 };
      seen.set(st, t);
      terms.push(t);
    });
    if (terms.length > MAX_TERMS) terms = terms.slice(0, MAX_TERMS - 1).concat(terms[terms.length - 1]);
    return { query: q, words: toks.map(t => t.t), terms, prefix, empty: !q.trim() };
  }

  /** Synonym lookup: stem -> other stems of its groups. */
  function synonymMap(groups) {
    var map = new Map();
    (groups || []).forEach(g => {
      (g || []).forEach(a => {
        var set = map.get(a) || new Set();
        g.forEach(b => { if (b !== a) set.add(b); });
        map.set(a, set);
      });
    });
    return map;
  }

  /** The shard keys a plan needs (only those in `shards`, a Set, if given). */
  function shardKeys(p, syn, shards) {
    var keys = new Set();
    p.terms.forEach(t => {
      keys.add(shardKey(t.stem));
      if (t.prefix) keys.add(shardKey(t.word));
      (syn.get(t.stem) || []).forEach(s => { keys.add(shardKey(s)); });
    });
    return Array.from(keys).filter(k => k && (!shards || shards.has(k)));
  }

  // Candidate stems of a term -> weight. shardOf(key): a loaded Map or nothing.
  function candidates(term, shardOf, syn, deadline) {
    var out = new Map();
    function add(s, w) {
      var sh = shardOf(shardKey(s));
      if (sh && sh.has(s) && !(out.get(s) >= w)) out.set(s, w);
    }
    add(term.stem, W_EXACT);
    (syn.get(term.stem) || []).forEach(s => { add(s, W_SYN); });
    var home = shardOf(shardKey(term.stem));
    if (term.prefix) {
      [home, shardOf(shardKey(term.word))].forEach(sh => {
        if (!sh) return;
        sh.forEach((_, s) => {
          if (s.startsWith(term.stem) || s.startsWith(term.word)) add(s, W_PREFIX);
        });
      });
    }
    if (term.fuzzy && home && !(deadline && now() > deadline)) {
      home.forEach((_, s) => {
        if (s !== term.stem && Math.abs(s.length - term.stem.length) <= 2 &&
            editDistance(s, term.stem, 1) === 1) add(s, W_FUZZY);
      });
    }
    return out;
  }

  // Score: per term the best posting score x weight, summed; x2 when all
  // terms match; then the theme filter (theme < 0: none).
  function rank(terms, cands, shardOf, theme, deadline) {
    var total = new Map(), hits = new Map(), masks = new Map(), cut = false;
    terms.forEach((term, ti) => {
      var best = new Map();
      var list = Array.from(cands[ti]).sort((a, b) => b[1] - a[1]);
      for (var c = 0; c < list.length; c++) {
        var s = list[c][0], w = list[c][1];
        if (w < W_EXACT && deadline && now() > deadline) { cut = true; break; }
        var posts = shardOf(shardKey(s)).get(s);
        if (!Array.isArray(posts)) continue;
        for (var i = 0; i < posts.length; i++) {
          var p = posts[i];
          if (!Array.isArray(p)) continue;
          var v = p[1] * w;
          if (!(best.get(p[0]) >= v)) best.set(p[0], v);
          masks.set(p[0], p[2]);
        }
      }
      best.forEach((v, d) => {
        total.set(d, (total.get(d) || 0) + v);
        hits.set(d, (hits.get(d) || 0) + 1);
      });
    });
    var results = [];
    total.forEach((v, d) => {
      if (theme >= 0 && !(masks.get(d) & (1 << theme))) return;
      results.push({ doc: d, score: hits.get(d) === terms.length ? v * ALL_TERMS_BONUS : v });
    });
    results.sort(byScore);
    return { results, cut };
  }

  function byScore(a, b) { return b.score - a.score || a.doc - b.doc; }

  // Does the text hold the query's words adjacent and in order? Words
  // compare by stem ("say sorry" for "saying sorry"); one being typed by prefix.
  function hasPhrase(p, text) {
    var q = p.words, n = q.length, toks = tokenize(text);
    if (n < 2) return false;
    next: for (var i = 0; i + n <= toks.length; i++) {
      for (var j = 0; j < n; j++) {
        var t = toks[i + j];
        if (cachedStem(t) !== cachedStem(q[j]) && !(p.prefix && j === n - 1 && t.startsWith(q[j]))) continue next;
      }
      return true;
    }
    return false;
  }

  /** Boost the results whose text holds the phrase, then re-sort them. */
  function phraseBoost(p, results, textOf) {
    results.forEach(r => {
      if (hasPhrase(p, textOf(r))) r.score *= PHRASE_BONUS;
    });
    return results.sort(byScore);
  }

  // ---- Snippets and highlighting

  /**
   * [start, end, key] ranges of the original text whose tokens match; key
   * tells apart the query terms a match stands for: what isMatch returned
   * when it is a number (see matcher), else the token's stem.
   */
  function matchRanges(text, isMatch) {
    var m = foldMap(text), out = [];
    scan(m.s).forEach(tok => {
      var k = isMatch(tok.t);
      if (k) out.push([m.from[tok.s], m.to[tok.e - 1], typeof k === "number" ? k : cachedStem(tok.t)]);
    });
    return out;
  }

  /**
   * A token matches when its stem is one of the candidate stems: a Set, or
   * a Map from stem to the number of the query term it stands for (then the
   * match is that number + 1, so a word and its synonym count as one term).
   */
  function matcher(stems) {
    if (stems instanceof Map) return token => { var t = stems.get(cachedStem(token)); return t === undefined ? false : t + 1; };
    return token => stems.has(cachedStem(token));
  }

  var GRAPHEMES = typeof Intl == "object" && Intl.Segmenter && new Intl.Segmenter();

  // i moved back (forward if fwd) to a grapheme boundary: no cut or mark
  // splits an emoji sequence, a surrogate pair or a letter from its marks.
  function edge(text, i, fwd) {
    var g = GRAPHEMES && GRAPHEMES.segment(text).containing(i);
    var c = text.charCodeAt(i);
    if (g) return fwd && g.index < i ? g.index + g.segment.length : g.index;
    return i > 0 && c >= 0xdc00 && c < 0xe000 ? i + (fwd ? 1 : -1) : i;
  }

  // Text [start, end) as segments {t, m: highlighted}, "…" where cut.
  function segments(text, ranges, start, end) {
    start = edge(text, start || 0);
    end = edge(text, end == null ? text.length : end);
    var out = [], pos = start;
    if (start > 0) out.push({ t: "…", m: false });
    ranges.forEach(r => {
      var a = Math.max(edge(text, r[0]), pos), b = Math.min(edge(text, r[1], true), end);
      if (a >= b) return;
      if (a > pos) out.push({ t: text.slice(pos, a), m: false });
      out.push({ t: text.slice(a, b), m: true });
      pos = b;
    });
    if (pos < end) out.push({ t: text.slice(pos, end), m: false });
    if (end < text.length) out.push({ t: "…", m: false });
    return out;
  }

  /**
   * The passage of `ranges` (sorted) that fits in `width` characters and
   * holds the most distinct query terms, then the most matches, then the
   * earliest: [first range, last range] indexes, or null without ranges.
   */
  function bestPassage(ranges, width) {
    var best = null, bestKeys = -1, bestN = -1;
    for (var i = 0; i < ranges.length; i++) {
      var keys = new Set(), j = i;
      while (j < ranges.length && ranges[j][1] - ranges[i][0] <= width) keys.add(ranges[j++][2]);
      if (j === i) { keys.add(ranges[i][2]); j = i + 1; }
      if (keys.size > bestKeys || (keys.size === bestKeys && j - i > bestN)) {
        best = [i, j - 1]; bestKeys = keys.size; bestN = j - i;
      }
    }
    return best;
  }

  /** A window of about `width` characters around the best passage of matches. */
  function snippet(text, ranges, width) {
    width = width || SNIPPET;
    text = String(text);
    if (text.length <= width) return segments(text, ranges, 0, text.length);
    var pass = bestPassage(ranges, width);
    var first = pass ? ranges[pass[0]][0] : 0;
    var lastEnd = pass ? ranges[pass[1]][1] : 0;
    // Room left in the window goes mostly before the passage (up to a third).
    var room = Math.max(0, width - (lastEnd - first));
    var start = Math.max(0, Math.min(first - Math.min(Math.floor(room / 2), Math.floor(width / 3)), text.length - width));
    var end = Math.min(text.length, start + width);
    if (start > 0) { // begin at a word
      var sp = text.indexOf(" ", start);
      if (sp >= 0 && sp < first && sp - start < 25) start = sp + 1;
    }
    if (end < text.length) { // end at a word
      var sp2 = text.lastIndexOf(" ", end);
      if (sp2 > Math.max(start, lastEnd) && end - sp2 < 25) end = sp2;
    }
    return segments(text, ranges, start, end);
  }

  // ---- Suggestions when nothing matched

  /** Up to 3 themes ([id, title, index]) whose id or title is close to the words. */
  function suggestThemes(words, themes) {
    var scored = [];
    themes.forEach((th, i) => {
      var names = tokenize(th[0] + " " + th[1]);
      var best = 9;
      words.forEach(w => {
        var max = Array.from(w).length >= 5 ? 2 : 1, ws = cachedStem(w);
        names.forEach(n => {
          var d = (w.length >= 3 && n.startsWith(w)) || ws === cachedStem(n) ? 0
            : editDistance(w, n, max);
          if (d <= max && d < best) best = d;
        });
      });
      if (best < 9) scored.push({ d: best, th: [th[0], th[1], i] });
    });
    scored.sort((a, b) => a.d - b.d || a.th[2] - b.th[2]);
    return scored.slice(0, 3).map(s => s.th);
  }

  /** The stem in the loaded shards closest to `st` (distance 1-2), or null. */
  function closestStem(st, shardsList) {
    var max = Array.from(st).length >= 5 ? 2 : 1, best = null, bestD = max + 1, bestN = 0;
    shardsList.forEach(sh => {
      if (!sh) return;
      sh.forEach((posts, s) => {
        var d = editDistance(s, st, max), n = posts.length;
        if (d > 0 && d <= max && (d < bestD || (d === bestD && n > bestN))) { best = s; bestD = d; bestN = n; }
      });
    });
    return best;
  }

  /** The manifest's data, checked, with Sets and the synonym Map. */
  function readManifest(m) {
    if (!m || !Array.isArray(m.shards) || !Array.isArray(m.themes) || !(m.chunk > 0)) bad("manifest");
    return {
      chunk: m.chunk,
      shards: new Set(m.shards),
      themes: m.themes.map(t => [String(t[0]), String(t[1])]),
      stop: new Set(Array.isArray(m.stop) ? m.stop : []),
      syn: synonymMap(m.syn)
    };
  }

  /**
   * Rank a plan once its shards are loaded: {ranked, stems, theme}. Typo and
   * prefix candidates stop being looked for after BUDGET_MS (a page must stay
   * responsive); `budgetMs` = Infinity lifts that, for tests, whose results
   * must not depend on how busy the machine is.
   */
  function rankPlan(m, p, shardOf, themeId, budgetMs) {
    var deadline = budgetMs === Infinity ? 0 : now() + (budgetMs || BUDGET_MS);
    var stems = new Map(), theme = -1;
    var cands = p.terms.map((t, ti) => {
      var c = candidates(t, shardOf, m.syn, deadline);
      c.forEach((_, s) => { if (!stems.has(s)) stems.set(s, ti); });
      return c;
    });
    m.themes.forEach((t, i) => { if (t[0] === themeId && i < 31) theme = i; });
    return { ranked: rank(p.terms, cands, shardOf, theme, deadline).results, stems, theme };
  }

  if (typeof module !== "undefined" && module.exports) {
    module.exports = {
      fold, foldMap, scan, tokenize, stem, shardKey, editDistance, clip, plan, synonymMap,
      shardKeys, candidates, rank, hasPhrase, phraseBoost, matchRanges, matcher, segments,
      bestPassage, snippet, safeHref, suggestThemes, closestStem, readManifest, rankPlan
    };
  }

  function now() { return performance.now(); }

  /**
   * A link to a site-relative URL; anything with a scheme is refused. From
   * disk (file:) a folder URL needs its index.html.
   */
  function safeHref(root, url, file) {
    url = String(url);
    if (/^\s*([a-z][a-z0-9+.-]*:|\/\/|\\)/i.test(url)) return "#";
    return root + (file ? url.replace(/(^|\/)([?#]|$)/, "$1index.html$2") : url);
  }

  if (typeof window === "undefined" || typeof document === "undefined") return;

  // ---- Browser: loading the index

  var ROOT = (() => {
    var r = document.documentElement.getAttribute("data-root");
    if (r != null) return r;
    var s = document.currentScript && document.currentScript.src;
    return s ? s.replace(/search\.js(\?.*)?$/, "") : "";
  })();
  var UNAVAILABLE = "Search is unavailable right now.";
  var loads = new Map(), scripts = new Set();

  window.mendSearchLoad = (name, data) => {
    var e = loads.get(String(name));
    if (e) e.finish(data, true);
  };

  // A corrupt index file throws as it runs; its load fails (onload without
  // data) and search says it is unavailable: the error is handled here. (From
  // file: the error is muted, so the script is told by currentScript.)
  window.addEventListener("error", ev => {
    if (scripts.has(document.currentScript)) ev.preventDefault();
  });

  // Load search/NAME.js once and resolve with convert(data); failures retry.
  function load(name, convert) {
    var e = loads.get(name);
    if (e) return e.promise;
    var s = document.createElement("script"), done = false, timer;
    e = {};
    e.promise = new Promise((resolve, reject) => {
      e.finish = (data, ok) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        s.remove();
        try {
          if (!ok) throw new Error("search: cannot load " + name);
          resolve(convert(data));
        } catch (err) {
          loads.delete(name);
          reject(err);
        }
      };
    });
    loads.set(name, e);
    // onload without a mendSearchLoad call first means a corrupt file.
    s.onerror = s.onload = () => e.finish(null, false);
    timer = setTimeout(s.onerror, LOAD_TIMEOUT_MS);
    s.async = true;
    s.src = ROOT + "search/" + name + ".js";
    scripts.add(s);
    document.head.appendChild(s);
    return e.promise;
  }

  function bad(what) { throw new Error("search: bad " + what); }

  function manifest() {
    return load("manifest", readManifest);
  }

  function shard(key) {
    return load("t/" + key, data => {
      if (!data || typeof data !== "object" || Array.isArray(data)) bad("shard");
      return new Map(Object.entries(data));
    });
  }

  function doc(m, d) {
    return load("d/" + Math.floor(d / m.chunk), rows => {
      if (!Array.isArray(rows)) bad("documents");
      return rows;
    }).then(rows => {
      var r = rows[d % m.chunk];
      if (!Array.isArray(r)) bad("document");
      return {
        url: String(r[0]), title: String(r[1] || ""), heading: String(r[2] || ""),
        themes: Array.isArray(r[3]) ? r[3] : [], text: String(r[4] || "")
      };
    });
  }

  // ---- Browser: searching

  // Plan, load shards, rank. state: "empty", "hint" (stop words) or "ok".
  async function search(query, themeId) {
    var m = await manifest();
    var p = plan(query, m.stop);
    if (p.empty || !p.terms.length) return { m, p, state: p.empty ? "empty" : "hint" };
    var keys = shardKeys(p, m.syn, m.shards), loaded = new Map();
    await Promise.all(keys.map(k => shard(k).then(s => loaded.set(k, s))));
    var budget = typeof window !== "undefined" ? window.mendSearchBudgetMs : undefined;
    return Object.assign({ m, p, state: "ok", shards: loaded }, rankPlan(m, p, k => loaded.get(k), themeId, budget));
  }

  /** Load the documents of some results, apply the phrase bonus, re-sort. */
  async function withDocs(res, slice) {
    var docs = await Promise.all(slice.map(r => doc(res.m, r.doc)));
    slice.forEach((r, i) => { r.d = docs[i]; });
    return phraseBoost(res.p, slice, r => r.d.title + " " + r.d.heading + " " + r.d.text);
  }

  /** Links to offer when nothing matched: a spelling, then close themes. */
  async function suggestions(res) {
    var out = [], fixed = new Map();
    if (res.state === "ok" && res.theme < 0) {
      for (var t of res.p.terms) {
        var s = closestStem(t.stem, [res.shards.get(shardKey(t.stem))]);
        if (!s) continue;
        // Offer a word of the site rather than a bare stem when one is at hand.
        var d = await doc(res.m, res.shards.get(shardKey(s)).get(s)[0][0]).catch(() => {});
        fixed.set(t.word, (d && tokenize(d.title + " " + d.heading + " " + d.text).find(x => cachedStem(x) === s)) || s);
      }
    }
    if (fixed.size) {
      var q = res.p.words.map(w => fixed.get(w) || w).join(" ");
      out.push(link("Did you mean " + quoted(q) + "?", searchPageUrl(q)));
    }
    suggestThemes(res.p.terms.map(t => t.word), res.m.themes).forEach(t => {
      out.push(link("Browse the theme " + t[1], siteUrl("themes/" + encodeURIComponent(t[0]) + "/")));
    });
    return out;
  }

  // ---- Browser: rendering

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  function put(parent, segs) {
    segs.forEach(s => {
      parent.appendChild(s.m ? el("mark", null, s.t) : document.createTextNode(s.t));
    });
  }

  function hidden(text) { return el("span", "visually-hidden", text); }

  function quoted(q) { return "\u201c" + q.trim() + "\u201d"; }

  function siteUrl(url) { return safeHref(ROOT, url, location.protocol === "file:"); }

  function searchPageUrl(q) { return siteUrl("search/?q=" + encodeURIComponent(q)); }

  var serial = 0;
  /** An id for aria-labelledby and -describedby (headings never take these). */
  function newId() { return "search-opt-" + ++serial; }

  function link(text, href, cls) {
    var a = el("a", cls, text);
    a.setAttribute("href", href);
    return a;
  }

  /**
   * The one theme worth naming on a result: the filter's, or else the first
   * theme of its section whose name is one of the words searched for.
   */
  function shownTheme(d, res, isMatch) {
    var names = res.m.themes;
    if (res.theme >= 0) return d.themes.indexOf(res.theme) >= 0 ? names[res.theme] : null;
    for (var i of d.themes) {
      if (names[i] && tokenize(names[i][1]).some(isMatch)) return names[i];
    }
    return null;
  }

  /**
   * One result: a link (title, section), a snippet, the theme it was found by.
   * The link's name is its title and section; the snippet describes it.
   */
  function resultItem(r, res) {
    var d = r.d, isMatch = matcher(res.stems), li = el("li", "search-result"), a = el("a", "search-hit");
    function hl(tag, cls, text, segs) {
      var e = el(tag, cls);
      put(e, segs || segments(text, matchRanges(text, isMatch)));
      return e;
    }
    // ?h= names the words found, for the article page to mark (before the #section).
    var found = new Set(), u = d.url.split("#");
    [d.title, d.heading, d.text].forEach(t => tokenize(t).forEach(w => { if (found.size < 8 && isMatch(w)) found.add(w); }));
    if (found.size) u[0] += "?h=" + encodeURIComponent(Array.from(found).join(" "));
    a.setAttribute("href", siteUrl(u.join("#")));
    a.appendChild(hl("span", "search-hit-title", d.title));
    if (d.heading) a.append(hidden(": "), hl("span", "search-hit-section", d.heading));
    li.appendChild(a);
    a.id = newId();
    if (d.text) {
      var sn = li.appendChild(hl("p", "search-snippet", "", snippet(d.text, matchRanges(d.text, isMatch), SNIPPET)));
      sn.id = newId();
      a.setAttribute("aria-describedby", sn.id);
    }
    var theme = shownTheme(d, res, isMatch);
    if (theme) {
      var th = li.appendChild(el("p", "search-hit-themes"));
      th.append(hidden("Theme: "), el("span", "search-chip-static", theme[1]));
    }
    return li;
  }

  /** The stop-word hint: its two example themes are links to their pages. */
  function hintNodes(m) {
    var ex = m.themes.slice(0, 2);
    if (ex.length < 2) return ["Try a more specific word."];
    var out = ["Try a more specific word, such as \u201c"];
    ex.forEach((t, i) => {
      out.push(link(t[1], siteUrl("themes/" + encodeURIComponent(t[0]) + "/")), i ? "\u201d." : "\u201d or \u201c");
    });
    return out;
  }

  /** The same hint as plain text, for the header box's popup. */
  function hintText(m) {
    return hintNodes(m).map(x => typeof x === "string" ? x : x.textContent).join("");
  }

  function countText(n, q, corrected) {
    if (corrected) return "Showing results for " + quoted(corrected) + ": " + n + (n === 1 ? " result" : " results");
    return n + (n === 1 ? " result for " : " results for ") + quoted(q);
  }

  function debounce(fn, ms) {
    var t = 0;
    return x => {
      clearTimeout(t);
      t = setTimeout(() => { fn(x); }, ms);
    };
  }

  function byId(id) { return document.getElementById(id); }

  /** Only the newest search of a UI may render. */
  function channel() {
    var gen = 0;
    return { start: () => ++gen, live: g => g === gen };
  }

  // ---- Browser: the header box

  function initBox() {
    var input = byId("search-input"), popup = byId("search-popup"), list = byId("search-popup-results");
    if (!input || !popup || !list) return;
    var form = input.form || popup.parentNode;
    // The live region stays in the page while the popup is hidden; the popup
    // shows the same words (hidden from screen readers, which heard them).
    var status = popup.querySelector(".search-status") || el("p"), live = form.querySelector(".search-box-status") || el("p");
    var ch = channel(), active = -1, shownFor = "";

    function options() { return list.querySelectorAll("[role=option]"); }

    function setActive(i) {
      var opts = options();
      if (opts[active]) opts[active].setAttribute("aria-selected", "false");
      active = i >= 0 && i < opts.length ? i : -1;
      if (active < 0) return input.removeAttribute("aria-activedescendant");
      opts[active].setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", opts[active].id);
      if (opts[active].scrollIntoView) opts[active].scrollIntoView({ block: "nearest" });
    }

    function setOpen(open) {
      popup.hidden = !open;
      input.setAttribute("aria-expanded", String(open));
      if (!open) return setActive(-1);
      // Drop down to the right when there is no room on the left.
      popup.classList.remove("search-popup-start");
      if (popup.getBoundingClientRect().left < 0) popup.classList.add("search-popup-start");
    }

    function show(q, msg, items) {
      shownFor = q;
      status.textContent = live.textContent = msg;
      list.replaceChildren.apply(list, items.map(x => {
        var li = x.tagName === "LI" ? x : el("li"), a = li.querySelector(".search-hit");
        if (li !== x) li.appendChild(x);
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.id = newId();
        // An option is named by its link alone (title and section), not the snippet too.
        if (a) {
          li.setAttribute("aria-labelledby", a.id);
          if (a.hasAttribute("aria-describedby")) li.setAttribute("aria-describedby", a.getAttribute("aria-describedby"));
          a.removeAttribute("aria-describedby");
        }
        li.querySelectorAll("a").forEach(a => { a.tabIndex = -1; });
        return li;
      }));
      setActive(-1);
      setOpen(!!(msg || items.length) && document.activeElement === input);
    }

    async function run(q) {
      var g = ch.start();
      try {
        var res = await search(q, "");
        if (!ch.live(g)) return;
        if (res.state !== "ok") return show(q, res.state === "hint" ? hintText(res.m) : "", []);
        var top = res.ranked.slice(0, POPUP_MAX);
        if (!top.length) {
          var links = await suggestions(res);
          if (ch.live(g)) show(q, "No results for " + quoted(res.p.query) + ".", links);
          return;
        }
        await withDocs(res, top);
        if (!ch.live(g)) return;
        var q2 = res.corrected || res.p.query, n = res.ranked.length;
        show(q, countText(n, res.p.query, res.corrected) + ".", top.map(r => resultItem(r, res))
          .concat(link("See all " + countText(n, q2), searchPageUrl(q2), "search-all")));
      } catch (e) {
        if (ch.live(g)) show(q, UNAVAILABLE, []);
      }
    }

    function reset() { ch.start(); show("", "", []); }
    var later = debounce(run, DEBOUNCE_MS);

    input.addEventListener("focus", () => {
      manifest().catch(() => {});
      if (input.value && shownFor === input.value && (status.textContent || options().length)) setOpen(true);
    });
    // Loaded on first use: the reader may already be in the box, and typing.
    if (document.activeElement === input) {
      manifest().catch(() => {});
      if (input.value.trim()) run(input.value);
    }
    input.addEventListener("input", () => {
      if (input.value.trim()) later(input.value);
      else reset();
    });
    input.addEventListener("keydown", ev => {
      var n = options().length, k = ev.key;
      if (k === "ArrowDown" || k === "ArrowUp") {
        if (!n) return;
        ev.preventDefault();
        setOpen(true);
        if (k === "ArrowDown") setActive(active + 1 >= n ? 0 : active + 1);
        else setActive(active < 0 ? n - 1 : active - 1);
      } else if (k === "Enter") {
        var a = !popup.hidden && active >= 0 && options()[active].querySelector("a[href]");
        if (a) { ev.preventDefault(); window.location.href = a.href; }
      } else if (k === "Escape") {
        if (!popup.hidden) setOpen(false);
        else if (input.value) { input.value = ""; reset(); }
        else return;
        ev.preventDefault();
      }
    });
    document.addEventListener("pointerdown", ev => {
      if (!form.contains(ev.target)) setOpen(false);
    });
    list.addEventListener("click", ev => { // the whole option is a target
      var li = ev.target.closest("li"), a = li && !ev.target.closest("a") && li.querySelector("a[href]");
      if (a) location.href = a.href;
    });
    form.addEventListener("submit", ev => {
      ev.preventDefault();
      location.href = searchPageUrl(clip(input.value));
    });
    form.addEventListener("focusout", ev => {
      if (ev.relatedTarget && !form.contains(ev.relatedTarget)) setOpen(false);
    });
    document.addEventListener("keydown", ev => {
      var t = ev.target;
      if (ev.key !== "/" || ev.ctrlKey || ev.metaKey || ev.altKey || ev.defaultPrevented ||
          (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName)))) return;
      ev.preventDefault();
      var box = byId("search-page-input") || input; // the search page's own box there
      box.focus();
      box.select();
    });
  }

  // ---- Browser: the search page

  function initPage() {
    var input = byId("search-page-input"), status = byId("search-page-status");
    var list = byId("search-results"), chips = byId("search-theme-chips");
    var filter = document.querySelector(".search-filter"), filterNow = filter && filter.querySelector(".search-filter-now");
    if (!input || !status || !list) return;
    var extra = el("div", "search-suggestions");
    var more = el("button", "search-more", "Show more results");
    more.type = "button";
    more.hidden = true;
    list.before(extra);
    list.after(more);
    var ch = channel(), state = {}, current = null, shown = 0;

    function readUrl() {
      var params = new URLSearchParams(location.search);
      if (!params.has("q") && location.hash.length > 1) params = new URLSearchParams(location.hash.slice(1));
      input.value = state.q = clip(params.get("q") || "");
      state.theme = params.get("theme") || "";
    }

    function writeUrl(push) {
      var qs = new URLSearchParams();
      if (state.q) qs.set("q", state.q);
      if (state.theme) qs.set("theme", state.theme);
      qs = qs.toString();
      try {
        history[push ? "pushState" : "replaceState"](null, "", location.pathname + (qs ? "?" + qs : ""));
      } catch (e) { /* some file:// setups refuse; the page still works */ }
    }

    function syncChips() {
      var now = "";
      if (chips) chips.querySelectorAll("button").forEach(b => {
        var on = b.getAttribute("data-theme") === state.theme;
        b.setAttribute("aria-pressed", String(on));
        if (on) now = b.textContent;
      });
      if (filterNow) filterNow.textContent = now ? ": " + now : "";
    }

    // The filters come after the results (in tab order too) and show up with
    // them, so nothing on the first screen moves. Open beside the results on a
    // wide screen, folded under them on a phone.
    function revealFilter() {
      if (!filter || !filter.hidden || !chips || !chips.childElementCount) return;
      if (window.matchMedia && matchMedia("(min-width: 70rem)").matches) filter.open = true;
      filter.hidden = false;
    }

    function buildChips(m) {
      if (!chips || chips.childElementCount) return;
      m.themes.slice(0, 31).forEach(t => { // posting masks hold 31 themes
        var b = el("button", "search-chip", t[1]);
        b.type = "button";
        b.setAttribute("data-theme", t[0]);
        b.addEventListener("click", () => {
          state.theme = state.theme === t[0] ? "" : t[0];
          syncChips();
          writeUrl(true);
          run();
        });
        chips.appendChild(b);
      });
      syncChips();
    }

    function clear(msg, links) {
      status.textContent = msg;
      list.replaceChildren();
      revealFilter();
      extra.replaceChildren.apply(extra, (links || []).map(a => {
        var p = el("p", "search-suggest-line");
        p.appendChild(a);
        return p;
      }));
      more.hidden = true;
      current = null;
    }

    // The next results; the first ones replace what is shown in one go.
    async function showMore(g, focus) {
      var res = current, slice = res.ranked.slice(shown, Math.min(shown + PAGE_STEP, PAGE_MAX));
      await withDocs(res, slice);
      if (!ch.live(g) || current !== res) return;
      var items = slice.map(r => resultItem(r, res));
      if (!shown) {
        clear("");
        current = res;
      }
      list.append.apply(list, items);
      shown += slice.length;
      var total = res.ranked.length, msg = countText(total, res.p.query, res.corrected) + res.inTheme;
      if (shown < total) msg += ", showing the first " + shown;
      if (shown >= PAGE_MAX && total > PAGE_MAX) msg += ". Adding a word narrows the search";
      status.textContent = msg + ".";
      more.hidden = shown >= Math.min(total, PAGE_MAX);
      if (focus && items[0]) items[0].querySelector("a").focus();
    }

    async function run() {
      var g = ch.start();
      try {
        var res = await search(state.q, state.theme);
        if (!ch.live(g)) return;
        buildChips(res.m);
        var th = res.m.themes.find(t => t[0] === state.theme);
        res.inTheme = th ? " in " + th[1] : "";
        if (res.state === "empty") return clear(th ? "Type a word to search within " + th[1] + "." : "");
        if (res.state === "hint") {
          clear("");
          return status.replaceChildren.apply(status, hintNodes(res.m));
        }
        if (!res.ranked.length) {
          var links = await suggestions(res);
          if (th) links.unshift(link("Search all themes for " + quoted(res.p.query), searchPageUrl(res.p.query)));
          // Always somewhere to go: every theme, and the guide to the guides.
          links.push(link("Browse all themes", siteUrl("themes/")));
          var start = byId("search-page").getAttribute("data-start-here");
          if (start) links.push(link("Start here: a guide to the guides", start));
          if (ch.live(g)) clear("No results for " + quoted(res.p.query) + res.inTheme + ".", links);
          return;
        }
        current = res;
        shown = 0;
        await showMore(g, false);
      } catch (e) {
        if (ch.live(g)) clear(UNAVAILABLE, [link("You can still browse by theme.", siteUrl("themes/"))]);
      }
    }

    var typed = debounce(() => {
      state.q = clip(input.value);
      writeUrl(false);
      run();
    }, DEBOUNCE_MS);

    input.addEventListener("input", typed);
    input.addEventListener("focus", () => { manifest().catch(() => {}); });
    if (input.form) input.form.addEventListener("submit", ev => {
      ev.preventDefault();
      typed();
    });
    more.addEventListener("click", () => {
      if (current) showMore(ch.start(), true).catch(() => { status.textContent = UNAVAILABLE; });
    });
    window.addEventListener("popstate", () => {
      readUrl();
      syncChips();
      run();
    });
    readUrl();
    run();
  }

  function init() {
    try { initBox(); } catch (e) { /* the site works without search */ }
    try { if (document.querySelector("[data-search-page]")) initPage(); } catch (e) { /* as above */ }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
