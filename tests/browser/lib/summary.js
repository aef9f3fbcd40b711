'use strict';
// Print every figure the test files recorded (MEND_BROWSER_RESULTS/figures.jsonl)
// as one table, failures first. Used by run.sh after the test run.
const fs = require('node:fs');
const path = require('node:path');
const { table } = require('./report');

const dir = process.argv[2] || process.env.MEND_BROWSER_RESULTS;
const file = dir && path.join(dir, 'figures.jsonl');
if (!file || !fs.existsSync(file)) {
  console.log('(no figures were recorded)');
  process.exit(0);
}
const ORDER = ['html', 'xml', 'links', 'a11y', 'lighthouse', 'privacy', 'print', 'weight', 'portable'];
const rows = fs
  .readFileSync(file, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l))
  .sort((a, b) => ORDER.indexOf(a.area) - ORDER.indexOf(b.area));
table('Summary of every check with its figures', ['area', 'check', 'result', 'figures'], rows.map((r) => [r.area, r.check, r.result, r.detail]));
const failed = rows.filter((r) => r.result !== 'pass');
console.log(`${rows.length - failed.length} of ${rows.length} recorded checks passed${failed.length ? `; failing: ${failed.map((r) => r.check).join('; ')}` : ''}`);
