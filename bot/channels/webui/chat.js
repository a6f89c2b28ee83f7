// The chat page: what the person does goes to the bot (WebSocket, or HTTP when it cannot
// connect), and what the bot says is shown. Every text is put in with textContent, so nothing
// the bot or a person writes is ever read as HTML. No library, no build step. Its parts are
// loaded before it, in this order (index.html): fit.js (the page fitted to the conversation),
// count.js (a long text), relay.js (a person from PAT), guard.js (works or says why, focus in
// the widget); this file keeps the conversation's state and gives them what they need.
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

  // What the other parts may use of the page; ``input`` changes with the answer expected.
  var page = {
    log: log, status: status, here: here, bubble: bubble, choices: choices, show: show,
    input: function () { return input; },
    words: function () { return words; },
    lang: function () { return lang; }
  };
  var relayed = window.patRelay(page);

  function bubble(text, who, pieces) {
    var div = document.createElement("div");
    div.className = "msg " + who;
    var label = document.createElement("span");
    label.className = "visually-hidden";
    label.textContent = (who === "you" ? words.you : words.bot) + sep();
    div.appendChild(label);
    fit.links(div, pieces || [[text, null]]);
    log.appendChild(div);
    log.scrollTop = log.scrollHeight;
    return div;
  }

  function ticked(b) {  // an option of a multiple choice, ticked ("✓ " before its label)
    return b.label.indexOf("✓ ") === 0;
  }

  function choices(message, holder) {
    var box = document.createElement("div");
    box.className = "choices";
    message.buttons.forEach(function (b) {
      var button = document.createElement("button");
      button.type = "button";
      var selected = ticked(b);
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
            button.setAttribute("aria-pressed", ticked(b) ? "true" : "false");
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

  // A long text: a counter near the limit, and a kind refusal over it (count.js).
  var counter = window.patCount(page);
  [area, line].forEach(function (box) { box.addEventListener("input", counter.count); });

  // -- what the bot's answer changes on the page ----------------------------------------------

  // The bot's answer: the page in the conversation's language first (its words, the colon of
  // the summary), then the messages.
  function receive(d) {
    if (typeof d.lang === "string") { setLanguage(d.lang); }
    if (d.resumed) { intro.hidden = false; }  // no welcome above: say again it is a program
    if (d.erased) { log.textContent = ""; lastChoices = null; }  // erased: nothing left to read
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
    if (counter.refused(text)) { return; }
    bubble(text, "you");
    input.value = "";
    counter.count();
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
  // Without a session (guard.js), the help lines the server gave are shown here.
  document.getElementById("sos").addEventListener("click", function () {
    var help = guard.help();
    if (help) { bubble("", "bot", help); } else { send({ t: "urgent" }); }
  });
  // Works, or says why; in the widget's panel, Escape and the focus trap (guard.js).
  var guard = window.patGuard(page);
  guard.check(connect);
})();
