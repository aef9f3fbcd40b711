'use strict';
// Debian's Chromium through playwright-core (which never downloads a browser).
const fs = require('node:fs');
const path = require('node:path');
const { chromium } = require('playwright-core');

const EXECUTABLE = process.env.MEND_CHROMIUM || '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/**
 * Chromium, headless. Every page it opens lifts the search runtime's time
 * budget for typo and prefix candidates (window.mendSearchBudgetMs): a test's
 * results must not depend on how busy the machine is.
 */
async function launch() {
  const browser = await chromium.launch({ executablePath: EXECUTABLE, args: ARGS, headless: true });
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (options) => {
    const context = await newContext(options);
    await context.addInitScript(() => { window.mendSearchBudgetMs = Infinity; });
    return context;
  };
  browser.newPage = async (options) => (await browser.newContext(options)).newPage();
  return browser;
}

const AXE_SOURCE = fs.readFileSync(path.join(require.resolve('axe-core'), '..', 'axe.min.js'), 'utf8');

/** Inject axe-core and run the WCAG 2 A and AA rules; resolves to the violations. */
async function axe(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) {
    await page.addScriptTag({ content: AXE_SOURCE });
  }
  return page.evaluate(async () => {
    const result = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] },
      resultTypes: ['violations'],
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
    }));
  });
}

/** Is the search runtime the real one (not a placeholder)? */
function searchRuntimeReady(siteDir) {
  const file = path.join(siteDir, 'search.js');
  if (!fs.existsSync(file)) return false;
  const src = fs.readFileSync(file, 'utf8');
  return src.length > 2000 && /search-results/.test(src);
}

module.exports = { launch, axe, searchRuntimeReady, EXECUTABLE, ARGS };
