"""What the browser loads from the web channel: the chat page, the widget's script, and the
page's script and style (bot/channels/webui/), with their words in the person's language."""

from __future__ import annotations

import html
import json
from importlib.resources import files

from starlette.responses import Response

from bot.channels.links import parts
from bot.channels.web.diagnose import NOT_ON_THIS_SITE
from bot.conversation.i18n import Catalogs, Translator
from flows import texts
from flows.locales import LOCALES
from flows.texts import N_
from flows.validators import MAX_INPUT_CHARS

STATIC = files("bot.channels") / "webui"
TYPES = {".js": "text/javascript", ".css": "text/css"}
# The only names served from webui/: the page's scripts (index.html loads them in this
# order, chat.js last), its style, and the widget's script for other sites.
SCRIPTS = ("fit.js", "count.js", "relay.js", "guard.js", "chat.js")
SERVED = (*SCRIPTS, "chat.css", "widget.js")

# The page's own words (the conversation's come from the flows, as everywhere).
UI = {
    "title": N_("PAT · le robot d'accueil"),
    "intro": N_("Le robot d'accueil de PAT : un programme, pas une personne."),
    "input": N_("Votre message"),
    "send": N_("Envoyer"),
    "forget": N_("Effacer mes données"),
    "privacy": N_("Vos données"),
    "language": N_("Langue"),
    "sos": texts.HELP_NOW_ENTRY,
    "offline": N_("La connexion est coupée ; je réessaie…"),
    "you": N_("Vous"),
    "bot": N_("Robot PAT"),
    "open": N_("Une question sur la pair-aidance ? Écrire au robot de PAT"),
    "close": N_("Fermer le chat"),
    "noscript": N_("Ce chat a besoin de JavaScript. Vous pouvez aussi écrire à pat@smes.be."),
    # Near the limit of a typed text, and over it ({count}, {length}, {limit}: filled in by
    # the page, numbers written the way of the page's language).
    "count_said": N_("{count} caractères sur {limit}"),
    "too_long": texts.TOO_LONG,
}


def security_headers(allowed: set[str]) -> dict[str, str]:
    """The page's security headers; only the origins ``allowed`` may frame it."""
    frames = " ".join(["'self'", *sorted(allowed)])
    return {
        "Content-Security-Policy": (
            "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
            f"img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors {frames}"
        ),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }


def page_words(t: Translator) -> dict[str, str]:
    """The page's own words in one language."""
    return {key: t.gettext(msgid) for key, msgid in UI.items()}


def chat_page(catalogs: Catalogs, locale: str, allowed: set[str]) -> Response:
    """The chat page in ``locale`` (put in as text, escaped), with its words in every
    language: the page changes language at once when the conversation does (chat.js)."""
    every: dict[str, dict[str, str]] = {loc: page_words(catalogs.get(loc)) for loc in LOCALES}
    words = every[locale]
    template = (STATIC / "index.html").read_text(encoding="utf-8")
    body = (
        template.replace("{lang}", locale)
        .replace("{max_chars}", str(MAX_INPUT_CHARS))
        .replace("{words}", html.escape(json.dumps(every, ensure_ascii=False), quote=True))
    )
    for key, value in words.items():
        body = body.replace("{" + key + "}", html.escape(value))
    # The sites whose widget may talk to the page (focus trap, Escape): as in frame-ancestors.
    body = body.replace("{origins}", html.escape(" ".join(sorted(allowed))))
    return Response(body, media_type="text/html; charset=utf-8", headers=security_headers(allowed))


def static_file(catalogs: Catalogs, name: str) -> Response:
    """The page's scripts or style, or the widget's script (404 for any other name)."""
    if name not in SERVED:
        return Response(status_code=404)
    body = (STATIC / name).read_text(encoding="utf-8")
    if name == "widget.js":  # the button's words, in every language, from the catalogs
        widget = {"open": UI["open"], "close": UI["close"], "refused": NOT_ON_THIS_SITE}
        labels: dict[str, dict[str, object]] = {
            loc: {k: catalogs.get(loc).gettext(msgid) for k, msgid in widget.items()}
            for loc in LOCALES
        }
        for words in labels.values():  # its numbers and address as links (links.py)
            words["refused"] = [[piece, link] for piece, link in parts(str(words["refused"]))]
        body = body.replace("/*LABELS*/{}", json.dumps(labels, ensure_ascii=False))
    media = TYPES["." + name.rsplit(".", 1)[1]] + "; charset=utf-8"
    headers = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"}
    return Response(body, media_type=media, headers=headers)
