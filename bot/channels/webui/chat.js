// The chat page: what the person does goes to the bot (WebSocket, or HTTP when it cannot
// connect), and what the bot says is shown. Every text is put in with textContent, so nothing
// the bot or a person writes is ever read as HTML. No library, no build step.
(function () {
  "use strict";
  var words = JSON.parse(document.body.dataset.words || "{}");
  // French puts a space before the colon; Dutch and English do not.
  function sep() {
    return document.documentElement.lang === "fr" ? " : " : ": ";
  }
  var lang = document.body.dataset.lang || "fr";
  var log = document.getElementById("log");
  var form = document.getElementById("composer");
  var input = document.getElementById("text");
  var status = document.getElementById("status");
  var here = location.pathname.replace(/[^/]*$/, "");
  var socket = null;
  var overHttp = false;
  var opened = false;
  var started = false;
  var failures = 0;
  var lastChoices = null;
  var waiting = [];  // what the person did while the connection was down, sent once it is back
  var ENDS = /:_(done|menu)$/;  // "C'est tout", "↩ Menu": not options to tick

  // Only these links are made, whatever a text says (the server cut it with strict patterns).
  var LINK = /^(tel:\+?[0-9]{3,15}|mailto:[^\s"'<>]+@[^\s"'<>]+|https:\/\/[a-z0-9.\/_-]+)$/i;

  function bubble(text, who, pieces) {
    var div = document.createElement("div");
    div.className = "msg " + who;
    var label = document.createElement("span");
    label.className = "visually-hidden";
    label.textContent = (who === "you" ? words.you : words.bot) + sep();
    div.appendChild(label);
    (pieces || [[text, null]]).forEach(function (piece) {
      var href = piece[1];
      if (typeof href === "string" && LINK.test(href)) {
        var a = document.createElement("a");
        a.href = href;
        a.textContent = piece[0];
        if (href.indexOf("https:") === 0) { a.target = "_blank"; a.rel = "noopener noreferrer"; }
        div.appendChild(a);
      } else {
        div.appendChild(document.createTextNode(piece[0]));
      }
    });
    log.appendChild(div);
    log.scrollTop = log.scrollHeight;
    return div;
  }

  function choices(message, holder) {
    var box = document.createElement("div");
    box.className = "choices";
    message.buttons.forEach(function (b) {
      var button = document.createElement("button");
      button.type = "button";
      var selected = b.label.indexOf("✓ ") === 0;
      var toggle = message.expects === "multi" && !ENDS.test(b.data);
      button.textContent = selected ? b.label.slice(2) : b.label;
      button.dataset.data = b.data;
      if (toggle) {
        button.setAttribute("aria-pressed", selected ? "true" : "false");
      }
      button.addEventListener("click", function () {
        if (!toggle) {  // a choice made: no second press, the answer shown, focus to typing
          box.querySelectorAll("button").forEach(function (x) { x.disabled = true; });
          bubble(button.textContent, "you");
          input.focus();
        }
        send({ t: "button", data: b.data });
      });
      box.appendChild(button);
    });
    holder.appendChild(box);
    return box;
  }

  function show(messages) {
    messages.forEach(function (m) {
      if (m.update && lastChoices) {  // a multiple choice redrawn: only its ticks change
        m.buttons.forEach(function (b) {
          var button = lastChoices.querySelector("button[data-data='" + b.data + "']");
          if (button && button.hasAttribute("aria-pressed")) {
            var on = b.label.indexOf("✓ ") === 0;
            button.setAttribute("aria-pressed", on ? "true" : "false");
          }
        });
        return;
      }
      var text = m.summary.length ? m.text.split("\n\n")[0] : m.text;
      var div = bubble(text, "bot", m.parts);
      if (m.summary.length) {
        var list = document.createElement("ul");
        m.summary.forEach(function (pair) {
          var item = document.createElement("li");
          var label = document.createElement("strong");
          label.textContent = pair[0];
          item.appendChild(label);
          item.appendChild(document.createTextNode(sep() + pair[1]));
          list.appendChild(item);
        });
        div.appendChild(list);
      }
      if (m.buttons.length) {  // only the newest buttons can be pressed
        log.querySelectorAll(".choices button").forEach(function (x) { x.disabled = true; });
        lastChoices = choices(m, div);
      }
    });
    log.scrollTop = log.scrollHeight;
  }

  function offline(on) {
    status.hidden = !on;
    status.textContent = on ? words.offline : "";
  }

  function send(event) {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(event));
      return;
    }
    if (!overHttp) {  // reconnecting: kept, and sent in order once the socket is back
      waiting.push(event);
      return;
    }
    fetch(here + "api/event", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(event)
    }).then(function (r) { return r.json(); })
      .then(function (d) { offline(false); show(d.messages || []); })
      .catch(function () { offline(true); });
  }

  function begin() {
    if (!started) {
      started = true;
      send({ t: "start", lang: lang });
    }
  }

  function connect() {
    if (overHttp) { begin(); return; }
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    try {
      socket = new WebSocket(scheme + location.host + here + "ws?lang=" + lang);
    } catch (e) {
      overHttp = true;
      begin();
      return;
    }
    socket.onopen = function () {
      var again = opened;
      opened = true;
      failures = 0;
      offline(false);
      begin();
      if (again && !waiting.length) {
        socket.send(JSON.stringify({ t: "start", lang: lang }));  // back: where were we?
      }
      waiting.splice(0).forEach(function (event) { socket.send(JSON.stringify(event)); });
    };
    socket.onmessage = function (e) { show(JSON.parse(e.data).messages || []); };
    socket.onclose = function () {
      socket = null;
      failures += 1;
      if (!opened && failures >= 2) { overHttp = true; begin(); return; }  // a proxy blocks it
      offline(true);
      setTimeout(connect, Math.min(10000, 1000 * failures));
    };
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = input.value.trim();
    if (!text) { return; }
    bubble(text, "you");
    input.value = "";
    send({ t: "text", text: text });
  });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); form.requestSubmit(); }
  });
  document.getElementById("forget").addEventListener("click", function () { send({ t: "forget" }); });
  document.getElementById("language").addEventListener("click", function () { send({ t: "language" }); });
  // The privacy notice, one tap away (GDPR art. 13: information where the data is collected).
  document.getElementById("privacy").addEventListener("click", function () { send({ t: "privacy" }); });
  // Help lines one tap away, whatever the bot understood: the header's button, at every step.
  document.getElementById("sos").addEventListener("click", function () { send({ t: "urgent" }); });
  // In the widget's panel: Escape closes it (the host page cannot see keys typed in here).
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && window.parent !== window) {
      window.parent.postMessage({ pat: "close" }, "*");
    }
  });
  // Works, or says why: without its session cookie (plain HTTP at a name that is not local,
  // or cookies blocked in the widget's frame) the chat cannot work. The server says so, with
  // one kind line to show instead of a page that waits forever.
  function unavailable(pieces) {
    status.textContent = "";
    status.className = "status notice";
    pieces.forEach(function (piece) {
      var href = piece[1];
      if (typeof href === "string" && LINK.test(href)) {
        var a = document.createElement("a");
        a.href = href;
        a.textContent = piece[0];
        status.appendChild(a);
      } else {
        status.appendChild(document.createTextNode(piece[0]));
      }
    });
    status.hidden = false;
    document.querySelectorAll("button, textarea").forEach(function (x) { x.disabled = true; });
  }

  function checkSession(then) {
    var how = "?lang=" + lang + "&secure=" + (location.protocol === "https:" ? 1 : 0) +
      "&framed=" + (window.parent !== window ? 1 : 0);
    fetch(here + "api/session" + how, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (d) { if (d.session === false) { unavailable(d.parts || []); } else { then(); } })
      .catch(function () { then(); });  // cannot tell: try to talk all the same
  }

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
  checkSession(connect);
})();
