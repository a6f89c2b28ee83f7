// The chat page fitted to the conversation, without state of its own (chat.js keeps it, and
// is loaded after this): the page's words in a language, the widget's page told of it, a
// button's label, the text box that fits an answer expected, and a text's links.
window.patFit = (function () {
  "use strict";

  // The page's own words and its lang attribute in ``code`` (``words``: that language's).
  function speak(code, words) {
    document.documentElement.lang = code;
    document.body.dataset.lang = code;
    document.title = words.title;
    document.querySelectorAll("[data-word]").forEach(function (el) {
      el.textContent = words[el.dataset.word];
    });
    document.querySelectorAll("[data-word-placeholder]").forEach(function (el) {
      el.placeholder = words[el.dataset.wordPlaceholder];
    });
    document.querySelectorAll("[data-word-label]").forEach(function (el) {
      el.setAttribute("aria-label", words[el.dataset.wordLabel]);
    });
    tellHost({ pat: "lang", lang: code });
  }

  // The widget's page (another origin), told only at the origin it gave in the frame's address.
  function tellHost(message) {
    var host = /(?:^#|&)host=([^&]+)/.exec(location.hash);
    if (window.parent === window || !host) { return; }
    try {
      window.parent.postMessage(message, decodeURIComponent(host[1]));
    } catch (e) { /* not an origin: nobody to tell */ }
  }

  // A button's label; a leading « ↩ » is not read aloud.
  function label(button, text) {
    if (text.indexOf("↩ ") === 0) {
      var arrow = document.createElement("span");
      arrow.setAttribute("aria-hidden", "true");
      arrow.textContent = "↩ ";
      button.appendChild(arrow);
      text = text.slice(2);
    }
    button.dataset.label = text;
    button.appendChild(document.createTextNode(text));
  }

  // The keyboard and autofill of an expected answer ("<validator>/<key>"), WCAG 1.3.5.
  var FIELDS = {
    "email": { type: "email", inputMode: "email", autocomplete: "email" },
    "phone": { type: "tel", inputMode: "tel", autocomplete: "tel" },
    "name": { type: "text", inputMode: "text", autocomplete: "name" },
    "short_text/organisation": { type: "text", inputMode: "text", autocomplete: "organization" },
    "short_text/role": { type: "text", inputMode: "text", autocomplete: "organization-title" },
    "count": { type: "text", inputMode: "numeric", autocomplete: "off" }
  };

  // A one-line field set up for ``field`` (true), or false: the text area is the one.
  function field(line, expected) {
    var spec = FIELDS[expected] || FIELDS[expected.split("/")[0]];
    if (!spec) { return false; }
    line.type = spec.type;
    line.inputMode = spec.inputMode;
    line.setAttribute("autocomplete", spec.autocomplete);
    return true;
  }

  // Only these links are made, whatever a text says (the server cut it with strict patterns:
  // bot/channels/links.py).
  var LINK = /^(tel:\+?[0-9]{3,15}|mailto:[^\s"'<>]+@[^\s"'<>]+|https:\/\/[a-z0-9.\/_-]+)$/i;

  // ``pieces`` ([text, link or null], from the server) put in ``holder``: links where allowed
  // (a site opens in a new tab), else text nodes, so nothing is ever read as HTML.
  function links(holder, pieces) {
    pieces.forEach(function (piece) {
      var href = piece[1];
      if (typeof href === "string" && LINK.test(href)) {
        var a = document.createElement("a");
        a.href = href;
        a.textContent = piece[0];
        if (href.indexOf("https:") === 0) { a.target = "_blank"; a.rel = "noopener noreferrer"; }
        holder.appendChild(a);
      } else {
        holder.appendChild(document.createTextNode(piece[0]));
      }
    });
  }

  return { speak: speak, label: label, field: field, tellHost: tellHost, links: links };
})();
