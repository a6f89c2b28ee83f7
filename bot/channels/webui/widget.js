// PAT's chat on any web page, with one line:
//   <script src="https://BOT-ADDRESS/widget.js" data-lang="fr" defer></script>
// A button opens a panel showing the bot's own chat page in an iframe (its origin must be in
// PAT_WEB_ALLOWED_ORIGINS). No cookie, no tracker, no style sheet on the host page: styles are
// set on the two elements this script adds. The button's words come from the bot's catalogs.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) { return; }
  var labels = /*LABELS*/{};
  var base = new URL(".", script.src);
  var lang = script.dataset.lang || (document.documentElement.lang || "fr").slice(0, 2);
  if (!labels[lang]) { lang = "fr"; }
  var words = labels[lang] || { open: "PAT", close: "×" };

  function css(el, rules) { Object.keys(rules).forEach(function (k) { el.style[k] = rules[k]; }); }

  var open = document.createElement("button");
  open.type = "button";
  open.id = "pat-chat-open";
  open.textContent = "💬 " + words.open;
  open.setAttribute("aria-expanded", "false");
  open.setAttribute("aria-controls", "pat-chat-panel");
  css(open, {
    position: "fixed", right: "1rem", bottom: "1rem", zIndex: "2147483000", maxWidth: "20rem",
    padding: ".7rem 1rem", borderRadius: "1.5rem", border: "0", background: "#0b5cad",
    color: "#ffffff", font: "600 15px system-ui, sans-serif", cursor: "pointer",
    boxShadow: "0 2px 8px rgba(0,0,0,.25)"
  });

  var panel = document.createElement("div");
  panel.id = "pat-chat-panel";
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-modal", "true");
  panel.setAttribute("aria-label", words.open);
  panel.hidden = true;
  var small = window.matchMedia("(max-width: 600px)").matches;
  css(panel, small ? {
    position: "fixed", inset: "0", zIndex: "2147483001", background: "#ffffff"
  } : {
    position: "fixed", right: "1rem", bottom: "4.5rem", width: "24rem", height: "36rem",
    maxHeight: "calc(100vh - 6rem)", zIndex: "2147483001", background: "#ffffff",
    border: "1px solid #c9d1db", borderRadius: ".8rem", overflow: "hidden",
    boxShadow: "0 4px 24px rgba(0,0,0,.25)"
  });

  var close = document.createElement("button");
  close.type = "button";
  close.textContent = "×";
  close.setAttribute("aria-label", words.close);
  css(close, {
    position: "absolute", top: ".3rem", right: ".3rem", width: "2.5rem", height: "2.5rem",
    border: "0", borderRadius: "50%", background: "#eef2f7", color: "#1b1f24",
    font: "22px system-ui, sans-serif", cursor: "pointer", zIndex: "1"
  });
  panel.appendChild(close);

  // Whether this site may show the chat (PAT_WEB_ALLOWED_ORIGINS), asked once without a cookie:
  // a site that may not gets a clear message, not a frame its browser would leave grey.
  var allowed = fetch(new URL("api/widget", base).href, { credentials: "omit", cache: "no-store" })
    .then(function (r) { return r.json(); })
    .then(function (d) { return d.allowed === true; })
    .catch(function () { return false; });

  // Only these links are made (the server cut the text with strict patterns: links.py).
  var LINK = /^(tel:\+?[0-9]{3,15}|mailto:[^\s"'<>]+@[^\s"'<>]+)$/i;
  function refused() {  // the message, its numbers and address links (text nodes only)
    var p = document.createElement("p");
    p.id = "pat-chat-refused";
    p.tabIndex = -1;
    css(p, { margin: "3.5rem 1.2rem 1rem", color: "#1b1f24", font: "16px/1.5 system-ui, sans-serif" });
    (words.refused || [["pat@smes.be", "mailto:pat@smes.be"]]).forEach(function (piece) {
      if (typeof piece[1] === "string" && LINK.test(piece[1])) {
        var a = document.createElement("a");
        a.href = piece[1];
        a.textContent = piece[0];
        css(a, { color: "#0b4f94", textDecoration: "underline" });
        p.appendChild(a);
      } else {
        p.appendChild(document.createTextNode(piece[0]));
      }
    });
    return p;
  }

  var frame = null;
  var message = null;
  function show(on) {
    if (on && !frame && !message) {
      allowed.then(function (yes) {
        if (yes) {
          frame = document.createElement("iframe");
          // The chat tells this page its language (postMessage) at this page's origin only.
          var host = "#host=" + encodeURIComponent(location.origin);
          frame.src = new URL("?lang=" + encodeURIComponent(lang) + host, base).href;
          frame.title = words.open;
          css(frame, { width: "100%", height: "100%", border: "0" });
          frame.addEventListener("load", function () {  // the chat learns who may talk to it
            frame.contentWindow.postMessage({ pat: "hello" }, base.origin);
            if (!panel.hidden) { into(); }
          });
          panel.appendChild(frame);
        } else {
          message = refused();
          panel.appendChild(message);
        }
        show(true);
      });
      return;
    }
    panel.hidden = !on;
    open.hidden = on && small;  // full screen on a phone: the panel's × closes it
    open.setAttribute("aria-expanded", on ? "true" : "false");
    if (on) { into(); } else { open.focus(); }
  }
  function into() {  // the focus into the chat's own document: Tab then walks its controls
    if (frame) { frame.focus(); frame.contentWindow.focus(); } else { message.focus(); }
  }
  document.addEventListener("focusin", function (e) {  // never the host page while open
    if (!panel.hidden && !panel.contains(e.target)) { close.focus(); }
  });
  open.addEventListener("click", function () { show(panel.hidden); });
  // The focus stays in the open panel (WCAG 2.4.3): Shift+Tab from × goes to the chat's last
  // control (chat.js is asked), Tab from the chat's last control comes to × (chat.js tells),
  // and without a chat Tab goes round × and the message's link.
  close.addEventListener("keydown", function (e) {
    if (e.key !== "Tab" || !e.shiftKey) { return; }
    e.preventDefault();
    if (frame) {
      frame.focus();
      frame.contentWindow.postMessage({ pat: "focus-last" }, base.origin);
    } else if (message) {
      (message.querySelector("a") || message).focus();
    }
  });
  panel.addEventListener("keydown", function (e) {
    if (e.key === "Tab" && !e.shiftKey && message && e.target !== close) {
      e.preventDefault();
      close.focus();
    }
  });
  close.addEventListener("click", function () { show(false); });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && !panel.hidden) { show(false); }
  });
  window.addEventListener("message", function (e) {  // Escape or Tab pressed inside the chat
    if (e.origin !== base.origin || !e.data || panel.hidden) { return; }
    if (frame && e.source !== frame.contentWindow) { return; }
    if (e.data.pat === "close") { show(false); }
    if (e.data.pat === "tab-out") { close.focus(); }
  });
  // The language chosen in the chat: the button and the panel speak it too (WCAG 3.1.2).
  function speak(code) {
    words = labels[code];
    open.textContent = "💬 " + words.open;
    open.lang = panel.lang = code;
    panel.setAttribute("aria-label", words.open);
    close.setAttribute("aria-label", words.close);
    if (frame) { frame.title = words.open; }
  }
  window.addEventListener("message", function (e) {
    if (e.origin === base.origin && e.data && e.data.pat === "lang" && labels[e.data.lang]) {
      speak(e.data.lang);
    }
  });
  if (labels[lang]) { speak(lang); }
  document.body.appendChild(panel);
  document.body.appendChild(open);
})();
