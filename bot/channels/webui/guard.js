// The chat page works or says why, and in the widget's panel keeps the focus there.
// Without its session cookie (plain HTTP at a name that is not local, or cookies blocked in
// the widget's frame) the chat cannot work: the server says so (bot/channels/web/diagnose.py),
// with one kind line shown instead of a page that waits forever. Loaded before chat.js, which
// calls ``window.patGuard(page)`` once and gets ``check`` and ``help``.
window.patGuard = function (page) {
  "use strict";
  // ``page`` (chat.js): ``status`` the page's status line, ``here`` its folder, ``lang()``.
  var framed = window.parent !== window;
  var helpHere = null;  // the help lines the server gave when there is no session

  function unavailable(pieces) {
    page.status.textContent = "";
    page.status.className = "status notice";
    window.patFit.links(page.status, pieces);
    page.status.hidden = false;
    // Everything waits for a session, except the help lines: they need none.
    document.querySelectorAll("button, textarea").forEach(function (x) { x.disabled = x.id !== "sos"; });
  }

  // ``then()`` once the page has its session (or cannot tell); else the kind line.
  function check(then) {
    var how = "?lang=" + page.lang() + "&secure=" + (location.protocol === "https:" ? 1 : 0) +
      "&framed=" + (framed ? 1 : 0);
    fetch(page.here + "api/session" + how, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (d) {
        if (d.session !== false) { then(); return; }
        helpHere = d.help || null;
        unavailable(d.parts || []);
      })
      .catch(function () { then(); });  // cannot tell: try to talk all the same
  }

  // In the widget's panel: Escape closes it (the host page cannot see keys typed in here).
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && framed) {
      window.parent.postMessage({ pat: "close" }, "*");
    }
  });

  // In the widget's panel the focus stays in the panel (WCAG 2.4.3): Tab from the last control
  // here goes to the panel's × (widget.js), and Shift+Tab from that × comes back to the last
  // control. Messages only with the page that frames this one, from an allowed origin.
  var meta = document.querySelector("meta[name='pat-origins']");
  var origins = (meta ? meta.content : "").split(" ").concat([location.origin]);
  var framer = null;  // the widget's origin, once it said hello

  function focusables() {
    return Array.prototype.filter.call(
      document.querySelectorAll("a[href], button, textarea, [tabindex]"),
      function (x) { return !x.disabled && x.tabIndex >= 0 && x.getClientRects().length > 0; });
  }
  window.addEventListener("message", function (e) {
    if (e.source !== window.parent || origins.indexOf(e.origin) < 0 || !e.data) { return; }
    if (e.data.pat === "hello") { framer = e.origin; }
    if (e.data.pat === "focus-last") {
      var all = focusables();
      if (all.length) { all[all.length - 1].focus(); }
    }
  });
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Tab" || e.shiftKey || !framer) { return; }
    var all = focusables();
    if (document.activeElement === all[all.length - 1]) {
      e.preventDefault();
      window.parent.postMessage({ pat: "tab-out" }, framer);
    }
  });

  // The help lines to show without a session (the header's button), or null: ask the bot.
  function help() {
    return helpHere;
  }

  return { check: check, help: help };
};
