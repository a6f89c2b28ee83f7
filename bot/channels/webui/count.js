// A long text on the chat page: a counter near the limit, and over it a kind refusal with its
// length; the text stays in the box to be shortened, never cut (the bot refuses it the same
// way: flows/validators.py MAX_INPUT_CHARS). Loaded before chat.js, which calls
// ``window.patCount(page)`` once and gets ``count`` (after each key) and ``refused`` (on send).
window.patCount = function (page) {
  "use strict";
  // ``page`` (chat.js): ``input()`` the text box now shown, ``words()`` the page's words in
  // the conversation's language, ``lang()`` that language, ``bubble(text, who)``.
  var LIMIT = parseInt(page.input().dataset.limit, 10) || 2000;
  var NEAR = Math.floor(LIMIT * 0.9);
  var counter = document.getElementById("count");
  var counterSaid = document.getElementById("count-said");
  var zone = "";

  function length(text) {  // characters as the bot counts them (an emoji is one)
    return Array.from(text).length;
  }

  function number(n) {
    try {
      return new Intl.NumberFormat(document.documentElement.lang || page.lang()).format(n);
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
    var input = page.input();
    var n = length(input.value.trim());
    var now = n > LIMIT ? "over" : (n >= NEAR ? "near" : "");
    counter.hidden = !now;
    counter.textContent = now ? number(n) + " / " + number(LIMIT) : "";
    counter.classList.toggle("over", now === "over");
    if (now === "over") { input.setAttribute("aria-invalid", "true"); } else { input.removeAttribute("aria-invalid"); }
    if (now && now !== zone) {  // read out when it appears and when the limit is passed, not at each key
      counterSaid.textContent = fill(page.words().count_said, { count: number(n), limit: number(LIMIT) });
    }
    zone = now;
  }

  // Whether ``text`` is too long to send (then the bot's kind refusal is shown).
  function refused(text) {
    var n = length(text);
    if (n <= LIMIT) { return false; }
    page.bubble(fill(page.words().too_long, { length: number(n), limit: number(LIMIT) }), "bot");
    page.input().focus();
    return true;
  }

  return { count: count, refused: refused };
};
