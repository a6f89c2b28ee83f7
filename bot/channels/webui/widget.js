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

  var frame = null;
  function show(on) {
    if (on && !frame) {
      frame = document.createElement("iframe");
      // The chat tells this page its language (postMessage) at this page's origin only.
      var host = "#host=" + encodeURIComponent(location.origin);
      frame.src = new URL("?lang=" + encodeURIComponent(lang) + host, base).href;
      frame.title = words.open;
      css(frame, { width: "100%", height: "100%", border: "0" });
      panel.appendChild(frame);
    }
    panel.hidden = !on;
    open.hidden = on && small;  // full screen on a phone: the panel's × closes it
    open.setAttribute("aria-expanded", on ? "true" : "false");
    if (on) { frame.focus(); } else { open.focus(); }
  }
  open.addEventListener("click", function () { show(panel.hidden); });
  close.addEventListener("click", function () { show(false); });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && !panel.hidden) { show(false); }
  });
  window.addEventListener("message", function (e) {  // Escape pressed inside the chat
    if (e.origin === base.origin && e.data && e.data.pat === "close" && !panel.hidden) {
      show(false);
    }
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
