'use strict';
// Readable tables on stdout, and the same figures saved as JSON for the
// summary run.sh prints at the end (when MEND_BROWSER_RESULTS is set).
const fs = require('node:fs');
const path = require('node:path');

function table(title, headers, rows) {
  const cells = [headers, ...rows].map((r) => r.map((c) => String(c)));
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] || '').length)));
  const line = (r) => '| ' + r.map((c, i) => c.padEnd(widths[i])).join(' | ') + ' |';
  const out = [
    '',
    title,
    line(cells[0]),
    '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|',
    ...cells.slice(1).map(line),
    '',
  ];
  process.stdout.write(out.join('\n') + '\n');
}

/** Record one figure for the final summary: area, check, result, detail. */
function record(area, check, result, detail = '') {
  const dir = process.env.MEND_BROWSER_RESULTS;
  if (!dir) return;
  fs.mkdirSync(dir, { recursive: true });
  const line = JSON.stringify({ area, check, result, detail: String(detail) }) + '\n';
  fs.appendFileSync(path.join(dir, 'figures.jsonl'), line);
}

const kb = (n) => (n / 1024).toFixed(1) + ' KB';

module.exports = { table, record, kb };
