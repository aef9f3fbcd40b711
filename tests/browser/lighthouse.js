'use strict';
// Lighthouse's performance score of the pages lighthouse.test.js checks,
// several runs each, as medians: the figure the test suite reports but does
// not assert (it depends on the machine's speed and load).
//
//   node tests/browser/lighthouse.js [--runs 5]
//
// Builds the bundled knowledge base with MEND_BIN (or target/debug/mend),
// serves it on 127.0.0.1 and runs Lighthouse's mobile preset in Debian's
// Chromium, pages in turn within each run. Prints every run's scores, then
// per page the median (and range) of each category.
const { CATEGORIES, PAGES, servedKnowledgeBase, launchChrome, audit, median } = require('./lib/lighthouse');
const { table } = require('./lib/report');

function runsArg(argv) {
  const at = argv.indexOf('--runs');
  if (at === -1) return 5;
  const n = Number(argv[at + 1]);
  if (!Number.isInteger(n) || n < 1) {
    console.error('usage: node tests/browser/lighthouse.js [--runs N]  (N >= 1)');
    process.exit(2);
  }
  return n;
}

async function main() {
  const runs = runsArg(process.argv.slice(2));
  const server = await servedKnowledgeBase();
  const chrome = await launchChrome();
  const scores = Object.fromEntries(PAGES.map((p) => [p.name, []]));
  try {
    for (let run = 1; run <= runs; run++) {
      for (const p of PAGES) {
        const result = await audit(chrome, server.url(p.path));
        scores[p.name].push(result.scores);
        const failing = result.failing.performance.map((a) => `${a.id} ${a.score}`).join(', ');
        console.log(`run ${run}/${runs} ${p.name}: ${CATEGORIES.map((c) => `${c} ${result.scores[c]}`).join(', ')}${failing ? ` (performance audits below 1: ${failing})` : ''}`);
      }
    }
  } finally {
    await chrome.kill();
    await server.close();
  }
  const cell = (values) => {
    const m = median(values);
    const lo = Math.min(...values);
    const hi = Math.max(...values);
    return lo === hi ? String(m) : `${m} (${lo}-${hi})`;
  };
  table(
    `Lighthouse, mobile preset: medians of ${runs} run${runs === 1 ? '' : 's'} (min-max)`,
    ['page', ...CATEGORIES],
    PAGES.map((p) => [p.name, ...CATEGORIES.map((c) => cell(scores[p.name].map((s) => s[c])))]),
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
