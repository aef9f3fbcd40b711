'use strict';
// The README's pictures: an article of the bundled knowledge base at desktop
// (1280x900) and phone (390x844) width, light and dark, in Debian's Chromium.
//
//   node tests/browser/screenshots.js      (writes docs/screenshots/*.png)
//
// Builds the site like the rest of the suite (lib/sites.js: MEND_BIN, or
// cargo), serves it with the suite's static server, and saves one PNG per
// width and scheme. Run it again after a change to the theme.
const fs = require('node:fs');
const path = require('node:path');
const { REPO, site } = require('./lib/sites');
const { serve } = require('./lib/server');
const { launch } = require('./lib/browser');

const OUT = path.join(REPO, 'docs', 'screenshots');
const PAGE = 'articles/building-trust-after-betrayal/';
const SHOTS = [
  ['desktop', { width: 1280, height: 900 }],
  ['phone', { width: 390, height: 844 }],
];

async function main() {
  fs.mkdirSync(OUT, { recursive: true });
  const server = await serve(site.main());
  const browser = await launch();
  try {
    for (const [name, viewport] of SHOTS) {
      for (const scheme of ['light', 'dark']) {
        const context = await browser.newContext({ viewport, colorScheme: scheme, reducedMotion: 'reduce' });
        const page = await context.newPage();
        await page.goto(server.url(PAGE), { waitUntil: 'networkidle' });
        const file = path.join(OUT, `article-${name}-${scheme}.png`);
        await page.screenshot({ path: file });
        console.log(path.relative(REPO, file));
        await context.close();
      }
    }
  } finally {
    await browser.close();
    await server.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
