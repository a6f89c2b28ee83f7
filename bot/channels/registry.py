"""The one list of channels, and what the rest of the bot may know of each.

A person's chat key starts with its channel's prefix (``tg:42``, ``web:…``, ``terminal``);
only this registry decodes it. Each channel's line says its name (as stored with a request
and counted), how staff read it (the request e-mail, statistics, hand-off cards), and what
it can do: carry a conversation with a person from PAT, and how long a relayed message may
be. The channels' own code (how they speak to people) is in their modules beside this one.
"""

from __future__ import annotations

from dataclasses import dataclass

from flows.texts import N_


@dataclass(frozen=True)
class Channel:
    """What the bot knows of one channel, wherever it needs to."""

    name: str  # stored with a request and counted: "telegram", "web", "terminal"
    prefix: str  # every chat key of this channel starts with it
    label: str  # how staff read it (a msgid: the statistics are in the staff's language)
    mail_label: str  # in the request e-mail (French, as the whole e-mail)
    handoff: bool = False  # a person from PAT can answer in this chat
    # Staff get a card (through their Telegram chat) for every request of this channel, not only
    # when the person chose to talk in the chat: true where the person is on Telegram already.
    card_always: bool = True
    relay_limit: int = 4000  # characters per relayed message (longer ones are split)
    # Served by the web server beside the page (a webhook): "module:function", called with the
    # App, returning a ``Served`` (bot/channels/base.py), or None while its settings are unset.
    webhook: str = ""


# Telegram's limit is 4,096 characters after HTML escaping, which may lengthen a text.
TELEGRAM = Channel("telegram", "tg:", N_("Telegram"), "Telegram", handoff=True, relay_limit=3500)
WEB = Channel("web", "web:", N_("page web"), "page web", handoff=True, card_always=False)
TERMINAL = Channel("terminal", "terminal", N_("terminal"), "terminal (essai)", handoff=True)
# WhatsApp's text limit is 4,096 characters; its chat keys are « wa:+<number> » (the "+" lets
# the log filter of bot/logs.py recognise the phone number, should one ever reach a line).
WHATSAPP = Channel(
    "whatsapp",
    "wa:",
    N_("WhatsApp"),
    "WhatsApp",
    handoff=True,
    card_always=False,  # a card goes through Telegram: only for a chosen hand-off
    relay_limit=4000,
    webhook="bot.channels.whatsapp:served",
)
CHANNELS: tuple[Channel, ...] = (TELEGRAM, WEB, TERMINAL, WHATSAPP)
UNKNOWN = Channel("", "", N_("inconnu"), "inconnu")


# Desks: where staff answer a hand-off (keys of staff chats, never of a person's).
TELEGRAM_DESK = "tg-staff:"  # and the staff group's chat id
CONSOLE_DESK = "staff:terminal"  # pat-bot staff (not "terminal…": that is a person's key)


def is_desk(chat_key: str) -> bool:
    return chat_key.startswith((TELEGRAM_DESK, CONSOLE_DESK))


def channel_of(chat_key: str) -> Channel:
    """The channel of a chat key (UNKNOWN for a key no channel owns)."""
    return next((c for c in CHANNELS if chat_key.startswith(c.prefix)), UNKNOWN)


def named(name: str | None) -> Channel:
    """The channel stored under ``name`` with a request (UNKNOWN when none is)."""
    return next((c for c in CHANNELS if c.name == name), UNKNOWN)
