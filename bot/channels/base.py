"""How the rest of the bot reaches a chat: the one place a running channel connects to.

A channel running in this process connects, under its prefix (from the registry), the ways
it can reach its chats:

- ``tell``: a short notice to a person (the outbox: « votre demande est bien arrivée ») ;
- ``relay``: a message of a hand-off, from a person of PAT or about the conversation. A chat
  that is not there now (a web page closed) raises ``Away``: the message waits for it, and no
  try is counted (the hand-off drops a message only after tries that failed).

The outbox and the hand-off ask ``Chats`` by chat key and never decode a prefix themselves. A
chat no channel of this process reaches is left for a process that can (the Telegram bot
and ``pat-bot web`` may run side by side on one data folder).

A channel reached by webhooks (WhatsApp) is ``Served`` by the web page's server, beside the
page: its registry line names the function that makes it (``Channel.webhook``), and
``served_beside`` makes every one whose settings are set; the web server mounts their routes
and closes them when it stops. A new channel of that kind needs no change outside its package
and its registry line.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Protocol, TypeVar

from bot.channels.registry import CHANNELS
from storage.handoffs import Relayed

if TYPE_CHECKING:
    from starlette.routing import BaseRoute

    from bot.app import App

Tell = Callable[[str, str], Awaitable[None]]  # (chat key, text)
Relay = Callable[[Relayed], Awaitable[None]]
T = TypeVar("T")


class Away(Exception):
    """The chat cannot be reached now but may come back (no page of it open): the message
    waits, in order, and is not a failed try."""


class Chats:
    """The chats this process can reach, by prefix of their keys (the longest one wins: a
    terminal's own key, ``tg-staff:`` beside ``tg:``)."""

    def __init__(self) -> None:
        self._tell: dict[str, Tell] = {}
        self._relay: dict[str, Relay] = {}

    def connect(self, prefix: str, *, tell: Tell | None = None, relay: Relay | None = None) -> None:
        """Chats whose key starts with ``prefix`` are reached through these."""
        if tell is not None:
            self._tell[prefix] = tell
        if relay is not None:
            self._relay[prefix] = relay

    def teller(self, chat_key: str) -> Tell | None:
        return _longest(self._tell, chat_key)

    def relayer(self, chat_key: str) -> Relay | None:
        return _longest(self._relay, chat_key)

    def relayed(self) -> list[str]:
        """The prefixes of the chats this process relays hand-off messages to."""
        return list(self._relay)


def _longest(ways: dict[str, T], chat_key: str) -> T | None:
    found = [p for p in ways if chat_key.startswith(p)]
    return ways[max(found, key=len)] if found else None


class Served(Protocol):
    """A channel the web server serves beside the page: its routes, and what ends it."""

    def routes(self) -> list[BaseRoute]: ...

    async def close(self) -> None: ...


def served_beside(app: App) -> list[Served]:
    """The channels served by the web server whose settings are set (``Channel.webhook``)."""
    found: list[Served] = []
    for channel in CHANNELS:
        if channel.webhook:
            module, _, name = channel.webhook.partition(":")
            made = getattr(importlib.import_module(module), name)(app)
            if made is not None:
                found.append(made)
    return found
