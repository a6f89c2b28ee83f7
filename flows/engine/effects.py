"""What the adapter must do: the effects ``advance`` returns (say a message with buttons,
record a consent, store a request, erase a person's data)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal


@dataclass(frozen=True)
class Msg:
    """A text to translate (msgid) and its placeholders (strings or further Msgs)."""

    id: str
    params: Mapping[str, str | int | Msg] = field(default_factory=dict)


@dataclass(frozen=True)
class Button:
    id: str
    label: Msg
    selected: bool = False


@dataclass(frozen=True)
class Field:
    """One answer as staff and the summary show it."""

    key: str
    step: str
    label: Msg
    value: str | Msg | tuple[Msg, ...]
    raw: str | tuple[str, ...]


@dataclass(frozen=True)
class Say:
    """One chat bubble. ``buttons`` belong to prompt ``turn``; ``update`` asks the adapter to
    redraw the previous prompt (a toggled multi-choice) instead of sending a new bubble.
    ``field``: at a typed answer, "<validator>/<key>" of its step ("email/email"), so that a
    channel can offer the right keyboard and autofill (the web page: type and autocomplete)."""

    text: Msg
    buttons: tuple[Button, ...] = ()
    fields: tuple[Field, ...] = ()
    turn: int = 0
    expects: Literal["nothing", "choice", "multi", "text"] = "nothing"
    update: bool = False
    field: str = ""


@dataclass(frozen=True)
class ConsentGiven:
    version: str
    at: datetime


@dataclass(frozen=True)
class ConsentRefused:
    version: str


@dataclass(frozen=True)
class Forget:
    """Erase everything held about this person (the adapter knows what and where)."""


@dataclass(frozen=True)
class Submit:
    """A finished request, handed over for storage and delivery."""

    offer: str
    offer_title: Msg
    fields: tuple[Field, ...]
    answers: Mapping[str, str | list[str]]
    faq_read: tuple[str, ...]
    locale: str
    consent_version: str
    consent_at: datetime
    source: str | None


Effect = Say | ConsentGiven | ConsentRefused | Submit | Forget
