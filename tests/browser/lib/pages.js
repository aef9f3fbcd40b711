'use strict';
// The pages the browser checks visit, relative to the site's root.
const fs = require('node:fs');
const path = require('node:path');
const { WAIT } = require('./wait');

function pages(siteDir) {
  const theme = fs.existsSync(path.join(siteDir, 'themes', 'communication', 'index.html'))
    ? 'themes/communication/'
    : 'themes/' + fs.readdirSync(path.join(siteDir, 'themes')).filter((d) => !d.includes('.')).sort()[0] + '/';
  return [
    { name: 'home', path: '' },
    { name: 'article start-here', path: 'articles/start-here/' },
    { name: 'article building-trust', path: 'articles/building-trust-after-betrayal/' },
    { name: 'article index', path: 'articles/' },
    { name: `theme ${theme.split('/')[1]}`, path: theme },
    { name: 'theme index', path: 'themes/' },
    { name: 'search ?q=trust', path: 'search/?q=trust', search: true },
    { name: '404 page', path: 'no/such/page/', status: 404 },
  ];
}

/** Wait for the search page to show results (or throw with what it shows instead). */
async function waitForResults(page) {
  try {
    await page.waitForSelector('#search-results li', { timeout: WAIT });
  } catch (e) {
    const status = await page.locator('#search-page-status').textContent().catch(() => '?');
    throw new Error(`no search results appeared (#search-results li); status: "${status}"`);
  }
}

module.exports = { pages, waitForResults };
