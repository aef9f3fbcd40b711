// The JS Porter2 (Snowball English) stemmer must agree with rust-stemmers,
// which builds the index. stems.json is also checked by a Rust test.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const { stem } = require("../../themes/default/static/search.js");
const expected = require("./stems.json");

test("stems.json has at least 150 words", () => {
  assert.ok(Object.keys(expected).length >= 150);
});

for (const [word, want] of Object.entries(expected)) {
  test(`stem(${JSON.stringify(word)}) = ${JSON.stringify(want)}`, () => {
    assert.equal(stem(word), want);
  });
}

test("words shorter than three letters are left alone", () => {
  for (const w of ["a", "is", "by", "yo", "as"]) assert.equal(stem(w), w);
});

test("exception lists: whole words only", () => {
  assert.equal(stem("skies"), "sky");
  assert.equal(stem("skyline"), "skylin");
  assert.equal(stem("innings"), "inning");
  assert.equal(stem("outings"), "outing");
  assert.equal(stem("succeeds"), "succeed");
  assert.equal(stem("newsletter"), "newslett");
});

test("R1 prefixes gener-, commun-, arsen-", () => {
  assert.equal(stem("generate"), "generat");
  assert.equal(stem("communicate"), "communic");
  assert.equal(stem("arsenal"), "arsenal");
});

test("y after a vowel is a consonant, Y is restored", () => {
  assert.equal(stem("saying"), "say");
  assert.equal(stem("toys"), "toy");
  assert.equal(stem("yesterday"), "yesterday");
  assert.equal(stem("cry"), "cri");
});

test("non-ASCII letters are consonants and are kept whole", () => {
  assert.equal(stem("中文"), "中文");
  assert.equal(stem("straße"), "straße");
  assert.equal(stem("𝒴ies"), "𝒴ie");
});
