"""Turns the engine's ``Say`` effects into plain outgoing messages for any adapter."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.conversation.i18n import Translator
from flows.engine import Choice, Field, Msg, Say
from flows.texts import N_, ONLY_ON, ONLY_WITH, ONLY_WITHOUT

SUMMARY_LINE = N_("• {label} : {value}")
SELECTED_MARK = "✓ "


@dataclass(frozen=True)
class OutButton:
    data: str  # "<turn>:<button id>", at most 64 bytes (Telegram's callback_data limit)
    label: str


@dataclass(frozen=True)
class Outgoing:
    """One message to show: its text, its buttons, and what the bot waits for."""

    text: str
    buttons: tuple[OutButton, ...] = ()
    expects: str = "nothing"
    update: bool = False
    summary: tuple[tuple[str, str], ...] = ()
    field: str = ""  # at a typed answer: "<validator>/<key>" (flows/engine/effects.py Say)


def callback_data(turn: int, button_id: str) -> str:
    return f"{turn}:{button_id}"


def parse_callback(data: str) -> Choice | None:
    """A button press back to an engine event; None when the data is not ours."""
    turn, sep, option = data.partition(":")
    if not sep or not (turn.isascii() and turn.isdecimal()) or not option or len(data) > 64:
        return None
    return Choice(option=option, turn=int(turn))


def _value(field: Field, t: Translator, context: Mapping[str, str]) -> str:
    value = field.value
    if isinstance(value, Msg):
        return t.render(value, context)
    if isinstance(value, tuple):
        return ", ".join(t.render(v, context) for v in value)
    return value


def render(say: Say, t: Translator, context: Mapping[str, str] | None = None) -> Outgoing:
    ctx = context or {}
    text = t.render(say.text, ctx)
    summary = tuple((t.render(f.label, ctx), _value(f, t, ctx)) for f in say.fields)
    if summary:
        lines = [
            t.gettext(SUMMARY_LINE).format(label=label, value=value) for label, value in summary
        ]
        text = text + "\n\n" + "\n".join(lines)
    buttons = tuple(
        OutButton(
            callback_data(say.turn, b.id),
            (SELECTED_MARK if b.selected else "") + t.render(b.label, ctx),
        )
        for b in say.buttons
    )
    return Outgoing(text, buttons, say.expects, say.update, summary, say.field)


def applies(msgid: str, context: Mapping[str, str]) -> bool:
    """Whether a text applies in this chat (flows/texts.py): on its channel (``channel`` in
    ``context``), with the values it shows set, or, for the alternative of such a text, while
    one of them is not."""
    channels = ONLY_ON.get(msgid)
    if channels is not None and context.get("channel") not in channels:
        return False
    if not all(context.get(name) for name in ONLY_WITH.get(msgid, ())):
        return False
    missing = ONLY_WITHOUT.get(msgid)
    return not missing or not all(context.get(name) for name in missing)


def render_all(
    effects: Iterable[object], t: Translator, context: Mapping[str, str]
) -> list[Outgoing]:
    """Every ``Say`` among ``effects`` that applies in this chat (``applies``), rendered."""
    return [
        render(e, t, context) for e in effects if isinstance(e, Say) and applies(e.text.id, context)
    ]


def render_text(msgid: str, t: Translator) -> Outgoing:
    """A plain message from a msgid, outside the engine (adapter-level notices)."""
    return Outgoing(t.render(Msg(msgid)))


def fold(text: str) -> str:
    """Lower-case, accents and punctuation removed: how typed labels are compared."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w]+", " ", text).split())
