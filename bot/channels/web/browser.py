"""What the browser and the bot send each other, over the WebSocket or the HTTP fallback: a
browser message read as an engine event, and a rendered answer as JSON for the page."""

from __future__ import annotations

import json
from typing import Any

from bot.channels.links import parts
from bot.conversation.commands import typed_command
from bot.conversation.render import Outgoing, parse_callback
from flows.engine import Command, Event, Start, Text
from flows.locales import LOCALES

MAX_FRAME = 16 * 1024  # bytes per WebSocket message: far above 2,000 characters of text


def shown(out: Outgoing) -> dict[str, Any]:
    """One rendered message as the page shows it."""
    body = out.text.split("\n\n")[0] if out.summary else out.text
    return {
        "text": out.text,
        # The text in pieces, each with its tel:, mailto: or https: link or null
        # (bot/channels/links.py): the page makes links of them as attributes, never HTML.
        "parts": [[piece, link] for piece, link in parts(body)],
        "buttons": [{"data": b.data, "label": b.label} for b in out.buttons],
        "expects": out.expects,
        "field": out.field,  # the text box fits it: e-mail, phone, name (WCAG 1.3.5)
        "update": out.update,
        "summary": [list(pair) for pair in out.summary],
    }


def parsed(text: str | bytes | None) -> Any:
    """A browser message as JSON; None for anything else (binary, too deep, not JSON)."""
    if not isinstance(text, str):
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def event_of(data: Any, locale: str) -> Event | None:
    """What one message from the browser means (None: not understood)."""
    if not isinstance(data, dict):
        return None
    kind = data.get("t")
    if kind == "text" and isinstance(data.get("text"), str):
        typed = data["text"]
        word = typed.strip().split(" ", 1)[0].lower() if typed.startswith("/") else ""
        command = typed_command(word)
        if command is not None:
            return Command(command)
        return Text(typed)
    if kind == "button" and isinstance(data.get("data"), str):
        return parse_callback(data["data"])
    if kind == "forget":
        return Command("forget")
    if kind == "language":
        return Command("language")
    if kind == "privacy":
        return Command("privacy")
    if kind == "urgent":
        return Command("urgent")
    if kind == "start":  # the page's language, also over the HTTP fallback (no ?lang there)
        asked = data.get("lang")
        return Start(locale=asked if isinstance(asked, str) and asked in LOCALES else locale)
    return None
