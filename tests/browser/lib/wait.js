'use strict';
// One generous deadline for everything a browser test waits on (a page, a
// rebuild, a search result, a reconnect). The tests wait for events they can
// observe; this only bounds how long a machine under load may take to give
// them, so it is far above what an idle machine needs.
const WAIT = 60000;

/** Fetch `url` until its body matches `pattern`, within WAIT. */
async function untilServed(url, pattern) {
  const deadline = Date.now() + WAIT;
  let last = '';
  for (;;) {
    try {
      const res = await fetch(url);
      const body = await res.text();
      if (res.ok && pattern.test(body)) return;
      last = `${res.status}: ${body.slice(0, 200)}`;
    } catch (e) {
      last = String(e);
    }
    if (Date.now() > deadline) throw new Error(`${url} did not serve ${pattern} within ${WAIT} ms; last: ${last}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

module.exports = { WAIT, untilServed };
