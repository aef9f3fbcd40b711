/* Quick exit (README: "Safety for readers at risk"): the button, the skip
 * link or Shift x3 within 5 s hide the page, then location.replace it. */
(function () {
  "use strict";
  var d = document, w = window;
  var links = d.querySelectorAll("[data-exit-link]");
  var button = d.querySelector(".exit-button");
  if (!links.length || !button) return;
  var url = button.href;
  var status = d.getElementById("exit-status");
  var dots = button.querySelectorAll(".exit-dots span");
  var NEEDED = 3, WITHIN_MS = 5000, FLAG = "mend-exited";
  var presses = [], timer = 0, leaving = false;

  function hide() {
    d.documentElement.setAttribute("data-exiting", "");
    if (!d.getElementById("exit-overlay")) {
      var overlay = d.createElement("div");
      overlay.id = "exit-overlay";
      overlay.className = "exit-overlay";
      overlay.textContent = "Loading";
      overlay.style.cssText = "position:fixed;top:0;left:0;right:0;bottom:0;z-index:2147483647;" +
        "background:#fff;color:#333;display:flex;align-items:center;justify-content:center;font:1rem sans-serif";
      (d.body || d.documentElement).appendChild(overlay);
    }
    d.title = "Loading";
  }

  function leave(event) {
    if (event) event.preventDefault();
    leaving = true;
    hide();
    try { w.sessionStorage.setItem(FLAG, "1"); } catch (e) { /* the exit works without */ }
    w.location.replace(url);
  }

  function say(text) {
    if (status) status.textContent = text;
  }

  function showCount(n) {
    for (var i = 0; i < dots.length; i++) dots[i].className = i < n ? "on" : "";
    button.classList.toggle("exit-counting", n > 0);
  }

  function reset() {
    presses = [];
    w.clearTimeout(timer);
    showCount(0);
    say("");
  }

  /* Only fresh Shift presses with no other key between them count: Shift
   * held for a capital is followed by the letter, which resets the count. */
  function onKey(event) {
    if (leaving) return;
    if (event.key !== "Shift") {
      if (presses.length) reset();
      return;
    }
    if (event.repeat) return;
    var now = Date.now();
    var recent = [];
    for (var i = 0; i < presses.length; i++) {
      if (now - presses[i] < WITHIN_MS) recent.push(presses[i]);
    }
    recent.push(now);
    presses = recent;
    showCount(presses.length);
    if (presses.length >= NEEDED) {
      say("Exiting this page.");
      leave();
      return;
    }
    var left = NEEDED - presses.length;
    say("Press Shift " + left + " more time" + (left === 1 ? "" : "s") + " to exit this page.");
    w.clearTimeout(timer);
    timer = w.setTimeout(reset, WITHIN_MS - (now - presses[0]));
  }

  function navigationType() {
    var entries = w.performance && w.performance.getEntriesByType ? w.performance.getEntriesByType("navigation") : [];
    return entries.length ? entries[0].type : "";
  }

  function exitedEarlier() {
    try { return w.sessionStorage.getItem(FLAG) === "1"; } catch (e) { return false; }
  }

  /* Back into the site after an exit (bfcache or reload): hide and leave
   * again. A fresh visit clears the per-tab flag. */
  function onShow(event) {
    var returning = event.persisted || navigationType() === "back_forward";
    if (leaving || (returning && exitedEarlier())) {
      hide();
      w.location.replace(url);
      return;
    }
    if (!returning && exitedEarlier()) {
      try { w.sessionStorage.removeItem(FLAG); } catch (e) { /* nothing to clear */ }
    }
    reset();
  }

  for (var i = 0; i < links.length; i++) links[i].addEventListener("click", leave);
  w.addEventListener("keydown", onKey, true);
  w.addEventListener("pageshow", onShow);
})();
