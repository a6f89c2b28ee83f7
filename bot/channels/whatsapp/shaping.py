"""Our messages as WhatsApp messages: text, reply buttons, list messages.

- No buttons: a text message (4,096 characters at most; the bot's are far shorter). Numbers
  stay as they are: WhatsApp makes phone numbers tappable itself.
- Up to 3 buttons whose labels fit in 20 characters: reply buttons under the text.
- Otherwise a list message (one tap opens it): up to 10 rows, each with the label as its title
  (24 characters) and, when the label is longer, the whole label as the row's description
  (72 characters), so that nothing of it is lost. More than 10 choices: further lists of the
  rest, under « Autres choix ».
- A label too long for its place is shortened at a word boundary with « … », never mid-word
  (a single word longer than the place is the one exception, cut with « … »).
- The text of an interactive message is at most 1,024 characters: a longer one goes first as
  a text message, the buttons then under « Votre choix : ».
"""

from __future__ import annotations

from typing import Any

from bot.conversation.i18n import Translator
from bot.conversation.render import OutButton, Outgoing
from flows.texts import N_

CHOOSE = N_("Choisir")  # the button that opens a list (20 characters at most)
YOUR_CHOICE = N_("Votre choix :")
MORE_CHOICES = N_("Autres choix :")

BUTTONS, BUTTON_TITLE = 3, 20
ROWS, ROW_TITLE, ROW_DESCRIPTION, LIST_BUTTON = 10, 24, 72, 20
BODY = 1024
TEXT = 4096

Message = dict[str, Any]


def shorten(label: str, limit: int) -> str:
    """``label`` within ``limit`` characters, cut at a word boundary with « … »."""
    if len(label) <= limit:
        return label
    words = label[: limit - 1].split(" ")
    kept = " ".join(words[:-1]) if len(words) > 1 else words[0]
    return kept.rstrip(" ,;:–-") + "…"


def text_message(text: str) -> Message:
    return {"type": "text", "text": {"body": text[:TEXT], "preview_url": False}}


def messages_for(out: Outgoing, t: Translator) -> list[Message]:
    """What WhatsApp is sent for one of our messages, in order."""
    if not out.buttons:
        return [text_message(out.text)]
    first: list[Message] = []
    body = out.text
    if len(body) > BODY:
        first, body = [text_message(body)], t.gettext(YOUR_CHOICE)
    if len(out.buttons) <= BUTTONS and all(len(b.label) <= BUTTON_TITLE for b in out.buttons):
        return [*first, _reply_buttons(body, out.buttons)]
    lists = [out.buttons[i : i + ROWS] for i in range(0, len(out.buttons), ROWS)]
    more = t.gettext(MORE_CHOICES)
    button = shorten(t.gettext(CHOOSE), LIST_BUTTON)
    return [
        *first,
        *(_list(body if i == 0 else more, rows, button) for i, rows in enumerate(lists)),
    ]


def _reply_buttons(body: str, buttons: tuple[OutButton, ...]) -> Message:
    return {
        "type": "interactive",
        "interactive": {
            "type": "button",
            "body": {"text": body},
            "action": {
                "buttons": [
                    {"type": "reply", "reply": {"id": b.data, "title": b.label}} for b in buttons
                ]
            },
        },
    }


def _row(button: OutButton) -> dict[str, str]:
    row = {"id": button.data, "title": shorten(button.label, ROW_TITLE)}
    if row["title"] != button.label:
        row["description"] = shorten(button.label, ROW_DESCRIPTION)
    return row


def _list(body: str, buttons: tuple[OutButton, ...], button: str) -> Message:
    return {
        "type": "interactive",
        "interactive": {
            "type": "list",
            "body": {"text": body},
            "action": {"button": button, "sections": [{"rows": [_row(b) for b in buttons]}]},
        },
    }
