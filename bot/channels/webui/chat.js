// The chat page: what the person does goes to the bot (WebSocket, or HTTP when it cannot
// connect), and what the bot says is shown. Every text is put in with textContent, so nothing
// the bot or a person writes is ever read as HTML. No library, no build step.
(function () {
  "use strict";
  // The page's words in every language (the conversation may change language at any time).
  var allWords = JSON.parse(document.body.dataset.words || "{}");
  var lang = document.body.dataset.lang || "fr";
  var words = allWords[lang] || {};
  var fit = window.patFit;  // fit.js: the page's words, labels and text boxes
  // French puts a space before the colon; Dutch and English do not.
  function sep() {
    return document.documentElement.lang === "fr" ? " : " : ": ";
  }
  var log = document.getElementById("log");
  var form = document.getElementById("composer");
  var input = document.getElementById("text");
  var area = input;  // the text box for free text; a one-line field for an e-mail, a phone…
  var line = document.createElement("input");
  line.setAttribute("aria-describedby", "count");  // never a maxlength: too long is said, not cut
  var intro = document.querySelector(".intro");
  var status = document.getElementById("status");
  var here = location.pathname.replace(/[^/]*$/, "");
  var socket = null;
  var overHttp = false;
  var opened = false;
  var started = false;
  var failures = 0;
  var lastChoices = null;
  var tapped = false;  // an answer tapped: focus goes on to what comes next (``ready``)
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
      fit.label(button, selected ? b.label.slice(2) : b.label);
      button.dataset.data = b.data;
      if (toggle) {
        button.setAttribute("aria-pressed", selected ? "true" : "false");
      }
      button.addEventListener("click", function () {
        if (!toggle) {  // a choice made: the keyboard gives way to the answer, as on Telegram
          collapse(box, chosen(box, button));
        }
        send({ t: "button", data: b.data });
      });
      box.appendChild(button);
    });
    holder.appendChild(box);
    return box;
  }

  function show(messages) {
    var first = null;
    var last = null;
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
      first = first || div;
      last = m;
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
      if (m.buttons.length) {  // only the newest buttons are there to press (and the end of a
        // conversation with a person from PAT, under their newest message)
        log.querySelectorAll(".choices:not(.keep)").forEach(function (x) { x.remove(); });
        lastChoices = choices(m, div);
      }
    });
    if (first) { log.scrollTop = Math.max(0, first.offsetTop - 8); }  // a long one from its start
    if (last) { ready(last); }
  }

  // A person from PAT answering in the chat (bot/channels/web/relay.py): their bubble stands
  // apart, signed with their first name (also what a screen reader reads first), with
  // « Terminer la conversation » under the newest one, which stays usable while the bot talks.
  // A message is shown once (a page that reconnects may get it again), then acknowledged.
  var relayedSeen = {};
  function relayed(frame, via) {
    if (!relayedSeen[frame.id]) {
      relayedSeen[frame.id] = true;
      (frame.messages || []).forEach(function (m) {
        if (m.who !== "staff") { show([m]); return; }
        var div = bubble(m.text, "staff", m.parts);
        var label = div.firstChild;  // not "Robot PAT": the person's name, visible
        label.className = "who";
        label.textContent = m.head;
        log.querySelectorAll(".choices.keep button").forEach(function (x) { x.disabled = true; });
        choices(m, div).classList.add("keep");
      });
      log.scrollTop = log.scrollHeight;
    }
    if (via && via.readyState === WebSocket.OPEN) {
      via.send(JSON.stringify({ t: "ack", id: frame.id }));
    }
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
      .then(function (d) {
        offline(false);
        receive(d);
        (d.relayed || []).forEach(function (frame) { relayed(frame, null); });
      })
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
    socket.onmessage = function (e) {
      var d = JSON.parse(e.data);
      if (d.t === "relay") { relayed(d, e.target); return; }
      receive(d);
    };
    socket.onclose = function () {
      socket = null;
      failures += 1;
      if (!opened && failures >= 2) { overHttp = true; begin(); return; }  // a proxy blocks it
      offline(true);
      setTimeout(connect, Math.min(10000, 1000 * failures));
    };
  }

  // A long text: a counter near the limit, and over it a kind refusal with its length; the
  // text stays in the box to be shortened, never cut (the bot refuses it the same way).
  var LIMIT = parseInt(input.dataset.limit, 10) || 2000;
  var NEAR = Math.floor(LIMIT * 0.9);
  var counter = document.getElementById("count");
  var counterSaid = document.getElementById("count-said");
  var zone = "";

  function length(text) {  // characters as the bot counts them (an emoji is one)
    return Array.from(text).length;
  }

  function number(n) {
    try {
      return new Intl.NumberFormat(document.documentElement.lang || lang).format(n);
    } catch (e) {
      return String(n);
    }
  }

  function fill(template, values) {
    return (template || "").replace(/\{(\w+)\}/g, function (all, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : all;
    });
  }

  function count() {
    var n = length(input.value.trim());
    var now = n > LIMIT ? "over" : (n >= NEAR ? "near" : "");
    counter.hidden = !now;
    counter.textContent = now ? number(n) + " / " + number(LIMIT) : "";
    counter.classList.toggle("over", now === "over");
    if (now === "over") { input.setAttribute("aria-invalid", "true"); } else { input.removeAttribute("aria-invalid"); }
    if (now && now !== zone) {  // read out when it appears and when the limit is passed, not at each key
      counterSaid.textContent = fill(words.count_said, { count: number(n), limit: number(LIMIT) });
    }
    zone = now;
  }

  function refused(text) {
    var n = length(text);
    if (n <= LIMIT) { return false; }
    bubble(fill(words.too_long, { length: number(n), limit: number(LIMIT) }), "bot");
    input.focus();
    return true;
  }

  [area, line].forEach(function (box) { box.addEventListener("input", count); });

  // -- what the bot's answer changes on the page ----------------------------------------------

  // The bot's answer: the page in the conversation's language first (its words, the colon of
  // the summary), then the messages.
  function receive(d) {
    if (typeof d.lang === "string") { setLanguage(d.lang); }
    if (d.resumed) { intro.hidden = false; }  // no welcome above: say again it is a program
    show(d.messages || []);
  }

  // The page's own words, its lang attribute and the widget's, in ``code``, without a reload.
  function setLanguage(code) {
    if (code === lang || !allWords[code]) { return; }
    lang = code;
    words = allWords[code];
    line.placeholder = words.input;
    fit.speak(code, words);
  }

  // What the person chose, as their bubble shows it: the options ticked when a multiple
  // choice is done, else the button's label.
  function chosen(box, button) {
    var ticked = [];
    box.querySelectorAll("button[aria-pressed='true']").forEach(function (x) {
      ticked.push(x.dataset.label);
    });
    var done = /:_done$/.test(button.dataset.data);
    return done && ticked.length ? ticked.join(", ") : button.dataset.label;
  }

  function collapse(box, answer) {
    tapped = true;
    box.remove();
    if (box === lastChoices) { lastChoices = null; }
    bubble(answer, "you");
  }

  // Once the bot has asked: the text box fits the answer expected, one send control at a time,
  // and focus goes to typing only when typing is expected (on a phone, focus opens the keyboard).
  // Never on a page just opened: only after the person typed or tapped an answer.
  function ready(m) {
    var active = document.activeElement;
    var acted = tapped || active === input || log.contains(active);
    tapped = false;
    fitBox(m.expects === "text" ? m.field || "" : "");
    form.hidden = m.summary.length > 0 && m.buttons.length > 0;  // its « Envoyer » sends
    active = document.activeElement;
    var lost = !active || active === document.body;
    if (m.expects === "text" && acted) {
      input.focus();
    } else if (lost && acted && lastChoices) {  // the pressed button is gone: the next ones
      lastChoices.querySelector("button").focus({ preventScroll: true });
    }
  }

  function fitBox(expected) {
    var next = fit.field(line, expected) ? line : area;
    if (next === input) { return; }
    next.value = input.value;
    next.placeholder = words.input;
    input.removeAttribute("id");
    next.id = "text";
    input.replaceWith(next);
    input = next;
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = input.value.trim();
    if (!text) { return; }
    if (refused(text)) { return; }
    bubble(text, "you");
    input.value = "";
    count();
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
  // Without a session (``unavailable``), the help lines the server gave are shown here.
  var helpHere = null;
  document.getElementById("sos").addEventListener("click", function () {
    if (helpHere) { bubble("", "bot", helpHere); } else { send({ t: "urgent" }); }
  });
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
    // Everything waits for a session, except the help lines: they need none.
    document.querySelectorAll("button, textarea").forEach(function (x) { x.disabled = x.id !== "sos"; });
  }

  function checkSession(then) {
    var how = "?lang=" + lang + "&secure=" + (location.protocol === "https:" ? 1 : 0) +
      "&framed=" + (window.parent !== window ? 1 : 0);
    fetch(here + "api/session" + how, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (d) {
        if (d.session !== false) { then(); return; }
        helpHere = d.help || null;
        unavailable(d.parts || []);
      })
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
