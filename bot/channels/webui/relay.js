// A person from PAT answering in the chat (bot/channels/web/relay.py): their bubble stands
// apart, signed with their first name (also what a screen reader reads first), with
// « Terminer la conversation » under the newest one, which stays usable while the bot talks.
// A message is shown once (a page that reconnects may get it again), then acknowledged.
// Loaded before chat.js, which calls ``window.patRelay(page)`` once and gets ``relayed``.
window.patRelay = function (page) {
  "use strict";
  // ``page`` (chat.js): ``log`` the conversation, ``bubble``, ``choices`` and ``show``.
  var seen = {};

  // A relayed ``frame`` shown, then acknowledged over the socket ``via`` (null over HTTP).
  function relayed(frame, via) {
    if (!seen[frame.id]) {
      seen[frame.id] = true;
      (frame.messages || []).forEach(function (m) {
        if (m.who !== "staff") { page.show([m]); return; }
        var div = page.bubble(m.text, "staff", m.parts);
        var label = div.firstChild;  // not "Robot PAT": the person's name, visible
        label.className = "who";
        label.textContent = m.head;
        page.log.querySelectorAll(".choices.keep button").forEach(function (x) { x.disabled = true; });
        page.choices(m, div).classList.add("keep");
      });
      page.log.scrollTop = page.log.scrollHeight;
    }
    if (via && via.readyState === WebSocket.OPEN) {
      via.send(JSON.stringify({ t: "ack", id: frame.id }));
    }
  }

  return relayed;
};
